"""The shared lexicon of concepts that points and claims name (pure data).

``CONCEPTS[name]`` is a tuple of patterns; a text states the concept where any pattern
matches (the polarity of that statement is decided by the judge's negation, contrast and
conditional scopes, never here: write every pattern in the affirmative).

Pattern syntax (compiled by :mod:`caseops.domain.judge.matcher` into spaCy ``Matcher``
patterns over lookup lemmas, so "refunded", "refunds" and "Refunding" all match
``refund``):

- words separated by spaces, each matched by its lemma: ``money back``;
- ``a|b|c``: any of the words: ``refund|reimburse``; ``+`` joins the words of one
  alternative (``last|latest|most+recent``: "most recent" is one alternative; without
  the ``+``, ``most recent`` would be two positions);
- ``word?``: an optional word: ``send a? replacement``;
- ``~``: any one word, optional (``~ ~``: up to two): ``money ~ ~ back``;
- ``#``: a number (``5``, ``ten``, ``5-10`` is three tokens: ``# - #``).

Keep patterns meaning-level (lemmas and synonyms a support lead would accept as saying
the same thing), not lists of whole sentences. Concept names are lowercase snake case.
"""

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
    # --- cases and teams ------------------------------------------------------------
    "escalated": (
        "escalate|escalation",
        "pass|hand|forward|refer|transfer ~ ~ to ~? ~? "
        "team|specialist|specialists|engineer|engineers",
        "raise|raised ~ ~ with ~? ~? team",
    ),
    "incident": (
        "incident",
        "outage",
        "sev - 1",
        "sev-1|sev1|p1|sev-0|sev0|p0",
        "severity 1|one",
        "platform|service|system|wide issue|problem|failure|degradation",
        "issue|problem on our side|end",
        "affect|affecting ~? ~? other|many|all customers|tenants|users",
        "platform - wide",
        "across|all|many|other ~? tenants|customers|accounts",
    ),
    "engineering": (
        "engineering ~? team",
        "engineer|engineers",
        "on - call",
        "on call",
        "platform|infrastructure|sre|devops|technical|development team",
        "developer|developers",
    ),
    "investigating": ("investigate|investigation|investigating", "look|looking into", "review"),
    "resolved": (
        "be|been|have|now ~? resolve|resolved|fix|fixed|restore|restored|close",
        "issue|incident|problem|outage|case|ticket|matter|error|errors resolve|fix|close",
        "mark|close ~? ~? ~? resolve|close",
        "close ~? ~? ticket|case|incident",
        "resolved|fixed|restored now",
        "work|working again",
        "back up and running",
        "back to normal",
    ),
    "updates": (
        "update|updates",
        "keep you posted|informed|updated",
        "status page",
        "hear from us",
        "every # minute|minutes|hour|hours|min|mins",
        "every half hour",
        "every thirty|fifteen|sixty minute|minutes",
        "check back|in with you",
        "keep you in the loop",
    ),
    "diagnostics": (
        "request id|ids",
        "error|errors log|logs|message|messages|code|codes",
        "log|logs",
        "timestamp|timestamps",
        "start time",
        "trace|traces",
        "example request|requests|call|calls",
    ),
    "review": (
        "review|reviewing|reviewed",
        "specialist ~? team",
        "investigate|investigation",
        "look|looking into",
    ),
    "security_team": (
        "security|fraud|risk|trust ~? team|specialist|specialists|review|investigation"
        "|investigator|investigators|analyst|analysts|department|unit|group|desk",
        "security|fraud be|have be? alert|notify|involve|review|investigate|handle|look|check",
        "trust and|& safety",
        "investigate|investigation|investigating",
    ),
    # --- accounts -------------------------------------------------------------------
    "locked": (
        "lock|locked|suspend|suspended|suspension",
        "freeze|frozen ~? ~? account|profile|login|access|card",
        "account|profile|login|access|card ~? ~? be? freeze|frozen",
        "secure|secured the|your account",
        "account ~? have be secure",
        "temporarily disabled|disable|blocked",
        "disable|block|shut ~? ~? ~? account|access|login",
    ),
    "on_hold": (
        "on hold",
        "hold|held|pause|paused|halt|halted|freeze|frozen ~? ~? "
        "order|orders|shipment|shipments|payout|payouts|account|purchase|purchases",
        "not ship|shipping|dispatch",
        "not|never be? ship|dispatch|send|release|deliver",
        "order|orders|shipment|shipments|purchase|purchases ~? be|remain|stay ~? "
        "hold|pause|freeze|stop|halt|block",
        "stop|halt|block ~? ~? ~? ~? order|orders|shipment|shipments|delivery|deliveries",
        "restrict|restricted|restriction",
    ),
    "verify_identity": (
        "verify|verification|verified ~? ~? identity",
        "confirm ~? ~? identity",
        "proof|evidence of identity|id",
        "photo id",
        "confirm|verify|prove|sure|check it ~? ~? you",
        "confirm|verify|prove|check|know who you be",
        "proof it ~? you",
        "id document|check",
        "verify|verification",
        "identity",
    ),
    "last_login": (
        "last|latest|most+recent ~? successful? login|signin",
        "last|latest|most+recent ~? successful? log|sign - in",
        "last|latest|most+recent time ~ ~? sign|log ~? in",
        "when you last sign|signed|log|logged in",
    ),
    "devices": ("device|devices", "phone|laptop|computer|browser|browsers"),
    "password_reset": (
        "reset|recovery link|email|code",
        "reset ~? ~? password|account|access",
        "password reset|change|recovery",
        "new|change|choose|set ~? password",
        "unlock|unlocked",
        "recovery",
    ),
    "sign_in": ("sign|log ~? in|into|back", "login|signin", "access", "get ~? back in|into"),
    "sessions": (
        "sign|log ~? ~? out",
        "session|sessions",
        "all|every|other device|devices",
        "revoke|revoked|end|ended|terminate|terminated ~? ~? session|sessions|token|tokens|access",
    ),
    "security": ("security|secure|protect|protection|safety|safe|safeguard", "fraud"),
    "own_device": (
        "your own|new|usual|registered|known|trusted|recognised|recognized ~? "
        "device|phone|laptop|computer",
        "recognise|recognize|recognised|recognized|trusted|known device|devices",
        "it|that|this was you",
        "you|yourself sign|signed|log|logged in",
        "from your|you",
    ),
    "safe": (
        "safe",
        "no action ~? ~? need|needed|required",
        "nothing ~ ~? do|worry|worried|concern|concerned",
        "everything|all be|is ~? fine|ok|okay|good|in+order|secure",
        "account|it|data be|remain|stay ~? secure",
        "not ~? at risk",
        "do|need not ~? worry",
        "no sign|signs|evidence of ~? ~? compromise|misuse|fraud|breach",
        "do not need|have to do anything",
    ),
    "precaution": (
        "as a precaution",
        "precaution|precautionary",
        "to be safe",
        "on the safe side",
        "just in case",
    ),
    "compromised": (
        "compromise|compromised|hack|hacked|breach|breached|takeover|take+over",
        "someone+else|unauthorised|unauthorized|attacker|intruder",
        "stolen",
    ),
    "action_needed": ("action|step ~? need|needed|required", "you need|must|should"),
    "no_misuse": (
        "no change|changes|misuse|purchase|purchases|order|orders",
        "nothing ~ ~? change|changed|misuse|misused|buy|bought",
        "unconfirmed",
        "not confirm|confirmed",
    ),
    "takeover_signals": (
        "unrecognised|unrecognized|new|unknown|untrusted|unfamiliar -? "
        "device|devices|network|location|ip|country",
        "tor",
        "risk score",
        "impossible travel",
        "email ~? change|changed",
        "change|changed ~? ~? email",
        "takeover|take+over|ato|hijack|hijacked|compromise|compromised",
    ),
    # --- platform and API -----------------------------------------------------------
    "api_key": (
        "key|keys|token|tokens|credential|credentials ~? ~? ~? ~? "
        "rotate|rotated|revoke|revoked|expire|expired|invalid|wrong|old|deactivated",
        "new|active|current|valid|fresh key|keys|token",
        "rotate|rotated|revoke|revoked ~? ~? key|keys",
        "401",
        "invalid_api_key",
    ),
    "update_config": (
        "update|replace|swap|change|configure|reconfigure|set ~ ~? "
        "key|keys|configuration|config|credential|credentials|integration|metadata"
        "|certificate|setting|settings",
        "your configuration|config|setup|integration|settings",
        "on your side|end",
    ),
    "rate_limit": (
        "rate limit|limits|limited|limiting",
        "429",
        "throttle|throttled|throttling",
        "request|requests|call|calls per minute|second|hour",
        "over|above|exceed|exceeded|exceeding ~? ~? ~? limit|limits|quota",
        "too many request|requests",
    ),
    "backoff": (
        "back ~? off",
        "backoff",
        "retry - after",
        "retry|retries",
        "batch|batching",
        "slow|spread ~ ~? down|out",
        "increase|raise|higher ~? ~? limit|limits|quota|plan",
        "upgrade",
    ),
    "sso_metadata": (
        "metadata",
        "certificate|cert",
        "entity id",
        "issuer",
        "idp|identity+provider ~? ~? setting|settings|configuration|config",
        "saml ~? setting|settings|configuration|config",
    ),
    "your_configuration": (
        "your configuration|config|setup|settings|side|end",
        "configuration|config|setup on|in your side|end|idp",
        "misconfiguration|misconfigured",
    ),
    # --- trust and safety -----------------------------------------------------------
    "action_taken": (
        "suspend|suspended|suspension|ban|banned|remove|removed|removal",
        "take|took|taken down",
        "take|taken|took ~? action",
        "action against",
        "restrict|restricted|disable|disabled",
    ),
    "violation": (
        "violate|violation|breach",
        "against our|the ~? guidelines|rules|policy|policies",
        "break|breaks|broke ~? ~? rules|guidelines|policy",
    ),
    "within_guidelines": (
        "within|inside ~? ~? guidelines|rules|policy|policies",
        "allow|allowed|permitted|acceptable|compliant",
    ),
    "repeat_offender": (
        "repeat|repeated|previous|prior|earlier ~? "
        "offender|offence|offense|violation|violations|strike|strikes",
        "strike|strikes",
        "confirm|confirmed ~? violation",
    ),
    "report_reviewed": (
        "review|reviewed|investigate|investigated|check|checked",
        "look|looked at|into",
    ),
    # --- chargebacks ----------------------------------------------------------------
    "dispute": ("bank|issuer|dispute|chargeback", "card issuer"),
    "fraud": ("fraud|fraudulent|friendly+fraud|abuse|abusive", "mark|marked as received"),
    # --- tax and invoices -----------------------------------------------------------
    "tax_id": ("vat|tax ~? number|id|registration", "registration number", "vat"),
    "reissue_invoice": (
        "reissue|resend|regenerate|correct|update|amend invoice|it",
        "reissue|regenerate",
        "re - issue",
        "new|corrected|updated|revised|amended invoice",
        "issue ~ ~? ~? invoice",
        "send ~ ~? ~? invoice",
    ),
    "invoice": ("invoice|invoices", "vat invoice", "receipt"),
    "reverse_charge": (
        "reverse charge",
        "reverse - charge",
        "0 % vat",
        "vat ~? 0 %",
        "no vat be|was charge|charged|apply|applied",
        "zero vat|rate|rated",
    ),
    "vat_correct": (
        "vat|tax|charge|it ~? ~? ~? correct|correctly|right|properly|valid|stand|stands",
        "correct|correctly|properly charge|charged|applied|apply",
        "future|next|subsequent invoice|invoices",
        "going forward",
        "from now on",
    ),
    "overcharged": (
        "overcharge|overcharged|overcharging",
        "charge|charged|bill|billed ~? in+error|by+mistake|incorrectly|wrongly",
        "should have be reverse",
        "miscalculate|miscalculated|miscalculation|mistake|error",
    ),
    # --- subscriptions --------------------------------------------------------------
    "cancel": (
        "cancel|cancelled|canceled|cancellation|terminate|terminated|termination",
        "end|ended|stop|stopped|close|closed ~? ~? subscription|plan|membership|contract",
    ),
    "committed_term": (
        "committed|contract|contractual|annual|minimum|fixed term|period|commitment",
        "term end|ends|ending",
        "end of ~? ~? term|contract|commitment",
        "non - renewal",
    ),
    "refund_window": (
        "# - day|days",
        "# day|days",
        "return|refund window|period",
        "window",
    ),
    "outside_window": (
        "outside|past|beyond|after ~? ~? ~? window|period|deadline|limit",
        "not|no|no+longer ~? eligible|qualify|qualifies",
        "ineligible",
        "expire|expired",
        "too late",
        "more than # day|days",
        "# day|days ago",
    ),
    "eligible": ("eligible|qualify|qualifies", "within ~? ~? window|period"),
    # --- privacy --------------------------------------------------------------------
    "deletion": (
        "delete|deleted|deletion|erase|erased|erasure|remove|removed|wipe|wiped|purge|purged",
        "close|closed ~? ~? account",
    ),
    "export": (
        "export|download+link",
        "copy of ~? ~? data|information",
        "download",
        "send|email ~ ~? ~? copy",
        "data export|package|archive|file",
    ),
    "personal_data": (
        "personal|your data|information|details|records",
        "data|information we hold",
        "data",
    ),
    "account_email": ("email ~? address|account", "email", "e - mail"),
    "legal_hold": ("legal hold", "litigation hold", "legal reason|reasons|requirement|obligation"),
    "open_invoice": (
        "open|outstanding|unpaid|overdue|due invoice|invoices|balance|bill|payment",
        "invoice|balance|bill ~? ~? unpaid|outstanding|open|due",
    ),
    "identity_matched": (
        "match|matches|matched",
        "verify|verified|confirm|confirmed ~? email|sender|address|identity",
        "same address|email",
    ),
    "identity_mismatch": (
        "mismatch|mismatched|different|unknown|unverified|unrecognised|unrecognized "
        "address|email|sender",
        "mismatch|mismatched",
        "unverified",
        "dormant",
        "no recent ~? ~? login|signin|activity",
    ),
    # --- added with generator 2.0.0 (issue 19) --------------------------------------
    "warranty": (
        "warranty|guarantee",
        "manufacturer|manufacturers ~? ~? cover|claim",
    ),
    "cooling_off": (
        "cooling|cool - off period|window|right|time|days?",
        "cooling|cool off period|window|right|time|days?",
        "withdrawal period|right",
        "within # day|days of|since|after ~? ~? ~? start|signup|subscribe|join|purchase",
        "recently|just start|started|join|joined|subscribe|subscribed|sign|signed",
        "first # day|days",
        "within|in ~? last|first|past # day|days",
    ),
    "domestic_vat": (
        "domestic|irish|ireland",
        "same country",
        "local vat|rate|tax",
    ),
    "order_cancelled": (
        "cancel|cancelled|canceled|cancellation ~ ~ ~ before|prior ~? ~? dispatch|shipping"
        "|shipment|ship|shipped",
        "never|not ship|shipped|dispatch|dispatched|sent",
        "order ~? ~? ~? cancel|cancelled|canceled",
    ),
    "sso_assignment": (
        "assign|assignment ~ ~? ~? ~? app|application|idp|group|groups",
        "app|application assignment|assignments",
        "unassigned",
        "add|grant ~ ~? ~? to the|your ~? app|application",
    ),
    "address_change": (
        "change|update|amend|correct|edit ~ ~? ~? ~? address",
        "address ~? ~? be|been|is|was|has ~? change|changed|update|updated|amend|amended"
        "|correct|corrected",
        "redirect|reroute|divert|redirection",
        "new address",
    ),
    "already_done": (
        "already ~ ~? ~? update|updated|change|changed|set|correct|done|fix|fixed|go|going"
        "|ship|shipping|arrange|arranged|active",
        "already in place",
        "nothing ~ ~? ~? to change|do|update",
        "no change|changes|action ~? ~? need|needed|required",
    ),
    "known_defect": (
        "known ~? defect|fault|issue|problem|faults|defects",
        "recall",
        "defect|fault|quality programme|program|bulletin|notice",
        "affected batch|batches|serial|serials|unit|units",
        "manufacturing|factory defect|fault|flaw",
    ),
    "repair_offer": (
        "repair|repairs|fix",
        "paid|out - of - warranty repair|service",
        "service centre|center",
    ),
    "payment_declined": (
        "decline|declined|refuse|refused|reject|rejected|fail|failed|bounce|bounced ~? ~? "
        "payment|payments|card|charge|renewal|attempt|attempts",
        "payment|card|charge|renewal|attempt|attempts ~? ~? ~? decline|declined|refuse|refused"
        "|reject|rejected|fail|failed|bounce|bounced",
        "insufficient funds",
        "processor_unavailable|insufficient_funds|expired_card|do_not_honor",
        "do not honor|honour",
        "card ~? ~? expire|expired",
    ),
    "update_payment": (
        "update|change|replace|add ~ ~? ~? ~? card|payment|details|method",
        "new card|payment method",
        "pay ~ ~? ~? link",
    ),
    "payment_retry": (
        "retry|retries|reattempt ~? ~? payment|charge|card|invoice|renewal|it",
        "reattempt|reattempts",
        "try|charge|attempt|bill ~ ~? ~? again",
        "next|automatic|scheduled attempt|charge|payment|retry",
    ),
    "remove_users": (
        "remove|unassign|deactivate|offboard|release|free ~ ~? ~? ~? user|users|member|members"
        "|seat|seats|licence|licences|license|licenses|account|accounts",
        "user|users|member|members ~? ~? ~? unassign|unassigned|remove|removed|deactivate"
        "|deactivated",
        "too many ~? ~? assign|assigned|active ~? user|users",
        "more user|users ~? ~? ~? than|assigned",
    ),
    "workspace_admin": (
        "admin|administrator|administrators|owner|owners|controller",
        "it team|department",
        "your employer|company|organisation|organization ~? ~? ~? request|ask|handle",
    ),
    "hold_released": (
        "release|released|lift|lifted|clear|cleared|remove|removed ~ ~? ~? hold|review|block"
        "|restriction|flag",
        "hold|review|block|flag ~ ~? ~? release|released|lift|lifted|clear|cleared|removed",
        "unblock|unblocked|approve|approved ~ ~? order",
    ),
    "content_removed": (
        "remove|removed|delete|deleted|hide|hid|hidden|take|took|taken ~? ~? ~? ~? "
        "content|post|posts|comment|comments|video|photo|review|message|down",
        "content|post|comment|video|photo|review|message ~ ~? ~? remove|removed|hidden|deleted",
        "warn|warned|warning",
    ),
    "warranty_ended": (
        "warranty|guarantee ~? ~? ~? expire|expired|end|ended|lapse|lapsed|over|finish|finished",
        "out of|outside|past|beyond ~? ~? warranty|guarantee",
        "warranty|guarantee period|cover ~? ~? ~? over|end|ended|expire|expired",
    ),
    "workaround": (
        "workaround|workarounds",
        "work - around",
        "in the meantime|meanwhile ~? ~? ~? use|try|switch|upload|import|export|schedule",
        "alternative|temporary ~? way|route|fix|solution|option",
        "instead ~? ~? ~? use|via|through",
    ),
    "size_limit": (
        "size|file|upload ~? limit|limits|cap|maximum",
        "too large|big",
        "maximum|max ~? ~? ~? size",
        "413",
        "over|above|exceed|exceeds|exceeded ~? ~? ~? limit|maximum",
    ),
    "validated_after": (
        "validate|validated|validation|verify|verified|register|registered|check|checked "
        "~ ~? ~? after",
        "after ~? ~? invoice ~? date|issue|issued|go|went",
        "not ~? ~? yet ~? valid|validated|verified|registered",
    ),
}


#: Pairs of opposite concepts: a negated statement of one is an asserted statement of the
#: other ("does not violate" = "within the guidelines"), and the reverse. Symmetric.
OPPOSITES: dict[str, str] = {}
for _a, _b in (
    ("violation", "within_guidelines"),
    ("outside_window", "eligible"),
    ("out_of_stock", "in_stock"),
    ("identity_mismatch", "identity_matched"),
    ("compromised", "safe"),
    ("return", "keep_item"),
):
    OPPOSITES[_a] = _b
    OPPOSITES[_b] = _a


#: Nouns that make a concept word a topic rather than a statement: "refund window",
#: "refund policy" and "return request" say nothing about whether a refund is made. A
#: match directly followed by one of these (as a lemma) is dropped.
TOPIC_NOUNS: frozenset[str] = frozenset(
    {"window", "policy", "period", "request", "eligibility", "rule", "deadline", "form", "stock"}
)

#: Concepts a *following* negation cue does not reach: "I'm sorry the mug didn't survive
#: the trip" apologises (only a preceding cue, "not sorry", negates them).
NO_FOLLOWING_NEGATION: frozenset[str] = frozenset({"apology", "thanks"})

#: ``HIDES[a]``: concepts whose statement inside a longer statement of ``a`` is not one
#: ("the money is being returned to your card" is a refund, not a return of goods).
HIDES: dict[str, frozenset[str]] = {
    "refund": frozenset({"return"}),
    "precaution": frozenset({"safe"}),
}

#: How the oracle (and anyone needing a plain sentence) states each concept:
#: ``(asserted, negated)``. Both must read as a support lead would write them, and the
#: judge must read them with that polarity (``tests/test_judge.py`` holds it).
SAY: dict[str, tuple[str, str]] = {
    "apology": ("We are sorry for the trouble this has caused.", ""),
    "thanks": ("Thank you for reporting this to us.", ""),
    "refund": (
        "We have refunded the charge to your original payment method.",
        "We are not able to refund this order.",
    ),
    "full_refund": ("You will receive a full refund.", "This does not qualify for a full refund."),
    "credit_note": ("We will issue a credit note.", "No credit note is due."),
    "service_credit": ("We will add a service credit to your account.", ""),
    "prorated": ("The unused days of the current cycle are prorated.", ""),
    "chargeback": ("This was handled as a chargeback.", ""),
    "duplicate": (
        "The second charge was a duplicate caused by a gateway retry.",
        "There is no duplicate charge.",
    ),
    "two_orders": ("These are two separate orders.", "This is not two separate orders."),
    "timeline": ("It will show on your statement within 5-10 business days.", ""),
    "receipt": ("You will get a confirmation receipt by email.", ""),
    "replacement": (
        "We are sending you a replacement right away.",
        "We cannot send a replacement.",
    ),
    "reship": ("We will reship your order today.", "We will not reship the order."),
    "correct_item": ("The correct item is on its way.", ""),
    "return": ("Please return the item.", "There is no need to return anything."),
    "keep_item": ("You can keep the item.", ""),
    "out_of_stock": ("The item is out of stock.", ""),
    "in_stock": ("Stock was checked: units are available.", "Stock was checked: none available."),
    "mis_pick": ("The pack scan confirms a mis-pick of the wrong SKU.", ""),
    "damage_confirmed": ("The carrier scan confirms damage in transit.", ""),
    "in_transit": ("Your parcel is in transit and on its way.", ""),
    "expected_delivery": ("It should arrive by the promised date.", ""),
    "lost": ("The carrier confirms the parcel was lost with no scan since dispatch.", ""),
    "delivered": ("The carrier has proof of delivery: the parcel was signed for.", ""),
    "wait": ("Please wait a few more days.", ""),
    "escalated": ("We have escalated this to the specialist team.", ""),
    "incident": ("This is a platform incident affecting many tenants.", ""),
    "engineering": ("Our engineering team is on it.", ""),
    "investigating": ("We are investigating.", ""),
    "resolved": ("The issue has been resolved.", ""),
    "updates": ("We will keep you posted with regular updates.", ""),
    "diagnostics": ("Please send us the request IDs and error logs.", ""),
    "review": ("Your case is under review by our specialist team.", ""),
    "security_team": ("Our security team is investigating.", ""),
    "locked": ("We have locked your account to protect it.", ""),
    "on_hold": ("Your pending orders are on hold.", ""),
    "verify_identity": ("Please verify your identity.", ""),
    "last_login": ("Please tell us when you last signed in successfully.", ""),
    "devices": ("Please list the devices you use.", ""),
    "password_reset": ("We have sent you a password reset link.", ""),
    "sign_in": ("You can sign in again now.", ""),
    "sessions": ("We have signed out all other sessions.", ""),
    "security": ("This is for the security of your account.", ""),
    "own_device": ("The sign-in came from your own recognised device.", ""),
    "safe": ("Your account is safe and no action is needed.", ""),
    "precaution": ("We did this as a precaution.", ""),
    "compromised": ("Your account was compromised.", "Your account was not compromised."),
    "action_needed": ("You need to act.", ""),
    "no_misuse": ("No changes or misuse were confirmed so far.", ""),
    "takeover_signals": ("Sign-in from an unrecognised device right after an email change.", ""),
    "api_key": ("The API key you use was rotated and is no longer valid.", ""),
    "update_config": ("Please update the key in your configuration.", ""),
    "rate_limit": ("Your requests exceed the rate limit, hence the 429 errors.", ""),
    "backoff": ("Please back off and retry with the Retry-After header.", ""),
    "sso_metadata": ("The IdP metadata and certificate need updating.", ""),
    "your_configuration": ("The problem is in your configuration.", ""),
    "action_taken": ("We have taken action and suspended the account.", ""),
    "violation": (
        "The content violates our guidelines.",
        "The content does not violate our guidelines.",
    ),
    "within_guidelines": ("The content is within our guidelines.", ""),
    "repeat_offender": ("The account is a repeat offender with prior strikes.", ""),
    "report_reviewed": ("We have reviewed the report.", ""),
    "dispute": ("You can dispute the charge with your bank.", ""),
    "fraud": ("There are friendly fraud signals.", ""),
    "tax_id": ("Please send us your VAT number.", "There is no VAT number on file yet."),
    "reissue_invoice": ("Once we have it, we will reissue the invoice.", ""),
    "invoice": ("Your VAT invoice is attached.", ""),
    "reverse_charge": ("The reverse charge applies, so no VAT was charged.", ""),
    "vat_correct": ("The VAT was correctly charged on that invoice.", ""),
    "overcharged": ("You were charged VAT in error.", ""),
    "cancel": (
        "Your subscription has been cancelled.",
        "Your plan cannot be cancelled before the end of the term.",
    ),
    "committed_term": ("Your agreement is inside its committed term.", ""),
    "refund_window": ("Our refund window is 30 days from the order date.", ""),
    "outside_window": ("This order is outside the return window.", ""),
    "eligible": ("The order is eligible.", "The order is not eligible."),
    "deletion": ("We have deleted your personal data.", "We cannot delete your data yet."),
    "export": ("Here is your data export download link.", ""),
    "personal_data": ("It covers all personal data we hold.", ""),
    "account_email": ("Please confirm the email address on the account.", ""),
    "legal_hold": ("The account is under a legal hold.", ""),
    "open_invoice": ("There is an open invoice on the account.", ""),
    "identity_matched": ("The sender email matches the account.", ""),
    "identity_mismatch": ("The sender address is a mismatch with the account.", ""),
    "warranty": (
        "You can still claim under the manufacturer's warranty.",
        "This is not covered by the warranty.",
    ),
    "cooling_off": ("The plan is within its cooling-off period.", ""),
    "domestic_vat": ("As a customer based in Ireland, Irish VAT applies.", ""),
    "order_cancelled": ("That order was cancelled before it shipped.", ""),
    "sso_assignment": (
        "The affected users need to be assigned to the application in your IdP.",
        "",
    ),
    "address_change": (
        "We have updated the delivery address.",
        "We cannot change the delivery address of a parcel already with the carrier.",
    ),
    "already_done": ("This is already in place, so nothing needs to change.", ""),
    "known_defect": ("Your unit is from a batch with a known manufacturing defect.", ""),
    "repair_offer": ("We can offer our paid repair service.", ""),
    "payment_declined": ("Your card declined the payment.", ""),
    "update_payment": ("Please update your card in the billing settings.", ""),
    "payment_retry": ("We will retry the payment automatically on the next scheduled date.", ""),
    "remove_users": ("Please unassign users first so that no more seats are in use.", ""),
    "workspace_admin": (
        "Your company's workspace admin controls this data and must make the request.",
        "",
    ),
    "hold_released": ("We have released the hold and your order will ship.", ""),
    "content_removed": ("We have removed the content and warned the account.", ""),
    "warranty_ended": ("The warranty on it has expired.", ""),
    "workaround": ("As a workaround, please use the alternative route in the meantime.", ""),
    "size_limit": ("The file is over your plan's upload size limit.", ""),
    "validated_after": ("Your VAT number was validated only after the invoice date.", ""),
}
