"""Family ``damaged_item``: an item arrived damaged.

Facts that decide the gold:
- replacement stock > 0 -> ``send_replacement``; out of stock -> ``issue_refund``;
- damage confirmed (a carrier damage scan or a customer photo on file) -> settle at once;
  not confirmed -> ``request_info(photo_of_damage)``; the customer sends the photo and the
  case returns to triaged, then settle;
- order value >= 150 or tier ``plus`` -> priority ``high``, else ``normal``.
"""

from __future__ import annotations

from typing import Any

from caseops.domain.families.kit import TIERS_CONSUMER, Kit
from caseops.domain.scenario import Artifact, Customer, Gold, Policy, Ticket, claims, point

NAME = "damaged_item"

ITEMS = (
    ("ceramic mug", "MUG"),
    ("glass vase", "VAS"),
    ("desk lamp", "LMP"),
    ("bluetooth speaker", "SPK"),
    ("picture frame", "FRM"),
    ("coffee grinder", "GRD"),
)

TEMPLATES = (
    "Hi, my order {order} arrived today and the {item} inside is {damage}. {extra}Can you help?",
    "Hello - the {item} from order {order} came {damage}. {extra}What are my options?",
    "Order {order}: opened the box and the {item} is {damage}. {extra}Please sort this out.",
    "I'm pretty disappointed. The {item} (order {order}) showed up {damage}. {extra}",
)
DAMAGE = ("cracked", "broken in two pieces", "badly dented", "shattered")


def generate(kit: Kit) -> dict[str, Any]:
    """Scenario fields for one seeded damaged-item case (see the module docstring)."""
    item, sku = ITEMS[kit.rng.randrange(len(ITEMS))]
    order = kit.ident("ORD")
    price = kit.money(15, 400)
    in_stock = kit.chance(0.65)
    carrier_damage = kit.chance(0.4)
    photo = (not carrier_damage) and kit.chance(0.5)
    confirmed = carrier_damage or photo
    tier = kit.pick(TIERS_CONSUMER)
    name = kit.person()
    delivered = kit.rng.randrange(0, 6)
    priority = "high" if price.cents >= 15000 or tier == "plus" else "normal"
    code = "send_replacement" if in_stock else "issue_refund"
    extra = "I attached a photo. " if photo else ""
    message = kit.pick(TEMPLATES).format(
        order=order, item=item, damage=kit.pick(DAMAGE), extra=extra
    )
    stock = kit.rng.randrange(3, 60) if in_stock else 0
    artifacts = {
        "order": Artifact(
            title=f"Order {order}",
            content=(
                f"Item: {item} (SKU {sku}-{kit.rng.randrange(10, 99)}), qty 1, {price}. "
                f"Delivered {kit.day(delivered)}. Replacement stock: {stock} units."
            ),
        ),
        "shipment": Artifact(
            title="Carrier record",
            content=(
                "Carrier scan: package marked 'damaged in transit' at the final hub."
                if carrier_damage
                else "Carrier scans: no exceptions recorded; delivered in good condition."
            ),
        ),
        "customer_photo": Artifact(
            title="Customer photo",
            content=(
                f"Photo shows the {item} damaged; packaging crushed."
                if photo
                else "No photo attached to this ticket."
            ),
        ),
        "payment": Artifact(
            title="Payment",
            content=f"One capture of {price} on the order's card. No disputes.",
        ),
    }
    policies = {
        "damaged_items": Policy(
            title="Items damaged in transit",
            content=(
                "Damage must be confirmed by a carrier damage scan or a customer photo; if "
                "neither is on file, ask the customer for a photo of the damage first. Once "
                "confirmed: send a free replacement if stock allows (no return needed); if the "
                "item is out of stock, refund the order instead. Route to fulfillment; orders "
                "of 150 or more, or plus-tier customers, are high priority, others normal."
            ),
            keywords=("damaged", "broken", "cracked", "damage", "replacement", "shattered"),
        ),
        "returns": Policy(
            title="Returns and refunds",
            content=(
                "Unwanted items may be returned within 30 days for a refund once the return "
                "is received."
            ),
            keywords=("return", "unwanted"),
        ),
    }
    evidence = ["ticket", "artifact:order", "policy:damaged_items"]
    evidence.append("artifact:shipment" if carrier_damage else "artifact:customer_photo")
    requested = () if confirmed else ("photo_of_damage",)
    forbidden: tuple[str, ...]
    if in_stock:
        outcome = point("replacement")
        forbidden = claims("refund", "chargeback", "locked", "escalated", "incident")
    else:
        outcome = point("refund")
        forbidden = claims("replacement", "locked", "escalated", "incident")
    # review, two artifacts, one policy, classify, [request], note, reply, resolve
    optimal = 1 + 2 + 1 + 1 + len(requested) + 1 + 1 + 1
    return {
        "difficulty": "easy" if confirmed else "medium",
        "title": f"Damaged {item}",
        "objective": (
            "Confirm the order and the damage, apply the damaged-items policy, route the "
            "case, tell the customer what happens next and settle it."
        ),
        "ticket": Ticket(
            subject=f"My {item} arrived damaged",
            customer_name=name,
            customer_message=message,
            customer_tier=tier,
            sla_minutes=kit.rng.choice((240, 480, 720)),
            affected_users=1,
            business_impact=f"Single consumer order, {price}.",
            secondary_concerns=("Asks whether the gift wrapping can be kept.",)
            if kit.chance(0.3)
            else (),
        ),
        "artifacts": artifacts,
        "policies": policies,
        "customer": Customer(
            answers={"photo_of_damage": f"Photo attached: the {item} is visibly damaged."},
            unanswered_reply=f"{name.split()[0]} has not replied.",
        ),
        "step_budget": optimal + 6,
        "gold": Gold(
            final_status="resolved",
            resolution_code=code,
            queue="fulfillment",
            priority=priority,
            issue_type="damaged_item",
            requested_fields=requested,
            required_evidence=tuple(evidence),
            reply_markers=(
                point("apology"),
                outcome,
            ),
            note_markers=(point("damage_confirmed"),),
            forbidden_claims=forbidden,
            optimal_steps=optimal,
        ),
    }
