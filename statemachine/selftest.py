"""Self-checks of scenarios and families, shipped as code (Gymnasium's env_checker idea).

``play(scenario, agent)`` runs an agent through the pure engine (no store) and returns
the final score; ``family_report(family, seeds)`` runs every reference agent over
generated cases and checks each case's consistency; ``check_determinism`` generates a
case twice and plays it twice.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from caseops.canonical import derive_seed
from caseops.domain.errors import EpisodeAlreadyEnded
from caseops.domain.events import Event
from caseops.domain.scenario import Scenario

from . import agents
from .engine import apply_step, start_episode
from .projection import observe

AgentFactory = Callable[[Scenario, random.Random], agents.Policy]


def play(scenario: Scenario, agent: AgentFactory, seed: int = 0) -> tuple[float, list[Event]]:
    """Play ``agent`` on ``scenario`` to the end; returns (final score, events)."""
    rng = random.Random(derive_seed("agent", scenario.task_id, seed))
    policy = agent(scenario, rng)
    started, record = start_episode(scenario, f"selftest-{scenario.task_id}")
    history: list[Event] = [started]
    score = record.score
    while not record.done:
        action = policy(observe(scenario, record))
        try:
            out = apply_step(scenario, record, history, action)
        except EpisodeAlreadyEnded:  # pragma: no cover - the loop stops first
            break
        history.extend(out.events)
        record = out.record
        score = out.score
    return float(score), history


@dataclass
class FamilyReport:
    """Mean score per reference agent over a family's seeds, and any problems found."""

    family: str
    seeds: int
    means: dict[str, float] = field(default_factory=dict)
    oracle_min: float = 1.0
    problems: list[str] = field(default_factory=list)


def reference_agents(scenarios: Sequence[Scenario]) -> dict[str, AgentFactory]:
    """The shortcut agents for ``scenarios`` (the most common code and the stuffed reply
    are computed over them, which is the strongest version of each shortcut)."""
    codes = Counter(s.gold.resolution_code for s in scenarios if s.gold.resolution_code)
    common = codes.most_common(1)[0][0] if codes else "provide_information"
    return {
        "do_nothing": agents.do_nothing,
        "escalate_everything": agents.escalate_everything,
        "most_common_code": agents.resolve_with(common),
        "keyword_stuffer": agents.keyword_stuffer(agents.stuffing_reply(scenarios)),
        "random": agents.random_agent,
    }


def family_report(
    scenarios: Sequence[Scenario], family: str, stuffing_pool: Sequence[Scenario] | None = None
) -> FamilyReport:
    """Run the oracle and every shortcut agent over ``scenarios`` (one family)."""
    report = FamilyReport(family=family, seeds=len(scenarios))
    shortcuts = reference_agents(scenarios)
    if stuffing_pool is not None:
        shortcuts["keyword_stuffer"] = agents.keyword_stuffer(agents.stuffing_reply(stuffing_pool))
    totals: dict[str, float] = {}
    for s in scenarios:
        try:
            s.check()
        except Exception as e:
            report.problems.append(f"{s.task_id}: {e}")
            continue
        score, _ = play(s, agents.oracle)
        report.oracle_min = min(report.oracle_min, score)
        totals["oracle"] = totals.get("oracle", 0.0) + score
        if score < 0.99:
            report.problems.append(f"{s.task_id}: oracle scored {score:.3f}")
        for name, agent in shortcuts.items():
            totals[name] = totals.get(name, 0.0) + play(s, agent)[0]
    n = max(1, len(scenarios))
    report.means = {k: v / n for k, v in totals.items()}
    return report
