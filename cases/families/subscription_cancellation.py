"""Family ``subscription_cancellation``: a customer asks to cancel a subscription.

Decision rule (source: the ``subscription_cancellation`` article, clauses 1-5):

1. Consumer plans (standard, plus) started within the last 14 days (the ``subscription``
   record's start date against today) are in the cooling-off period -> ``issue_refund`` of
   the first payment in full (the reply states the amount).
2. Otherwise a monthly plan, or an annual agreement whose committed term has ended and now
   renews monthly -> ``cancel_subscription`` with a prorated credit of price x unused
   days / 30, unused days = days from today to the next renewal, rounded to the cent; the
   reply states the amount (kept from generator 1: the credit must be exact).
3. An enterprise annual agreement still inside its committed term -> not cancelled:
   ``provide_information`` with the date the term ends (the reply states it). A CRM note
   about the agreement may be older than the billing record; the billing record decides.
4. A business account with two workspaces whose ticket names neither ->
   ``request_info(workspace_id)`` first; the customer names one and the case is settled
   on that workspace's record.
5. Queue billing for consumer tiers, account management for business and enterprise;
   priority by impact (``support_priorities``), the money at stake being the
   subscription's price per cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from caseops.cases import records as rec
from caseops.cases import text as tx
from caseops.cases.common import assemble, impact_priority, sla
from caseops.cases.kit import CURRENCIES, Kit, Money
from caseops.domain.claims import Point, claim, claims, point
from caseops.domain.scenario import Artifact, Policy, Ticket
from caseops.domain.vocab import RequestableField

NAME = "subscription_cancellation"

CYCLE_DAYS = 30

CONSUMER_PLANS = ("Basic", "Plus", "Family", "Premium")
BUSINESS_PLANS = ("Team", "Growth", "Scale")
WORKSPACE_LABELS = ("analytics", "marketing", "support", "engineering", "finance", "sales")

BUDGET = 14
COOLING_OFF_DAYS = 14

REQUESTS = (
    "[Please|Kindly|Could you] cancel {what}[| today| effective today| right away].",
    "[Can|Could] you cancel {what} [effective today|now|from today|as of today]?",
    "I'd like to [end|stop|close] {what}[| please| asap].",
    "We [want|need|have decided] to [stop|end|drop] {what} - please [process|handle] the "
    "cancellation.",
    "Cancel {what} please, and [tell me|let me know] about any money [owed|due|involved].",
    "How do I cancel {what}? I'd rather you [just do it|handle it] for me.",
)
FACTS = (
    "{reason}",
    "{reason} What happens to the [time|days|period] [already|we've|I've] paid for?",
    "{reason} I assume any unused [time|days|part of the month] is [credited|refunded|paid] back.",
    "{reason} I'd like whatever is left of the [period|month|cycle] [back|credited].",
    "{reason} [Let me know|Tell me] if there's anything [I|we] [owe|are owed].",
)
REASONS = (
    "We're [consolidating|cutting down on|reviewing all our] [tools|subscriptions|software].",
    "[Budget cuts|Cost cutting|A spending freeze], [unfortunately|sadly|I'm afraid].",
    "It's just not getting used [enough|much|at all] [lately|these days|].",
    "Nothing wrong with the [product|service|app], we simply don't need it [any more|now].",
    "We moved to [a competitor|another tool|a different provider] that our [parent company|"
    "new owner|head office] uses.",
    "I signed up to [try it|test it out|give it a go] and it [isn't for me|wasn't what I "
    "expected|doesn't fit my needs].",
    "The price went up and I can't [justify|afford] it [any more|right now].",
    "My team [shrank|got smaller|was cut] and the seats sit [empty|unused].",
    "I only needed it for one [project|job|course] which is [finished|over|done] now.",
)
CONTEXT = (
    "We've been [happy|satisfied] customers [overall|mostly|until now].",
    "I couldn't find a cancel [button|option|link] in the [settings|app|account page].",
    "I tried to cancel in the [app|website|portal] but it sent me here.",
    "Our [finance team|accountant|manager] asked me to sort this out before [month end|"
    "Friday|the next invoice].",
    "I was told by [chat|phone support|a colleague] that you'd handle it by email.",
)
CONCERNS = (
    "Asks whether exported reports stay available after cancelling.",
    "Asks for a copy of last month's invoice.",
    "Mentions a teammate who still needs read access.",
    "Asks whether data is deleted on cancellation.",
)
SUBJECTS = ("Cancel subscription", "Cancellation request", "Please cancel", "Ending our plan")


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


def _policies(kit: Kit) -> dict[str, Policy]:
    """The knowledge base of a case (the first article states the decision rule):
    ``subscription_cancellation``, ``plan_changes``."""
    return {
        "subscription_cancellation": Policy(
            title="Cancelling a subscription",
            content=rec.policy_text(
                kit,
                (
                    f"Consumer plans started within the last {COOLING_OFF_DAYS} days are in "
                    "the cooling-off period: cancel and refund the first payment in full, "
                    "and state the amount.",
                    "Monthly plans, and annual agreements whose committed term has ended and "
                    "now renew monthly, can be cancelled at once: cancel and credit the "
                    f"unused part of the current cycle, price x unused days / {CYCLE_DAYS} "
                    "(unused days = days from today to the next renewal), rounded to the "
                    "cent, and state the amount.",
                    "Enterprise annual agreements still inside their committed term cannot "
                    "be cancelled early: do not cancel; tell the customer the date the term "
                    "ends (non-renewal takes effect then). The billing record decides, not "
                    "older notes.",
                    "If a business account has several workspaces and the ticket names none, "
                    "ask which workspace first.",
                    "Queue: billing for standard and plus; account management for business "
                    "and enterprise.",
                ),
                effective="2025-09-01",
                version="5",
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
    }


def generate(kit: Kit) -> dict[str, Any]:
    """Scenario fields for one seeded subscription-cancellation case (see the docstring)."""
    tier = kit.pick(("standard",) * 5 + ("plus",) * 4 + ("business",) * 4 + ("enterprise",) * 7)
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
        return "in_term" if roll < 0.65 else "rolled" if roll < 0.85 else "monthly"

    labels = list(WORKSPACE_LABELS)
    first_label = labels.pop(kit.rng.randrange(len(labels)))
    sub = _sub(kit, kind(), seats, price(seats), first_label)
    # consumer plans: how long ago the plan started (the cooling-off clause)
    started = kit.rng.randint(1, COOLING_OFF_DAYS) if kit.chance(0.45) else kit.rng.randint(15, 700)
    if not business:
        sub = Sub(
            sub.workspace, sub.label, "monthly", 1, sub.price, min(sub.elapsed, started), 0, started
        )
    cooling = not business and started <= COOLING_OFF_DAYS
    ask = business and kit.chance(0.35)
    subs = [sub]
    if ask:
        other_kind = kind()
        if tier == "enterprise":
            other_kind = "monthly" if sub.kind == "in_term" else "in_term"
        other_seats = max(3, seats // kit.rng.randint(2, 5))
        other_label = labels[kit.rng.randrange(len(labels))]
        subs.append(_sub(kit, other_kind, other_seats, price(other_seats), other_label))
        kit.rng.shuffle(subs)

    in_term = sub.kind == "in_term"
    renewal = CYCLE_DAYS - sub.elapsed
    credit = Money(
        (sub.price.cents * renewal + CYCLE_DAYS // 2) // CYCLE_DAYS, currency_code, symbol
    )
    queue = "account_management" if business else "billing"

    if business:
        what = (
            "our workspace subscription"
            if ask
            else kit.pick(
                (
                    f"our {company} subscription (workspace {sub.workspace})",
                    f"the {sub.label} workspace {sub.workspace}",
                    f"workspace {sub.workspace}",
                )
            )
        )
    else:
        what = kit.pick(("my subscription", f"my {plan} plan", "my membership", "the plan"))
    facts = [tx.variant(kit, FACTS, reason=kit.pick(REASONS))]
    if not business and kit.chance(0.5):
        facts.append(
            kit.pick(
                (
                    "I only signed up recently.",
                    "I've had it for a while now.",
                    "I think I joined a little while ago.",
                )
            )
        )
    msg = tx.message(
        kit,
        facts=facts,
        request=tx.variant(kit, REQUESTS, what=what),
        context=CONTEXT,
        name=name,
        company=company if business else "",
    )
    subject = kit.pick(SUBJECTS)
    records = "\n".join(_describe(kit, s, plan, business) for s in subs)
    if not business:
        records += f"\nPlan started {kit.day(started)}; first payment {sub.price}."
    account = f"{company} account" if business else f"Account of {name}"
    total_seats = sum(s.seats for s in subs)
    crm: list[tuple[int, str]] = []
    if tier == "enterprise" and kit.chance(0.5):
        crm.append(
            (
                kit.rng.randint(200, 500),
                kit.pick(
                    (
                        "Agreement renewed for another annual term.",
                        "Customer on a committed annual term; renewal discussed.",
                        "Moved to month-to-month after the annual term, per the customer.",
                    )
                ),
            )
        )
    artifacts = {
        "subscription": Artifact(
            title=f"Billing record: {account} (as of {kit.day(0)})",
            content=records,
        ),
        "invoices": Artifact(
            title="Recent invoices",
            content=rec.record(
                kit,
                [
                    (
                        f"INV-{kit.rng.randrange(10000, 99999)}",
                        f"{kit.day(kit.rng.randrange(1, 90))} paid",
                    )
                    for _ in range(kit.rng.randint(2, 4))
                ],
                [("Balance due", "none"), ("Payment method", kit.pick(("card", "transfer")))],
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
        "crm": Artifact(title="CRM notes", content=rec.crm_notes(kit, crm)),
    }
    policies = _policies(kit)
    evidence = ["ticket", "artifact:subscription", "policy:subscription_cancellation"]
    requested: tuple[RequestableField, ...] = ("workspace_id",) if ask else ()
    answers: dict[RequestableField, str] = (
        {"workspace_id": f"It's workspace {sub.workspace}, the {sub.label} one."}
        if business
        else {}
    )
    reply: tuple[Point, ...]
    if cooling:
        code = "issue_refund"
        reply = (point("full_refund", facts=(str(sub.price),)),)
        forbidden = claims("prorated", "committed_term", "locked", "escalated")
        note: tuple[Point, ...] = (point("cooling_off"),)
    elif in_term:
        code = "provide_information"
        end = kit.day(-sub.term_end)
        # the agreement stays: the reply says so and names the date the term ends
        reply = (point("committed_term"), point(facts=(end,), name="term_end"))
        forbidden = claims("cancel", "prorated", "refund", "locked")
        note = (point("committed_term"),)
    else:
        code = "cancel_subscription"
        reply = (point("cancel"), point("prorated", facts=(str(credit),)))
        forbidden = (
            claim("cancel", negated=True, name="cannot_cancel"),
            *claims("committed_term", "full_refund", "locked", "escalated"),
        )
        note = (point("prorated"),)
    concerns = (kit.pick(CONCERNS),) if kit.chance(0.4) else ()
    monthly_total = sum(s.price.cents for s in subs)
    return assemble(
        kit,
        difficulty="medium",
        budget=BUDGET,
        title=subject,
        objective=(
            "Work the case: find the subscription in question and how it bills, apply the "
            "policy, route it, note your reasoning and tell the customer the outcome."
        ),
        ticket=Ticket(
            subject=subject,
            customer_name=name,
            customer_message=msg,
            customer_tier=tier,
            sla_minutes=sla(kit, tier),
            affected_users=total_seats if business else 1,
            business_impact=(
                f"{company}: subscriptions worth {Money(monthly_total, currency_code, symbol)} "
                "per month."
                if business
                else f"Consumer subscription, {sub.price} per cycle."
            ),
            secondary_concerns=concerns,
        ),
        artifacts=artifacts,
        policies=policies,
        status="resolved",
        code=code,
        queue=queue,
        priority=impact_priority(money=sub.price),
        issue_type="subscription_change",
        evidence=evidence,
        requested=requested,
        answers=answers,
        reply=reply,
        note=note,
        forbidden=forbidden,
    )
