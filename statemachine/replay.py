"""Replay: re-run an episode from its log and prove it reproduces what was recorded.

Like Gymnasium's determinism check (reset twice with one seed, step the same actions,
compare), but against the durable log: the scenario snapshot pinned in
``EpisodeStarted`` is rebuilt, every recorded action is stepped again through the same
pure :func:`~caseops.statemachine.engine.apply_step`, and each produced event is compared
with the stored one, byte for byte in canonical JSON (rewards and scores included).
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from caseops.canonical import canonical_json
from caseops.domain.actions import CaseAction
from caseops.domain.events import EpisodeStarted, Event, JudgeVerdict, StepEvent
from caseops.domain.grading import EMPTY_TALLY, GRADER_VERSION, GradeReport, Tally, grade, score_of
from caseops.domain.scenario import Scenario, snapshot_hash

from .engine import apply_step, fold


class ReplayReport(BaseModel):
    """The outcome of replaying one episode.

    ``matches`` is true when every event, reward and score replayed identically;
    ``mismatches`` says where it did not. ``grade`` is the grade recomputed from the log
    (its ``score`` a number, as on every route). ``recorded_score``, ``replayed_score``,
    ``recorded_rewards`` and ``replayed_rewards`` are exact: the 12-decimal strings the log
    holds, compared as written (a float would not compare exactly).
    """

    model_config = ConfigDict(frozen=True)

    episode_id: str
    task_id: str
    matches: bool
    mismatches: list[str]
    #: the episode was recorded under another grader version: its rewards and scores are
    #: recomputed by this grader and reported, not compared (that is no log mismatch)
    grader_changed: bool = False
    notes: list[str] = []
    scenario_hash_ok: bool
    grader_version_recorded: str
    grader_version: str
    steps: int
    done: bool
    final_status: str
    recorded_score: str
    replayed_score: str
    recorded_rewards: list[str]
    replayed_rewards: list[str]
    grade: GradeReport


def scenario_of(started: EpisodeStarted) -> Scenario:
    """The scenario an episode ran, rebuilt from its ``EpisodeStarted`` snapshot."""
    return Scenario.model_validate(started.scenario)


def replay(events: Sequence[Event], event_ids: Sequence[str] | None = None) -> ReplayReport:
    """Replay a stream (``EpisodeStarted`` first) and compare with what it recorded.

    Raises:
        ValueError: when the stream is empty or does not start with ``EpisodeStarted``.
    """
    if not events or not isinstance(events[0], EpisodeStarted):
        raise ValueError("a stream must start with EpisodeStarted")
    started = events[0]
    scenario = scenario_of(started)
    mismatches: list[str] = []
    notes: list[str] = []
    changed = started.grader_version != GRADER_VERSION
    if changed:
        notes.append(
            f"recorded under grader {started.grader_version}; this is grader "
            f"{GRADER_VERSION}: rewards and scores are recomputed, not compared "
            "(use `caseops regrade` to see how the score changes)"
        )
    hash_ok = snapshot_hash(started.scenario) == started.scenario_hash
    if not hash_ok:
        mismatches.append("scenario snapshot does not match its recorded hash")
    start_score = str(score_of(scenario, EMPTY_TALLY))
    if start_score != started.start_score and not changed:
        mismatches.append(f"start score {started.start_score} replays as {start_score}")

    record = fold([started])
    history: list[Event] = [started]
    tally: Tally | None = None
    recorded_rewards: list[str] = []
    replayed_rewards: list[str] = []
    i = 1
    while i < len(events):
        ev = events[i]
        if not isinstance(ev, StepEvent):
            mismatches.append(f"event {i + 1} ({ev.type}) follows no step")
            history.append(ev)
            tally = None  # read again from the history at the next step
            i += 1
            continue
        recorded_rewards.append(ev.reward)
        if record.done:
            mismatches.append(f"event {i + 1}: step {ev.step} after the episode ended")
            break
        action = CaseAction.model_validate(ev.action)
        nxt = events[i + 1] if i + 1 < len(events) else None
        verdict = nxt if isinstance(nxt, JudgeVerdict) else None
        out = apply_step(scenario, record, history, action, tally, verdict)
        replayed_rewards.append(str(out.reward))
        for k, produced in enumerate(out.events):
            j = i + k
            if j >= len(events):
                mismatches.append(f"step {ev.step}: replay produced {produced.type}, log ends")
                continue
            stored = events[j]
            if stored.type != produced.type or _comparable(stored, changed) != _comparable(
                produced, changed
            ):
                mismatches.append(
                    f"event {j + 1} (step {ev.step}): stored {stored.type} differs from replay"
                )
        history.extend(out.events)
        record = out.record
        tally = out.tally
        i += len(out.events)

    report = grade(scenario, events, event_ids)
    recorded_score = started.start_score if not recorded_rewards else _last_score(events)
    if recorded_score != report.score_exact and not changed:
        mismatches.append(f"recorded score {recorded_score} != regraded {report.score_exact}")
    return ReplayReport(
        episode_id=started.episode_id,
        task_id=started.task_id,
        matches=not mismatches,
        mismatches=mismatches,
        grader_changed=changed,
        notes=notes,
        scenario_hash_ok=hash_ok,
        grader_version_recorded=started.grader_version,
        grader_version=GRADER_VERSION,
        steps=record.steps_taken,
        done=record.done,
        final_status=record.status,
        recorded_score=recorded_score,
        replayed_score=report.score_exact,
        recorded_rewards=recorded_rewards,
        replayed_rewards=replayed_rewards,
        grade=report,
    )


_GRADED = ("reward", "score")


def _comparable(ev: Event, grader_changed: bool) -> str:
    """The event's canonical JSON; without what the grader stamps (reward, score) when
    the episode was recorded under another grader version."""
    if not grader_changed or not isinstance(ev, StepEvent):
        return ev.canonical()
    return canonical_json({k: v for k, v in ev.payload().items() if k not in _GRADED})


def _last_score(events: Sequence[Event]) -> str:
    for ev in reversed(events):
        if isinstance(ev, StepEvent):
            return ev.score
    return "0"
