"""Lexicon concepts of courtesy, money, goods and delivery (pure data; the pattern
syntax: :mod:`caseops.domain.lexicon`)."""

from __future__ import annotations

#: Product nouns that "a new ..." / "another ..." may name when goods are sent again.
_GOODS = (
    "one|item|unit|product|parcel|package|order|shipment|copy|mug|vase|lamp|speaker|frame"
    "|grinder|scarf|shoe|runner|trainer|sneaker|cable|bottle|board|headphone|earbud|sheet"
    "|case|device|pair|delivery"
)

#: How a text calls goods sent anew ("a brand-new mug", "another one").
_NEW = "another|new|fresh|brand-new|brand+new"

CONCEPTS: dict[str, tuple[str, ...]] = {
    # --- courtesy -------------------------------------------------------------------
    "apology": (
        "sorry",
        "apologize|apologise|apology",
        "regret",
        "my|our apologies",
    ),
    "thanks": ("thank", "thanks", "appreciate", "grateful"),
    # --- money ----------------------------------------------------------------------
    "refund": (
        "refund|reimburse|reimbursement|repay|repayment",
        "money|funds|payment|amount|charge ~ ~ back",
        "pay you back",
        "credit ~ ~ back",
        "back to|on|onto your|the card|account|bank|statement",
        "on its way back",
        "give|put|pay|hand ~ ~? ~? ~? back",
        "return ~? to your|the card|account|bank",
        "reverse|void|cancel the|that|this|your|duplicate|second|extra charge|capture|payment",
        "charge|capture|payment be|been|get ~? reverse|void",
        "reversal",
        "credit note",
    ),
    "full_refund": ("full refund", "refund ~ ~ in full", "refund ~ full amount", "entire amount"),
    "credit_note": ("credit note", "corrected|revised|new invoice"),
    "service_credit": ("service credit", "account credit", "credit to|on your next invoice|bill"),
    "prorated": ("prorate|prorated|proration|prorata", "pro - rata|rated", "unused day|days|part"),
    "chargeback": ("chargeback", "charge back", "dispute with|through your bank"),
    "duplicate": (
        "duplicate|double|duplicated",
        "charge|bill|pay|debit|take|collect|process|capture|go|show ~ ~? ~? twice",
        "charge|bill|pay|debit twice",
        "two ~ ~? charge|capture|payment",
        "two|second|extra|additional charge|capture|payment",
        "charge|bill|debit ~ two times",
        "retry",
    ),
    "two_orders": (
        "two|separate|different|distinct|second order|orders|purchase|purchases",
        "both order|orders|purchase|purchases",
        "order ~ twice",
        "place ~ ~ twice",
    ),
    "timeline": (
        "business|working day|days",
        "# - # day|days",
        "# to # day|days",
        "within # day",
        "a|one|two|couple week|weeks",
        "# - # week|weeks",
    ),
    "receipt": ("receipt", "confirmation", "updated|revised|corrected invoice", "credit note"),
    # --- goods ----------------------------------------------------------------------
    "replacement": (
        "replace|replacement|exchange|swap",
        f"send|ship|dispatch|post|mail|get ~ ~ another|new|fresh|second {_GOODS}",
        f"send|ship|dispatch|post|mail|get|pop ~ ~? ~? {_NEW} ~? {_GOODS}",
        f"another|new|fresh {_GOODS} be|is ~? on its way",
        f"{_NEW} ~? {_GOODS} be|will|is ~? ~? ship|send|dispatch|post|mail|deliver",
        f"{_NEW} ~? {_GOODS} come|coming",
        "reshipment",
    ),
    "reship": (
        "reship|resend|redeliver|redelivery|reshipment",
        "re - ship|send|deliver",
        f"send|ship|dispatch|post|mail|get ~ ~ another|new|fresh|second|correct|right {_GOODS}",
        "ship|send|dispatch ~ ~ ~? again",
        f"correct|right {_GOODS} ~? ~? on its way",
    ),
    "correct_item": (
        f"correct|right|original|ordered {_GOODS}",
        "what you ordered",
        "item you ordered",
    ),
    "return": (
        "return|returning",
        "send|ship|post|mail|bring|take ~ ~ ~? back",
    ),
    "keep_item": (
        "keep the|it|them",
        "hold|hang on to",
        "keep|recycle|discard|bin|toss ~? ~? ~? broken|damaged|cracked|old|faulty|wrong|original",
        "dispose of",
    ),
    "out_of_stock": ("out of stock", "sold out", "no stock", "unavailable"),
    "in_stock": ("in stock", "stock|inventory", "unit|units available"),
    "mis_pick": (
        "mis - pick",
        "mispick|mispicked",
        "picking|pack|packing error",
        "wrong sku|item|product|size|colour|color|variant",
        "pack|packing scan|slip",
    ),
    "damage_confirmed": (
        "carrier|courier ~? scan|record|report",
        "damage in|during transit|shipping",
        "transit damage",
        "photo",
        "confirm ~? damage",
        "damage ~? confirm",
    ),
    # --- delivery -------------------------------------------------------------------
    "in_transit": (
        "in transit",
        "on its|the way",
        "en route",
        "still move|moving|travel|travelling",
        "out for delivery",
        "with the carrier|courier",
    ),
    "expected_delivery": (
        "expect|estimate|due|promised ~? delivery|arrival",
        "should|will|expect ~? arrive|reach|land|get+to",
        "arrive|deliver ~ ~? by|on|before",
        "due by|on",
    ),
    "lost": (
        "lose|lost|missing",
        "go|went missing",
        "no scan|scans|movement|update",
        "misdeliver|misdelivered|misdelivery",
        "wrong address|postcode",
    ),
    "delivered": (
        "deliver|delivery ~? confirm|confirmed",
        "was|been|were delivered",
        "proof|evidence of delivery",
        "sign|signed for",
        "signature",
        "delivery photo",
    ),
    "wait": ("wait|waiting", "give it ~ ~ day|days", "a few more day|days"),
}
