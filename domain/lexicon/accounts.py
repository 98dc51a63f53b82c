"""Lexicon concepts of cases and teams, accounts, and the platform and API (pure data;
the pattern syntax: :mod:`caseops.domain.lexicon`)."""

from __future__ import annotations

CONCEPTS: dict[str, tuple[str, ...]] = {
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
}
