"""Family ``chargeback_dispute``: a customer says an order never came and has opened a card
chargeback with their bank.

Decision rule (source: the ``chargebacks`` article; priorities from
``support_priorities``):
- the carrier confirms non-delivery (parcel lost or returned to sender) -> accept the
  dispute: ``issue_refund``, resolved, billing, whatever the account history;
- the carrier shows a delivery with proof (signature, photo, GPS) and the account shows
  BOTH friendly-fraud signals: the customer's own registered device tapped "mark as
  received" after the delivery scan, AND two or more earlier "item not received" disputes
  on signed deliveries -> ``lock_account_and_escalate_fraud``, escalated to
  trust_and_safety, priority urgent; the reply's points are that the case is under
  review and the orders are on hold;
- delivered with proof and at most one of those signals (one tap can be a mistake; past
  disputes alone prove nothing about this one) -> ``provide_information`` (share the
  proof of delivery; the dispute is answered with it), resolved, billing;
- no issuer notice on file yet -> ``request_info(card_last_four, charge_date)`` to match the
  dispute; the customer answers and the case returns, then settle;
- priority: urgent for fraud or when the issuer's response deadline is 3 days away or less,
  otherwise high (high when no notice is on file).
"""

from __future__ import annotations

from typing import Any

from caseops.cases.common import APOLOGY, finish, impact_priority, skip_draw
from caseops.cases.kit import TIERS_CONSUMER, Kit
from caseops.domain.scenario import (
    Artifact,
    Claim,
    Point,
    Policy,
    claims,
    point,
)

NAME = "chargeback_dispute"

ITEMS = (
    "gaming headset",
    "air fryer",
    "leather backpack",
    "robot vacuum",
    "tablet stand",
    "mechanical keyboard",
    "electric toothbrush",
    "camping lantern",
)
DEVICES = ("iPhone 14", "Pixel 8", "Galaxy S23", "iPad Air", "MacBook Air", "ThinkPad X1")

TEMPLATES = (
    "My order {order} ({item}) never arrived, so I've disputed the {amount} charge with my "
    "bank. {extra}",
    "Hi - I never received the {item} from order {order}. I've opened a chargeback for "
    "{amount} with my card company. {extra}Please confirm you'll sort it.",
    "Order {order} was never delivered to me. My bank is handling a dispute for the {amount} "
    "now. {extra}",
    "I'm filing a dispute with my bank for {amount}: the {item} (order {order}) never showed "
    "up. {extra}What do you need from me?",
)
EXTRAS = (
    "",
    "The tracking page hasn't been helpful. ",
    "I've waited long enough. ",
    "This was meant to be a birthday present. ",
)
CONCERNS = (
    "Wants to know how long the bank dispute takes.",
    "Asks whether the discount code can be reused.",
    "Asks to stop marketing emails.",
)


#: Sentences a customer may add (composed text).
EXTRA_CONTEXT = (
    "I [called|contacted] my bank [already|first].",
    "[Honestly|Frankly] I just want my money back.",
)
BUDGET = 16


#: The knowledge-base articles of every case of the family (the source of its decision
#: rule; no seeded part).
POLICIES: dict[str, Policy] = {
    "chargebacks": Policy(
        title="Chargebacks and card disputes",
        content=(
            "Check the carrier record first. If the carrier confirms the parcel was not "
            "delivered (lost, returned to sender), accept the dispute and refund the "
            "customer, whatever the account history. If the carrier shows a delivery with "
            "proof, check the account for fraud signals: the customer's own registered "
            "device marking the parcel as received after delivery, or two or more earlier "
            "'item not received' disputes on signed deliveries. With BOTH signals, lock "
            "the account and escalate to trust_and_safety as friendly fraud, "
            "and promise no refund; tell the customer the case is under review. With one "
            "signal or none, share the proof of delivery with "
            "the customer and answer the dispute with it; no refund. If no issuer notice is "
            "on file, ask the customer for the card's last four digits and the charge date "
            "so the dispute can be matched. Route to billing (issue type refund request); "
            "Priority follows the shared support-priorities rule. The issuer's response "
            "date is a hard deadline."
        ),
        keywords=("chargeback", "dispute", "disputed", "bank", "issuer"),
    ),
    "lost_parcels": Policy(
        title="Lost parcels (no dispute opened)",
        content=(
            "When a parcel is overdue by 10 days and no dispute is open, reship the order "
            "or refund it at the customer's choice."
        ),
        keywords=("lost", "parcel", "never arrived", "reship"),
    ),
    "account_security": Policy(
        title="Account security",
        content="Customers who suspect unauthorised logins can reset their password.",
        keywords=("security", "password", "login"),
    ),
}


def generate(kit: Kit) -> dict[str, Any]:
    """Scenario fields for one seeded chargeback case (see the module docstring)."""
    name = kit.person()
    first = name.split()[0]
    tier = kit.pick(TIERS_CONSUMER)
    item = kit.pick(ITEMS)
    order = kit.ident("ORD")
    amount = kit.money(40, 600)
    device = kit.pick(DEVICES)
    roll = kit.rng.random()
    outcome = "refund" if roll < 0.4 else ("fraud" if roll < 0.7 else "info")
    delivered = outcome != "refund"
    notice = kit.chance(0.7)
    shipped_ago = kit.rng.randrange(12, 40)
    charge_day = kit.day(shipped_ago + 1)
    card = f"{kit.rng.randrange(0, 10000):04d}"
    deadline_in = kit.rng.randrange(1, 15)
    dispute_id = kit.ident("DSP", 6)

    # Carrier record.
    if delivered:
        signer = kit.pick((first.upper(), f"{first[0]}. {name.split()[1]}", "signature on file"))
        hhmm = f"{kit.rng.randrange(8, 20):02d}:{kit.rng.randrange(0, 60):02d}"
        when = f"{kit.day(shipped_ago - kit.rng.randrange(2, 6))} {hhmm}"
        tracking = (
            f"Delivered {when}. Signed for: '{signer}'. Delivery photo on file (front door); "
            "driver GPS within 15 m of the address."
        )
    else:
        tracking = kit.pick(
            (
                f"Last scan {kit.day(shipped_ago - 2)}: arrived at sorting hub. Carrier "
                "investigation closed: parcel lost in transit, not delivered.",
                f"{kit.day(shipped_ago - 3)}: delivery attempted, address not accessible. "
                f"{kit.day(shipped_ago - 8)}: returned to sender; not delivered to the customer.",
            )
        )

    # Account activity: device history and earlier disputes. Fraud needs both signals;
    # a delivered case without fraud shows none or one of them.
    signal = kit.pick(("none", "tap", "history")) if outcome == "info" else "none"
    if outcome == "refund":
        signal = kit.pick(("none", "none", "tap", "history"))
    marked_received = outcome == "fraud" or signal == "tap"
    if outcome == "fraud" or signal == "history":
        earlier = kit.rng.randrange(2, 4)
    else:
        earlier = kit.rng.randrange(0, 2) if kit.chance(0.4) else 0
    sessions = (
        f"Tracking page opened from the customer's registered {device} "
        f"{kit.rng.randrange(5, 40)} minutes after the delivery scan; 'Mark as received' tapped."
        if marked_received
        else kit.pick(
            (
                f"Tracking page opened from the customer's registered {device} before the "
                "last carrier scan; no 'mark as received'.",
                "No app sessions after the order shipped.",
            )
        )
    )
    if earlier == 0:
        history = "Earlier disputes: none."
    elif earlier == 1:
        history = (
            "Earlier disputes: 1 in the last 12 months ('item not received'); the carrier "
            "had confirmed that parcel lost and it was refunded."
        )
    else:
        history = (
            f"Earlier disputes: {earlier} in the last 12 months, all 'item not received', "
            "all on deliveries signed for at the customer's address."
        )
    activity = (
        f"Order {order} placed from the customer's registered {device} "
        f"(IP {kit.rng.randrange(11, 223)}.{kit.rng.randrange(0, 256)}.x.x, usual network). "
        f"{sessions} {history}"
    )

    if notice:
        dispute = (
            f"Issuer dispute {dispute_id}: reason 'item not received', {amount}, card ending "
            f"{card}, charge of {charge_day}. Response due {kit.day(-deadline_in)} "
            f"({deadline_in} day(s) from today)."
        )
    else:
        dispute = (
            "No issuer dispute notice matches this account yet. Notices can take up to 10 days "
            "and are matched by card (last four digits) and charge date."
        )

    message = kit.pick(TEMPLATES).format(
        order=order, item=item, amount=amount, extra=kit.pick(EXTRAS)
    )
    artifacts = {
        "order": Artifact(
            title=f"Order {order}",
            content=(
                f"{item}, qty 1, {amount}, paid by card ending {card} on {charge_day}; shipped "
                f"{kit.day(shipped_ago)} to the address on file."
            ),
        ),
        "tracking": Artifact(title="Carrier record", content=tracking),
        "account_activity": Artifact(title="Account activity and risk", content=activity),
        "dispute": Artifact(title="Card dispute notices", content=dispute),
        "support_history": Artifact(
            title="Earlier tickets",
            content=kit.pick(
                (
                    "One ticket last year about a sizing question; closed.",
                    "No earlier tickets.",
                    "One ticket about a missing discount code; closed.",
                )
            ),
        ),
    }
    policies = POLICIES
    requested = () if notice else ("card_last_four", "charge_date")
    priority = impact_priority(
        compromise=outcome == "fraud",
        money=amount,
        deadline_days=deadline_in if notice else None,
    )

    if outcome == "refund":
        code = "issue_refund"
        status, queue = "resolved", "billing"
        reply_markers: tuple[Point, ...] = (
            APOLOGY,
            point("refund"),
        )
        note = point("lost", name="not_delivered")
        forbidden: tuple[Claim, ...] = claims(
            "delivered", "locked", "on_hold", "fraud", "escalated", "replacement"
        )
    elif outcome == "fraud":
        code = "lock_account_and_escalate_fraud"
        status, queue = "escalated", "trust_and_safety"
        reply_markers = (
            point("review"),
            point("on_hold", name="hold"),
        )
        note = point("fraud", name="fraud_signals")
        forbidden = claims("refund", "reship", "replacement", "incident")
    else:
        code = "provide_information"
        status, queue = "resolved", "billing"
        reply_markers = (
            point("delivered", name="delivery_proof"),
            point("dispute"),
        )
        note = point("delivered")
        forbidden = claims("refund", "locked", "on_hold", "fraud", "reship")
    evidence = (
        "ticket",
        "artifact:tracking",
        "artifact:account_activity",
        "artifact:dispute",
        "policy:chargebacks",
    )
    subject = kit.pick(("Never received my order", "Disputed charge", "Chargeback - order missing"))
    skip_draw(kit, (60, 120, 240))
    concerns = (kit.pick(CONCERNS),) if kit.chance(0.35) else ()
    return finish(
        kit,
        budget=BUDGET,
        difficulty="hard",
        context=EXTRA_CONTEXT,
        subject=subject,
        name=name,
        message=message,
        tier=tier,
        impact=f"Open card dispute, {amount}; a lost dispute adds a fee.",
        concerns=concerns,
        channel=kit.pick(("email", "chat")),
        artifacts=artifacts,
        policies=policies,
        answers={
            "card_last_four": f"It's the card ending {card}.",
            "charge_date": f"The charge was on {charge_day}.",
            "order_id": f"Order {order}.",
        },
        status=status,
        code=code,
        queue=queue,
        priority=priority,
        issue_type="refund_request",
        evidence=evidence,
        requested=requested,
        reply=reply_markers,
        note=(note,),
        forbidden=forbidden,
    )
