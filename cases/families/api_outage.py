"""Family ``api_outage``: a B2B customer's API calls are failing at scale.

Decision rule (source: the ``api_incidents`` article, clauses 1-5, and ``rate_limits``;
priorities from ``support_priorities``). Two facts decide: which errors dominate the
tenant's own traffic since the failures began (``tenant_logs``: counts per status code;
a few 401s from an old staging key and a few 429s show up in every tenant's logs) and
what the platform was doing at that time (``status_page`` and ``api_keys``):

1. The tenant's failures are mostly 5xx and the status page shows an incident on the
   API that is still open -> platform incident: escalate to ``platform_engineering``,
   ``open_incident``, ask for ``request_ids`` and ``error_logs``, and
   ``incident_start_time`` unless the ticket gives it; submitted while escalated.
2. Mostly 5xx, and the status page shows that incident RESOLVED, with the tenant's logs
   back to 200s since -> ``no_action_needed`` (the failures the customer saw have
   ended; tell them so, with the incident id), resolved.
3. Mostly 401 ``invalid_api_key`` and the key the calls are signed with is the one
   ``api_keys`` shows rotated or revoked -> ``fix_configuration`` (update to the active
   key), resolved; an incident on the status page at the same time is a distractor.
4. Mostly 429 over the plan limit (``rate_limits``) -> ``provide_information`` (limits,
   backoff), resolved.
5. Queue ``technical_support`` for 2-4; priority by impact (users blocked, tier): users
   blocked now for 1, 3, 4; nothing blocked any more for 2.
"""

from __future__ import annotations

from typing import Any

from caseops.cases import records as rec
from caseops.cases import text as tx
from caseops.cases.common import assemble, impact_priority, sla
from caseops.cases.kit import TIERS_BUSINESS, Kit
from caseops.domain.claims import Claim, Point, claims, point
from caseops.domain.scenario import Artifact, Policy, Ticket
from caseops.domain.vocab import RequestableField

NAME = "api_outage"
BUDGET = 16

ENDPOINTS = (
    ("payments", "take payments"),
    ("shipments", "book deliveries"),
    ("orders", "place orders"),
    ("messaging", "send notifications"),
    ("search", "search the catalog"),
    ("invoices", "download invoices"),
    ("inventory", "update stock levels"),
    ("webhooks", "receive order events"),
)
FACTS = (
    "Our calls to your /v2/{endpoint} API [started failing|began failing|are failing] {when}.",
    "[URGENT|Urgent|Heads up]: the {endpoint} integration [is down|is broken|stopped working] "
    "for us {when}.",
    "We are seeing [failed|erroring|rejected] requests on /v2/{endpoint} {when}.",
    "Production issue: {endpoint} API requests [are erroring|keep failing|fail] {when}.",
    "Our {endpoint} traffic [is failing|errors out|gets errors] {when}.",
)
IMPACT = (
    "{users} of our users can't {action} right now.",
    "[Roughly|About|Around] {users} [end users|customers] are unable to {action}.",
    "{users} [people|users] [affected|impacted] - nobody can {action}.",
    "This blocks {users} [users|accounts] from being able to {action}.",
)
GUESS = (
    "Nothing changed in our deployment as far as we know.",
    "We [rotated|cleaned up|tidied] some credentials [recently|last week|this week] but "
    "that should be unrelated.",
    "Traffic is [higher|a bit higher|about normal] today [because of a sale|than usual|].",
    "Your status page [shows|mentioned] something [earlier|this morning], not sure if related.",
    "Our status dashboard is [all red|mostly red|flashing].",
    "We see [some|a lot of|many] [errors|failures] in our logs but can't tell why.",
)
REQUESTS = (
    "Please treat this as urgent.",
    "What is going on?",
    "We need an answer fast.",
    "Can someone look at this [immediately|right away|now]?",
    "Please [advise|tell us what to do|help].",
    "Is this on your side or ours?",
)
CONTEXT = (
    "Our [on-call|ops] team [got paged|was woken up] [overnight|at 3am|this morning].",
    "[Customers|Our users] are [complaining|noticing|calling us].",
    "We have a [launch|big release|promotion] [today|this week].",
)
SUBJECTS = (
    "{E} API down",
    "API requests failing in production",
    "Urgent: /v2/{endpoint} errors",
    "Integration broken",
    "{E} API errors",
    "Production outage?",
)


def _counts(kit: Kit, main: str) -> list[tuple[str, int]]:
    """Per status code counts since the failures began: ``main`` dominates; a few 401s
    (a staging key) and 429s (bursts) appear in every tenant's logs."""
    counts = {
        "200 OK": kit.rng.randrange(2_000, 40_000),
        "401 invalid_api_key": kit.rng.randrange(3, 60),
        "429 rate_limit_exceeded": kit.rng.randrange(5, 200),
        "502 Bad Gateway": kit.rng.randrange(0, 40),
        "503 Service Unavailable": kit.rng.randrange(0, 25),
    }
    big = kit.rng.randrange(8_000, 90_000)
    if main == "5xx":
        counts["502 Bad Gateway"] = big
        counts["503 Service Unavailable"] = big // kit.rng.randrange(3, 9)
    elif main == "401":
        counts["401 invalid_api_key"] = big
    else:
        counts["429 rate_limit_exceeded"] = big
    return list(counts.items())


def _policies(kit: Kit) -> dict[str, Policy]:
    """The knowledge base of a case (the first article states the decision rule):
    ``api_incidents``, ``rate_limits``, ``service_credits``."""
    return {
        "api_incidents": rec.article(
            kit,
            "API failures: incident or integration issue",
            (
                "Read the tenant's error counts since the failures began: a few 401s "
                "and 429s appear in every tenant's logs; what matters is what dominates.",
                "Mostly 5xx while the status page shows an open API incident: a platform "
                "incident. Escalate to platform_engineering, open an incident and ask "
                "for sample request IDs and error logs, plus the start time if the "
                "customer has not given it.",
                "Mostly 5xx but the incident is resolved and the tenant's traffic is "
                "back to normal: nothing to do; tell the customer, with the incident id.",
                "Mostly 401 after the key the calls use was rotated or revoked: the "
                "customer updates their configuration with an active key.",
                "Mostly 429: explain the rate limits and backoff (see rate limits).",
            ),
            age=(100, 400),
            versions=(2, 6),
            keywords=("api", "errors", "failing", "outage", "down", "401", "502", "incident"),
        ),
        "rate_limits": Policy(
            title="API rate limits",
            content=(
                "Plan limits: business 600 requests/min, enterprise 1000 requests/min, bursts "
                "up to 2x for 10 seconds. Requests over the limit get 429 with a Retry-After "
                "header. Advise exponential backoff and batching; limit increases go through "
                "account management."
            ),
            keywords=("rate", "limit", "limits", "429", "throttle", "throttled"),
        ),
        "service_credits": Policy(
            title="Service credits",
            content=(
                "Credits for missed uptime commitments are calculated by account management "
                "at month end. Do not promise credits in a support reply."
            ),
            keywords=("credit", "credits", "uptime", "compensation", "sla"),
        ),
    }


def generate(kit: Kit) -> dict[str, Any]:
    """Scenario fields for one seeded API-failure case (see the module docstring)."""
    company = kit.company()
    name = kit.person()
    tier = kit.pick(TIERS_BUSINESS)
    enterprise = tier == "enterprise"
    endpoint, action = ENDPOINTS[kit.rng.randrange(len(ENDPOINTS))]
    tenant = kit.hexid("tn_", 8)
    users = kit.rng.randrange(1, 40) * 25
    roll = kit.rng.random()
    variant = (
        "incident"
        if roll < 0.34
        else "recovered"
        if roll < 0.56
        else "key"
        if roll < 0.78
        else "rate"
    )
    start_h, start_m = kit.rng.randrange(1, 20), kit.rng.randrange(0, 60)
    start = f"{start_h:02d}:{start_m:02d}"
    gives_time = kit.chance(0.5)
    when = (
        kit.pick((f"at about {start} UTC", f"since {start} UTC", f"from around {start} UTC"))
        if gives_time
        else kit.pick(("earlier today", "for a while now", "this morning", "today"))
    )
    inc = f"INC-{kit.rng.randrange(1000, 9999)}"
    release = f"gw-2026.03.{kit.rng.randrange(1, 16)}"
    old_key, new_key, staging = (kit.hexid("sk_live_", 6) for _ in range(3))
    admin = f"{kit.person().split()[0].lower()}@{company.split()[0].lower()}.example"
    limit = 1000 if enterprise else 600

    main = {"incident": "5xx", "recovered": "5xx", "key": "401", "rate": "429"}[variant]
    # the status page: an API incident (open or resolved) in the 5xx cases; in the others
    # an incident may show too (another component, or the same one, at another time)
    comp = kit.pick(("REST API", "Webhooks", "File uploads", "Search"))
    if variant == "incident":
        page = [("REST API", f"Degraded - {inc} investigating since {start} UTC ({release})")]
    elif variant == "recovered":
        fixed = f"{(start_h + kit.rng.randrange(1, 3)) % 24:02d}:{kit.rng.randrange(0, 60):02d}"
        page = [("REST API", f"Operational - {inc} resolved at {fixed} UTC ({release})")]
    else:
        r = kit.rng.random()
        page = (
            [(comp, f"Degraded - {inc} investigating since {kit.clock()} UTC ({release})")]
            if r < 0.35
            else [(comp, f"Operational - {inc} resolved at {kit.clock()} UTC ({release})")]
            if r < 0.7
            else []
        )
    status = rec.status_page(kit, page)

    rows = _counts(kit, main)
    kit.rng.shuffle(rows)
    signed = old_key if variant == "key" else new_key if kit.chance(0.5) else old_key
    tail = (
        "Since then: 200 OK only."
        if variant == "recovered"
        else kit.pick(("Still failing at the time of this export.", "Errors continue."))
    )
    logs = (
        f"Tenant {tenant}, /v2/{endpoint}, since {start} UTC today:\n"
        + "\n".join(f"  {code}: {n:,}" for code, n in rows)
        + f"\nCalls signed with key {signed}; staging calls with {staging}.\n{tail}"
    )
    key_events: list[tuple[int, str]] = [
        (kit.rng.randrange(2, 60) * 1440, f"key {staging} (staging) revoked by {admin}"),
    ]
    if variant == "key":
        ev = kit.pick(("rotated", "revoked"))
        key_events.append((1441 - start_h * 60 - start_m, f"key {old_key} {ev} by {admin}"))
        if ev == "rotated":
            key_events.append((1440 - start_h * 60 - start_m, f"key {new_key} created"))
    else:
        key_events.append((kit.rng.randrange(30, 300) * 1440, f"key {signed} created by {admin}"))
        if kit.chance(0.4):
            key_events.append(
                (
                    kit.rng.randrange(1, 20) * 1440,
                    f"key {kit.hexid('sk_live_', 6)} rotated by {admin}",
                )
            )
    keys = rec.log(
        kit, key_events, noise=("dashboard login admin", "webhook secret viewed"), n_noise=(0, 2)
    )

    facts = [
        tx.variant(kit, FACTS, endpoint=endpoint, when=when),
        tx.variant(kit, IMPACT, users=f"{users:,}", action=action),
    ]
    facts += kit.rng.sample(GUESS, kit.rng.randint(0, 2))
    msg = tx.compose(kit, facts, REQUESTS, CONTEXT, name, company)
    subject = tx.variant(kit, SUBJECTS, E=endpoint.capitalize(), endpoint=endpoint)

    artifacts = {
        "status_page": Artifact(title=f"Status page (as of {kit.day(0)})", content=status),
        "tenant_logs": Artifact(title=f"API logs for tenant {tenant}", content=logs),
        "api_keys": Artifact(title="API key audit log", content=keys),
        "contract": Artifact(
            title="Contract",
            content=rec.record(
                kit,
                [
                    ("Customer", company),
                    ("Plan", tier),
                    ("Uptime commitment", "99.9% monthly"),
                    ("Renews", kit.day(-kit.rng.randrange(30, 330))),
                ],
                [("Fee", str(kit.money(2000, 40000))), ("CSM", kit.pick(rec.AGENTS))],
            ),
        ),
    }
    policies = _policies(kit)
    evidence = ["ticket", "artifact:status_page", "artifact:tenant_logs"]
    if variant == "key":
        evidence.append("artifact:api_keys")
    evidence.append("policy:api_incidents")
    if variant == "rate":
        evidence.append("policy:rate_limits")

    requested: tuple[RequestableField, ...] = ()
    reply: tuple[Point, ...]
    note: tuple[Point, ...]
    forbidden: tuple[Claim, ...]
    queue, issue, final = "technical_support", "integration_issue", "resolved"
    priority = impact_priority(blocked=True, users=users, enterprise=enterprise)
    if variant == "incident":
        requested = ("request_ids", "error_logs")
        if not gives_time:
            requested += ("incident_start_time",)
        reply = (point("incident", facts=(inc,)), point("diagnostics"))
        note = (point("incident", facts=(inc,)),)
        forbidden = claims("api_key", "rate_limit", "your_configuration", "service_credit")
        code, queue, issue, final = (
            "open_incident",
            "platform_engineering",
            "technical_incident",
            "escalated",
        )
    elif variant == "recovered":
        reply = (point("resolved", facts=(inc,)),)
        note = (point("resolved", facts=(inc,)),)
        forbidden = claims("escalated", "api_key", "rate_limit", "service_credit")
        code, issue = "no_action_needed", "technical_incident"
        priority = impact_priority()
    elif variant == "key":
        reply = (point("api_key", facts=(old_key,)), point("update_config"))
        note = (point("api_key", facts=(old_key,)),)
        forbidden = claims("incident", "escalated", "rate_limit", "service_credit")
        code = "fix_configuration"
    else:
        reply = (point("rate_limit", facts=(str(limit),)), point("backoff"))
        note = (point("rate_limit"),)
        forbidden = claims("incident", "escalated", "api_key", "service_credit")
        code = "provide_information"
    return assemble(
        kit,
        difficulty="hard",
        budget=BUDGET,
        title=subject,
        objective=(
            "Work the case: find what is failing and why from the tenant's logs and the "
            "platform's records, apply the policy, route or escalate, note your reasoning "
            "and tell the customer what happens next."
        ),
        ticket=Ticket(
            subject=subject,
            customer_name=name,
            customer_message=msg,
            customer_tier=tier,
            sla_minutes=sla(kit, tier),
            affected_users=users,
            business_impact=f"{users:,} end users of {company} cannot {action}.",
            secondary_concerns=(
                (
                    kit.pick(
                        (
                            "Asks whether service credits apply.",
                            "Wants a written summary for their leadership.",
                            "Asks for a direct phone line to engineering.",
                        )
                    ),
                )
                if kit.chance(0.5)
                else ()
            ),
        ),
        artifacts=artifacts,
        policies=policies,
        status=final,
        code=code,
        queue=queue,
        priority=priority,
        issue_type=issue,
        evidence=evidence,
        requested=requested,
        answers={
            "request_ids": ", ".join(kit.hexid("req_", 10) for _ in range(3)),
            "error_logs": f"Log excerpt: HTTP 502 from /v2/{endpoint}, repeated.",
            "incident_start_time": f"First failures at {start} UTC today.",
            "affected_endpoints": f"/v2/{endpoint}",
        },
        reply=reply,
        note=note,
        forbidden=forbidden,
    )
