"""Re-grade: the grade of stored episodes recomputed from their logs, in bulk.

Replay (:mod:`caseops.statemachine.replay`) re-decides every recorded action and proves
each reward; it validates every event and costs about as much as running the episode
again. Re-grading answers a narrower question quickly: *what does this grader say about
this log?* It grades the stored payloads as they are (the same grader code that computes
every reward, fed each payload's fields without building the event models) and compares
the result with the score the environment recorded at the episode's last step. Use it to
re-score a whole store after a grader change, or to check thousands of episodes at once;
use replay to prove one.

Each distinct scenario snapshot is parsed and its content hash checked once per
:class:`Regrader`: an episode whose snapshot equals (as JSON data) one already parsed
reuses it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict

from caseops.domain.events import EVENT_TYPES, STEP_EVENT_TYPES
from caseops.domain.scenario import Scenario, snapshot_hash
from caseops.domain.score import ZERO, Score

from .component import GRADER_VERSION
from .components import score_of_facts
from .tally import Fact


class RegradeResult(BaseModel):
    """The re-grade of one stored episode.

    ``score_exact`` is the grade of the log now (12-place decimal string) and ``score``
    the same as a float; ``recorded_score`` is the score the environment returned at the
    episode's last step (its starting potential before any step). ``matches`` is true
    when the two agree, the scenario snapshot matches its recorded hash, and the log
    could be graded; otherwise ``problem`` says why not.
    """

    model_config = ConfigDict(frozen=True)

    episode_id: str
    task_id: str
    events: int
    steps: int
    done: bool
    final_status: str
    grader_version_recorded: str
    grader_version: str
    recorded_score: str
    score_exact: str
    score: float
    matches: bool
    problem: str | None = None
    #: recorded under another grader version: a different score is the new grader's
    #: judgement, not a mismatch (``score_change`` says by how much; 12-place decimal)
    grader_changed: bool = False
    score_change: str = str(ZERO)


#: How many parsed scenario snapshots a :class:`Regrader` keeps (oldest dropped first).
SCENARIOS_KEPT = 256


class Regrader:
    """Re-grades stored episodes; holds the parsed scenario snapshots it has met.

    Not thread-safe (use one per thread).
    """

    def __init__(self, rejudge: bool = False) -> None:
        #: re-judge on purpose: recorded judge verdicts are set aside and every reply and
        #: note is judged again by the rule judge (``caseops regrade --rejudge``)
        self.rejudge = rejudge
        self._scenarios: dict[str, tuple[Mapping[str, Any], Scenario, bool]] = {}

    def _scenario(self, started: Mapping[str, Any]) -> tuple[Scenario, bool]:
        """The scenario of an ``EpisodeStarted`` payload and whether its hash holds."""
        snapshot = started["scenario"]
        claimed = started["scenario_hash"]
        hit = self._scenarios.get(claimed)
        if hit is not None and hit[0] == snapshot:
            return hit[1], hit[2]
        scenario = Scenario.model_validate(snapshot)
        ok = snapshot_hash(snapshot) == claimed
        self._scenarios.pop(claimed, None)
        self._scenarios[claimed] = (snapshot, scenario, ok)
        if len(self._scenarios) > SCENARIOS_KEPT:  # generated cases: one snapshot each
            del self._scenarios[next(iter(self._scenarios))]
        return scenario, ok

    def regrade(self, episode_id: str, rows: Sequence[tuple[str, str, str]]) -> RegradeResult:
        """Re-grade one episode from its stored rows ``(event_id, type, payload_json)``
        in version order (what :meth:`EventStore.read_payloads` yields).

        Never raises for a bad log: an empty stream, a first event that is not
        ``EpisodeStarted``, an unknown event type or a payload that does not fit its
        type gives ``matches=False`` with the ``problem``.
        """
        if not rows:
            return _failed(episode_id, 0, "", "", "no events")
        task_id = recorded_version = ""
        try:
            items: list[Fact] = [
                (typ, orjson.loads(payload))
                for _, typ, payload in rows
                if not (self.rejudge and typ == "JudgeVerdict")
            ]
            kind, started = items[0]
            if kind != "EpisodeStarted":
                return _failed(episode_id, len(rows), "", "", f"the first event is {kind}")
            task_id = str(started.get("task_id", ""))
            recorded_version = str(started.get("grader_version", ""))
            recorded = started["start_score"]
            done = False
            for k, (kind, fields) in enumerate(items):
                if kind in STEP_EVENT_TYPES:
                    recorded = fields["score"]
                elif kind == "EpisodeEnded":
                    done = True
                elif kind not in EVENT_TYPES:
                    why = f"event {k + 1}: unknown type {kind}"
                    return _failed(episode_id, len(rows), task_id, recorded_version, why)
            scenario, hash_ok = self._scenario(started)
            score, status, steps = score_of_facts(scenario, items)
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            why = f"a payload does not fit its type ({e!r})"
            return _failed(episode_id, len(rows), task_id, recorded_version, why)
        exact = str(score)
        # another grader, or verdicts set aside on purpose: a new score is expected
        changed = recorded_version != GRADER_VERSION or self.rejudge
        problem: str | None = None
        try:
            delta = str(score - Score.parse(recorded))
        except (ValueError, ZeroDivisionError, AttributeError, TypeError):
            delta = ""
        if not hash_ok:
            problem = "scenario snapshot does not match its recorded hash"
        elif recorded != exact and not changed:
            problem = f"recorded score {recorded} != regraded {exact}"
        try:
            return RegradeResult(
                episode_id=episode_id,
                task_id=task_id,
                events=len(rows),
                steps=steps,
                done=done,
                final_status=status,
                grader_version_recorded=recorded_version,
                grader_version=GRADER_VERSION,
                recorded_score=recorded,
                score_exact=exact,
                score=float(score),
                matches=problem is None,
                problem=problem,
                grader_changed=changed,
                score_change=delta or str(ZERO),
            )
        except ValueError as e:  # a field of the wrong type (a step that is not an int...)
            why = f"a payload does not fit its type ({e!r})"
            return _failed(episode_id, len(rows), task_id, recorded_version, why)


def _failed(
    episode_id: str, events: int, task_id: str, recorded_version: str, problem: str
) -> RegradeResult:
    """The result for a log that could not be graded."""
    return RegradeResult(
        episode_id=episode_id,
        task_id=task_id,
        events=events,
        steps=0,
        done=False,
        final_status="",
        grader_version_recorded=recorded_version,
        grader_version=GRADER_VERSION,
        recorded_score="",
        score_exact="",
        score=0.0,
        matches=False,
        problem=problem,
    )
