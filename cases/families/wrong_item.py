"""Family ``wrong_item``: the customer received a different item from the one ordered.

Decision rule (source: the ``wrong_items`` article; priorities from
``support_priorities``):
- the pick record confirms the mis-pick (the pack scan shows another SKU) -> settle at once;
  no pack scan on file -> ``request_info(photo_of_damage)`` (a photo of the item received);
  the pick record flags a packing-slip swap with another order -> ``request_info(order_id)``
  (the order number printed on the slip in the box); the customer answers and the case
  returns to triaged, then settle;
- the ordered SKU's warehouse stock > 0 -> ``reship_order``; 0 units -> ``issue_refund``;
- queue ``fulfillment`` always; priority by impact (``support_priorities``): the order
  value is the money at stake.
"""

from __future__ import annotations

from typing import Any

from caseops.cases.common import APOLOGY, finish, impact_priority, skip_draw
from caseops.cases.kit import Kit
from caseops.domain.scenario import Artifact, Claim, Policy, claims, point
from caseops.domain.vocab import RequestableField

NAME = "wrong_item"

#: (ordered item, wrong item received, SKU stem)
ITEMS = (
    ("blue wool scarf", "red wool scarf", "SCF"),
    ("size 9 trail runners", "size 7 trail runners", "TRL"),
    ("USB-C charging cable", "Lightning charging cable", "CBL"),
    ("stainless water bottle (1 L)", "stainless water bottle (500 ml)", "BTL"),
    ("oak cutting board", "bamboo cutting board", "CUT"),
    ("noise-cancelling headphones", "wired earbuds", "HDP"),
    ("queen fitted sheet", "twin fitted sheet", "SHT"),
    ("graphite phone case", "rose phone case", "CSE"),
)

TEMPLATES = (
    "Hi, I ordered the {item} (order {order}) but the box contained a {wrong}. {extra}"
    "How do we fix this?",
    "Hello - order {order} arrived {when}, but instead of the {item} I got a {wrong}. {extra}",
    "Wrong item in order {order}: I was sent a {wrong}, not the {item} I paid for. {extra}"
    "Please advise.",
    "Not what I ordered. Order {order} should be a {item}; what came is a {wrong}. {extra}",
    "Could you look at order {order}? The parcel had a {wrong} in it rather than my {item}. "
    "{extra}",
)
WHEN = ("today", "yesterday", "this morning", "on Friday")
EXTRAS = (
    "",
    "",
    "I need it for a trip next week. ",
    "The outer box looked fine. ",
    "This is the second order I've placed with you. ",
)
CONCERNS = (
    "Asks whether they need to send the wrong item back.",
    "Asks if the delivery address on file is still correct.",
    "Mentions a discount code that did not apply at checkout.",
    "Wants to know if loyalty points were credited.",
)


#: Sentences a customer may add (composed text).
EXTRA_CONTEXT = (
    "I needed it for [a trip|a birthday|work] [this week|on {weekday}].",
    "The [box|packaging] was [fine|intact|undamaged].",
    "I [double-checked|re-read] my order [confirmation|email] to be sure.",
)
BUDGET = 14


#: The knowledge-base articles of every case of the family (the source of its decision
#: rule; no seeded part).
POLICIES: dict[str, Policy] = {
    "wrong_items": Policy(
        title="Wrong item shipped",
        content=(
            "Confirm what was received before acting. A pack scan showing another SKU "
            "confirms a mis-pick. If no pack scan was recorded, ask the customer for a "
            "photo of the item received (photo_of_damage). If the pick record flags a "
            "possible packing-slip swap, ask for the order number printed on the slip in "
            "the box (order_id). Once confirmed: if the ordered SKU is in stock, reship "
            "the correct item at no charge; if it has 0 units, refund the order in full. "
            "The customer keeps the wrong item. Route to fulfillment. "
            "Priority follows the shared support-priorities rule."
        ),
        keywords=("wrong", "incorrect", "mis-pick", "different item", "sent the wrong"),
    ),
    "returns": Policy(
        title="Returns and refunds",
        content=(
            "Unwanted items may be returned within 30 days for a refund once the return "
            "is received and inspected."
        ),
        keywords=("return", "unwanted", "refund"),
    ),
    "damaged_items": Policy(
        title="Items damaged in transit",
        content=(
            "Damage must be confirmed by a carrier scan or a customer photo; then send a "
            "replacement or refund if out of stock."
        ),
        keywords=("damaged", "broken", "cracked"),
    ),
}


def generate(kit: Kit) -> dict[str, Any]:
    """Scenario fields for one seeded wrong-item case (see the module docstring)."""
    item, wrong, stem = ITEMS[kit.rng.randrange(len(ITEMS))]
    order = kit.ident("ORD")
    other_order = kit.ident("ORD")
    sku = f"{stem}-{kit.rng.randrange(100, 999)}"
    wrong_sku = f"{stem}-{kit.rng.randrange(100, 999)}"
    price = kit.money(12, 60) if kit.chance(0.35) else kit.money(40, 300)
    tier = "plus" if kit.chance(0.25) else "standard"
    name = kit.person()
    in_stock = kit.chance(0.55)
    roll = kit.rng.random()
    proof = "scan" if roll < 0.5 else "no_scan" if roll < 0.75 else "slip"
    delivered = kit.rng.randrange(1, 8)
    shipped = delivered + kit.rng.randrange(2, 5)
    station = kit.rng.randrange(2, 19)

    priority = impact_priority(money=price)
    code = "reship_order" if in_stock else "issue_refund"

    message = (
        kit.pick(TEMPLATES)
        .format(order=order, item=item, wrong=wrong, when=kit.pick(WHEN), extra=kit.pick(EXTRAS))
        .strip()
    )
    stock = kit.rng.randrange(2, 80) if in_stock else 0
    restock = kit.day(-kit.rng.randrange(10, 40))
    if proof == "scan":
        pick = (
            f"Pack scan at station {station} on {kit.day(shipped)}: SKU {wrong_sku} ({wrong}) "
            f"packed for order {order}; ordered SKU {sku}. Flagged as mis-pick by QA."
        )
    elif proof == "no_scan":
        pick = (
            f"Order {order} picked at station {station} on {kit.day(shipped)}. Pack scan not "
            "recorded (scanner offline during that shift); contents cannot be confirmed "
            "from warehouse records."
        )
    else:
        pick = (
            f"Order {order} packed at station {station} on {kit.day(shipped)} in the same "
            "minute as another order; packing slips were not scanned. Possible slip/parcel "
            "swap between two orders - the order number on the slip inside the box decides."
        )
    artifacts = {
        "order": Artifact(
            title=f"Order {order}",
            content=(
                f"Ordered: {item} (SKU {sku}), qty 1, {price}. Shipped {kit.day(shipped)}, "
                f"delivered {kit.day(delivered)} to the address on file."
            ),
        ),
        "pick_record": Artifact(title="Warehouse pick and pack record", content=pick),
        "inventory": Artifact(
            title=f"Inventory for SKU {sku}",
            content=(
                f"{item}: {stock} units available to ship."
                if in_stock
                else f"{item}: 0 units available; next restock expected {restock}."
            ),
        ),
        "payment": Artifact(
            title="Payment",
            content=f"One capture of {price} on the order's card ({price.code}). No disputes.",
        ),
        "customer_history": Artifact(
            title="Customer history",
            content=(
                f"Previous orders: {kit.rng.randrange(1, 14)}; previous support contacts: "
                f"{kit.rng.randrange(0, 3)}; no open cases."
            ),
        ),
    }
    policies = POLICIES
    evidence = [
        "ticket",
        "artifact:order",
        "artifact:pick_record",
        "artifact:inventory",
        "policy:wrong_items",
    ]
    if proof == "no_scan":
        requested: tuple[RequestableField, ...] = ("photo_of_damage",)
    elif proof == "slip":
        requested = ("order_id",)
    else:
        requested = ()
    answers: dict[RequestableField, str] = {
        "photo_of_damage": (
            f"Photo attached: the item received is a {wrong}, product label SKU {wrong_sku}."
        ),
        "order_id": (
            f"The packing slip in the box reads order {other_order}, not my order {order}; "
            f"it lists a {wrong}."
        ),
    }
    if in_stock:
        outcome = point("reship")
        forbidden: tuple[Claim, ...] = claims(
            "refund", "out_of_stock", "locked", "escalated", "incident"
        )
    else:
        outcome = point("refund")
        forbidden = claims("reship", "replacement", "locked", "escalated", "incident")
    concerns = (kit.pick(CONCERNS),) if kit.chance(0.4) else ()
    subject = kit.pick(
        (
            f"Received the wrong item - order {order}",
            "Wrong item in my parcel",
            f"Order {order} is not what I ordered",
        )
    )
    skip_draw(kit, (240, 480, 720))
    return finish(
        kit,
        budget=BUDGET,
        difficulty="medium",
        context=EXTRA_CONTEXT,
        subject=subject,
        name=name,
        message=message,
        tier=tier,
        impact=f"Single consumer order, {price}.",
        concerns=concerns,
        artifacts=artifacts,
        policies=policies,
        answers=answers,
        status="resolved",
        code=code,
        queue="fulfillment",
        priority=priority,
        issue_type="wrong_item",
        evidence=evidence,
        requested=requested,
        reply=(APOLOGY, outcome),
        note=(
            point("mis_pick", name="mis_pick_confirmed"),
            point("in_stock", name="stock_checked"),
        ),
        forbidden=forbidden,
    )
