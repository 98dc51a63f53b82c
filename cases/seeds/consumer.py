"""The consumer-shop seed cases (evidence gathering): a damaged mug, an order charged
twice, an account taken over. First written for Support Ops OpenEnv (shared/seeds/001).

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
    Policy,
    Scenario,
    Ticket,
    claims,
    point,
)

DAMAGED_MUG = Scenario(
    task_id="damaged_mug_replacement",
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
        reply_points=(
            point("apology"),
            point("replacement"),
            point("return", negated=True, name="no_return"),
        ),
        note_points=(point("damage_confirmed", name="carrier_damage"),),
        forbidden_claims=claims("refund", "chargeback", "locked", "escalated", "incident"),
        optimal_steps=8,
    ),
)

DUPLICATE_CHARGE = Scenario(
    task_id="duplicate_charge_refund",
    family="seed",
    difficulty="medium",
    title="Charged twice for one order",
    objective=(
        "Work the ticket: check the order and its payments, decide whether the second charge "
        "is a genuine duplicate, apply the billing policy, route the case, tell the customer "
        "what happens to their money and settle it."
    ),
    ticket=Ticket(
        subject="Charged twice for my order",
        customer_name="Marcus Okafor",
        customer_message=(
            "Hello, I placed order ORD-20931 last night and my banking app shows two charges "
            "of $86.40 from your store a few minutes apart. I only ordered once and I only got "
            "one confirmation email. Please sort this out, I need that money back before my "
            "rent goes out on Friday."
        ),
        customer_tier="standard",
        sla_minutes=240,
        affected_users=1,
        business_impact="Single consumer order; $86.40 taken twice.",
        secondary_concerns=("Asks whether the saved card is still safe to use.",),
    ),
    artifacts={
        "order": Artifact(
            title="Order ORD-20931",
            content=(
                "Placed yesterday 19:02 UTC in checkout session CS-55812. Items: trail running "
                "shoes (SKU SHO-TR-42), qty 1. Order total $86.40 incl. tax. Status: shipped "
                "this morning. One order confirmation email sent."
            ),
        ),
        "payment": Artifact(
            title="Payment captures for ORD-20931",
            content=(
                "CAP-7781: $86.40 captured 19:02:11 UTC, card ending 4417, order ORD-20931, "
                "session CS-55812.\n"
                "CAP-7790: $86.40 captured 19:06:48 UTC, card ending 4417, order ORD-20931, "
                "session CS-55812 (gateway retry after a timeout).\n"
                "Amount captured: $172.80 against an order total of $86.40. Refunds: none. "
                "Disputes: none."
            ),
        ),
        "order_history": Artifact(
            title="Customer order history",
            content=(
                "ORD-19877: placed 26 days ago, $86.40, same shoes in size 43, returned and "
                "refunded in full 19 days ago (REF-3310).\n"
                "ORD-20931: placed yesterday, $86.40, shipped."
            ),
        ),
    },
    policies={
        "duplicate_charge": Policy(
            title="Duplicate charges",
            content=(
                "When one order shows more than one capture of the same amount within minutes "
                "(usually a gateway retry), the first capture pays for the order: refund the "
                "extra capture to the original card. No return and no chargeback is needed, and "
                "the order ships as normal. Refunds reach the card in 5-10 business days. Route "
                "to billing, normal priority, and resolve."
            ),
            keywords=("duplicate", "charged twice", "double charge", "two charges", "billing"),
        ),
        "returns": Policy(
            title="Returns and refunds",
            content=(
                "Unwanted items may be returned within 30 days. The refund of the order total is "
                "issued to the original payment method once the return is received and checked."
            ),
            keywords=("return", "refund", "unwanted", "money back"),
        ),
    },
    customer=Customer(
        answers={
            "order_id": "ORD-20931",
            "card_last_four": "4417",
            "charge_date": "Yesterday evening, both charges a few minutes apart.",
        },
    ),
    step_budget=14,
    gold=Gold(
        final_status="resolved",
        resolution_code="refund_duplicate_charge",
        queue="billing",
        priority="normal",
        issue_type="billing_error",
        required_evidence=(
            "ticket",
            "artifact:order",
            "artifact:payment",
            "policy:duplicate_charge",
        ),
        reply_points=(
            point("apology"),
            point("duplicate"),
            point("refund"),
            point("timeline"),
        ),
        note_points=(
            point("duplicate", name="second_capture"),
            point(facts=("ORD-20931",), name="same_order"),
        ),
        forbidden_claims=claims("replacement", "locked", "escalated", "incident", "return"),
        optimal_steps=8,
    ),
)

ACCOUNT_TAKEOVER_FRAUD = Scenario(
    task_id="account_takeover_fraud",
    family="seed",
    difficulty="hard",
    title="Suspected account takeover with a refund demand",
    objective=(
        "Work the ticket: read the account and login records, decide whether the account was "
        "taken over, follow the security policy, route the case, tell the customer what "
        "happens next without promising anything the policy forbids, and leave the case in "
        "the state the policy calls for."
    ),
    ticket=Ticket(
        subject="Orders I never placed - I want my money back",
        customer_name="Dana Whitfield",
        customer_message=(
            "I just got two order confirmations for things I never bought, going to an address "
            "in Nevada. I don't live there. Now I can't log in, it says my password is wrong, "
            "and your emails go to some address I have never seen (my old inbox only got a "
            "'your email was changed' notice). Refund both orders right now, I want my money "
            "back today."
        ),
        customer_tier="standard",
        sla_minutes=60,
        affected_users=1,
        business_impact="Consumer account with a saved card; $1,243.98 in orders not yet shipped.",
        secondary_concerns=("Demands an immediate refund of both orders.",),
    ),
    artifacts={
        "account": Artifact(
            title="Account ACC-88412",
            content=(
                "Email changed 2 hours ago from dana.whitfield@mailbox.example to "
                "d.whitfield.help@proton-mx.example (from a new device). Password reset 1h55m "
                "ago from the same device. New shipping address added: 4410 Lake Rd, Reno NV. "
                "Saved card ending 0093 unchanged. Two-factor: off. Status: active."
            ),
        ),
        "risk_log": Artifact(
            title="Login and risk log",
            content=(
                "6 failed logins, then a success from an unrecognised device (Linux, Firefox), "
                "IP 185.220.101.7 (Tor exit node, Netherlands). Risk score 94/100. Impossible "
                "travel: last known login from Columbus OH 40 minutes earlier. The same session "
                "changed the email and password, added the Reno address and placed ORD-30311 and "
                "ORD-30312."
            ),
        ),
        "orders": Artifact(
            title="Recent orders",
            content=(
                "ORD-30311: laptop, $1,099.99. ORD-30312: gift cards, $143.99. Both ship to "
                "4410 Lake Rd, Reno NV, placed 1h40m ago, awaiting fulfilment (not shipped)."
            ),
        ),
        "payment": Artifact(
            title="Payments",
            content=(
                "Card ending 0093: captures of $1,099.99 (ORD-30311) and $143.99 (ORD-30312). "
                "No earlier disputes. Both orders are unshipped, so both are eligible for a "
                "standard cancel-and-refund."
            ),
        ),
    },
    policies={
        "account_takeover": Policy(
            title="Account takeover",
            content=(
                "Signs: a login from an unrecognised device or risky IP followed by changes to "
                "the email, password or shipping address, and orders to a new address. Lock the "
                "account at once, hold its open orders and escalate to Trust & Safety at urgent "
                "priority. Do not issue or promise refunds or cancellations before the fraud "
                "review ends: the requester is not yet verified and Trust & Safety settles the "
                "money. Tell the customer the account is locked, the orders are on hold and the "
                "fraud team will contact them to verify their identity."
            ),
            keywords=(
                "takeover",
                "hacked",
                "compromised",
                "unauthorized",
                "unauthorised",
                "fraud",
                "suspicious login",
            ),
        ),
        "refunds": Policy(
            title="Cancelling and refunding unshipped orders",
            content=(
                "An order that has not shipped can be cancelled at the customer's request and "
                "refunded in full to the original payment method."
            ),
            keywords=("refund", "cancel", "money back", "unshipped"),
        ),
    },
    customer=Customer(
        answers={
            "account_email": "dana.whitfield@mailbox.example",
            "last_successful_login": "Two days ago from my laptop at home in Columbus.",
            "recent_devices": "My MacBook and my iPhone, nothing else.",
            "order_id": "I never placed ORD-30311 or ORD-30312.",
        },
        unanswered_reply="Dana has not replied yet.",
    ),
    step_budget=15,
    gold=Gold(
        final_status="escalated",
        resolution_code="lock_account_and_escalate_fraud",
        queue="trust_and_safety",
        priority="urgent",
        issue_type="account_security",
        required_evidence=(
            "ticket",
            "artifact:risk_log",
            "artifact:account",
            "policy:account_takeover",
        ),
        reply_points=(
            point("locked", name="account_locked"),
            point("security_team", name="fraud_team"),
            point("verify_identity"),
            point("on_hold", name="orders_held"),
        ),
        note_points=(
            point("takeover_signals"),
            point("refund", negated=True, conditional_ok=True, name="no_refund_yet"),
        ),
        forbidden_claims=claims("refund", "replacement", "resolved"),
        optimal_steps=9,
    ),
)

#: The consumer-shop seed cases, in catalog order.
CONSUMER_SEEDS: tuple[Scenario, ...] = (
    DAMAGED_MUG,
    DUPLICATE_CHARGE,
    ACCOUNT_TAKEOVER_FRAUD,
)
