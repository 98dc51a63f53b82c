"""Family ``lost_parcel``: a parcel has not arrived.

Decision rule (source: the ``lost_parcels`` article; priorities from
``support_priorities``):
- carrier tracking (checked on the reference day) against the promised delivery date and
  the carrier's claim window of W days: no scan for more than W days past the promised
  date, or a "delivered" scan at another postcode more than W days ago -> the parcel is
  lost -> ``reship_order``, queue ``fulfillment``, priority by impact (the order value
  is the money at stake);
- a recent "in transit" scan and a promised date still ahead -> ``provide_information``
  (the expected date), queue ``general_support``, priority low (nothing lost yet);
- a "delivered" scan geolocated to the order's OWN postcode -> not lost:
  ``provide_information`` (the delivery date; a carrier trace is opened), queue
  ``fulfillment``, priority by the order value;
- the order record has no tracking number (marketplace seller's own carrier) and the
  seller's feed, matched by order reference only, holds two parcels for the order ->
  ``request_info(tracking_number)``; the customer reads it off the shipping email, the
  case returns to triaged, and the parcel with THAT number decides as above (the other
  entry is someone else's parcel); a parcel scanned delivered at another postcode
  also needs ``request_info(shipping_address)`` (the customer confirms the address on file)
  before the reshipment.
"""

from __future__ import annotations

from typing import Any

from caseops.cases.common import APOLOGY, finish, impact_priority, skip_draw
from caseops.cases.kit import Kit
from caseops.domain.scenario import Artifact, Claim, Policy, claims, point
from caseops.domain.vocab import RequestableField

NAME = "lost_parcel"

ITEMS = (
    "pair of hiking boots",
    "espresso machine",
    "set of bed linen",
    "birthday gift box",
    "mechanical keyboard",
    "box of printer toner",
    "winter jacket",
    "set of kitchen knives",
)
CARRIERS = ("ParcelLine", "SwiftPost", "Northway Courier", "BlueArrow Express")
TEMPLATES = (
    "Hi, my order {order} ({item}) still hasn't arrived. {extra}Where is it?",
    "Hello - I'm still waiting for order {order}. {extra}Can you check what's going on?",
    "My {item} (order {order}) never showed up. {extra}What happens now?",
    "Order {order} hasn't reached me yet and I'm getting worried. {extra}Please help.",
    "Could someone look into order {order}? Nothing has been delivered. {extra}",
)
EXTRAS = (
    "",
    "",
    "The tracking page is confusing. ",
    "I've checked with my neighbours. ",
    "It was meant to be a gift. ",
    "I've been home all week. ",
)
STREETS = ("Mill Lane", "Harbour Road", "Elm Street", "Station Approach", "Kingsway")
CONCERNS = (
    "Asks whether future orders can go to a parcel locker.",
    "Mentions a promo code for the next order.",
    "Asks to update the phone number on the account.",
    "Wants to know whether shipping fees are refundable in general.",
)


#: Sentences a customer may add (composed text).
EXTRA_CONTEXT = (
    "I [checked|asked] with my neighbours[| and the building manager].",
    "The tracking [page|link] [isn't helping|makes no sense|hasn't changed].",
    "It was [a gift|for my mum|for work].",
)
BUDGET = 14


#: The knowledge-base articles of every case of the family (the source of its decision
#: rule; no seeded part).
POLICIES: dict[str, Policy] = {
    "lost_parcels": Policy(
        title="Parcels not received",
        content=(
            "Check carrier tracking against the promised delivery date. A parcel is lost "
            "when it has had no scan for more than the carrier's claim window past the "
            "promised date, or when it was scanned delivered at a postcode other than the "
            "order's more than the claim window ago: reship the order at no charge, route "
            "to fulfillment. "
            "If the parcel is still in transit and the promised date has not passed, "
            "tell the customer the expected delivery date (no reshipment), route to "
            "general support. If it was scanned delivered at the order's own postcode, "
            "it is not lost: tell the customer the delivery date and open a carrier "
            "trace; route to fulfillment. "
            "Priority follows the shared support-priorities rule. "
            "If we hold no tracking number, ask the customer for it first. Before "
            "reshipping a parcel scanned delivered at another postcode, ask the customer "
            "to confirm their shipping address."
        ),
        keywords=("lost", "not arrived", "missing", "parcel", "never arrived", "tracking"),
    ),
    "returns": Policy(
        title="Returns and refunds",
        content=(
            "Unwanted items may be returned within 30 days for a refund once the return "
            "is received."
        ),
        keywords=("return", "unwanted", "refund"),
    ),
    "address_changes": Policy(
        title="Changing a delivery address",
        content=(
            "The delivery address can be changed until the order is dispatched; after "
            "dispatch, ask the carrier for a redirect."
        ),
        keywords=("address", "redirect", "change address"),
    ),
}


def generate(kit: Kit) -> dict[str, Any]:
    """Scenario fields for one seeded lost-parcel case (see the module docstring)."""
    item = kit.pick(ITEMS)
    order = kit.ident("ORD")
    carrier_index = kit.rng.randrange(len(CARRIERS))
    carrier = CARRIERS[carrier_index]
    tracking = f"{('PL', 'SP', 'NW', 'BA')[carrier_index]}{kit.rng.randrange(10**9, 10**10)}"
    price = kit.money(20, 350)
    tier = kit.pick(("standard", "standard", "standard", "plus", "plus", "plus", "business"))
    name = kit.person()
    window = kit.pick(("3", "5", "7"))
    w = int(window)
    roll = kit.rng.random()
    variant = (
        "transit"
        if roll < 0.3
        else "no_scans"
        if roll < 0.57
        else "misdelivered"
        if roll < 0.8
        else "delivered_here"
    )
    marketplace = kit.chance(0.45)
    postcode = f"{kit.rng.randrange(10, 99)}{kit.rng.randrange(100, 999)}"
    wrong_postcode = f"{kit.rng.randrange(10, 99)}{kit.rng.randrange(100, 999)}"
    street = f"{kit.rng.randrange(2, 240)} {kit.pick(STREETS)}"
    hub = kit.pick(("Riverside hub", "North sorting centre", "Airport depot", "Eastgate hub"))
    today = kit.day(0)

    def timeline(kind: str) -> tuple[int, int, int, str]:
        """(promised, last scan, shipped) days ago and the carrier's status text."""
        where_scan = kit.pick(
            (f"departed {hub}, next stop local delivery depot", f"arrived at {hub}")
        )
        if kind == "transit":
            promised = -kit.rng.randrange(1, 6)  # days ago < 0: still ahead
            last_scan = kit.rng.randrange(0, 2)
            shipped = kit.rng.randrange(2, 5)
        elif kind == "no_scans":
            promised = w + kit.rng.randrange(2, 10)
            last_scan = promised + kit.rng.randrange(1, 4)
            shipped = last_scan + kit.rng.randrange(1, 3)
        if kind in ("transit", "no_scans"):
            text = (
                f"Status: in transit. Last scan {kit.day(last_scan)}: {where_scan}. "
                f"Estimated delivery {kit.day(promised)}."
            )
        else:
            promised = w + kit.rng.randrange(2, 10)
            last_scan = promised + kit.rng.randrange(0, 2)
            shipped = last_scan + kit.rng.randrange(2, 4)
            where = wrong_postcode if kind == "misdelivered" else postcode
            text = (
                f"Status: delivered {kit.day(last_scan)}, left at door. Delivery scan "
                f"geolocated to postcode {where}. Estimated delivery {kit.day(promised)}."
            )
        return promised, last_scan, shipped, text

    promised, last_scan, shipped, track = timeline(variant)
    # Marketplace orders: the seller's carrier feed matches by order reference only and
    # holds two parcels for it; only the tracking number the customer reads off their
    # shipping email says which is theirs (the answer decides the outcome).
    decoy_variant = kit.pick(
        tuple(v for v in ("transit", "no_scans", "misdelivered", "delivered_here") if v != variant)
    )
    decoy_tracking = f"{tracking[:2]}{kit.rng.randrange(10**9, 10**10)}"
    decoy_track = timeline(decoy_variant)[3]
    lost = variant in ("no_scans", "misdelivered")

    if lost:
        code, queue = "reship_order", "fulfillment"
        priority = impact_priority(money=price)
    elif variant == "delivered_here":
        code, queue = "provide_information", "fulfillment"
        priority = impact_priority(money=price)
    else:
        code, queue = "provide_information", "general_support"
        priority = impact_priority()

    message = kit.pick(TEMPLATES).format(order=order, item=item, extra=kit.pick(EXTRAS)).strip()
    ship_line = (
        f"Shipped {kit.day(shipped)} by the marketplace seller with their own carrier; "
        "tracking number not recorded on our side."
        if marketplace
        else f"Shipped {kit.day(shipped)} with {carrier}, tracking {tracking}."
    )
    artifacts = {
        "order": Artifact(
            title=f"Order {order}",
            content=(
                f"Item: {item}, qty 1, {price}. Ship to {street}, postcode {postcode}. "
                f"{ship_line} "
                f"Promised delivery by {kit.day(promised)}."
            ),
        ),
        "tracking": Artifact(
            title=f"Carrier tracking (checked {today})",
            content=(
                "Seller-carrier feed, matched by order reference only (two parcels carry "
                "this order reference):\n"
                + "\n".join(
                    sorted(
                        (
                            f"{carrier} {tracking}. {track}",
                            f"{carrier} {decoy_tracking}. {decoy_track}",
                        )
                    )
                )
                + f"\nCarrier claim window: {window} days."
                if marketplace
                else f"{carrier} {tracking}. {track} Carrier claim window: {window} days."
            ),
        ),
        "payment": Artifact(
            title="Payment",
            content=f"One capture of {price} ({price.code}) on {kit.day(shipped + 1)}.",
        ),
        "address_book": Artifact(
            title="Saved addresses",
            content=(
                f"Default: {street}, postcode {postcode} (verified). "
                f"Other saved addresses: {kit.rng.randrange(0, 3)}, none used on this order."
            ),
        ),
    }
    policies = POLICIES
    evidence = ["ticket", "artifact:order", "artifact:tracking", "policy:lost_parcels"]
    requested: tuple[RequestableField, ...] = ("tracking_number",) if marketplace else ()
    if variant == "misdelivered":
        requested = (*requested, "shipping_address")
    answers: dict[RequestableField, str] = {
        "tracking_number": f"The shipping email says {carrier}, tracking number {tracking}.",
        "shipping_address": f"My address is unchanged: {street}, postcode {postcode}.",
    }
    if lost:
        outcome = point("reship")
        reply = (
            APOLOGY,
            outcome,
        )
        forbidden: tuple[Claim, ...] = claims(
            "in_transit",
            "expected_delivery",
            "wait",
            "refund",
            "locked",
            "escalated",
            "incident",
        )
        note = point("lost", name="lost_confirmed")
    elif variant == "delivered_here":
        reply = (
            point("delivered", facts=(kit.day(last_scan),)),
            point("investigating"),
        )
        forbidden = claims("reship", "lost", "refund", "locked", "escalated", "incident")
        note = point("delivered", facts=(postcode,), name="delivered_here")
    else:
        reply = (
            point("in_transit"),
            point(facts=(kit.day(promised),), name="expected_date"),
        )
        forbidden = claims("reship", "lost", "refund", "locked", "escalated", "incident")
        note = point("in_transit", name="in_transit_confirmed")
    concerns = (kit.pick(CONCERNS),) if kit.chance(0.4) else ()
    subject = kit.pick(
        (f"Order {order} not arrived", "Where is my parcel?", f"Still waiting for order {order}")
    )
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
        impact=f"Single order, {price}.",
        concerns=concerns,
        artifacts=artifacts,
        policies=policies,
        answers=answers,
        status="resolved",
        code=code,
        queue=queue,
        priority=priority,
        issue_type="delivery_problem",
        evidence=evidence,
        requested=requested,
        reply=reply,
        note=(note,),
        forbidden=forbidden,
    )
