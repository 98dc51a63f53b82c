"""Seed cases from Support Ops OpenEnv (shared/seeds/001): evidence gathering.

The agent reviews the ticket, inspects business artifacts, looks up policy, drafts a
reply and settles the case. Re-authored in the unified action space: routing
(queue/priority/issue type), internal notes and an SLA are added, and each case names
forbidden claims so that stuffing every keyword cannot pay.
"""

from __future__ import annotations

from caseops.domain.scenario import (
    Artifact,
    Customer,
    Gold,
    Marker,
    Policy,
    Scenario,
    Ticket,
)

DAMAGED_MUG = Scenario(
    task_id="damaged-mug-replacement",
    family="seed",
    difficulty="easy",
    title="Damaged mug on arrival",
    objective=(
        "Work the ticket: confirm the order and the damage, find the policy that applies, "
        "route the case, tell the customer what happens next and settle it."
    ),
    ticket=Ticket(
        subject="My mug arrived broken",
        customer_name="Priya Raman",
        customer_message=(
            "Hi, my order ORD-10482 arrived today and the ceramic mug inside was cracked "
            "right down the handle. The box looked crushed. I attached a photo. Can you "
            "help? I'd really like the mug, it was a gift."
        ),
        customer_tier="standard",
        sla_minutes=480,
        affected_users=1,
        business_impact="Single consumer order, low value.",
        secondary_concerns=("Asks whether the gift note can be kept.",),
    ),
    artifacts={
        "order": Artifact(
            title="Order ORD-10482",
            content=(
                "Item: Speckled ceramic mug (SKU MUG-SPK-12), qty 1, $24.00. Delivered 2 days "
                "ago. Gift note: 'Happy birthday, Sam'. Replacement stock: 38 units."
            ),
        ),
        "shipment": Artifact(
            title="Carrier record",
            content=(
                "Carrier scan: package marked 'damaged in transit' at the final hub. "
                "Delivery photo shows a crushed corner."
            ),
        ),
        "customer_photo": Artifact(
            title="Customer photo",
            content="Photo shows the mug cracked along the handle; packaging crushed.",
        ),
        "payment": Artifact(
            title="Payment",
            content="One capture of $24.00 on the order's card. No disputes.",
        ),
    },
    policies={
        "damaged_items": Policy(
            title="Items damaged in transit",
            content=(
                "When an item arrives damaged and the damage is confirmed by a photo or a "
                "carrier record, send a free replacement (no return needed) if in stock; "
                "refund only if out of stock. Route to fulfillment, normal priority."
            ),
            keywords=("damaged", "broken", "cracked", "damage", "replacement"),
        ),
        "returns": Policy(
            title="Returns and refunds",
            content=(
                "Unwanted items may be returned within 30 days for a refund to the original "
                "payment method once the return is received."
            ),
            keywords=("return", "refund", "unwanted"),
        ),
    },
    step_budget=14,
    gold=Gold(
        final_status="resolved",
        resolution_code="send_replacement",
        queue="fulfillment",
        priority="normal",
        issue_type="damaged_item",
        required_evidence=("ticket", "artifact:order", "artifact:shipment", "policy:damaged_items"),
        reply_markers=(
            Marker(name="apology", phrases=("sorry", "apologize", "apologise", "apologies")),
            Marker(name="replacement", phrases=("replacement", "replace", "new mug")),
            Marker(name="no_return", phrases=("no need to return", "keep the damaged", "don't need to return", "do not need to return", "no return")),
        ),
        note_markers=(
            Marker(name="carrier_damage", phrases=("carrier", "in transit", "transit damage")),
        ),
        forbidden_claims=(
            "refund",
            "chargeback",
            "locked",
            "lock your account",
            "escalated",
            "incident",
        ),
        optimal_steps=9,
    ),
)

SUPPORT_OPS_SCENARIOS: tuple[Scenario, ...] = (DAMAGED_MUG,)
