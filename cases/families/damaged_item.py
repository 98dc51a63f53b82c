"""Family ``damaged_item``: an item arrived damaged.

Decision rule (source: the ``damage_claims_2026`` article, clauses 1-4, and its
predecessor ``damage_claims_2024`` for orders placed before 2026-02-19):

1. The claim window is counted from the carrier's delivery date to today (the reference
   day): 14 days under the 2026 version, 30 days under the 2024 version; the version in
   force on the ORDER date applies (``order`` record + policy effective dates). Outside
   it -> ``deny_refund_outside_policy`` (the reply points to the warranty route).
2. Inside the window the damage must be confirmed by a carrier damage scan (``shipment``
   log) OR a photo among the ticket's attachments (``attachments``); a customer saying
   "photo attached" or a CRM note promising one does not count. Not confirmed ->
   ``request_info(photo_of_damage)``; the customer sends it and the case is settled.
3. Confirmed: a replacement when the CURRENT stock (``inventory``, not the stale snapshot
   on the order) has units -> ``send_replacement``; none -> ``issue_refund``.
4. Queue fulfillment; priority by impact (``support_priorities``): the order value is the
   money at stake.
"""

from __future__ import annotations

from typing import Any

from caseops.cases import records as rec
from caseops.cases import text as tx
from caseops.cases.common import APOLOGY, assemble, impact_priority, sla
from caseops.cases.kit import TIERS_CONSUMER, Kit
from caseops.domain.claims import Point, claims, point
from caseops.domain.scenario import Artifact, Policy, Ticket
from caseops.domain.vocab import RequestableField

NAME = "damaged_item"
BUDGET = 16
SWITCH_DAYS_AGO = 25  # 2026-02-19, when the 2026 version took effect

ITEMS = (
    ("ceramic mug", "MUG"),
    ("glass vase", "VAS"),
    ("desk lamp", "LMP"),
    ("bluetooth speaker", "SPK"),
    ("picture frame", "FRM"),
    ("coffee grinder", "GRD"),
    ("table mirror", "MIR"),
    ("porcelain teapot", "TEA"),
    ("monitor stand", "MON"),
    ("wall clock", "CLK"),
)
DAMAGE = (
    "cracked",
    "broken in two",
    "badly dented",
    "shattered",
    "chipped along the rim",
    "bent out of shape",
    "scratched all over",
    "split down the side",
)
OPENERS = (
    "The {item} I ordered arrived {damage}.",
    "I opened the parcel and the {item} was {damage}.",
    "My {item} came {damage}, the box looked fine from outside.",
    "Unfortunately the {item} from order {order} is {damage}.",
    "Order {order} arrived but the {item} inside was {damage}.",
    "the {item} was {damage} when I unpacked it",
    "Just unboxed the {item} and it's {damage}.",
    "It's about the {item} - it got here {damage}.",
)
WHEN = (
    "It was delivered {when}.",
    "The delivery was {when}.",
    "It got here {when} but I only opened it now.",
    "I received it {when}.",
    "The courier dropped it off {when}.",
)
PHOTO_CLAIM = (
    "I attached a photo.",
    "Photo attached.",
    "I've added pictures of the damage.",
    "See the picture I uploaded.",
)
REQUESTS = (
    "What can you do about it?",
    "Can you send me a new one?",
    "I'd like this sorted, either a new one or my money back.",
    "Please let me know the options.",
    "How do I get this fixed?",
    "Can I get a replacement or refund please?",
    "What happens now?",
)
CONTEXT = (
    "It was meant to be a gift.",
    "The packaging had very little padding.",
    "I've ordered from you many times without issues.",
    "The outer box had a dent in one corner.",
    "I only noticed once I took it out of the bubble wrap.",
    "It was the last one in the colour I wanted.",
)
SUBJECTS = ("Damaged {item}", "{item} arrived broken", "Broken item in order", "Damaged delivery")


def _when(days: int) -> str:
    if days <= 1:
        return "yesterday" if days == 1 else "today"
    if days < 7:
        return f"{days} days ago"
    if days < 14:
        return "last week"
    return "a few weeks ago"


def _policies(kit: Kit) -> dict[str, Policy]:
    """The knowledge base of a case (the first article states the decision rule):
    ``damage_claims_2026``, ``damage_claims_2024``."""
    return {
        "damage_claims_2026": Policy(
            title="Damaged deliveries (current)",
            content=rec.policy_text(
                kit,
                (
                    "Damage must be reported within 14 days of the carrier's delivery date.",
                    "Damage is confirmed by a carrier damage scan or by a photo attached to "
                    "the ticket; a promise of a photo is not a photo. If neither is on file, "
                    "ask the customer for a photo of the damage before settling.",
                    "Once confirmed: send a free replacement if current stock allows (no "
                    "return needed); otherwise refund the order.",
                    "Claims reported after the window are declined as damage claims; point "
                    "the customer to the warranty route.",
                    "Route damage claims to fulfillment.",
                ),
                effective=kit.day(SWITCH_DAYS_AGO),
                version="3",
                superseded="Applies to orders placed on or after that date.",
            ),
            keywords=("damaged", "broken", "cracked", "damage", "replacement", "shattered"),
        ),
        "damage_claims_2024": Policy(
            title="Damaged deliveries (previous version)",
            content=rec.policy_text(
                kit,
                (
                    "Damage must be reported within 30 days of the carrier's delivery date.",
                    "Confirmation, replacement and refund rules as in the current version.",
                ),
                effective="2024-06-01",
                version="2",
                superseded=f"Superseded on {kit.day(SWITCH_DAYS_AGO)}; still applies to orders "
                "placed before that date.",
            ),
            keywords=("damaged", "damage", "previous", "old"),
        ),
    }


def generate(kit: Kit) -> dict[str, Any]:
    """Scenario fields for one seeded damaged-item case (see the module docstring)."""
    item, sku_prefix = ITEMS[kit.rng.randrange(len(ITEMS))]
    sku = f"{sku_prefix}-{kit.rng.randrange(100, 999)}"
    order = kit.ident("ORD")
    price = kit.money(15, 900)
    name = kit.person()
    tier = kit.pick(TIERS_CONSUMER)

    # Outcome mix: ~20% outside the window, else confirmed or not x stock or not.
    outside = kit.chance(0.2)
    new_rules = kit.chance(0.5)  # ordered on or after the switch: the 14-day version
    transit = kit.rng.randint(2, 6)
    if new_rules:
        window = 14
        top = SWITCH_DAYS_AGO - 1 - transit
        delivered = kit.rng.randint(15, top) if outside else kit.rng.randint(0, 14)
    else:
        window = 30
        low = SWITCH_DAYS_AGO - transit
        delivered = kit.rng.randint(31, 45) if outside else kit.rng.randint(low, 30)
    ordered = delivered + transit
    within = delivered <= window
    scan = kit.chance(0.45)
    photo = kit.chance(0.45) if not scan else kit.chance(0.3)
    confirmed = scan or photo
    in_stock = kit.chance(0.55)
    snapshot_stock = kit.rng.randrange(0, 40)
    stock = kit.rng.randrange(1, 60) if in_stock else 0

    # Ticket
    slots = {"item": item, "damage": kit.pick(DAMAGE), "order": order, "when": _when(delivered)}
    facts = [tx.variant(kit, OPENERS, **slots)]
    if kit.chance(0.7):
        facts.append(tx.variant(kit, WHEN, **slots))
    claims_photo = photo or kit.chance(0.3)  # a claim the attachments may not back up
    if claims_photo:
        facts.append(kit.pick(PHOTO_CLAIM))
    msg = tx.message(kit, facts=facts, request=kit.pick(REQUESTS), context=CONTEXT, name=name)
    subject = tx.variant(kit, SUBJECTS, item=item).capitalize()

    # Artifacts
    artifacts = {
        "order": Artifact(
            title=f"Order {order}",
            content=rec.record(
                kit,
                [
                    ("Order", order),
                    ("Placed", kit.day(ordered)),
                    ("Item", f"{item} (SKU {sku}) x1"),
                    ("Total", str(price)),
                    ("Replacement stock (snapshot)", f"{snapshot_stock} units"),
                ],
                [
                    ("Gift wrap", kit.pick(("yes", "no"))),
                    ("Channel", kit.pick(("web", "app"))),
                    ("Coupon", kit.pick(("none", "SPRING10", "WELCOME5"))),
                ],
            ),
        ),
        "shipment": Artifact(
            title=f"Carrier log {kit.hexid('TRK', 8)}",
            content=rec.log(
                kit,
                [
                    (delivered * 1440 + 300, "scan: departed regional hub"),
                    (
                        delivered * 1440 + 120,
                        "scan: package damaged in transit, outer box crushed"
                        if scan
                        else "scan: arrived at delivery depot",
                    ),
                    (delivered * 1440 + 10, "scan: delivered, left with customer"),
                ],
                noise=(
                    "scan: sorted at hub",
                    "label printed",
                    "route planned vehicle={n}",
                    "customs not required",
                ),
                n_noise=(1, 3),
            ),
        ),
        "attachments": Artifact(
            title="Ticket attachments",
            content="\n".join(
                (
                    [
                        f"IMG_{kit.rng.randrange(1000, 9999)}.jpg - photo of the {item}, visibly "
                        "damaged, packaging torn"
                    ]
                    if photo
                    else []
                )
                + (
                    [f"receipt_{kit.rng.randrange(100, 999)}.pdf - order receipt"]
                    if kit.chance(0.5)
                    else []
                )
                or ["(no attachments)"]
            ),
        ),
        "inventory": Artifact(
            title=f"Inventory (as of {kit.day(0)})",
            content="\n".join(
                sorted(
                    [f"{sku}: {stock} available"]
                    + [
                        f"{kit.pick(ITEMS)[1]}-{kit.rng.randrange(100, 999)}: "
                        f"{kit.rng.randrange(0, 80)} available"
                        for _ in range(kit.rng.randint(2, 4))
                    ]
                )
            ),
        ),
        "crm": Artifact(
            title="CRM notes",
            content=rec.crm_notes(
                kit,
                [(0, "Customer says a photo of the damage is attached.")]
                if claims_photo and not photo and kit.chance(0.6)
                else [],
            ),
        ),
    }

    policies = _policies(kit)

    if not within:
        code = "deny_refund_outside_policy"
        requested: tuple[RequestableField, ...] = ()
        # the reply names the delivery date the window is counted from
        reply: tuple[Point, ...] = (
            point("outside_window", facts=(kit.day(delivered),)),
            point("warranty"),
        )
        note: tuple[Point, ...] = (point("outside_window", facts=(f"{window}",)),)
        forbidden = claims("replacement", "refund", "locked", "escalated")
        evidence = ["ticket", "artifact:order", "artifact:shipment"]
    else:
        requested = () if confirmed else ("photo_of_damage",)
        if in_stock:
            code = "send_replacement"
            outcome = point("replacement", facts=(order,))
            forbidden = claims("refund", "outside_window", "locked", "escalated")
            stock_fact = point("in_stock", facts=(sku,), name="current_stock")
        else:
            code = "issue_refund"
            outcome = point("refund", facts=(str(price),))
            forbidden = claims("replacement", "outside_window", "locked", "escalated")
            stock_fact = point(facts=(sku,), name="sku_checked")
        reply = (APOLOGY, outcome)
        note = (point("damage_confirmed"), stock_fact)
        evidence = [
            "ticket",
            "artifact:order",
            "artifact:shipment",
            "artifact:attachments",
            "artifact:inventory",
        ]
    evidence.append("policy:damage_claims_2026" if new_rules else "policy:damage_claims_2024")
    priority = impact_priority(money=price)
    return assemble(
        kit,
        difficulty="medium",
        budget=BUDGET,
        title=subject,
        objective=(
            "Work the case: establish what happened from the records and the policy in "
            "force, route it, decide, note your reasoning and tell the customer."
        ),
        ticket=Ticket(
            subject=subject,
            customer_name=name,
            customer_message=msg,
            customer_tier=tier,
            sla_minutes=sla(kit, tier),
            affected_users=1,
            business_impact=f"Single consumer order, {price}.",
            secondary_concerns=("Asks whether the gift wrapping can be kept.",)
            if kit.chance(0.3)
            else (),
        ),
        artifacts=artifacts,
        policies=policies,
        status="resolved",
        code=code,
        queue="fulfillment",
        priority=priority,
        issue_type="damaged_item",
        evidence=evidence,
        requested=requested,
        answers={"photo_of_damage": f"Here's the photo: the {item} is clearly damaged."},
        reply=reply,
        note=note,
        forbidden=forbidden,
    )
