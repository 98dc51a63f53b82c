"""Family ``address_change``: a customer asks to change the delivery address of an order,
often after it has been dispatched.

Decision rule (source: the ``address_changes`` article, clauses 1-5, with its carrier
table; priorities from ``support_priorities``):

1. The address the customer gives must be complete (street and postcode); a message that
   only says where they moved ("my new flat in Leeds") -> ``request_info
   (shipping_address)`` first; the customer sends it and the case is settled on it.
2. The order already ships to that address (``order``: the ship-to line, updated in the
   app; ``order_audit`` shows when) -> ``no_action_needed``.
3. Not yet collected by the carrier (``tracking``: awaiting collection) -> we change the
   address ourselves -> ``provide_information`` (the change is made).
4. Collected: a redirect is possible only with a carrier that offers redirects in the
   carrier table of the article version in force TODAY (one carrier withdrew them; the
   previous version still lists it), before the "out for delivery" scan, and to an
   address in the same country -> ``provide_information`` (redirect booked). Otherwise
   the parcel is intercepted and returned -> ``reship_order`` to the new address.
5. Queue ``fulfillment``; priority by impact: the order value is the money at stake.
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

NAME = "address_change"
BUDGET = 14
WITHDRAWN = 40  # days ago the current carrier table took effect

CARRIERS = ("ParcelLine", "SwiftPost", "Northway Courier", "BlueArrow Express")
#: carrier -> redirects offered (current version), (previous version)
REDIRECTS = {
    "ParcelLine": (True, True),
    "SwiftPost": (False, True),
    "Northway Courier": (True, True),
    "BlueArrow Express": (False, False),
}
ITEMS = (
    "standing desk",
    "pair of trainers",
    "coffee machine",
    "bookshelf",
    "winter coat",
    "laptop bag",
    "set of pans",
    "office chair",
    "bedside lamp",
    "rug",
)
STREETS = ("Mill Lane", "Harbour Road", "Elm Street", "Station Approach", "Kingsway", "Park Row")
CITIES = (
    ("Leeds", "UK"),
    ("Bristol", "UK"),
    ("Glasgow", "UK"),
    ("Cork", "IE"),
    ("Dublin", "IE"),
    ("Lille", "FR"),
)
FACTS = (
    "I [just|recently] moved and order {order} is [still going|set to go] to my old address.",
    "[Can|Could] you [change|update] the delivery address on order {order}?",
    "I [put|entered] the wrong address [on|for] order {order}[| by mistake].",
    "My {item} (order {order}) [is going|will go] to [my old place|the wrong address].",
    "I need order {order} [sent|delivered] somewhere else[| please].",
)
NEW_ADDRESS = (
    "The new address is {address}.",
    "Please send it to {address} instead.",
    "[New|Correct] address: {address}.",
    "It should go to {address}.",
)
VAGUE = (
    "I'm now at my [new flat|partner's place|new house] in {city}.",
    "I've moved to {city}[| last week].",
    "[Send|Deliver] it to my new place in {city} instead.",
)
REQUESTS = (
    "[Can|Could] you [sort this|change it] [before it arrives|in time|please]?",
    "Please [update|fix] it.",
    "Is it too late?",
    "What can you do?",
    "[Please|Kindly] let me know if that's possible.",
)
CONTEXT = (
    "I [updated|changed] my address in the app[| too| as well].",
    "Nobody [lives|is] at the old address any more.",
    "The [landlord|new tenants] at the old place won't [forward|pass on] parcels.",
    "It's a [gift|present] so [timing matters|I need it soon].",
)
SUBJECTS = ("Change delivery address", "Wrong address on order", "I moved", "Address change")


def _address(kit: Kit, city: tuple[str, str]) -> tuple[str, str]:
    """(full address, postcode) in ``city``."""
    postcode = f"{kit.rng.randrange(10, 99)}{kit.rng.randrange(100, 999)}"
    return (
        f"{kit.rng.randrange(2, 240)} {kit.pick(STREETS)}, {city[0]} {postcode}, {city[1]}",
        postcode,
    )


def table(version: int) -> str:
    """The carriers' redirect rules as version ``version`` of the article states them."""
    yes, no = "redirects before out for delivery, same country", "no redirects"
    return "; ".join(f"{c}: {yes if REDIRECTS[c][version] else no}" for c in CARRIERS)


def _policies(kit: Kit) -> dict[str, Policy]:
    """The knowledge base of a case (the first article states the decision rule):
    ``address_changes``, ``address_changes_previous``."""
    return {
        "address_changes": Policy(
            title="Changing a delivery address (current)",
            content=rec.policy_text(
                kit,
                (
                    "Ask for the complete new address (street and postcode) if the customer "
                    "has not given it.",
                    "If the order already ships to that address, nothing needs changing.",
                    "Before the carrier collects the parcel, change the address on the order.",
                    f"After collection, book a redirect where the carrier offers one. Carrier "
                    f"table: {table(0)}.",
                    "Where no redirect is possible, intercept the parcel and reship the order "
                    "to the new address at no charge. Route to fulfillment.",
                ),
                effective=kit.day(WITHDRAWN),
                version="4",
            ),
            keywords=("address", "redirect", "change address", "moved", "wrong address"),
        ),
        "address_changes_previous": Policy(
            title="Changing a delivery address (previous version)",
            content=rec.policy_text(
                kit,
                (f"Carrier table: {table(1)}.", "Other rules as in the current version."),
                effective="2025-03-01",
                version="3",
                superseded=f"Superseded on {kit.day(WITHDRAWN)}.",
            ),
            keywords=("address", "previous", "carrier table"),
        ),
    }


def generate(kit: Kit) -> dict[str, Any]:
    """Scenario fields for one seeded address-change case (see the module docstring)."""
    name = kit.person()
    tier = kit.pick(TIERS_CONSUMER)
    order = kit.ident("ORD")
    item = kit.pick(ITEMS)
    price = kit.money(25, 900)
    carrier = kit.pick(CARRIERS)
    home = kit.pick(CITIES)
    old, _old_pc = _address(kit, home)
    roll = kit.rng.random()
    abroad = kit.chance(0.2)
    dest_city = kit.pick([c for c in CITIES if (c[1] != home[1]) == abroad] or list(CITIES))
    new, new_pc = _address(kit, dest_city)
    stage = "awaiting" if roll < 0.22 else "out_for_delivery" if roll < 0.42 else "in_transit"
    already = kit.chance(0.2)
    vague = not already and kit.chance(0.3)
    redirectable = REDIRECTS[carrier][0] and stage == "in_transit" and not abroad

    tracking_id = f"{carrier[:2].upper()}{kit.rng.randrange(10**8, 10**9)}"
    shipped = kit.rng.randrange(1, 4)
    scans: list[tuple[int, str]] = [(shipped * 1440 + 600, "label created")]
    if stage == "awaiting":
        scans.append((kit.rng.randrange(60, 600), "packed; awaiting carrier collection"))
    else:
        scans.append((shipped * 1440 + 200, f"collected by {carrier}"))
        scans.append((kit.rng.randrange(300, 1200), "in transit: arrived at sorting hub"))
        if stage == "out_for_delivery":
            scans.append((kit.rng.randrange(10, 250), "out for delivery"))
    tracking = rec.log(
        kit, scans, noise=("route planned vehicle={n}", "scan: sorted"), n_noise=(0, 2)
    )

    ship_to = new if already else old
    audit: list[tuple[int, str]] = [(shipped * 1440 + 900, "order placed")]
    if already:
        audit.append(
            (kit.rng.randrange(30, 300), "ship-to address changed by the customer in the app")
        )
    elif kit.chance(0.4):
        audit.append(
            (
                kit.rng.randrange(30, 900),
                "profile address changed by the customer (saved addresses)",
            )
        )
    facts = [tx.variant(kit, FACTS, order=order, item=item)]
    facts.append(
        tx.variant(kit, VAGUE, city=dest_city[0])
        if vague
        else tx.variant(kit, NEW_ADDRESS, address=new)
    )
    msg = tx.compose(kit, facts, REQUESTS, CONTEXT, name)
    subject = kit.pick(SUBJECTS)

    artifacts = {
        "order": Artifact(
            title=f"Order {order}",
            content=rec.record(
                kit,
                [
                    ("Order", order),
                    ("Item", f"{item} x1"),
                    ("Total", str(price)),
                    ("Ship to", ship_to),
                    ("Carrier", f"{carrier}, tracking {tracking_id}"),
                ],
                [
                    ("Gift message", kit.pick(("none", "yes"))),
                    ("Channel", kit.pick(("web", "app"))),
                ],
            ),
        ),
        "tracking": Artifact(title=f"Tracking {tracking_id}", content=tracking),
        "order_audit": Artifact(title="Order audit log", content=rec.log(kit, audit)),
    }

    policies = _policies(kit)
    evidence = ["ticket", "artifact:order", "artifact:tracking", "policy:address_changes"]
    requested: tuple[RequestableField, ...] = ("shipping_address",) if vague else ()
    reply: tuple[Point, ...]
    note: tuple[Point, ...]
    forbidden: tuple[Claim, ...]
    if already:
        code = "no_action_needed"
        evidence.append("artifact:order_audit")
        reply = (point("already_done", facts=(new_pc,)),)
        note = (point("already_done"),)
        forbidden = claims("reship", "refund")
    elif stage == "awaiting" or redirectable:
        code = "provide_information"
        reply = (point("address_change", facts=(new_pc,)),)
        note = (point("address_change", facts=(carrier,) if redirectable else (order,)),)
        forbidden = claims("reship", "refund")
    else:
        code = "reship_order"
        reply = (point("reship", facts=(new_pc,)),)
        note = (point("address_change", negated=True, facts=(carrier,), name="no_redirect"),)
        forbidden = claims("refund")
    return assemble(
        kit,
        difficulty="medium",
        budget=BUDGET,
        title=subject,
        objective=(
            "Work the case: find where the order is and what the carrier allows under the "
            "policy in force, route it, note your reasoning and tell the customer."
        ),
        ticket=ticket(kit, subject, name, msg, tier, f"Single consumer order, {price}."),
        artifacts=artifacts,
        policies=policies,
        status="resolved",
        code=code,
        queue="fulfillment",
        priority=impact_priority(money=price),
        issue_type="delivery_problem",
        evidence=evidence,
        requested=requested,
        answers={"shipping_address": f"The full address is {new}."},
        reply=reply,
        note=note,
        forbidden=forbidden,
    )
