"""Played episodes from the event log as training data (``caseops export``).

Each ended episode becomes one chat-formatted record: the system instructions, the case's
first observation as the user turn, then per step the action as an assistant tool call
(OpenAI's ``tool_calls`` format, the tool named after the action type) and the next
observation as the tool result, with the step's reward. The record also carries the
episode's score and its grade components (name, weight, earned) and the rewards per step.
Observations are rebuilt from the log exactly as the agent saw them
(:func:`caseops.statemachine.projection.observe`); nothing carries the scenario snapshot
or its gold (the final observation's grade report is reduced to its score).

The log is read through the episode service in chunks
(:meth:`~caseops.api.queries.EpisodeReader.payloads`, many episodes per query) and records
are written as they are made, so a large store is never held whole.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from caseops.domain.events import EpisodeStarted, Event, StepEvent, event_from_payload
from caseops.domain.grading import grade
from caseops.domain.state import CaseRecord
from caseops.statemachine import evolve
from caseops.statemachine.projection import observe
from caseops.statemachine.replay import scenario_of

from .queries import EpisodeReader

SYSTEM_PROMPT = (
    "You are a customer-support agent working one case with tools: one tool per action "
    "(review_ticket, inspect_artifact, search_policy, draft_reply, add_internal_note, "
    "classify, request_info, escalate, resolve, submit). Work the case to its right outcome."
)
#: Streams read per query.
CHUNK = 200


@dataclass
class ExportStats:
    """What an export wrote: ``episodes`` (records), ``skipped`` (not ended, or another
    split), ``messages`` (chat turns over all records)."""

    episodes: int = 0
    skipped: int = 0
    messages: int = 0


def _observation(obs: Any) -> dict[str, Any]:
    body: dict[str, Any] = obs.model_dump(mode="json", exclude={"reward", "done", "metadata"})
    if body.get("grade_report") is not None:
        body["grade_report"] = {"score": body["grade_report"]["score"]}
    return body


def episode_record(episode_id: str, events: Sequence[Event], ids: Sequence[str]) -> dict[str, Any]:
    """The chat record of one ended episode (see the module docstring)."""
    started = events[0]
    assert isinstance(started, EpisodeStarted)
    scenario = scenario_of(started)
    record = CaseRecord()
    record = evolve(record, started)
    first = _observation(observe(scenario, record))
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": json.dumps(first, separators=(",", ":"))},
    ]
    rewards: list[float] = []
    pending: StepEvent | None = None
    report = grade(scenario, events, ids)

    def close_step() -> None:
        if pending is None:
            return
        reward = float(pending.reward)
        rewards.append(reward)
        obs = _observation(observe(scenario, record, reward, report if record.done else None))
        messages.append(
            {
                "role": "tool",
                "tool_call_id": f"call_{pending.step}",
                "name": str(pending.action.get("action_type")),
                "content": json.dumps(
                    {"observation": obs, "reward": reward, "done": record.done},
                    separators=(",", ":"),
                ),
            }
        )

    for ev in events[1:]:
        if isinstance(ev, StepEvent):
            close_step()
            pending = ev
            args = {k: v for k, v in ev.action.items() if k not in ("action_type", "metadata")}
            messages.append(
                {
                    "role": "assistant",
                    "content": "",
                    "tool_calls": [
                        {
                            "id": f"call_{ev.step}",
                            "type": "function",
                            "function": {
                                "name": str(ev.action.get("action_type")),
                                "arguments": json.dumps(args, separators=(",", ":")),
                            },
                        }
                    ],
                }
            )
        record = evolve(record, ev)
    close_step()
    return {
        "episode_id": episode_id,
        "task_id": scenario.task_id,
        "family": scenario.family,
        "split": scenario.split,
        "reward_mode": record.reward_mode,
        "final_status": report.final_status,
        "steps": record.steps_taken,
        "score": report.score,
        "components": [
            {"name": c.name, "weight": c.weight, "earned": c.earned} for c in report.components
        ],
        "rewards": rewards,
        "messages": messages,
    }


def export_records(
    service: EpisodeReader,
    split: str | None = None,
    episode_ids: Sequence[str] | None = None,
    chunk: int = CHUNK,
    stats: ExportStats | None = None,
) -> Iterator[dict[str, Any]]:
    """Records of the ended episodes of ``split`` (every split when ``None``), oldest
    first, read from ``service`` ``chunk`` episodes per query. ``stats`` (updated as it
    goes) counts what was skipped.
    """
    stats = stats if stats is not None else ExportStats()
    ids = list(episode_ids) if episode_ids is not None else service.episode_ids()
    for sid, rows in service.payloads(ids, batch=chunk):
        if not rows:
            stats.skipped += 1
            continue
        events = [event_from_payload(t, json.loads(p)) for _, t, p in rows]
        started = events[0]
        ended = any(ev.type == "EpisodeEnded" for ev in events)
        if (
            not isinstance(started, EpisodeStarted)
            or not ended
            or (split is not None and started.split != split)
        ):
            stats.skipped += 1
            continue
        rec = episode_record(sid, events, [r[0] for r in rows])
        stats.episodes += 1
        stats.messages += len(rec["messages"])
        yield rec
