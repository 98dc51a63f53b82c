"""Family ``warranty_claim``: a product failed after the return window; the customer asks
for a repair, a replacement or their money back.

Decision rule (source: the ``warranty`` article, clauses 1-5, and the known-defect
bulletins in force; priorities from ``support_priorities``):

1. Which purchase: the ``orders`` record may hold two purchases of the same model; when
   it does and the ticket names neither order -> ``request_info(order_id)`` first; the
   customer names one and the case is settled on that purchase.
2. The standard warranty runs from the purchase date: 24 months for customers in the UK
   or the EU, 12 months elsewhere (``account``: country). Inside it ->
   ``send_replacement``.
3. Outside it, the unit's batch (``orders``: serial and batch) inside the batch range of
   the CURRENT bulletin for that model (``defect_bulletins``: a revised bulletin widens or
   narrows an older one; the newest decides) and the purchase within the bulletin's 36
   months -> ``issue_refund`` of the price paid.
4. Otherwise -> ``deny_refund_outside_policy`` (the warranty has ended; paid repair is
   offered).
5. Queue ``fulfillment``; priority by impact: the price paid is the money at stake.
"""

from __future__ import annotations

from typing import Any

from caseops.cases import records as rec
from caseops.cases import text as tx
from caseops.cases.common import APOLOGY, assemble, impact_priority, ticket
from caseops.cases.kit import TIERS_CONSUMER, Kit
from caseops.domain.claims import Claim, Point, claims, point
from caseops.domain.scenario import Artifact, Policy
from caseops.domain.vocab import RequestableField

NAME = "warranty_claim"
BUDGET = 15
BULLETIN_MONTHS = 36

MODELS = (
    ("cordless vacuum", "VX-20"),
    ("espresso machine", "BR-7"),
    ("bluetooth speaker", "SP-44"),
    ("electric toothbrush", "ET-3"),
    ("air fryer", "AF-9"),
    ("robot mower", "RM-2"),
    ("smart thermostat", "TH-5"),
    ("e-reader", "ER-11"),
)
COUNTRIES = (
    ("United Kingdom", True),
    ("Germany", True),
    ("France", True),
    ("Ireland", True),
    ("United States", False),
    ("Canada", False),
    ("Australia", False),
)
FAULTS = (
    "stopped charging",
    "won't turn on any more",
    "keeps cutting out",
    "makes a grinding noise",
    "shows an error light",
    "overheats after a few minutes",
    "has a cracked housing from normal use",
)
FACTS = (
    "My {product} {fault}.",
    "The {product} I bought from you {fault}[| out of nowhere].",
    "[Unfortunately|Sadly] my {model} {product} {fault}.",
    "I have a {product} ({model}) that {fault}.",
)
AGE = (
    "I bought it [a while ago|some time ago|ages ago].",
    "It's [about|roughly|maybe] {years} years old.",
    "I [think|believe] I bought it {when}.",
    "It was a [gift|birthday present] so I'm not sure of the date.",
    "",
)
BELIEF = (
    "I read online that [lots of|many] people have the same [problem|issue] with this model.",
    "I know it's [past|outside] the return window.",
    "I [looked after|took good care of] it.",
    "Is this covered by the warranty?",
)
REQUESTS = (
    "[Can|Could] you [repair|replace] it?",
    "I'd like a replacement or my money back.",
    "What are my options?",
    "Please [advise|let me know] what you can do.",
    "I expect this to be [covered|fixed].",
)
CONTEXT = (
    "I use it [every day|daily|a lot].",
    "I still have the [box|receipt|manual].",
    "[We|I] bought [two|a couple of] of these [over the years|for the family].",
)
SUBJECTS = ("Warranty claim", "{P} stopped working", "Faulty {product}", "Broken {product}")


def _policies(kit: Kit) -> dict[str, Policy]:
    """The knowledge base of a case (the first article states the decision rule):
    ``warranty``, ``returns``."""
    return {
        "warranty": rec.article(
            kit,
            "Warranty and known defects",
            (
                "If the customer has several purchases of the model and has not said "
                "which, ask for the order number.",
                "The warranty runs from the purchase date: 24 months for customers in the "
                "UK and the EU, 12 months elsewhere. Inside it, send a replacement.",
                "Outside it, a unit whose batch is listed in the current known-defect "
                f"bulletin for its model, bought within {BULLETIN_MONTHS} months, is "
                "refunded in full; a revised bulletin replaces the older revision.",
                "Otherwise decline: the warranty has ended; offer the paid repair service.",
                "Route to fulfillment.",
            ),
            age=(300, 700),
            versions=(2, 6),
            keywords=("warranty", "faulty", "defect", "broken", "repair", "guarantee"),
        ),
        "returns": Policy(
            title="Returns",
            content="Unused items can be returned within 30 days of delivery for a refund.",
            keywords=("return", "refund", "unwanted"),
        ),
    }


def generate(kit: Kit) -> dict[str, Any]:
    """Scenario fields for one seeded warranty case (see the module docstring)."""
    name = kit.person()
    tier = kit.pick(TIERS_CONSUMER)
    product, model = MODELS[kit.rng.randrange(len(MODELS))]
    country, eu = COUNTRIES[kit.rng.randrange(len(COUNTRIES))]
    months = 24 if eu else 12
    price = kit.money(40, 700)
    roll = kit.rng.random()
    variant = "warranty" if roll < 0.3 else "defect" if roll < 0.64 else "deny"
    # purchase age in days
    if variant == "warranty":
        age = kit.rng.randrange(40, months * 30 - 5)
    else:
        age = kit.rng.randrange(months * 30 + 10, BULLETIN_MONTHS * 30 - 10)
        if variant == "deny" and kit.chance(0.25):
            age = kit.rng.randrange(BULLETIN_MONTHS * 30 + 10, 1400)
    # bulletins: the current one (and an older revision with another range)
    lo = kit.rng.randrange(2301, 2340)
    hi = lo + kit.rng.randrange(4, 12)
    old_lo, old_hi = lo + kit.rng.randrange(-3, 3), hi + kit.rng.choice((-3, -2, 2, 3))
    if variant == "defect" or (variant == "deny" and age > BULLETIN_MONTHS * 30):
        batch = kit.rng.randrange(lo, hi + 1)
    elif variant == "deny":
        # outside the current range; sometimes inside the old one (stale bulletin)
        outside = [b for b in range(old_lo - 4, old_hi + 5) if not lo <= b <= hi]
        batch = outside[kit.rng.randrange(len(outside))]
    else:
        batch = kit.rng.randrange(lo - 6, hi + 7)
    order = kit.ident("ORD")
    serial = f"{model}-{batch}-{kit.rng.randrange(10000, 99999)}"
    two = kit.chance(0.35)
    named = not two or kit.chance(0.3)
    rows = [(order, age, model, batch, serial, price)]
    if two:
        other_age = kit.rng.randrange(40, 1400)
        other_batch = kit.rng.randrange(lo - 8, hi + 9)
        rows.append(
            (
                kit.ident("ORD"),
                other_age,
                model,
                other_batch,
                f"{model}-{other_batch}-{kit.rng.randrange(10000, 99999)}",
                kit.money(40, 700, (price.code, price.symbol)),
            )
        )
    for _ in range(kit.rng.randint(0, 2)):
        _p2, m2 = MODELS[kit.rng.randrange(len(MODELS))]
        b2 = kit.rng.randrange(2300, 2360)
        rows.append(
            (
                kit.ident("ORD"),
                kit.rng.randrange(10, 1500),
                m2,
                b2,
                f"{m2}-{b2}-{kit.rng.randrange(10000, 99999)}",
                kit.money(20, 400, (price.code, price.symbol)),
            )
        )
    rows.sort(key=lambda r: -r[1])
    order_text = "\n".join(
        f"{o}: placed {kit.day(a)}, {md}, serial {s} (batch {b}), {m}" for o, a, md, b, s, m in rows
    )
    other_model = kit.pick([m for _, m in MODELS if m != model])
    issued = kit.rng.randrange(20, 300)
    bulletins = (
        f"KD-{model}-r2 (issued {kit.day(issued)}, replaces r1): {model} batches {lo} to {hi}; "
        f"refund on request within {BULLETIN_MONTHS} months of purchase.\n"
        f"KD-{model}-r1 (issued {kit.day(issued + kit.rng.randrange(60, 300))}, replaced): "
        f"{model} batches {old_lo} to {old_hi}.\n"
        f"KD-{other_model}-r1 (issued {kit.day(kit.rng.randrange(30, 500))}): {other_model} "
        f"batches {kit.rng.randrange(2301, 2340)} to {kit.rng.randrange(2341, 2360)}."
    )
    years = max(1, age // 365)
    facts = [
        tx.variant(
            kit,
            FACTS,
            product=product,
            model=model,
            fault=kit.pick(FAULTS),
        )
    ]
    age_line = tx.fill(kit, kit.pick(AGE), years=years, when=f"around {kit.day(age)[:7]}")
    if age_line:
        facts.append(age_line)
    if named:
        facts.append(kit.pick((f"It was order {order}.", f"Order number {order}.")))
    facts += kit.rng.sample(BELIEF, kit.rng.randint(0, 2))
    msg = tx.compose(kit, facts, REQUESTS, CONTEXT, name)
    subject = tx.variant(kit, SUBJECTS, P=product.capitalize(), product=product)

    artifacts = {
        "orders": Artifact(title="Orders on the account (with serials)", content=order_text),
        "account": Artifact(
            title=f"Account of {name}",
            content=rec.record(
                kit,
                [("Country", country), ("Tier", tier)],
                [("Customer since", kit.day(kit.rng.randrange(400, 3000))), ("Newsletter", "no")],
            ),
        ),
        "defect_bulletins": Artifact(title="Known-defect bulletins", content=bulletins),
        "repairs": Artifact(
            title="Repair history",
            content=kit.pick(
                ("No repairs on record.", f"{kit.ident('RMA')}: screen protector swap, closed.")
            ),
        ),
    }
    policies = _policies(kit)
    evidence = ["ticket", "artifact:orders", "artifact:account", "policy:warranty"]
    if variant != "warranty":
        evidence.append("artifact:defect_bulletins")
    requested: tuple[RequestableField, ...] = () if named else ("order_id",)
    end = kit.day(age - months * 30)
    reply: tuple[Point, ...]
    note: tuple[Point, ...]
    forbidden: tuple[Claim, ...]
    if variant == "warranty":
        code = "send_replacement"
        reply = (APOLOGY, point("replacement", facts=(order,)))
        note = (point("warranty", facts=(end,)),)
        forbidden = claims("refund", "outside_window")
    elif variant == "defect":
        code = "issue_refund"
        reply = (point("known_defect"), point("refund", facts=(str(price),)))
        note = (point("known_defect", facts=(str(batch),)),)
        forbidden = claims("replacement")
    else:
        code = "deny_refund_outside_policy"
        reply = (point("warranty_ended", facts=(end,)), point("repair_offer"))
        note = (point("outside_window"),)
        forbidden = claims("refund", "replacement")
    return assemble(
        kit,
        difficulty="hard",
        budget=BUDGET,
        title=subject,
        objective=(
            "Work the case: find the purchase, the cover that applies to it and any known "
            "defect in force, route it, note your reasoning and tell the customer."
        ),
        ticket=ticket(kit, subject, name, msg, tier, f"Consumer product, {price}."),
        artifacts=artifacts,
        policies=policies,
        status="resolved",
        code=code,
        queue="fulfillment",
        priority=impact_priority(money=price),
        issue_type="damaged_item",
        evidence=evidence,
        requested=requested,
        answers={"order_id": f"It's order {order}."},
        reply=reply,
        note=note,
        forbidden=forbidden,
    )
