"""Lexicon concepts of trust and safety, chargebacks, tax and invoices, subscriptions,
privacy, and those added with generator 2.0.0 (pure data; the pattern syntax:
:mod:`caseops.domain.lexicon`)."""

from __future__ import annotations

CONCEPTS: dict[str, tuple[str, ...]] = {
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
