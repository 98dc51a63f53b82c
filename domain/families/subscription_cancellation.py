"""Family ``subscription_cancellation``: a customer asks to cancel a subscription.

Facts that decide the gold:
- the billing record of the subscription in question: a monthly plan (or an enterprise
  annual agreement whose committed term has ended and now renews monthly) ->
  ``cancel_subscription`` with a prorated credit of price x unused days / 30 (unused days
  = days from the reference day to the next renewal), which the reply must state; an
  enterprise annual agreement still inside its committed term -> ``provide_information``
  (not cancelled; the reply must state the term end date);
- business or enterprise accounts with two workspaces whose ticket names neither ->
  ``request_info(workspace_id)``; the customer names one, the case returns to triaged,
  then settle on that workspace's record;
- queue ``billing`` for standard/plus tiers, ``account_management`` for business/enterprise;
  priority by tier (standard ``low``, plus/business ``normal``, enterprise ``high``), one
  level higher (at most ``high``) when the next renewal is within 3 days or a committed
  term ends within 30 days.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from caseops.domain.families.kit import CURRENCIES, Kit, Money
from caseops.domain.scenario import (
    Artifact,
    Claim,
    Customer,
    Gold,
    Policy,
    Ticket,
    claim,
    claims,
    point,
)
from caseops.domain.vocab import RequestableField

NAME = "subscription_cancellation"

CYCLE_DAYS = 30

CONSUMER_PLANS = ("Basic", "Plus", "Family", "Premium")
BUSINESS_PLANS = ("Team", "Growth", "Scale")
WORKSPACE_LABELS = ("analytics", "marketing", "support", "engineering", "finance", "sales")

TEMPLATES = (
    "Hi, please cancel {what}. {extra}I'd like whatever is left of this billing period "
    "credited back.",
    "Hello - we've decided to stop using the service. Can you cancel {what}? {extra}",
    "Please end {what} effective today. {extra}What happens to the time we've already paid for?",
    "I'd like to cancel {what}. {extra}Let me know what I'm owed for the unused time.",
    "Cancellation request for {what}. {extra}Please confirm and tell me about any credit.",
)
EXTRAS = (
    "",
    "",
    "We're consolidating tools. ",
    "Budget cuts, unfortunately. ",
    "It's just not getting used enough. ",
    "Nothing wrong with the product. ",
)
CONCERNS = (
    "Asks whether exported reports stay available after cancelling.",
    "Asks for a copy of last month's invoice.",
    "Mentions a teammate who still needs read access.",
    "Asks whether data is deleted on cancellation.",
)


@dataclass(frozen=True)
class Sub:
    """One subscription record: how it bills and what it means for a cancellation."""

    workspace: str
    label: str
    kind: str  # "monthly", "rolled" (annual term over, renewing monthly) or "in_term"
    seats: int
    price: Money
    elapsed: int  # days into the current monthly cycle (monthly and rolled)
    term_end: int  # days until the committed term ends (in_term)
    term_start: int  # days since the committed term began (in_term and rolled)


def _sub(kit: Kit, kind: str, seats: int, price: Money, label: str) -> Sub:
    elapsed = kit.rng.randint(1, CYCLE_DAYS - 1)
    if kind == "in_term":
        term_end = kit.rng.randint(8, 30) if kit.chance(0.3) else kit.rng.randint(31, 330)
        term_start = 365 - term_end
    else:
        term_end = 0
        term_start = 365 + kit.rng.randint(5, 200)
    return Sub(kit.ident("WS"), label, kind, seats, price, elapsed, term_end, term_start)


def _describe(kit: Kit, s: Sub, plan: str, business: bool) -> str:
    head = f"Workspace {s.workspace} ({s.label}), plan {plan}" if business else f"Plan {plan}"
    seat_text = f", {s.seats} seats" if business else ""
    renewal = CYCLE_DAYS - s.elapsed
    if s.kind == "in_term":
        return (
            f"{head}{seat_text}: annual agreement, committed term {kit.day(s.term_start)} to "
            f"{kit.day(-s.term_end)}, billed {s.price} per month; no early termination "
            "before the term end."
        )
    cycle = (
        f"billed {s.price} per {CYCLE_DAYS}-day cycle; current cycle began "
        f"{kit.day(s.elapsed)}, next renewal {kit.day(-renewal)}"
    )
    if s.kind == "rolled":
        return (
            f"{head}{seat_text}: annual agreement, committed term ended "
            f"{kit.day(s.term_start - 365)}; now renews monthly, {cycle}."
        )
    return f"{head}{seat_text}: monthly plan, {cycle}."


def generate(kit: Kit) -> dict[str, Any]:
    """Scenario fields for one seeded subscription-cancellation case (see the docstring)."""
    tier = kit.pick(("standard",) * 4 + ("plus",) * 2 + ("business",) * 4 + ("enterprise",) * 10)
    business = tier in ("business", "enterprise")
    name = kit.person()
    company = kit.company()
    currency_code, symbol = CURRENCIES[kit.rng.randrange(len(CURRENCIES))]
    seats = kit.rng.randint(5, 60) if tier == "business" else kit.rng.randint(40, 400)
    if business:
        per_seat = kit.rng.randint(800, 4500)
        plan = kit.pick(BUSINESS_PLANS)
    else:
        per_seat = kit.rng.randint(499, 3999)
        seats = 1
        plan = kit.pick(CONSUMER_PLANS)

    def price(n: int) -> Money:
        return Money(n * per_seat, currency_code, symbol)

    def kind() -> str:
        if tier != "enterprise":
            return "monthly"
        roll = kit.rng.random()
        return "in_term" if roll < 0.8 else "rolled" if roll < 0.9 else "monthly"

    labels = list(WORKSPACE_LABELS)
    first_label = labels.pop(kit.rng.randrange(len(labels)))
    sub = _sub(kit, kind(), seats, price(seats), first_label)
    ask = business and kit.chance(0.35)
    subs = [sub]
    if ask:
        # A second workspace on the other kind of contract where possible, so the answer
        # decides the outcome; the customer's reply names the first one.
        other_kind = kind()
        if tier == "enterprise":
            other_kind = "monthly" if sub.kind == "in_term" else "in_term"
        other_seats = max(3, seats // kit.rng.randint(2, 5))
        other_label = labels[kit.rng.randrange(len(labels))]
        subs.append(_sub(kit, other_kind, other_seats, price(other_seats), other_label))
        kit.rng.shuffle(subs)

    in_term = sub.kind == "in_term"
    renewal = CYCLE_DAYS - sub.elapsed
    unused = renewal
    credit = Money(
        (sub.price.cents * unused + CYCLE_DAYS // 2) // CYCLE_DAYS, currency_code, symbol
    )
    queue = "account_management" if business else "billing"
    levels = ("low", "normal", "high")
    level = {"standard": 0, "plus": 1, "business": 1, "enterprise": 2}[tier]
    if (in_term and sub.term_end <= 30) or (not in_term and renewal <= 3):
        level = min(2, level + 1)
    priority = levels[level]
    code = "provide_information" if in_term else "cancel_subscription"

    if business:
        what = (
            "our workspace subscription"
            if ask
            else kit.pick(
                (
                    f"our {company} subscription (workspace {sub.workspace})",
                    f"the {sub.label} workspace {sub.workspace}",
                )
            )
        )
    else:
        what = kit.pick(("my subscription", f"my {plan} plan", "my membership"))
    message = kit.pick(TEMPLATES).format(what=what, extra=kit.pick(EXTRAS)).strip()
    records = " ".join(_describe(kit, s, plan, business) for s in subs)
    account = f"{company} account" if business else f"Account of {name}"
    total_seats = sum(s.seats for s in subs)
    artifacts = {
        "subscription": Artifact(
            title=f"Billing record: {account} (as of {kit.day(0)})",
            content=records,
        ),
        "invoices": Artifact(
            title="Recent invoices",
            content=(
                f"Last {kit.rng.randint(2, 6)} invoices paid on time by "
                f"{kit.pick(('card', 'bank transfer', 'direct debit'))}; no balance due."
            ),
        ),
        "usage": Artifact(
            title="Usage (last 30 days)",
            content=(
                f"{kit.rng.randint(0, total_seats)} of {total_seats} seats active; "
                f"{kit.rng.randint(0, 900)} sessions."
                if business
                else f"{kit.rng.randint(0, 40)} sessions in the last 30 days."
            ),
        ),
    }
    policies = {
        "subscription_cancellation": Policy(
            title="Cancelling a subscription",
            content=(
                "Monthly plans, and annual agreements whose committed term has ended and now "
                "renew monthly, can be cancelled at once: cancel and credit the unused part "
                f"of the current cycle, price x unused days / {CYCLE_DAYS} (unused days = "
                "days from today to the next renewal), rounded to the cent, and state the "
                "amount. Enterprise annual agreements still inside their committed term "
                "cannot be cancelled early: do not cancel; tell the customer the date the "
                "term ends (non-renewal takes effect then). If a business account has "
                "several workspaces and the ticket names none, ask which workspace first. "
                "Queue: billing for standard and plus; account management for business and "
                "enterprise. Priority by tier: low for standard, normal for plus and "
                "business, high for enterprise; one level higher (at most high) when the "
                "next renewal is within 3 days or a committed term ends within 30 days."
            ),
            keywords=("cancel", "cancellation", "subscription", "unsubscribe", "end plan"),
        ),
        "plan_changes": Policy(
            title="Upgrades and downgrades",
            content=(
                "Plan changes take effect at the next renewal; upgrades can be applied at "
                "once and are charged pro rata."
            ),
            keywords=("upgrade", "downgrade", "change plan", "seats"),
        ),
        "refunds": Policy(
            title="Refunds for goods",
            content="Physical goods can be returned within 30 days of delivery for a refund.",
            keywords=("refund", "return"),
        ),
    }
    evidence = ["ticket", "artifact:subscription", "policy:subscription_cancellation"]
    requested: tuple[RequestableField, ...] = ("workspace_id",) if ask else ()
    answers: dict[RequestableField, str] = (
        {"workspace_id": f"It's workspace {sub.workspace}, the {sub.label} one."}
        if business
        else {}
    )
    if in_term:
        end = kit.day(-sub.term_end)
        reply = (
            point("committed_term", name="term"),
            point(facts=(end,), name="term_end"),
        )
        forbidden: tuple[Claim, ...] = claims("cancel", "prorated", "refund", "locked", "escalated")
        note = point("committed_term", name="in_term")
    else:
        reply = (
            point("cancel", name="cancelled"),
            point(facts=(str(credit),), name="prorated_amount"),
        )
        forbidden = (
            claim("cancel", negated=True, name="cannot_cancel"),
            *claims("committed_term", "full_refund", "locked", "escalated", "incident"),
        )
        note = point("prorated", name="proration")
    # review, classify, one artifact, one policy, [request], note, reply, resolve
    optimal = 1 + 1 + 1 + 1 + len(requested) + 1 + 1 + 1
    concerns = (kit.pick(CONCERNS),) if kit.chance(0.4) else ()
    monthly_total = sum(s.price.cents for s in subs)
    return {
        "difficulty": "hard" if ask else "medium" if tier == "enterprise" else "easy",
        "title": f"Cancel subscription ({tier})",
        "objective": (
            "Find the subscription in question and how it bills, apply the cancellation "
            "policy, route the case, tell the customer the outcome (with the prorated credit "
            "or the term end date) and settle it."
        ),
        "ticket": Ticket(
            subject=kit.pick(("Cancel subscription", "Cancellation request", "Please cancel")),
            customer_name=name,
            customer_message=message,
            customer_tier=tier,
            sla_minutes=kit.rng.choice((240, 480, 720)),
            affected_users=total_seats if business else 1,
            business_impact=(
                f"{company}: subscriptions worth {Money(monthly_total, currency_code, symbol)} "
                "per month."
                if business
                else f"Consumer subscription, {sub.price} per cycle."
            ),
            secondary_concerns=concerns,
        ),
        "artifacts": artifacts,
        "policies": policies,
        "customer": Customer(
            answers=answers,
            unanswered_reply=f"{name.split()[0]} has not replied.",
        ),
        "step_budget": optimal + 6,
        "gold": Gold(
            final_status="resolved",
            resolution_code=code,
            queue=queue,
            priority=priority,
            issue_type="subscription_change",
            requested_fields=requested,
            required_evidence=tuple(evidence),
            reply_markers=reply,
            note_markers=(note,),
            forbidden_claims=forbidden,
            optimal_steps=optimal,
        ),
    }
