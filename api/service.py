"""The episode service: the application layer between the outside world and the domain.

It picks scenarios, starts streams, rebuilds a case from its stream (with a small
per-process cache checked against the stream's version, so any process sharing the
database can serve any step), runs one pure step (:func:`apply_step`) and appends its
events with the version it read as the expected version. Nothing is written unless the
whole step is appended.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from caseops.domain.actions import CaseAction
from caseops.domain.errors import InvalidRequest
from caseops.domain.events import EpisodeStarted, Event, JudgeVerdict, StepEvent
from caseops.domain.grading import GradeReport, Tally, grade, grade_tally, tally_of
from caseops.domain.observation import CaseObservation, CaseState
from caseops.domain.reward import REWARD_MODES, RewardMode
from caseops.domain.scenario import Scenario
from caseops.domain.state import CaseRecord
from caseops.eventstore import ConcurrencyError, EventStore, NewEvent
from caseops.statemachine import apply_step, fold, start_episode
from caseops.statemachine.projection import observe, public_state
from caseops.statemachine.replay import scenario_of

from .ids import request_event_id, uuid7
from .model_judge import ModelJudge
from .model_judge import from_settings as judge_from_settings
from .queries import EpisodeReader, decode, episode_lookup
from .scenario_choice import EPISODE_ID_PATTERN, choose_scenario, salt_hash
from .settings import Settings

_EPISODE_ID = re.compile(EPISODE_ID_PATTERN)


@dataclass
class Loaded:
    """An episode rebuilt from its stream: scenario, record, domain events and ids, and
    the grader's tally of those events once a step has computed it (``None`` until then)."""

    scenario: Scenario
    record: CaseRecord
    history: list[Event] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    tally: Tally | None = None


def _new_events(events: list[Event], ids: list[str] | None = None) -> list[NewEvent]:
    ids = ids or [uuid7() for _ in events]
    return [
        NewEvent(i, e.type, e.payload(), e.SCHEMA_VERSION) for i, e in zip(ids, events, strict=True)
    ]


def _meta(scenario: Scenario, record: CaseRecord) -> dict[str, Any]:
    return {
        "task_id": scenario.task_id,
        "split": scenario.split,
        "difficulty": scenario.difficulty,
        "reward_mode": record.reward_mode,
        "status": record.status,
        "done": record.done,
        "end_reason": record.end_reason,
        "steps": record.steps_taken,
        "score": str(record.score),
        "total_reward": str(record.total_reward),
        "rejected_actions": record.rejected_actions,
    }


class EpisodeService(EpisodeReader):
    """Start and step episodes stored in one :class:`EventStore`; read and replay them
    (:class:`~caseops.api.queries.EpisodeReader`). The one door to the store for the
    routes, the CLI and the environment.

    Thread-safe: the cache is guarded by a lock; the store serialises appends.

    Args:
        store: the event store.
        cache_size: episodes kept in memory.
        reward_mode: the server's reward mode: ``None`` lets each reset choose (default
            ``dense``); ``dense`` or ``terminal`` fixes it (a reset asking for the other
            is refused).
        test_salt: the private salt of the test split (``CASEOPS_TEST_SALT``), if any.
        sealed: whether the server is sealed (``CASEOPS_ADMIN_TOKEN`` set): the final
            observation then carries only the score of the grade report.
    """

    def __init__(
        self,
        store: EventStore,
        cache_size: int = 4096,
        *,
        reward_mode: RewardMode | None = None,
        test_salt: str | None = None,
        sealed: bool = False,
        judge: ModelJudge | None = None,
    ) -> None:
        if reward_mode is not None and reward_mode not in REWARD_MODES:
            raise InvalidRequest(f"reward_mode must be one of {', '.join(REWARD_MODES)}")
        super().__init__(store)
        self.cache_size = cache_size
        self.reward_mode = reward_mode
        self.test_salt = test_salt or None
        self.sealed = sealed
        #: the optional language-model judge of replies and notes (``None``: rule judge)
        self.judge = judge
        self._cache: OrderedDict[str, Loaded] = OrderedDict()
        self._lock = threading.Lock()

    # -- cache -------------------------------------------------------------------------
    def _remember(self, episode_id: str, loaded: Loaded) -> None:
        if self.cache_size <= 0:
            return
        with self._lock:
            self._cache[episode_id] = loaded
            self._cache.move_to_end(episode_id)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)

    def _cached(self, episode_id: str) -> Loaded | None:
        with self._lock:
            return self._cache.get(episode_id)

    # -- loading -----------------------------------------------------------------------
    def load(self, episode_id: str) -> Loaded:
        """The episode as stored now (cache refreshed from the stream when it moved on).

        Raises:
            EpisodeNotFound: no such episode.
        """
        cached = self._cached(episode_id)
        with episode_lookup(episode_id):
            if cached is None:
                records = self.store.read(episode_id)
                events = decode(records)
                started = events[0]
                assert isinstance(started, EpisodeStarted)
                loaded = Loaded(
                    scenario_of(started), fold(events), events, [r.event_id for r in records]
                )
            elif self.store.version(episode_id) == cached.record.version:
                return cached
            else:
                newer = self.store.read(episode_id, from_version=cached.record.version + 1)
                events = decode(newer)
                loaded = Loaded(
                    cached.scenario,
                    fold(events, cached.record),
                    [*cached.history, *events],
                    [*cached.ids, *(r.event_id for r in newer)],
                    None
                    if cached.tally is None
                    else tally_of(cached.scenario, events, cached.tally),
                )
        self._remember(episode_id, loaded)
        return loaded

    # -- commands ----------------------------------------------------------------------
    def start(
        self,
        *,
        task_id: str | None = None,
        split: str | None = None,
        seed: int | None = None,
        episode_id: str | None = None,
        reward_mode: str | None = None,
        index: int | None = None,
    ) -> tuple[Loaded, CaseObservation]:
        """Start an episode: append its ``EpisodeStarted`` and return the first observation.
        ``split`` + ``index`` plays the ``index``-th task of the split's listing.

        ``reward_mode``: ``dense`` (the default) or ``terminal``; on a server whose reward
        mode is fixed, ``None`` or that mode.

        Raises:
            UnknownTask: unknown task or split.
            InvalidRequest: a malformed custom ``episode_id``, an unknown reward mode, or
                one the server's fixed mode does not allow.
            ConcurrencyError: a custom ``episode_id`` that already exists.
        """
        mode = self._reward_mode(reward_mode)
        if episode_id is None:
            episode_id = uuid7()
        elif not _EPISODE_ID.fullmatch(episode_id):  # `$` alone lets a final \n through
            raise InvalidRequest(
                "episode_id must be 1-64 characters of letters, digits and _ . : -"
            )
        scenario = choose_scenario(task_id, split, seed, episode_id, self.test_salt, index)
        salted = self.test_salt is not None and scenario.split == "test"
        started, record = start_episode(
            scenario, episode_id, mode, salt_hash(self.test_salt) if salted else None
        )
        stored = self.store.append(
            episode_id, 0, _new_events([started]), meta=_meta(scenario, record)
        )
        loaded = Loaded(scenario, record, [started], [stored[0].event_id])
        self._remember(episode_id, loaded)
        return loaded, observe(scenario, record)

    def _reward_mode(self, asked: str | None) -> RewardMode:
        """The reward mode of a new episode (see :meth:`start`)."""
        if asked is not None and asked not in REWARD_MODES:
            raise InvalidRequest(
                f"reward_mode must be one of {', '.join(REWARD_MODES)}, not {asked!r}"
            )
        if self.reward_mode is not None:
            if asked is not None and asked != self.reward_mode:
                raise InvalidRequest(
                    f"reward_mode: this server runs every episode in the "
                    f"{self.reward_mode!r} mode (CASEOPS_REWARD_MODE); a reset cannot "
                    f"change it"
                )
            return self.reward_mode
        return "terminal" if asked == "terminal" else "dense"

    def step(
        self, episode_id: str, action: CaseAction, request_id: str | None = None
    ) -> tuple[Loaded, CaseObservation]:
        """Apply one action to the episode and append its events atomically.

        With a ``request_id``, the step is idempotent: a retry of a request already applied
        returns the original observation and appends nothing (event ids derive from the
        request id, and the store answers a repeated append with what it stored).

        Raises:
            EpisodeNotFound: no such episode.
            EpisodeAlreadyEnded: the episode is over (nothing appended).
            ConcurrencyError: another step was appended first (nothing appended).
        """
        if request_id is not None:
            replayed = self._answered(episode_id, request_id)
            if replayed is not None:
                return replayed
        # Optimistic: a cached episode is used without asking the store for its version;
        # the append's expected-version check is the freshness check. A conflict while
        # the cache still holds what this step used means another process moved the
        # stream earlier (a stale cache, not a race): reload and apply once more. A
        # conflict after a step of this process replaced it is a lost race: 409.
        loaded = self._cached(episode_id)
        fresh = loaded is None
        if loaded is None:
            loaded = self.load(episode_id)
        verdict = self._model_verdict(loaded, action)
        while True:
            out = apply_step(
                loaded.scenario, loaded.record, loaded.history, action, loaded.tally, verdict
            )
            ids = (
                [request_event_id(episode_id, request_id, k) for k in range(len(out.events))]
                if request_id is not None
                else None
            )
            new = _new_events(out.events, ids)
            try:
                stored = self.store.append(
                    episode_id,
                    loaded.record.version,
                    new,
                    meta=_meta(loaded.scenario, out.record),
                )
                break
            except ConcurrencyError:
                if request_id is not None:
                    replayed = self._answered(episode_id, request_id)
                    if replayed is not None:
                        return replayed
                current = self._cached(episode_id)
                if fresh or (current is not None and current is not loaded):
                    raise
                loaded = self.load(episode_id)
                fresh = True
        if request_id is not None and (
            len(stored) != len(new) or stored[0].version != loaded.record.version + 1
        ):
            # Another process stored a retry of this request after other steps: what it
            # stored (not what was computed here, on an older state) is the answer.
            replayed = self._answered(episode_id, request_id)
            if replayed is not None:
                return replayed
            raise ConcurrencyError(f"stream {episode_id!r} moved on during the step")
        after = Loaded(
            loaded.scenario,
            out.record,
            [*loaded.history, *out.events],
            [*loaded.ids, *(e.event_id for e in new)],
            out.tally,
        )
        self._remember(episode_id, after)
        report = self._agent_report(after) if out.record.done else None
        return after, observe(after.scenario, after.record, float(out.reward), report)

    def _answered(self, episode_id: str, request_id: str) -> tuple[Loaded, CaseObservation] | None:
        """The original answer to a step request already stored, or ``None``."""
        first = self.store.find(request_event_id(episode_id, request_id, 0))
        if first is None or first.stream_id != episode_id:
            return None
        full = self.load(episode_id)
        # The step's events run from ``first.version`` up to the next step event.
        end = first.version
        while end < len(full.history) and not isinstance(full.history[end], StepEvent):
            end += 1
        history = full.history[:end]
        record = fold(history)
        upto = Loaded(full.scenario, record, history, full.ids[:end])
        report = self._agent_report(upto) if record.done else None
        return upto, observe(full.scenario, record, float(record.last_reward), report)

    # -- queries -----------------------------------------------------------------------
    @staticmethod
    def report(loaded: Loaded) -> GradeReport:
        """The grade report of a loaded episode (citing stored event ids)."""
        if loaded.tally is not None and loaded.tally.read == len(loaded.history):
            return grade_tally(loaded.scenario, loaded.tally, loaded.ids)
        return grade(loaded.scenario, loaded.history, loaded.ids)

    def _agent_report(self, loaded: Loaded) -> GradeReport:
        """The grade report an agent sees at the end: the whole report on an open server;
        on a sealed one only the score and whether the outcome was right, so that no
        answer can be read off per-component credit and tried again in another episode
        (administrators read the whole report through the replay route)."""
        report = self.report(loaded)
        if not self.sealed:
            return report
        return report.model_copy(
            update={"components": [], "outcome": "sealed: the details are for administrators"}
        )

    def observation(self, episode_id: str) -> CaseObservation:
        """The current observation of an episode (reward of its last step)."""
        loaded = self.load(episode_id)
        rec = loaded.record
        report = self._agent_report(loaded) if rec.done else None
        reward = float(rec.last_reward) if rec.steps_taken else None
        return observe(loaded.scenario, rec, reward, report)

    def state(self, episode_id: str) -> CaseState:
        """The public state of an episode."""
        return public_state(self.load(episode_id).record)

    def _model_verdict(self, loaded: Loaded, action: CaseAction) -> JudgeVerdict | None:
        """The model judge's verdict on a reply or note action (before the step, so the
        step's grade and its replay read it); ``None`` without a model judge, for any
        other action, or on a finished episode."""
        if self.judge is None or loaded.record.done:
            return None
        gold = loaded.scenario.gold
        if action.action_type == "draft_reply" and action.message and gold.reply_points:
            return self.judge.verdict(
                "reply", action.message, gold.reply_points, gold.forbidden_claims
            )
        if action.action_type == "add_internal_note" and action.note and gold.note_points:
            return self.judge.verdict("note", action.note, gold.note_points, gold.forbidden_claims)
        return None


def build_service(settings: Settings) -> EpisodeService:
    """The service the settings describe: the store at ``database_url`` (its hash chain
    keyed by ``chain_key``), the episode cache, the reward mode, the test salt, sealing
    (``admin_token``) and the optional language-model judge (``judge_model``)."""
    store = EventStore(
        settings.database_url,
        lock_timeout_ms=settings.lock_timeout_ms,
        chain_key=settings.chain_key,
    )
    return EpisodeService(
        store,
        cache_size=settings.cache_episodes,
        reward_mode=settings.reward_mode,
        test_salt=settings.test_salt,
        sealed=bool(settings.admin_token),
        judge=judge_from_settings(settings),
    )
