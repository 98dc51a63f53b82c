"""Family ``api_outage``: a B2B customer's API calls are failing at scale.

Facts that decide the gold:
- ``platform_metrics`` shows errors elevated across many tenants since a gateway release
  -> platform incident: escalate to ``platform_engineering``, ``open_incident``, priority
  ``urgent``, issue ``technical_incident``; ask for ``request_ids`` and ``error_logs``, and
  ``incident_start_time`` unless the ticket already gives it (the customer answers, the
  case returns to escalated) and submit while escalated;
- ``platform_metrics`` normal, only this tenant failing:
  - ``tenant_logs`` 401 ``invalid_api_key`` and ``api_keys`` shows the key rotated or
    revoked -> ``fix_configuration`` (use the active key), resolved;
  - ``tenant_logs`` 429 over the plan limit -> ``provide_information`` (rate limits,
    backoff), resolved;
  both ``technical_support``, ``integration_issue``; enterprise ``high``, business
  ``normal``.
"""

from __future__ import annotations

from typing import Any

from caseops.domain.families.common import OBJECTIVE, finish, impact_priority
from caseops.domain.families.kit import TIERS_BUSINESS, Kit
from caseops.domain.scenario import (
    Artifact,
    Claim,
    Customer,
    Gold,
    Point,
    Policy,
    Ticket,
    claims,
    point,
)

NAME = "api_outage"

ENDPOINTS = (
    ("payments", "take payments"),
    ("shipments", "book deliveries"),
    ("orders", "place orders"),
    ("messaging", "send notifications"),
    ("search", "search the catalog"),
    ("invoices", "download invoices"),
)
TEMPLATES = (
    "Our calls to your /v2/{endpoint} API started failing {when}. {users} of our users can't "
    "{action} right now. {extra}Please treat this as urgent.",
    "URGENT: the {endpoint} integration is down for us {when}. {users} end users are unable "
    "to {action}. {extra}What is going on?",
    "Hi team, we are seeing failed requests on /v2/{endpoint} {when}, and {users} customers "
    "cannot {action}. {extra}We need an answer fast.",
    "Production issue: {endpoint} API requests are erroring {when}. Roughly {users} users "
    "affected - nobody can {action}. {extra}",
    "Our {endpoint} traffic is failing {when}; {users} users cannot {action}. {extra}Can "
    "someone look at this immediately?",
)
EXTRAS = (
    "",
    "Our status dashboard is all red. ",
    "Nothing changed in our deployment as far as we know. ",
    "Our on-call engineer is standing by. ",
)


def _case(kit: Kit) -> dict[str, Any]:
    """Scenario fields for one seeded API-failure case (see the module docstring)."""
    company = kit.company()
    name = kit.person()
    tier = kit.pick(TIERS_BUSINESS)
    endpoint, action = ENDPOINTS[kit.rng.randrange(len(ENDPOINTS))]
    tenant = kit.hexid("tn_", 8)
    release = f"gw-2026.03.{kit.rng.randrange(1, 16)}"
    start = kit.clock()
    users = kit.rng.randrange(2, 400) * 50
    variant = kit.pick(("platform",) * 8 + ("key",) * 6 + ("rate",) * 6)
    platform = variant == "platform"
    gives_time = kit.chance(0.5)
    when = f"at about {start} UTC" if gives_time else kit.pick(("earlier today", "for a while now"))
    message = kit.pick(TEMPLATES).format(
        endpoint=endpoint, action=action, users=f"{users:,}", when=when, extra=kit.pick(EXTRAS)
    )
    old_key = kit.hexid("sk_live_", 6)
    new_key = kit.hexid("sk_live_", 6)
    key_event = kit.pick(("rotated", "revoked"))
    admin = f"{kit.person().split()[0].lower()}@{company.split()[0].lower()}.example"
    limit = 1000 if tier == "enterprise" else 600
    status = {"platform": "502 Bad Gateway", "key": "401", "rate": "429"}[variant]

    if platform:
        tenants = kit.rng.randrange(40, 900)
        metrics = (
            f"Gateway release {release} rolled out at {start} UTC today. Since then the 5xx "
            f"rate across all tenants is {kit.rng.randrange(18, 70)}% (baseline 0.1%); "
            f"{tenants} tenants affected in every region, mostly 502 Bad Gateway."
        )
        logs = (
            f"Tenant {tenant} since {start} UTC: {kit.rng.randrange(30, 95)}% of requests to "
            f"/v2/{endpoint} return 502/503 from the gateway. Authentication succeeds; "
            f"request rate {kit.rng.randrange(100, limit // 2)}/min (normal)."
        )
        keys = f"Key {old_key} active since {kit.day(kit.rng.randrange(40, 300))}; no changes."
    else:
        metrics = (
            f"Platform-wide 5xx rate {kit.rng.randrange(5, 15) / 100:.2f}% (baseline 0.1%), "
            f"flat over 24 hours. Last gateway release {release} on "
            f"{kit.day(kit.rng.randrange(3, 12))}, no error change. Elevated errors are "
            f"limited to tenant {tenant}."
        )
        if variant == "key":
            logs = (
                f"Tenant {tenant} since {start} UTC: 100% of requests return 401 "
                f"invalid_api_key; calls are signed with key {old_key}."
            )
            keys = f"Key {old_key} {key_event} today at {start} UTC by {admin}. " + (
                f"Active key: {new_key} (created the same minute)."
                if key_event == "rotated"
                else "No active key; a new one can be created in the dashboard."
            )
        else:
            peak = limit * kit.rng.randrange(15, 40) // 10
            logs = (
                f"Tenant {tenant} since {start} UTC: {kit.rng.randrange(20, 70)}% of requests "
                f"return 429 rate_limit_exceeded; peak {peak:,} requests/min against the plan "
                f"limit of {limit:,}/min. Other responses 200."
            )
            keys = f"Key {old_key} active since {kit.day(kit.rng.randrange(40, 300))}; no changes."

    artifacts = {
        "platform_metrics": Artifact(title="Platform error metrics", content=metrics),
        "tenant_logs": Artifact(title=f"API logs for tenant {tenant}", content=logs),
        "api_keys": Artifact(title="API keys", content=keys),
        "contract": Artifact(
            title="Contract",
            content=(
                f"{company}, {tier} plan, {kit.money(2000, 40000)} per month. 99.9% monthly "
                f"uptime commitment; service credits per the credits policy. Renews "
                f"{kit.day(-kit.rng.randrange(30, 330))}."
            ),
        ),
    }
    policies = {
        "api_incidents": Policy(
            title="API failures: incident or integration issue",
            content=(
                "Check platform metrics first. Errors elevated across many tenants (for "
                "example after a gateway release) are a platform incident: classify as a "
                "technical incident, escalate to platform_engineering and open an "
                "incident; ask the customer for sample request IDs and error logs, plus the "
                "time the failures started if they have not said. If only this tenant is "
                "failing it is an integration issue for technical_support: 401 "
                "invalid_api_key after the tenant's key was rotated or revoked -> have them "
                "update their configuration with an active key (fix_configuration); 429s -> "
                "explain the rate limits (provide_information, see rate limits). "
                "Priority follows the shared support-priorities rule."
            ),
            keywords=("api", "errors", "failing", "outage", "down", "401", "502", "incident"),
        ),
        "rate_limits": Policy(
            title="API rate limits",
            content=(
                "Plan limits: business 600 requests/min, enterprise 1,000/min, bursts up to "
                "2x for 10 seconds. Requests over the limit get 429 with a Retry-After "
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
    evidence = ["ticket", "artifact:platform_metrics", "artifact:tenant_logs"]
    if variant == "key":
        evidence.append("artifact:api_keys")
    evidence.append("policy:api_incidents")
    if variant == "rate":
        evidence.append("policy:rate_limits")

    requested: tuple[str, ...] = ()
    if platform:
        requested = ("request_ids", "error_logs")
        if not gives_time:
            requested += ("incident_start_time",)
        reply_markers: tuple[Point, ...] = (
            point("incident"),
            point("diagnostics", name="details"),
        )
        note = point("incident", name="platform_wide")
        forbidden: tuple[Claim, ...] = claims(
            "api_key",
            "rate_limit",
            "your_configuration",
            "service_credit",
            "refund",
            "locked",
            "verify_identity",
        )
        code, queue, issue = "open_incident", "platform_engineering", "technical_incident"
        priority = impact_priority(blocked=True, users=users, enterprise=tier == "enterprise")
    else:
        if variant == "key":
            reply_markers = (
                point("api_key", name="key"),
                point("update_config", name="update"),
            )
            note = point("api_key", name="key_changed")
            forbidden = claims("incident", "escalated", "rate_limit", "service_credit", "refund")
            code = "fix_configuration"
        else:
            reply_markers = (
                point("rate_limit"),
                point("backoff"),
            )
            note = point("rate_limit", name="over_limit")
            forbidden = claims("incident", "escalated", "api_key", "service_credit", "refund")
            code = "provide_information"
        queue, issue = "technical_support", "integration_issue"
        priority = impact_priority(blocked=True, users=users, enterprise=tier == "enterprise")
    # review, classify, evidence (artifacts and policies), [escalate], [request], note,
    # reply, resolve|submit
    optimal = 2 + (len(evidence) - 1) + int(platform) + int(bool(requested)) + 3
    return {
        "difficulty": "medium" if variant == "rate" or gives_time else "hard",
        "title": f"{endpoint.capitalize()} API failing",
        "objective": (
            "Work out whether the failures are a platform incident or this tenant's "
            "integration, apply the API policy, route or escalate, tell the customer what "
            "happens next and settle or hand off the case."
        ),
        "ticket": Ticket(
            subject=kit.pick(
                (
                    f"{endpoint.capitalize()} API down",
                    "API requests failing in production",
                    f"Urgent: /v2/{endpoint} errors",
                    "Integration broken",
                )
            ),
            customer_name=name,
            customer_message=message,
            customer_tier=tier,
            sla_minutes=30 if tier == "enterprise" else kit.rng.choice((45, 60)),
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
        "artifacts": artifacts,
        "policies": policies,
        "customer": Customer(
            answers={
                "request_ids": ", ".join(kit.hexid("req_", 10) for _ in range(3)),
                "error_logs": f"Log excerpt: HTTP {status} from /v2/{endpoint}, repeated.",
                "incident_start_time": f"First failures at {start} UTC today.",
                "affected_endpoints": f"/v2/{endpoint}",
            },
            unanswered_reply=f"{name.split()[0]} has not replied.",
        ),
        "step_budget": optimal + 5,
        "gold": Gold(
            final_status="escalated" if platform else "resolved",
            resolution_code=code,
            queue=queue,
            priority=priority,
            issue_type=issue,
            requested_fields=requested,
            required_evidence=tuple(evidence),
            reply_markers=reply_markers,
            note_markers=(note,),
            forbidden_claims=forbidden,
            optimal_steps=optimal,
        ),
    }


#: Sentences a customer may add (composed text).
EXTRA_CONTEXT = (
    "Our [on-call|ops] team [got paged|was woken up] [overnight|at 3am].",
    "[Customers|Our users] are [complaining|noticing].",
)
BUDGET = 14


def generate(kit: Kit) -> dict[str, Any]:
    """Scenario fields for one seeded case (see the module docstring); the ticket text
    is composed by :mod:`caseops.domain.families.text` around the family's sentences."""
    return finish(
        kit,
        _case(kit),
        budget=BUDGET,
        difficulty="hard",
        objective=OBJECTIVE,
        context=EXTRA_CONTEXT,
    )
