"""The episode service: the application layer between the outside world and the domain.

It picks scenarios, starts streams, rebuilds a case from its stream (with a small
per-process cache checked against the stream's version, so any process sharing the
database can serve any step), runs one pure step (:func:`apply_step`) and appends its
events with the version it read as the expected version. Nothing is written unless the
whole step is appended.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from caseops.api.model_judge import ModelJudge
from caseops.api.model_judge import from_settings as judge_from_settings
from caseops.api.regrade_jobs import auto_jobs, can_fork, regrade_in_workers
from caseops.api.settings import Settings
from caseops.cases.catalog import get_scenario, task_refs
from caseops.domain.actions import CaseAction
from caseops.canonical import derive_seed
from caseops.domain.errors import EpisodeNotFound, InvalidRequest, UnknownTask
from caseops.domain.events import EpisodeStarted, Event, JudgeVerdict, StepEvent, event_from_payload
from caseops.domain.grading import GradeReport, Tally, grade, grade_tally, tally_of
from caseops.domain.grading.regrade import Regrader, RegradeResult
from caseops.domain.observation import CaseObservation, CaseState
from caseops.domain.reward import REWARD_MODES, RewardMode
from caseops.domain.scenario import Scenario
from caseops.domain.state import CaseRecord
from caseops.eventstore import (
    ConcurrencyError,
    EventStore,
    NewEvent,
    RecordedEvent,
    StreamNotFound,
)
from caseops.statemachine import apply_step, evolve, start_episode
from caseops.statemachine.projection import observe, public_state
from caseops.statemachine.replay import ReplayReport, replay, scenario_of

#: A custom episode id (also the ``pattern`` of ``POST /reset``'s ``episode_id``).
EPISODE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"
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


_UUID7_LOCK = threading.Lock()
_uuid7_last = 0  # the last (milliseconds << 74 | random) handed out by this process
#: ``os.urandom`` drawn in blocks (one system call per 409 ids rather than per id); a
#: forked child drops what it inherited, so two processes never share random bits.
_ENTROPY_BLOCK = 4096
_entropy = b""
_entropy_at = 0


def _drop_entropy() -> None:
    global _entropy, _entropy_at
    _entropy, _entropy_at = b"", 0


os.register_at_fork(after_in_child=_drop_entropy)


def _random_bits(nbytes: int) -> int:
    """``nbytes`` bytes of ``os.urandom`` as an integer (call with ``_UUID7_LOCK`` held)."""
    global _entropy, _entropy_at
    if _entropy_at + nbytes > len(_entropy):
        _entropy, _entropy_at = os.urandom(_ENTROPY_BLOCK), 0
    start = _entropy_at
    _entropy_at = start + nbytes
    return int.from_bytes(_entropy[start : start + nbytes], "big")


def uuid7() -> str:
    """A new UUID version 7 (RFC 9562, section 5.7) as text: 48 bits of Unix time in
    milliseconds, then 74 random bits (``os.urandom``, drawn in blocks), with the version
    and variant bits. Monotonic within a process (RFC 9562 section 6.2, method 2, with a
    random increment): an id made in the same millisecond as the last one, or after the
    clock stepped back, is the last one plus a random 1 to 2**32, so it still sorts
    after it and two forked processes do not make the same one.

    Ids that sort by creation time append at the right edge of a B-tree index (the
    store's unique index of event ids, the index of stream ids) instead of at a random
    page: on SQLite an append cost about 30% less with them than with version 4 ids
    (README, Performance). Only ids are time-based; nothing in the domain reads them.
    """
    global _uuid7_last
    ms = time.time_ns() // 1_000_000
    with _UUID7_LOCK:
        candidate = ms << 74 | _random_bits(10) >> 6
        if candidate <= _uuid7_last:
            candidate = _uuid7_last + 1 + _random_bits(4)
        _uuid7_last = candidate
    ms, rand = candidate >> 74, candidate & (1 << 74) - 1
    value = ms << 80 | 0x7 << 76 | (rand >> 62) << 64 | 0x2 << 62 | rand & (1 << 62) - 1
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _new_events(events: list[Event], ids: list[str] | None = None) -> list[NewEvent]:
    ids = ids or [uuid7() for _ in events]
    return [
        NewEvent(i, e.type, e.payload(), e.SCHEMA_VERSION) for i, e in zip(ids, events, strict=True)
    ]


def request_event_id(episode_id: str, request_id: str, k: int) -> str:
    """The id of the ``k``-th event appended by step ``request_id`` of an episode: a uuid
    built from sha256, so a retried request maps to the ids it stored the first time."""
    digest = hashlib.sha256(f"{episode_id}\x1f{request_id}\x1f{k}".encode()).hexdigest()
    return str(uuid.UUID(digest[:32]))


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


def choose_scenario(
    task_id: str | None,
    split: str | None,
    seed: int | None,
    episode_id: str,
    salt: str | None = None,
    index: int | None = None,
) -> Scenario:
    """The scenario a reset asks for.

    ``task_id`` wins; otherwise a task of ``split`` (``seed``, the six seed cases, when
    ``None``; else ``train``, ``validation`` or ``test``): the ``index``-th of its listing
    when an index is given (openenv's Task API), else one chosen by ``seed`` as
    ``sha256("reset", split, seed)``, or by the episode id when no seed is given. Test
    cases are generated with the private ``salt`` when one is set.

    Raises:
        UnknownTask: unknown task id or split, or an index past the split's end.
    """
    if task_id is not None:
        return get_scenario(task_id, salt)
    pool = task_refs(split)
    if index is not None:
        if not 0 <= index < len(pool):
            raise UnknownTask(
                f"split {split or 'seed'!r} has tasks 0..{len(pool) - 1}; no index {index}"
            )
        return get_scenario(pool[index], salt)
    key = seed if seed is not None else episode_id
    return get_scenario(pool[derive_seed("reset", split or "seed", key) % len(pool)], salt)


def salt_hash(salt: str | None) -> str | None:
    """The sha256 of a private test salt (what ``EpisodeStarted`` records; never the salt)."""
    return hashlib.sha256(salt.encode()).hexdigest() if salt else None


class EpisodeService:
    """Start, step, read and replay episodes stored in one :class:`EventStore`.

    Thread-safe: the cache is guarded by a lock; the store serialises appends.
    ``last_http_episode`` is the latest episode started over plain HTTP in this process
    (what ``/step`` continues when no ``episode_id`` is given).

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
        self.store = store
        self.cache_size = cache_size
        self.reward_mode = reward_mode
        self.test_salt = test_salt or None
        self.sealed = sealed
        #: the optional language-model judge of replies and notes (``None``: rule judge)
        self.judge = judge
        self._cache: OrderedDict[str, Loaded] = OrderedDict()
        self._lock = threading.Lock()
        self.last_http_episode: str | None = None

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
    @staticmethod
    def _decode(records: list[RecordedEvent]) -> list[Event]:
        return [event_from_payload(r.type, r.payload) for r in records]

    def load(self, episode_id: str) -> Loaded:
        """The episode as stored now (cache refreshed from the stream when it moved on).

        Raises:
            EpisodeNotFound: no such episode.
        """
        cached = self._cached(episode_id)
        try:
            if cached is not None:
                current = self.store.version(episode_id)
                if current == cached.record.version:
                    return cached
                newer = self.store.read(episode_id, from_version=cached.record.version + 1)
                events = self._decode(newer)
                record = cached.record
                for ev in events:
                    record = evolve(record, ev)
                loaded = Loaded(
                    cached.scenario,
                    record,
                    [*cached.history, *events],
                    [*cached.ids, *(r.event_id for r in newer)],
                    None
                    if cached.tally is None
                    else tally_of(cached.scenario, events, cached.tally),
                )
            else:
                records = self.store.read(episode_id)
                events = self._decode(records)
                started = events[0]
                assert isinstance(started, EpisodeStarted)
                record = CaseRecord()
                for ev in events:
                    record = evolve(record, ev)
                loaded = Loaded(scenario_of(started), record, events, [r.event_id for r in records])
        except StreamNotFound:
            raise EpisodeNotFound(f"no episode {episode_id!r}") from None
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
        record = CaseRecord()
        for ev in history:
            record = evolve(record, ev)
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

    def replay(self, episode_id: str) -> ReplayReport:
        """Replay the episode from the stored log (bypassing the cache); the stream's hash
        chain is checked too (with the store's chain key), and a broken chain is a
        mismatch.

        Raises:
            EpisodeNotFound: no such episode.
        """
        try:
            records = self.store.read(episode_id)
        except StreamNotFound:
            raise EpisodeNotFound(f"no episode {episode_id!r}") from None
        report = replay(self._decode(records), [r.event_id for r in records])
        broken = self.store.verify(episode_id)
        if not broken:
            return report
        return report.model_copy(
            update={"matches": False, "mismatches": [*report.mismatches, *broken]}
        )

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

    def regrade(
        self, episode_ids: Sequence[str] | None = None, jobs: int = 1, rejudge: bool = False
    ) -> Iterator[RegradeResult]:
        """Re-grade stored episodes from their logs (every episode, oldest first, when
        ``episode_ids`` is ``None``), reading them in bulk; see
        :mod:`caseops.domain.grading.regrade`. An unknown id gives a result with
        ``problem="no events"``. Results come in the order of the ids.

        ``jobs``: worker processes to share the work (:mod:`caseops.api.regrade_jobs`);
        1 re-grades in this process, 0 chooses by the number of episodes
        (:func:`~caseops.api.regrade_jobs.auto_jobs`). ``rejudge``: set recorded judge
        verdicts aside and judge every reply and note again with the rule judge (in this
        process). Where workers cannot be forked
        (:func:`~caseops.api.regrade_jobs.can_fork`: not Linux, more than one thread
        running, or an in-memory store) it runs in this process.

        Raises:
            ValueError: ``jobs`` below 0 (at the call).
            OperationalError: the database is unavailable (while iterating).
            BrokenProcessPool: a worker process died (while iterating).
        """
        if jobs < 0:
            raise ValueError(f"jobs must be 0 (automatic) or more, not {jobs}")
        return self._regrade(episode_ids, jobs, rejudge)

    def _regrade(
        self, episode_ids: Sequence[str] | None, jobs: int, rejudge: bool = False
    ) -> Iterator[RegradeResult]:
        ids = self.store.stream_ids() if episode_ids is None else list(episode_ids)
        if jobs == 0:
            jobs = auto_jobs(len(ids))
        if jobs > 1 and can_fork(self.store.url) and not rejudge:
            for result in regrade_in_workers(self.store.url, ids, jobs):
                yield self._chain_checked(result)
            return
        regrader = Regrader(rejudge=rejudge)
        for sid, rows in self.store.read_payloads(ids):
            yield self._chain_checked(regrader.regrade(sid, rows))

    def _chain_checked(self, result: RegradeResult) -> RegradeResult:
        """``result``, marked as not matching when the store has a chain key and the
        episode's stream fails it (a re-grade of an edited or copied stream)."""
        if self.store.chain_key is None or not result.matches:
            return result
        broken = self.store.verify(result.episode_id)
        if not broken:
            return result
        return result.model_copy(update={"matches": False, "problem": broken[0]})


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
