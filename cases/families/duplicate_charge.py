"""Family ``duplicate_charge``: a customer sees two card captures of the same amount.

Decision rule (source: the ``duplicate_charges`` article, clauses 1-5; priorities from
``support_priorities``):

1. Find the pair the customer means in the ``payments`` ledger: two captures of the same
   amount minutes apart. When the ledger holds two such pairs and the ticket names neither
   (no date, no capture id) -> ask first: ``request_info(charge_date)`` when the pairs
   fall on different days, ``request_info(transaction_id)`` when on the same day; the
   customer answers and the case is settled on that pair.
2. Both captures reference the SAME order (``payments``; the ``gateway_log`` retries are
   shown for every order and decide nothing) and the second is not refunded ->
   ``refund_duplicate_charge`` of the amount.
3. Same order and the ledger already shows the second capture refunded (pending at the
   bank) -> ``no_action_needed``: the refund is on its way; a CRM note saying a refund
   was "requested" or "promised" is not a refund (the ledger decides).
4. The captures reference two DIFFERENT orders: both placed and shipped (``orders``) ->
   ``provide_information`` (two purchases, name both orders, no refund); the second
   order cancelled before dispatch and its capture not refunded -> ``issue_refund`` of
   that order's capture.
5. Queue billing; priority by impact: the amount in question is the money at stake.
"""

from __future__ import annotations

from typing import Any

from caseops.cases import records as rec
from caseops.cases import text as tx
from caseops.cases.common import APOLOGY, assemble, impact_priority, sla
from caseops.cases.kit import TIERS_CONSUMER, Kit, Money
from caseops.domain.claims import Claim, Point, claim, claims, point
from caseops.domain.scenario import Artifact, Policy, Ticket
from caseops.domain.vocab import RequestableField

NAME = "duplicate_charge"
BUDGET = 14

ITEMS = (
    "wireless earbuds",
    "running shoes",
    "espresso machine",
    "winter jacket",
    "standing desk mat",
    "smart watch strap",
    "cast-iron skillet",
    "noise-cancelling headphones",
    "yoga mat",
    "phone case",
    "board game",
    "coffee beans subscription box",
)
FACTS = (
    "I [just|] checked my [card statement|bank app|online banking] and [I was|I've been|we "
    "were] charged {amount} twice{when}.",
    "There are two [identical|matching|duplicate] charges of {amount} from you on my card{when}.",
    "[I've been|I was|Looks like I was] billed twice for {amount}{when}.",
    "My bank [app|statement] shows {amount} taken two times{when}, [minutes|a few minutes] apart.",
    "Double charge? I see two payments of {amount} to your [store|shop|site]{when}.",
    "You took {amount} [from my account|off my card] twice{when}.",
    "[Two|2] debits of {amount} [appeared|showed up|are pending|went through]{when}.",
)
BELIEF = (
    "I only [meant|wanted] to pay once.",
    "The checkout page [froze|hung|spun forever] when I paid, not sure if that matters.",
    "I [think|am pretty sure] I only placed one order.",
    "[Maybe|Possibly] I clicked [twice|the button twice], I don't know.",
    "I did order [a couple of|a few] things [that week|recently] but not twice the same.",
    "[My partner|My son|Someone in my household] may have ordered too, I'm not sure.",
)
REQUESTS = (
    "[Can|Could] you [look into it|check this] and [refund|sort out] whatever is wrong?",
    "Please [fix this|explain|check what happened].",
    "What's going on?",
    "[Could|Can] someone [check|explain] [these charges|this] [please|asap]?",
    "I'd like [the extra charge|one of them] back[ please|| if it's a mistake].",
    "Please tell me [which|what] [these|the two charges] are for.",
)
CONTEXT = (
    "My bank [app|statement] shows both [charges|payments].",
    "I only [clicked|pressed] pay once[| I'm sure].",
    "Money is [tight|short] this month so I'd appreciate a [quick|fast] answer.",
    "I'm a regular customer and this has never happened before.",
    "I [called|rang] my bank and they said to [contact you|ask the merchant] first.",
)
SUBJECTS = (
    "Charged twice",
    "Duplicate charge on my card",
    "Double payment",
    "Two charges for one order?",
    "Billing question",
    "Extra charge",
)


def _t(kit: Kit, hour: int | None = None) -> tuple[int, int]:
    h = kit.rng.randrange(8, 21) if hour is None else hour
    return h, kit.rng.randrange(0, 48)


def _policies(kit: Kit) -> dict[str, Policy]:
    """The knowledge base of a case (the first article states the decision rule):
    ``duplicate_charges``, ``refund_timelines``."""
    return {
        "duplicate_charges": rec.article(
            kit,
            "Duplicate charges",
            (
                "Find the pair of captures the customer means in the payments ledger. If "
                "the ledger shows more than one candidate pair and the customer has not "
                "said which, ask for the charge date; if the candidate pairs fall on the "
                "same day, ask for the transaction id instead.",
                "Two captures that reference the same order are a duplicate: refund the "
                "second capture and state the amount. Gateway retries are logged for "
                "many orders and do not prove a duplicate.",
                "A duplicate the ledger already shows as refunded needs no new refund: "
                "tell the customer it is on its way. A note that a refund was requested "
                "is not a refund.",
                "Captures that reference two different orders are two purchases: name "
                "both orders and do not refund, unless the second order was cancelled "
                "before dispatch and its capture was not refunded: then refund that "
                "capture.",
                "Route to billing.",
            ),
            age=(200, 500),
            versions=(3, 7),
            keywords=("duplicate", "twice", "double", "charged", "capture"),
        ),
        "refund_timelines": Policy(
            title="Refund timelines",
            content=(
                "Card refunds reach the customer's account in 5 to 10 business days; the "
                "bank statement may show the original charge until then."
            ),
            keywords=("refund", "timeline", "days"),
        ),
    }


def generate(kit: Kit) -> dict[str, Any]:
    """Scenario fields for one seeded duplicate-charge case (see the module docstring)."""
    name = kit.person()
    tier = kit.pick(TIERS_CONSUMER)
    amount = kit.money(12, 900)
    cur = (amount.code, amount.symbol)
    card = f"{kit.rng.randrange(0, 10000):04d}"
    roll = kit.rng.random()
    kind = (
        "retry"
        if roll < 0.27
        else "retry_refunded"
        if roll < 0.51
        else "two_orders"
        if roll < 0.76
        else "cancelled"
    )
    two_pairs = kit.chance(0.4)
    same_day = two_pairs and kit.chance(0.5)
    named = two_pairs and kit.chance(0.35)
    days_ago = kit.rng.randrange(1, 12)
    day = kit.day(days_ago)

    # ledger rows: (days ago, hh, mm, capture id, money, order, status)
    rows: list[tuple[int, int, int, str, Money, str, str]] = []
    orders: list[tuple[str, str, Money, int, str]] = []  # id, item, money, days ago, state
    item = kit.pick(ITEMS)

    def add_pair(d: int, kind_: str) -> tuple[str, str, str, str]:
        oa, ob = kit.ident("ORD"), kit.ident("ORD")
        h, m = _t(kit)
        gap = kit.rng.randrange(1, 9)
        ca, cb = kit.hexid("ch_"), kit.hexid("ch_")
        second = oa if kind_ in ("retry", "retry_refunded") else ob
        status_b = (
            f"refunded ({kit.hexid('re_')}) {kit.day(max(0, d - 1))}, pending at the bank"
            if kind_ == "retry_refunded"
            else "settled"
        )
        rows.append((d, h, m, ca, amount, oa, "settled"))
        rows.append((d, h, m + gap, cb, amount, second, status_b))
        orders.append((oa, item, amount, d, f"shipped {kit.day(max(0, d - 1))}"))
        if second != oa:
            state = (
                f"cancelled by the customer {kit.day(d)}, before dispatch"
                if kind_ == "cancelled"
                else f"shipped {kit.day(max(0, d - 1))}"
            )
            orders.append((ob, item, amount, d, state))
        return oa, ob if second != oa else oa, ca, cb

    disputed = add_pair(days_ago, kind)
    if two_pairs:
        other_days = days_ago if same_day else days_ago + kit.rng.randrange(2, 14)
        other_kind = kit.pick(
            tuple(k for k in ("retry", "retry_refunded", "two_orders") if k != kind)
        )
        add_pair(other_days, other_kind)
    # unrelated captures: some of them refunded returns or cancelled orders (the same
    # templates as the decisive ones, on other orders)
    for _ in range(kit.rng.randint(1, 4)):
        d = kit.rng.randrange(1, 30)
        o = kit.ident("ORD")
        money = kit.money(8, 300, cur)
        h, m = _t(kit)
        state = kit.pick(("shipped", "shipped", "cancelled", "returned"))
        if state == "cancelled":
            status = f"refunded ({kit.hexid('re_')}) {kit.day(max(0, d - 1))}, pending at the bank"
            ostate = f"cancelled by the customer {kit.day(d)}, before dispatch"
        elif state == "returned":
            status = f"refunded ({kit.hexid('re_')}) {kit.day(max(0, d - 2))}, pending at the bank"
            ostate = f"shipped {kit.day(d)}; returned {kit.day(max(0, d - 2))}"
        else:
            status = "settled"
            ostate = f"shipped {kit.day(max(0, d - 1))}"
        rows.append((d, h, m, kit.hexid("ch_"), money, o, status))
        orders.append((o, kit.pick(ITEMS), money, d, ostate))
    rows.sort(key=lambda r: (-r[0], r[1], r[2]))
    ledger = "\n".join(
        f"{kit.day(d)} {h:02d}:{m:02d} capture {cid} {money} card ending {card} order {o} "
        f"- {status}"
        for d, h, m, cid, money, o, status in rows
    )
    orders.sort(key=lambda o: -o[3])
    order_text = "\n".join(
        f"{o}: {it}, qty 1, {money}, placed {kit.day(d)}; {state}"
        for o, it, money, d, state in orders
    )
    # gateway log: a retry line for some orders whatever happened (it decides nothing)
    gw: list[tuple[int, str]] = []
    for o, *_rest in orders:
        if kit.chance(0.5) or o == disputed[0]:
            d = next(r[0] for r in rows if r[5] == o)
            gw.append(
                (
                    d * 1440 + kit.rng.randrange(60, 700),
                    kit.pick(
                        (
                            f"checkout order={o} attempt=1 gateway_timeout; client retry",
                            f"checkout order={o} attempt=1 ok",
                            f"checkout order={o} 3ds challenge passed",
                        )
                    ),
                )
            )
    crm: list[tuple[int, str]] = []
    if kind == "retry" and kit.chance(0.5):
        crm.append(
            (
                max(0, days_ago - 1),
                "Customer called about a double charge; refund of "
                "the duplicate requested from the payments team.",
            )
        )
    elif kind in ("two_orders", "cancelled") and kit.chance(0.4):
        crm.append((max(0, days_ago - 1), "Customer says they placed only one order."))
    elif kit.chance(0.3):
        crm.append(
            (
                max(0, days_ago - 1),
                "Customer asked about a double charge; told them we would check the ledger.",
            )
        )

    if named:
        when = kit.pick((f" on {day}", f" (charges {disputed[2]} and {disputed[3]})"))
    else:
        when = kit.pick(("", " recently", " this week" if days_ago < 6 else " last week", ""))
    facts = [tx.variant(kit, FACTS, amount=str(amount), when=when)]
    facts += kit.rng.sample(BELIEF, kit.rng.randint(0, 2))
    msg = tx.compose(kit, facts, REQUESTS, CONTEXT, name)
    subject = kit.pick(SUBJECTS)

    requested: tuple[RequestableField, ...] = ()
    if two_pairs and not named:
        requested = ("transaction_id",) if same_day else ("charge_date",)
    answers: dict[RequestableField, str] = {
        "transaction_id": f"The two charges are {disputed[2]} and {disputed[3]}.",
        "charge_date": f"Both charges were on {day}.",
        "order_id": f"I think it was order {disputed[0]}.",
    }

    artifacts = {
        "payments": Artifact(
            title=f"Payments ledger, card ending {card} (last 30 days)", content=ledger
        ),
        "orders": Artifact(title="Orders on the account", content=order_text),
        "gateway_log": Artifact(title="Payment gateway log", content=rec.log(kit, gw)),
        "crm": Artifact(title="CRM notes", content=rec.crm_notes(kit, crm)),
    }
    policies = _policies(kit)
    oa, ob = disputed[0], disputed[1]
    reply: tuple[Point, ...]
    note: tuple[Point, ...]
    forbidden: tuple[Claim, ...]
    if kind == "retry":
        code = "refund_duplicate_charge"
        reply = (APOLOGY, point("refund", facts=(str(amount),)))
        note = (point("duplicate", facts=(oa,)),)
        forbidden = claims("two_orders", "locked", "escalated")
    elif kind == "retry_refunded":
        code = "no_action_needed"
        reply = (point("refund", facts=(str(amount),)), point("timeline"))
        note = (point("duplicate", facts=(oa,)),)
        forbidden = claims("two_orders", "locked", "escalated")
    elif kind == "two_orders":
        code = "provide_information"
        reply = (point("two_orders", facts=(oa, ob)),)
        note = (point("two_orders", facts=(ob,)),)
        forbidden = (*claims("refund", "locked", "escalated"),)
    else:
        code = "issue_refund"
        reply = (point("refund", facts=(str(amount), ob)),)
        note = (point("order_cancelled", facts=(ob,)),)
        forbidden = (claim("refund", negated=True, name="no_refund"), *claims("locked"))
    evidence = ["ticket", "artifact:payments", "artifact:orders", "policy:duplicate_charges"]
    return assemble(
        kit,
        difficulty="medium",
        budget=BUDGET,
        title=subject,
        objective=(
            "Work the case: find the charges the customer means in the records, decide what "
            "they are under the policy, route it, note your reasoning and tell the customer."
        ),
        ticket=Ticket(
            subject=subject,
            customer_name=name,
            customer_message=msg,
            customer_tier=tier,
            sla_minutes=sla(kit, tier),
            affected_users=1,
            business_impact=f"Consumer card payment, {amount} in question.",
            secondary_concerns=(),
            channel=kit.pick(("email", "chat", "web_form")),
        ),
        artifacts=artifacts,
        policies=policies,
        status="resolved",
        code=code,
        queue="billing",
        priority=impact_priority(money=amount),
        issue_type="billing_error",
        evidence=evidence,
        requested=requested,
        answers=answers,
        reply=reply,
        note=note,
        forbidden=forbidden,
    )
