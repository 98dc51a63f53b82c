"""Blocks every family uses: the impact-based priority rule, shared knowledge-base
articles, the gold (:func:`expected`), and the two ways a family's decision becomes the
fields of a :class:`~caseops.domain.scenario.Scenario`: :func:`assemble` (the family
composed its own message and ticket) and :func:`finish` (the first six families, whose
one-paragraph message is recomposed here).

The priority rule (:func:`impact_priority`) is written once here and stated to the agent
in the ``support_priorities`` article that every generated case carries, so priorities
follow impact the same way in every family (issue 19 of the project notes, item 4).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from caseops.domain.claims import Claim, Point, claim, point
from caseops.domain.scenario import Artifact, Customer, Gold, Policy, Ticket
from caseops.domain.vocab import RequestableField

from .kit import Kit, Money
from .records import policy_text
from .text import message as message_text

# ---------------------------------------------------------------------------------------
# Priorities follow impact
# ---------------------------------------------------------------------------------------

#: Thresholds of the priority rule (whole currency units; users; days).
MONEY_HIGH = 500
USERS_HIGH = 50
USERS_URGENT = 500
DEADLINE_HIGH_DAYS = 3

PRIORITY_CLAUSES = (
    "Priority follows impact, never the customer's tone.",
    "Urgent: an account or payment compromise in progress, or a service problem blocking "
    f"{USERS_URGENT} or more users.",
    f"High: a problem blocking {USERS_HIGH} or more users; an enterprise customer blocked "
    f"from working; money at stake of {MONEY_HIGH} or more (in the order's currency); or a "
    f"hard deadline within {DEADLINE_HIGH_DAYS} days.",
    "Normal: anything else where the customer is blocked or money is at stake.",
    "Low: questions and requests where nothing is blocked and no money is at stake.",
)


def impact_priority(
    *,
    blocked: bool = False,
    money: Money | None = None,
    users: int = 1,
    enterprise: bool = False,
    compromise: bool = False,
    deadline_days: int | None = None,
) -> str:
    """The priority of a case from its impact (the ``support_priorities`` article).

    Args:
        blocked: the customer (or their users) cannot do what they came to do.
        money: the amount at stake, if any (only its whole units are compared).
        users: users affected (blocked) by the problem.
        enterprise: the account is on the enterprise tier.
        compromise: an account or payment compromise is in progress.
        deadline_days: days to a hard deadline the customer faces, if any.

    Returns:
        ``"urgent"``, ``"high"``, ``"normal"`` or ``"low"``.
    """
    if compromise or (blocked and users >= USERS_URGENT):
        return "urgent"
    at_stake = money is not None and money.cents > 0
    if (
        (blocked and users >= USERS_HIGH)
        or (blocked and enterprise)
        or (at_stake and money is not None and money.cents >= MONEY_HIGH * 100)
        or (deadline_days is not None and deadline_days <= DEADLINE_HIGH_DAYS)
    ):
        return "high"
    if blocked or at_stake:
        return "normal"
    return "low"


def priorities_policy(kit: Kit) -> Policy:
    """The shared ``support_priorities`` article (the rule of :func:`impact_priority`)."""
    return Policy(
        title="Support priorities",
        content=policy_text(kit, PRIORITY_CLAUSES, effective="2025-01-01", version="4"),
        keywords=("priority", "urgent", "severity", "impact", "sla"),
    )


DISTRACTORS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "gift_cards": (
        "Gift cards",
        "Gift cards do not expire and cannot be exchanged for cash. A lost gift card code "
        "can be reissued once to the purchaser's email.",
        ("gift card", "voucher"),
    ),
    "loyalty_points": (
        "Loyalty points",
        "Points are earned on delivered orders and expire after 18 months without activity. "
        "Points are not refunded when an order is refunded.",
        ("points", "loyalty", "rewards"),
    ),
    "communication_preferences": (
        "Communication preferences",
        "Customers can opt out of marketing email at any time; service messages about "
        "orders, billing and security are always sent.",
        ("newsletter", "emails", "unsubscribe", "marketing"),
    ),
    "shipping_times": (
        "Shipping times",
        "Standard shipping takes 3 to 5 working days; express 1 to 2 working days. Times "
        "are estimates, not guarantees.",
        ("shipping", "delivery time", "express"),
    ),
    "accessibility": (
        "Accessibility support",
        "Customers who need an alternative format for invoices or documents can ask "
        "support; large-print and screen-reader formats are free.",
        ("accessibility", "format", "large print"),
    ),
}


def distractor_policies(kit: Kit, n: int = 1) -> dict[str, Policy]:
    """``n`` irrelevant knowledge-base articles, chosen by the seed."""
    names = kit.rng.sample(sorted(DISTRACTORS), n)
    return {
        k: Policy(title=DISTRACTORS[k][0], content=DISTRACTORS[k][1], keywords=DISTRACTORS[k][2])
        for k in names
    }


# ---------------------------------------------------------------------------------------
# Reply and note points, forbidden claims: lexicon concepts (``caseops.domain.claims``)
# ---------------------------------------------------------------------------------------


#: The apology a reply owes a customer the business let down (damage, a lost parcel, a
#: double charge...): one point, the same in every family.
APOLOGY: Point = point("apology")


def unanswered(first_name: str) -> str:
    """What the agent hears when the customer cannot answer what was asked."""
    return f"{first_name} has not replied yet."


# ---------------------------------------------------------------------------------------
# Assembling a case
# ---------------------------------------------------------------------------------------


def optimal_steps(
    evidence: Sequence[str],
    *,
    escalated: bool,
    requested: Sequence[str],
    note: bool,
    reply: bool,
) -> int:
    """Steps of the oracle's path (``statemachine.agents.oracle_actions``): review,
    classify, one step per artifact or policy of the evidence, escalate, request, note,
    reply, and the resolve or submit."""
    gathered = sum(1 for e in evidence if e != "ticket")
    return 2 + gathered + int(escalated) + int(bool(requested)) + int(note) + int(reply) + 1


def expected(
    *,
    status: str,
    code: str | None,
    queue: str,
    priority: str,
    issue_type: str,
    evidence: Sequence[str],
    requested: Sequence[RequestableField] = (),
    reply: Sequence[Point] = (),
    note: Sequence[Point] = (),
    forbidden: Sequence[Claim | str] = (),
) -> Gold:
    """The gold of a case; its ``optimal_steps`` counted by :func:`optimal_steps`, a
    forbidden claim given by concept name made a :func:`~caseops.domain.claims.claim`."""
    return Gold(
        final_status=status,  # type: ignore[arg-type]
        resolution_code=code,  # type: ignore[arg-type]
        queue=queue,  # type: ignore[arg-type]
        priority=priority,  # type: ignore[arg-type]
        issue_type=issue_type,  # type: ignore[arg-type]
        requested_fields=tuple(requested),
        required_evidence=tuple(evidence),
        reply_points=tuple(reply),
        note_points=tuple(note),
        forbidden_claims=tuple(c if isinstance(c, Claim) else claim(c) for c in forbidden),
        optimal_steps=optimal_steps(
            evidence,
            escalated=status == "escalated",
            requested=requested,
            note=bool(note),
            reply=bool(reply),
        ),
    )


def _within_budget(gold: Gold, budget: int) -> None:
    """Raises ValueError when the optimal path exceeds the family's budget."""
    if gold.optimal_steps > budget:
        raise ValueError(f"optimal path {gold.optimal_steps} exceeds the family budget {budget}")


def _with_shared_policies(kit: Kit, policies: dict[str, Policy], n: int) -> dict[str, Policy]:
    """``n`` distractor articles, the family's own, then ``support_priorities``."""
    return {
        **distractor_policies(kit, n),
        **policies,
        "support_priorities": priorities_policy(kit),
    }


def assemble(
    kit: Kit,
    *,
    difficulty: str,
    budget: int,
    title: str,
    objective: str,
    ticket: Ticket,
    artifacts: dict[str, Artifact],
    policies: dict[str, Policy],
    answers: dict[RequestableField, str] | None = None,
    n_distractors: int = 1,
    **gold: Any,
) -> dict[str, Any]:
    """The scenario fields of one case (the shared ``support_priorities`` article and
    ``n_distractors`` irrelevant articles added to ``policies``); ``gold`` holds the
    keyword arguments of :func:`expected`.

    ``budget`` is the family's one step budget (a property of the family, not of the
    variant); ``difficulty`` likewise.

    Raises:
        ValueError: when the case is inconsistent in a way :meth:`Scenario.check` does not
            see: the optimal path exceeds the family budget. (That the oracle's reply
            makes every point and no forbidden claim is held by the family self-check.)
    """
    pols = _with_shared_policies(kit, policies, n_distractors)
    case_gold = expected(**gold)
    _within_budget(case_gold, budget)
    first = ticket.customer_name.split(" ")[0]
    return {
        "difficulty": difficulty,
        "title": title,
        "objective": objective,
        "ticket": ticket,
        "artifacts": artifacts,
        "policies": pols,
        "customer": Customer(answers=dict(answers or {}), unanswered_reply=unanswered(first)),
        "step_budget": budget,
        "gold": case_gold,
    }


def sla(kit: Kit, tier: str) -> int:
    """Minutes to first response, by the customer's tier (public; the same table in every
    family): standard 1440, plus 720, business 480, enterprise 240, plus a seeded 0-60."""
    base = {"standard": 1440, "plus": 720, "business": 480, "enterprise": 240}.get(tier, 720)
    return base + kit.rng.choice((0, 0, 30, 60))


def ticket(
    kit: Kit, subject: str, name: str, message: str, tier: str, impact: str, users: int = 1
) -> Ticket:
    """A ticket from ``name`` (on ``tier``, answered within the tier's :func:`sla`) about
    ``impact``, ``users`` affected."""
    return Ticket(
        subject=subject,
        customer_name=name,
        customer_message=message,
        customer_tier=tier,
        sla_minutes=sla(kit, tier),
        affected_users=users,
        business_impact=impact,
    )


def _split_message(text: str) -> tuple[list[str], str]:
    """An old-style one-paragraph message as (fact sentences, request sentence): the
    request is the last sentence with a question mark, else the last sentence."""
    parts = [p.strip() for p in re.split(r"(?<=[.!?])\s+", text.strip()) if p.strip()]
    asks = [p for p in parts if p.endswith("?")]
    request = asks[-1] if asks else parts[-1]
    return [p for p in parts if p is not request], request


def finish(
    kit: Kit,
    *,
    budget: int,
    difficulty: str,
    context: Sequence[str],
    subject: str,
    name: str,
    message: str,
    tier: str,
    impact: str,
    artifacts: dict[str, Artifact],
    policies: dict[str, Policy],
    answers: dict[RequestableField, str],
    users: int = 1,
    concerns: tuple[str, ...] = (),
    channel: str = "email",
    unanswered_reply: str | None = None,
    **gold: Any,
) -> dict[str, Any]:
    """The scenario fields of a case whose family writes its message as one paragraph
    (the first six families): the message recomposed by :func:`~caseops.cases.text.message`
    around the family's own sentences (its facts and its request), the title read from
    the subject, the family's one budget and difficulty, the shared :data:`OBJECTIVE`, the
    SLA by tier, the shared ``support_priorities`` article and a distractor article;
    ``gold`` holds the keyword arguments of :func:`expected`. ``unanswered_reply``
    defaults to "<first name> has not replied.".

    Raises:
        ValueError: when the family's optimal path exceeds ``budget``.
    """
    facts, request = _split_message(message)
    company = impact.split(":")[0] if tier in ("business", "enterprise") else ""
    text = message_text(
        kit, facts=facts, request=request, context=context, name=name, company=company
    )
    ticket = Ticket(
        subject=subject,
        customer_name=name,
        customer_message=text,
        customer_tier=tier,
        sla_minutes=sla(kit, tier),
        affected_users=users,
        business_impact=impact,
        secondary_concerns=concerns,
        channel=channel,
    )
    case_gold = expected(**gold)
    _within_budget(case_gold, budget)
    first = name.split()[0]
    return {
        "difficulty": difficulty,
        "title": subject,
        "objective": OBJECTIVE,
        "ticket": ticket,
        "artifacts": artifacts,
        "policies": _with_shared_policies(kit, policies, 1),
        "customer": Customer(
            answers=answers, unanswered_reply=unanswered_reply or f"{first} has not replied."
        ),
        "step_budget": budget,
        "gold": case_gold,
    }


def skip_draw(kit: Kit, options: Sequence[object]) -> None:
    """Draw once from ``options`` and drop it: the first six families drew an SLA of their
    own before the SLA came by tier (:func:`sla`); the draw stays so that their seeded
    sequence, and so every case of generator 2.0.0, stays the same."""
    kit.rng.choice(options)


#: The objective every family states (it never spells out the outcome).
OBJECTIVE = (
    "Work the case: establish the facts from the ticket, the records and the policies in "
    "force, route it, note your reasoning, tell the customer the outcome and settle it or "
    "hand it on."
)
