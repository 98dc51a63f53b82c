"""Family ``duplicate_charge``: a customer sees two card captures of the same amount.

Facts that decide the gold:
- the two captures reference the SAME order (a gateway retry after a timeout) ->
  ``refund_duplicate_charge``; they reference two DIFFERENT orders, both placed and shipped
  -> ``provide_information`` (explain both orders); resolved in billing either way;
- the payments ledger holds one pair of same-amount captures, or the customer named the
  pair -> settle at once; it holds two candidate pairs and the customer did not say which
  -> ``request_info``: ``charge_date`` when the pairs fall on different days,
  ``transaction_id`` when they fall on the same day; the customer answers, the case returns
  to triaged, then settle on the pair the customer meant;
- amount >= 300 or tier ``plus`` -> priority ``high``, else ``normal``.
"""

from __future__ import annotations

from typing import Any

from caseops.domain.families.common import OBJECTIVE, finish, impact_priority
from caseops.domain.families.kit import Kit, Money
from caseops.domain.scenario import Artifact, Customer, Gold, Marker, Policy, Ticket

NAME = "duplicate_charge"

ITEMS = (
    "wireless earbuds",
    "running shoes",
    "espresso machine",
    "winter jacket",
    "standing desk mat",
    "smart watch strap",
    "cast-iron skillet",
    "noise-cancelling headphones",
)

TEMPLATES = (
    "Hi, I just checked my card statement and I was charged {amount} twice{when}. {extra}"
    "I only meant to pay once - can you look into it?",
    "Hello, there are two identical charges of {amount} from you on my card{when}. {extra}"
    "Please fix this.",
    "I've been billed twice for {amount}{when}. {extra}What's going on?",
    "My bank app shows {amount} taken two times{when}, minutes apart. {extra}"
    "Could you check and sort it out?",
    "Double charge? I see two payments of {amount} to your store{when}. {extra}",
)
EXTRAS = (
    "",
    "Money is tight this month so I'd appreciate a quick answer. ",
    "The checkout page froze when I paid, not sure if that matters. ",
    "I'm a regular customer and this has never happened before. ",
)
CONCERNS = (
    "Asks whether the loyalty points were credited twice.",
    "Wants to know when the order will ship.",
    "Asks to update the marketing email preferences.",
)


def _pair(
    kit: Kit, same_order: bool, day: str, order: str, other_order: str
) -> list[tuple[str, str, str, str]]:
    """Two ledger lines ``(day, time, capture id, order)`` minutes apart."""
    hour, minute = kit.rng.randrange(8, 22), kit.rng.randrange(0, 50)
    gap = kit.rng.randrange(1, 9)
    return [
        (day, f"{hour:02d}:{minute:02d}", kit.hexid("ch_"), order),
        (
            day,
            f"{hour:02d}:{minute + gap:02d}",
            kit.hexid("ch_"),
            order if same_order else other_order,
        ),
    ]


def _case(kit: Kit) -> dict[str, Any]:
    """Scenario fields for one seeded duplicate-charge case (see the module docstring)."""
    name = kit.person()
    tier = kit.pick(("standard", "standard", "plus"))
    amount = kit.money(12, 400)
    currency = (amount.code, amount.symbol)
    same_order = kit.chance(0.5)
    two_pairs = kit.chance(0.4)
    same_day = two_pairs and kit.chance(0.5)
    named = (not two_pairs) and kit.chance(0.5)

    order_a, order_b = kit.ident("ORD"), kit.ident("ORD")
    order_c, order_d = kit.ident("ORD"), kit.ident("ORD")
    item_a = kit.pick(ITEMS)
    days_ago = kit.rng.randrange(1, 12)
    day = kit.day(days_ago)
    disputed = _pair(kit, same_order, day, order_a, order_b)
    lines = list(disputed)
    refunded: dict[str, str] = {}
    orders = {order_a: (item_a, amount, day)}
    if not same_order:
        # A second order of the same item (a gift, a second unit): same amount, own order.
        orders[order_b] = (item_a, amount, day)

    if two_pairs:
        # Same item and amount (a repeat purchase), so the amount alone names no pair.
        other_amount = amount
        other_day = day if same_day else kit.day(days_ago + kit.rng.randrange(2, 14))
        item_c = item_a
        # The other candidate pair is of the opposite kind (a duplicate already refunded when
        # the disputed pair is two real orders), so only the answer says which to explain.
        other = _pair(kit, not same_order, other_day, order_c, order_d)
        lines += other
        if not same_order:
            refunded[other[1][2]] = kit.hexid("re_")
        orders[order_c] = (item_c, other_amount, other_day)
        if same_order:
            orders[order_d] = (item_c, other_amount, other_day)
    single_day = kit.day(days_ago + kit.rng.randrange(14, 28))
    single_order = kit.ident("ORD")
    single_amount = kit.money(8, 120, currency)
    lines.append((single_day, kit.clock(), kit.hexid("ch_"), single_order))
    orders[single_order] = (kit.pick(ITEMS), single_amount, single_day)
    lines.sort()

    amounts: dict[str, Money] = {o: v[1] for o, v in orders.items()}
    card = f"{kit.rng.randrange(0, 10000):04d}"
    ledger = "\n".join(
        f"{d} {t} capture {cid} {amounts[o]} card ending {card} (order {o}) - "
        + (
            f"refunded as duplicate ({refunded[cid]}), pending at the bank"
            if cid in refunded
            else "settled"
        )
        for d, t, cid, o in lines
    )
    order_lines = []
    for o, (it, amt, d) in sorted(orders.items(), key=lambda kv: kv[1][2]):
        dest = (
            "a gift address entered at checkout"
            if o in (order_b, order_d) and kit.chance(0.5)
            else "the address on file"
        )
        order_lines.append(
            f"{o}: {it}, qty 1, {amt}, placed {d}; shipped {kit.rng.randrange(1, 3)} day(s) later"
            f" to {dest}. Payment expected: one capture."
        )

    if named:
        when = kit.pick((f" on {day}", f" (charges {disputed[0][2]} and {disputed[1][2]})"))
    else:
        when = kit.pick(("", " recently", " this week" if days_ago < 6 else " last week"))
    message = kit.pick(TEMPLATES).format(amount=amount, when=when, extra=kit.pick(EXTRAS))

    if two_pairs and not same_day:
        requested: tuple[str, ...] = ("charge_date",)
    elif two_pairs:
        requested = ("transaction_id",)
    else:
        requested = ()

    gateway = (
        f"Checkout session for {order_a}: first authorization timed out at the gateway, the "
        "client retried and both attempts were captured."
        if same_order
        else f"Two completed checkout sessions from the customer's signed-in browser "
        f"({order_a}, {order_b}), each with its own confirmation email."
    )
    if two_pairs:
        gateway = "Gateway log retention for the ledger period: summary only. " + (
            "Several checkout sessions on this card; see the ledger for order references."
        )
    artifacts = {
        "payments": Artifact(
            title="Payments ledger (last 30 days)",
            content=ledger,
        ),
        "orders": Artifact(title="Orders on the account", content="\n".join(order_lines)),
        "gateway_log": Artifact(title="Payment gateway log", content=gateway),
        "loyalty": Artifact(
            title="Loyalty account",
            content=(
                f"Points balance: {kit.rng.randrange(50, 4000)}. Tier: {tier}. "
                "No manual adjustments in the last 90 days."
            ),
        ),
    }
    policies = {
        "duplicate_charges": Policy(
            title="Duplicate charges",
            content=(
                "Compare the captures with the orders. Two captures that reference the same "
                "order are a duplicate (usually a gateway retry): refund the duplicate capture. "
                "Captures that reference two different orders are two purchases: explain both "
                "orders to the customer and do not refund. A duplicate the ledger already shows as "
                "refunded needs no new refund. If the ledger shows more than one "
                "candidate pair and the customer has not said which charges they mean, ask for "
                "the charge date; if the candidate pairs fall on the same day, ask for the "
                "transaction id instead. Route to billing. "
                "Priority follows the shared support-priorities rule."
            ),
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
        "loyalty_points": Policy(
            title="Loyalty points",
            content="Points are credited once per order when it ships.",
            keywords=("points", "loyalty"),
        ),
    }
    target = disputed[1][2]
    answers = {
        "transaction_id": f"The two charges are {disputed[0][2]} and {target}.",
        "charge_date": f"Both charges were on {day}.",
        "order_id": f"I think it was order {order_a}.",
    }
    priority = impact_priority(money=amount)
    apology = Marker(name="apology", phrases=("sorry", "apologize", "apologise", "apologies"))
    if same_order:
        code = "refund_duplicate_charge"
        reply_markers = (
            apology,
            Marker(name="refund", phrases=("refund", "refunded", "reversed", "money back")),
        )
        note = Marker(
            name="same_order",
            phrases=("same order", "gateway retry", "retry", "duplicate capture"),
        )
        forbidden: tuple[str, ...] = (
            "two separate orders",
            "two orders",
            "both orders",
            "separate purchases",
            "locked",
            "escalated",
            "incident",
            "replacement",
        )
    else:
        code = "provide_information"
        reply_markers = (
            Marker(
                name="two_orders",
                phrases=(
                    "two separate orders",
                    "two orders",
                    "both orders",
                    "separate orders",
                    "second order",
                    "separate purchases",
                ),
            ),
            Marker(name="order_ids", phrases=(order_b, order_a)),
        )
        note = Marker(
            name="different_orders",
            phrases=("different orders", "two orders", "separate orders", order_b),
        )
        forbidden = (
            "refund",
            "refunded",
            "reversed",
            "money back",
            "locked",
            "escalated",
            "incident",
            "replacement",
        )
    evidence = ("ticket", "artifact:payments", "artifact:orders", "policy:duplicate_charges")
    # review, classify, two artifacts, one policy, [request], note, reply, resolve
    optimal = 1 + 1 + 2 + 1 + (1 if requested else 0) + 1 + 1 + 1
    return {
        "difficulty": "hard" if requested else ("easy" if named else "medium"),
        "title": f"Charged twice ({amount})",
        "objective": (
            "Find the captures the customer means, decide whether they are a duplicate or two "
            "purchases, route the case, explain the outcome and settle it."
        ),
        "ticket": Ticket(
            subject=kit.pick(("Charged twice", "Duplicate charge on my card", "Double payment")),
            customer_name=name,
            customer_message=message,
            customer_tier=tier,
            sla_minutes=kit.rng.choice((120, 240, 480)),
            affected_users=1,
            business_impact=f"Consumer card payment, {amount} in question.",
            secondary_concerns=(kit.pick(CONCERNS),) if kit.chance(0.4) else (),
            channel=kit.pick(("email", "chat", "web_form")),
        ),
        "artifacts": artifacts,
        "policies": policies,
        "customer": Customer(
            answers=answers,  # type: ignore[arg-type]
            unanswered_reply=f"{name.split()[0]} has not replied.",
        ),
        "step_budget": optimal + 6,
        "gold": Gold(
            final_status="resolved",
            resolution_code=code,
            queue="billing",
            priority=priority,
            issue_type="billing_error",
            requested_fields=requested,  # type: ignore[arg-type]
            required_evidence=evidence,
            reply_markers=reply_markers,
            note_markers=(note,),
            forbidden_claims=forbidden,
            optimal_steps=optimal,
        ),
    }


#: Sentences a customer may add (composed text).
EXTRA_CONTEXT = (
    "My bank [app|statement] shows both [charges|payments].",
    "I only [clicked|pressed] pay once[| I'm sure].",
)
BUDGET = 14


def generate(kit: Kit) -> dict[str, Any]:
    """Scenario fields for one seeded case (see the module docstring); the ticket text
    is composed by :mod:`caseops.domain.families.text` around the family's sentences."""
    return finish(
        kit,
        _case(kit),
        budget=BUDGET,
        difficulty="medium",
        objective=OBJECTIVE,
        context=EXTRA_CONTEXT,
    )
