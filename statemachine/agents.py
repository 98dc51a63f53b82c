"""Scripted reference agents, shipped as library code (after Gymnasium's env_checker).

Each agent is a function ``(scenario, rng) -> policy`` where a policy maps an observation
to the next :class:`CaseAction`. The *oracle* reads the gold (only tests and self-checks
may); the others are the shortcuts the grader must not reward: doing nothing,
escalating everything, resolving with one code, stuffing keywords, acting at random.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from caseops.domain.actions import MAX_REPLY_CHARS, CaseAction
from caseops.domain.lexicon import CONCEPTS, OPPOSITES, SAY
from caseops.domain.observation import CaseObservation
from caseops.domain.scenario import Point, Scenario
from caseops.domain.vocab import (
    ACTION_TYPES,
    ISSUE_TYPES,
    PRIORITIES,
    QUEUES,
    REQUESTABLE_FIELDS,
    RESOLUTION_CODES,
)

from .decide import match_policy

Policy = Callable[[CaseObservation], CaseAction]


def _script(actions: Sequence[CaseAction]) -> Policy:
    queue = list(actions)

    def policy(obs: CaseObservation) -> CaseAction:
        return queue.pop(0) if queue else CaseAction(action_type="submit")

    return policy


def oracle_actions(scenario: Scenario) -> list[CaseAction]:
    """The full-score path read from the gold: review, classify, gather the required
    evidence, escalate and request as the gold says, note, reply, then resolve or submit.

    Raises:
        ValueError: when a required policy topic cannot be found by its own name.
    """
    g = scenario.gold
    acts = [CaseAction(action_type="review_ticket")]
    acts.append(
        CaseAction(
            action_type="classify", queue=g.queue, priority=g.priority, issue_type=g.issue_type
        )
    )
    for ev in g.required_evidence:
        kind, _, ref = ev.partition(":")
        if kind == "artifact":
            acts.append(CaseAction(action_type="inspect_artifact", artifact_id=ref))
        elif kind == "policy":
            query = ref.replace("_", " ")
            if match_policy(scenario, query) != ref:
                query = ref
            if match_policy(scenario, query) != ref:
                raise ValueError(f"{scenario.task_id}: policy {ref} is not found by its name")
            acts.append(CaseAction(action_type="search_policy", query=query))
    if g.escalates:
        acts.append(CaseAction(action_type="escalate", queue=g.queue))
    if g.requested_fields:
        acts.append(
            CaseAction(action_type="request_info", requested_fields=list(g.requested_fields))
        )
    if g.note_points:
        note = " ".join(say(p) for p in g.note_points)
        acts.append(CaseAction(action_type="add_internal_note", note=f"Checked the case. {note}"))
    if g.reply_points:
        first = scenario.ticket.customer_name.split()[0] if scenario.ticket.customer_name else ""
        body = " ".join(say(p) for p in g.reply_points)
        reply = f"Hello {first},\n\n{body}\n\nBest regards,\nSupport"
        acts.append(CaseAction(action_type="draft_reply", message=reply[:MAX_REPLY_CHARS]))
    if g.final_status == "resolved":
        acts.append(CaseAction(action_type="resolve", resolution_code=g.resolution_code))
    else:
        acts.append(CaseAction(action_type="submit", resolution_code=g.resolution_code))
    return acts


def say(p: Point) -> str:
    """A plain sentence that makes point ``p`` with its facts (the oracle's writing): the
    lexicon's sentence for its concept (:data:`~caseops.domain.lexicon.SAY`), the
    negated one or the opposite concept's for a negated point, then the facts.

    Raises:
        ValueError: a point whose concept has no sentence of the polarity it needs.
    """
    facts = ", ".join(p.facts)
    if p.concept is None:
        text = p.phrases[0].capitalize() + "." if p.phrases else ""
        return f"{text} Details: {facts}.".strip() if facts else text
    asserted, negated = SAY[p.concept]
    opposite = SAY.get(OPPOSITES.get(p.concept, ""), ("",))[0]
    text = (negated or opposite) if p.negated else asserted
    if not text:
        raise ValueError(f"no sentence for point {p.name!r} ({p.concept}, negated={p.negated})")
    return f"{text} Details: {facts}." if facts else text


def _generic_triage(priority: str) -> CaseAction:
    """The shortcuts' triage: general support, general inquiry, at ``priority``."""
    return CaseAction(
        action_type="classify",
        queue="general_support",
        priority=priority,  # type: ignore[arg-type]
        issue_type="general_inquiry",
    )


def oracle(scenario: Scenario, rng: random.Random) -> Policy:
    """The gold-reading agent (tests only)."""
    return _script(oracle_actions(scenario))


def do_nothing(scenario: Scenario, rng: random.Random) -> Policy:
    """Submits at once."""
    return _script([CaseAction(action_type="submit")])


def escalate_everything(scenario: Scenario, rng: random.Random) -> Policy:
    """Triages generically, escalates, submits."""
    return _script(
        [
            _generic_triage("high"),
            CaseAction(action_type="escalate", queue="technical_support"),
            CaseAction(action_type="submit"),
        ]
    )


def resolve_with(code: str) -> Callable[[Scenario, random.Random], Policy]:
    """Triages generically and resolves with ``code`` (used with the most common code)."""

    def make(scenario: Scenario, rng: random.Random) -> Policy:
        return _script(
            [
                _generic_triage("normal"),
                CaseAction(action_type="resolve", resolution_code=code),  # type: ignore[arg-type]
            ]
        )

    return make


def stuffing_reply(scenarios: Sequence[Scenario]) -> str:
    """Every keyword of every reply point of ``scenarios`` (the first word of each of its
    concept's lexicon patterns, its facts, its legacy phrases), cut to the reply limit."""
    words: list[str] = []
    for s in scenarios:
        for p in s.gold.reply_points:
            found = [*p.phrases, *p.facts]
            if p.concept is not None:
                found += [pat.split()[0].split("|")[0] for pat in CONCEPTS[p.concept]]
            for w in found:
                if w not in words and w not in ("~", "#"):
                    words.append(w)
    return " ".join(words)[:MAX_REPLY_CHARS]


def keyword_stuffer(reply: str) -> Callable[[Scenario, random.Random], Policy]:
    """Reviews the ticket, drafts ``reply`` (every marker of every resolution), submits."""

    def make(scenario: Scenario, rng: random.Random) -> Policy:
        return _script(
            [
                CaseAction(action_type="review_ticket"),
                CaseAction(action_type="draft_reply", message=reply),
                CaseAction(action_type="submit"),
            ]
        )

    return make


def random_agent(scenario: Scenario, rng: random.Random) -> Policy:
    """Uniformly random action types and field values (seeded)."""

    def policy(obs: CaseObservation) -> CaseAction:
        kind = rng.choice(ACTION_TYPES)
        artifacts = [*obs.available_artifacts, "nonexistent"]
        return CaseAction(
            action_type=kind,  # type: ignore[arg-type]
            artifact_id=rng.choice(artifacts),
            query=rng.choice([*obs.policy_topics, "help"]).replace("_", " "),
            message="We are looking into it.",
            note="Checked the case.",
            queue=rng.choice(QUEUES),  # type: ignore[arg-type]
            priority=rng.choice(PRIORITIES),  # type: ignore[arg-type]
            issue_type=rng.choice(ISSUE_TYPES),  # type: ignore[arg-type]
            requested_fields=rng.sample(REQUESTABLE_FIELDS, rng.randint(1, 3)),  # type: ignore[arg-type]
            resolution_code=rng.choice(RESOLUTION_CODES),  # type: ignore[arg-type]
        )

    return policy
