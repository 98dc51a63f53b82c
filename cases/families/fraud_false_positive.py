"""Family ``fraud_false_positive`` (test only): an order was held by fraud screening and
the customer says it is genuine.

Decision rule (source: the ``fraud_holds`` article, clauses 1-5; priorities from
``support_priorities``):

1. A fraud report from the card issuer on this card (``payment``: issuer fraud report)
   -> confirmed fraud: ``lock_account_and_escalate_fraud``, escalated to
   ``trust_and_safety`` (a compromise in progress, urgent). The customer's assurance and
   a CRM note ("verified by phone") do not outweigh it.
2. A hold older than 72 hours was auto-cancelled and the payment voided (``fraud_review``)
   -> ``no_action_needed``: nothing is held any more; the customer may order again.
3. Otherwise the hold is released when 3-D Secure authenticated the payment AND either
   the address check (AVS) matched or the account has 3 or more delivered orders without
   a dispute (``payment``, ``order_history``) -> ``provide_information`` (released, the
   order ships).
4. Otherwise -> ``request_info(identity_verification)``; the case waits on the customer
   and is submitted as ``request_verification``.
5. Queue ``trust_and_safety``; priority by impact: confirmed fraud is urgent, otherwise
   the order value is the money at stake.
"""

from __future__ import annotations

from typing import Any

from caseops.cases import records as rec
from caseops.cases import text as tx
from caseops.cases.common import assemble, impact_priority, ticket
from caseops.cases.kit import TIERS_CONSUMER, Kit
from caseops.domain.claims import Claim, Point, claims, point
from caseops.domain.scenario import Artifact, Policy
from caseops.domain.vocab import RequestableField

NAME = "fraud_false_positive"
BUDGET = 15
HOLD_HOURS = 72

ITEMS = ("laptop", "games console", "camera", "smartphone", "e-bike battery", "tablet", "drone")
RULES = (
    "billing and shipping countries differ",
    "order value 5x the account's average",
    "new device and new shipping address",
    "three card attempts in ten minutes",
    "IP geolocation far from the billing address",
)
FACTS = (
    "My order {order} [is|has been] [on hold|held|blocked] for a [security|fraud] check.",
    "You [flagged|blocked|stopped] my order {order} as [fraud|suspicious] but it's [really|"
    "genuinely|definitely] me.",
    "I [placed|made] order {order} for a {item} and got an email that it's under review.",
    "[Why|How come] is my {item} order ({order}) [held|stuck in review]?",
)
ASIDES = (
    "I'm [ordering|sending it] [for|to] my [son|daughter|parents] [abroad|at university|"
    "in another city].",
    "I [used|paid with] my [new|partner's|work] card[| this time].",
    "I [approved|confirmed] the payment in my banking app.",
    "I've [ordered|shopped] [here|with you] [many times|for years].",
    "I'm [travelling|on holiday] at the moment.",
    "[Someone|Your agent] on the phone [said|told me] it would be released.",
)
REQUESTS = (
    "Please release it [asap|today|now].",
    "[Can|Could] you [check|fix] this?",
    "What do I need to do?",
    "I need it [by the weekend|this week|soon].",
)
CONTEXT = (
    "This is [really|very] [frustrating|embarrassing].",
    "The money has [already left|been taken from] my account.",
    "It's a [birthday|graduation] present.",
)
SUBJECTS = ("Order on hold", "Not fraud!", "Order blocked", "Security hold on my order")


def _policies(kit: Kit) -> dict[str, Policy]:
    """The knowledge base of a case (the first article states the decision rule):
    ``fraud_holds``, ``shipping_times``."""
    return {
        "fraud_holds": rec.article(
            kit,
            "Orders held by fraud screening",
            (
                "An issuer fraud report on the card used is confirmed fraud: lock the "
                "account and escalate to trust_and_safety. Assurances do not outweigh it.",
                f"Holds expire after {HOLD_HOURS} hours: the order is cancelled and the "
                "payment voided; nothing is held any more and the customer may reorder.",
                "Release the hold when 3-D Secure authenticated the payment and either "
                "the address check matched or the account has 3 or more delivered orders "
                "without a dispute.",
                "Otherwise ask the customer to verify their identity. Phone assurances "
                "are not a verification.",
            ),
            age=(100, 700),
            versions=(2, 7),
            keywords=("fraud", "hold", "blocked", "suspicious", "review", "held"),
        ),
        "shipping_times": Policy(
            title="Shipping times",
            content="Released orders ship within one working day.",
            keywords=("shipping", "dispatch", "delivery"),
        ),
    }


def generate(kit: Kit) -> dict[str, Any]:
    """Scenario fields for one seeded fraud-hold case (see the module docstring)."""
    name = kit.person()
    tier = kit.pick(TIERS_CONSUMER)
    order = kit.ident("ORD")
    item = kit.pick(ITEMS)
    price = kit.money(150, 2500)
    roll = kit.rng.random()
    variant = (
        "fraud"
        if roll < 0.22
        else "cancelled"
        if roll < 0.46
        else "release"
        if roll < 0.73
        else "verify"
    )
    card = f"{kit.rng.randrange(0, 10000):04d}"
    # signals: 3DS, AVS, delivered orders; consistent with the variant
    three_ds = kit.chance(0.6)
    avs = kit.chance(0.5)
    delivered = kit.rng.randrange(0, 8)
    if variant == "release":
        three_ds = True
        if not avs and delivered < 3:
            delivered = kit.rng.randrange(3, 9)
    elif variant == "verify" and three_ds and (avs or delivered >= 3):
        if kit.chance(0.5):
            three_ds = False
        else:
            avs, delivered = False, kit.rng.randrange(0, 3)
    held_hours = (
        kit.rng.randrange(HOLD_HOURS + 2, 200)
        if variant == "cancelled"
        else kit.rng.randrange(2, HOLD_HOURS - 2)
    )
    held_days = held_hours // 24
    review = [
        f"Order {order}: held {kit.day(held_days)} by fraud screening, risk score "
        f"{kit.rng.randrange(61, 97)}.",
        "Rules triggered: " + "; ".join(kit.rng.sample(RULES, kit.rng.randint(1, 3))) + ".",
    ]
    if variant == "cancelled":
        review.append(
            f"Hold expired after {HOLD_HOURS} hours: order auto-cancelled and payment voided "
            f"{kit.day(max(0, held_days - 3))}."
        )
    else:
        review.append(f"Hold status: open ({held_hours} hours so far).")
    issuer = (
        f"Issuer fraud report on card ending {card}: {kit.day(kit.rng.randrange(0, 4))} "
        "(card reported stolen)."
        if variant == "fraud"
        else f"Issuer fraud reports on card ending {card}: none."
    )
    if variant != "fraud" and kit.chance(0.35):
        other = f"{kit.rng.randrange(0, 10000):04d}"
        issuer += (
            f"\nIssuer fraud report on card ending {other} (removed from the account "
            f"{kit.day(kit.rng.randrange(100, 600))})."
        )
    payment = rec.record(
        kit,
        [
            ("Card", f"ending {card}"),
            ("3-D Secure", "authenticated" if three_ds else kit.pick(("not attempted", "failed"))),
            ("AVS", "match" if avs else kit.pick(("mismatch", "unavailable"))),
            ("Amount", str(price)),
        ],
        [("Wallet", kit.pick(("none", "Apple Pay", "Google Pay"))), ("CVC", "match")],
    )
    history = (
        f"Delivered orders without dispute: {delivered}. Account opened "
        f"{kit.day(kit.rng.randrange(30, 2000))}. Disputes: none."
    )
    crm: list[tuple[int, str]] = []
    if kit.chance(0.35):
        crm.append((0, "Customer called; says the order is genuine and was verified by phone."))
    facts = [tx.variant(kit, FACTS, order=order, item=item)]
    facts += kit.rng.sample(ASIDES, kit.rng.randint(0, 2))
    msg = tx.compose(kit, facts, REQUESTS, CONTEXT, name)
    subject = kit.pick(SUBJECTS)
    artifacts = {
        "fraud_review": Artifact(title=f"Fraud review: {order}", content="\n".join(review)),
        "payment": Artifact(title="Payment checks", content=payment + "\n" + issuer),
        "order_history": Artifact(title="Order history", content=history),
        "crm": Artifact(title="CRM notes", content=rec.crm_notes(kit, crm)),
    }
    policies = _policies(kit)
    evidence = ["ticket", "artifact:fraud_review", "artifact:payment", "policy:fraud_holds"]
    if variant in ("release", "verify"):
        evidence.append("artifact:order_history")
    requested: tuple[RequestableField, ...] = ()
    status = "resolved"
    reply: tuple[Point, ...]
    note: tuple[Point, ...]
    forbidden: tuple[Claim, ...]
    priority = impact_priority(money=price)
    if variant == "fraud":
        code, status = "lock_account_and_escalate_fraud", "escalated"
        reply = (point("locked"), point("security_team"))
        note = (point("fraud", facts=(card,)),)
        forbidden = claims("hold_released", "safe", "refund")
        priority = impact_priority(compromise=True)
    elif variant == "cancelled":
        code = "no_action_needed"
        reply = (point("order_cancelled", facts=(order,)),)
        note = (point("order_cancelled"),)
        forbidden = claims("hold_released", "locked")
    elif variant == "release":
        code = "provide_information"
        reply = (point("hold_released", facts=(order,)),)
        note = (point("hold_released"),)
        forbidden = claims("locked", "verify_identity")
    else:
        code, status = "request_verification", "waiting_on_customer"
        requested = ("identity_verification",)
        reply = (point("verify_identity"),)
        note = (point("verify_identity"),)
        forbidden = claims("hold_released", "locked")
    return assemble(
        kit,
        difficulty="hard",
        budget=BUDGET,
        title=subject,
        objective=(
            "Work the case: weigh the screening signals and the payment checks against the "
            "policy, route it, note your reasoning and tell the customer what happens next."
        ),
        ticket=ticket(kit, subject, name, msg, tier, f"Order {order}, {price}, held."),
        artifacts=artifacts,
        policies=policies,
        status=status,
        code=code,
        queue="trust_and_safety",
        priority=priority,
        issue_type="account_security",
        evidence=evidence,
        requested=requested,
        reply=reply,
        note=note,
        forbidden=forbidden,
    )
