"""Family ``refund_window``: a customer asks for a refund of an unwanted purchase.

Decision rule (source: the ``refund_window`` article; priorities from
``support_priorities``):
- the order date of the order in question against the reference day and the return window
  of the case's policy (N days, varied: 14, 30, 45 or 60; day N itself is still inside):
  inside -> ``issue_refund``; outside -> ``deny_refund_outside_policy``;
- the ticket names no order and the account holds several recent orders (some inside the
  window, some outside) -> ``request_info(order_id)``; the customer names the order, the
  case returns to triaged, then settle on that order's date;
- queue ``billing``; priority by impact (``support_priorities``): the order amount is
  the money at stake.
"""

from __future__ import annotations

from typing import Any

from caseops.cases.common import finish, impact_priority, skip_draw
from caseops.cases.kit import Kit
from caseops.domain.scenario import (
    Artifact,
    Claim,
    Point,
    Policy,
    claim,
    claims,
    point,
)
from caseops.domain.vocab import RequestableField

NAME = "refund_window"

ITEMS = (
    "air fryer",
    "yoga mat",
    "pair of running shoes",
    "smart watch",
    "wool blanket",
    "camping stove",
    "standing desk converter",
    "electric toothbrush",
    "set of wine glasses",
    "backpack",
)
REASONS = (
    "I ended up buying a similar one elsewhere",
    "I changed my mind",
    "it's not what I expected",
    "I found I don't need it after all",
    "the colour looks different in person",
)
TEMPLATES = (
    "Hi, I'd like a refund for the {item}{ref}. {reason_cap}. {extra}",
    "Hello - can I return the {item}{ref} and get my money back? Honestly, {reason}. {extra}",
    "I want to send back the {item}{ref} for a refund; {reason}. {extra}How do I go about it?",
    "Requesting a refund on the {item}{ref}. {reason_cap}. {extra}Thanks.",
    "Is it still possible to return the {item}{ref}? {reason_cap}. {extra}",
)
EXTRAS = (
    "",
    "",
    "It's unused and still in the box. ",
    "I've only opened it once. ",
    "I'd prefer the money back on my card. ",
)
CONCERNS = (
    "Asks whether the return shipping label is free.",
    "Mentions a gift card balance on the account.",
    "Asks to unsubscribe from marketing emails.",
    "Wants to know when the next sale starts.",
)
WINDOWS = (14, 30, 45, 60)


def _age(kit: Kit, window: int, inside: bool) -> int:
    """Days since the order date: inside (1..window) or outside (window+1..)."""
    if inside:
        return kit.rng.randint(1, window)
    return window + kit.rng.randint(1, max(20, window))


#: Sentences a customer may add (composed text).
EXTRA_CONTEXT = (
    "It's [unused|still in the box|never been worn].",
    "I [changed my mind|found it cheaper elsewhere|got one as a gift].",
)
BUDGET = 14


def _policies(window: int) -> dict[str, Policy]:
    """The knowledge base of a case (the first article states the decision rule):
    ``refund_window``, ``damaged_items``, ``store_credit``."""
    return {
        "refund_window": Policy(
            title="Refunds for change of mind",
            content=(
                f"Unwanted items can be refunded within {window} days of the order date (day "
                f"{window} included), counted to today. Inside the window: issue a full "
                f"refund. After day {window}: decline the refund as outside policy. If the "
                "ticket does not say which order and the account has several, ask for the "
                "order number first. Route to billing. "
                "Priority follows the shared support-priorities rule."
            ),
            keywords=("refund", "return", "money back", "send back", "change of mind"),
        ),
        "damaged_items": Policy(
            title="Items damaged in transit",
            content=(
                "Damage confirmed by a carrier scan or photo: send a replacement, or refund "
                "when out of stock. No return window applies."
            ),
            keywords=("damaged", "broken", "cracked"),
        ),
        "store_credit": Policy(
            title="Store credit and gift cards",
            content="Gift card balances never expire and cannot be exchanged for cash.",
            keywords=("gift card", "store credit", "balance"),
        ),
    }


def generate(kit: Kit) -> dict[str, Any]:
    """Scenario fields for one seeded refund-window case (see the module docstring)."""
    item = kit.pick(ITEMS)
    other_items = [i for i in ITEMS if i != item]
    window = WINDOWS[kit.rng.randrange(len(WINDOWS))]
    inside = kit.chance(0.5)
    age = _age(kit, window, inside)
    order = kit.ident("ORD")
    amount = kit.money(10, 45) if kit.chance(0.3) else kit.money(40, 420)
    currency = (amount.code, amount.symbol)
    tier = "plus" if kit.chance(0.25) else "standard"
    name = kit.person()
    ask = kit.chance(0.35)

    priority = impact_priority(money=amount)
    code = "issue_refund" if inside else "deny_refund_outside_policy"

    # The account's recent orders: the one in question plus one or two others.
    lines = [(age, order, item, amount)]
    for _ in range(kit.rng.randint(1, 2) if ask else kit.rng.randint(0, 2)):
        o_item = other_items[kit.rng.randrange(len(other_items))]
        other_items.remove(o_item)
        # When asking, make the other orders fall on the other side of the window so the
        # order in question cannot be guessed.
        o_inside = (not inside) if ask else kit.chance(0.5)
        o_order = kit.ident("ORD")
        if all(o_order != line[1] for line in lines):
            lines.append(
                (_age(kit, window, o_inside), o_order, o_item, kit.money(15, 300, currency))
            )
    lines.sort(key=lambda t: t[0])
    order_lines = "; ".join(
        f"{o} placed {kit.day(a)}, delivered {kit.day(max(0, a - 3))}: {i}, {m}"
        for a, o, i, m in lines
    )
    if ask:
        # The customer cannot tell which order; the items look alike by name only.
        ref = ""
        subject = "Refund request"
    else:
        ref = f" from order {order}"
        subject = kit.pick((f"Refund for order {order}", f"Return {item} ({order})"))
    reason = kit.pick(REASONS)
    message = (
        kit.pick(TEMPLATES)
        .format(
            item="item I bought" if ask else item,
            ref=ref,
            reason=reason,
            reason_cap=reason[0].upper() + reason[1:],
            extra=kit.pick(EXTRAS),
        )
        .strip()
    )
    artifacts = {
        "orders": Artifact(
            title=f"Recent orders for {name} (as of {kit.day(0)})",
            content=order_lines + ".",
        ),
        "payment": Artifact(
            title="Payments",
            content=(
                f"Captures match the orders listed; all settled in {amount.code}. "
                "No disputes or chargebacks."
            ),
        ),
        "loyalty": Artifact(
            title="Loyalty account",
            content=f"{kit.rng.randrange(0, 4000)} points; tier {tier}.",
        ),
    }
    policies = _policies(window)
    evidence = ["ticket", "artifact:orders", "policy:refund_window"]
    requested: tuple[RequestableField, ...] = ("order_id",) if ask else ()
    answers: dict[RequestableField, str] = {
        "order_id": f"It's order {order}, the {item}.",
    }
    if inside:
        outcome = point("refund")
        reply: tuple[Point, ...] = (outcome,)
        forbidden: tuple[Claim, ...] = (
            claim("outside_window"),
            claim("refund", negated=True, name="refund_declined"),
            *claims("replacement", "locked", "escalated"),
        )
    else:
        reply = (
            point("outside_window"),
            point("refund_window", facts=(str(window),), name="window"),
        )
        forbidden = claims("refund", "replacement", "locked", "escalated")
    note = point("refund_window", name="order_date_checked")
    concerns = (kit.pick(CONCERNS),) if kit.chance(0.4) else ()
    skip_draw(kit, (240, 480, 720, 1440))
    return finish(
        kit,
        budget=BUDGET,
        difficulty="medium",
        context=EXTRA_CONTEXT,
        subject=subject,
        name=name,
        message=message,
        tier=tier,
        impact="One consumer order (not named in the ticket)."
        if ask
        else f"Single consumer order, {amount}.",
        concerns=concerns,
        artifacts=artifacts,
        policies=policies,
        answers=answers,
        status="resolved",
        code=code,
        queue="billing",
        priority=priority,
        issue_type="refund_request",
        evidence=evidence,
        requested=requested,
        reply=reply,
        note=(note,),
        forbidden=forbidden,
    )
