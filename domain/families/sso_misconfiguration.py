"""Family ``sso_misconfiguration`` (test only): enterprise SSO sign-ins are failing.

Facts that decide the gold:
- ``sso_logs`` rejects the tenant's SAML responses (signing certificate expired, or the
  assertion's issuer does not match the configured IdP entity ID) while
  ``platform_status`` shows SSO healthy for other tenants -> customer-side
  misconfiguration: ``request_info(idp_metadata)`` (the customer sends fresh metadata and
  the case returns to triaged), then ``fix_configuration``, resolved;
  ``technical_support``, ``integration_issue``; enterprise ``high``, business ``normal``;
- ``platform_status`` shows SSO failures across many tenants after an auth release and
  the tenant's logs show no assertion errors -> platform outage: escalate to
  ``platform_engineering``, ``open_incident``, ``urgent``, ``technical_incident``,
  submitted while escalated.
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

NAME = "sso_misconfiguration"

IDPS = ("Okta", "Microsoft Entra ID", "Google Workspace", "OneLogin", "Ping Identity")
TEMPLATES = (
    "Since {when} none of our staff can sign in with SSO through {idp}. {extra}Please help "
    "urgently.",
    "Our single sign-on is broken: users hit an error after authenticating with {idp} "
    "{when}. {extra}",
    "Hi, SSO login stopped working for our whole organisation {when}. We use {idp}. {extra}"
    "What is wrong?",
    "Nobody at our company can get in - the {idp} SSO flow fails {when}. {extra}We need "
    "this fixed today.",
)
WHENS = ("earlier today", "today", "for a while now", "since earlier today")
EXTRAS = (
    "",
    "Password login is disabled for us, so we are completely stuck. ",
    "We did not change anything on our side that I know of. ",
    "Our IT admin is available for a call. ",
)


def _case(kit: Kit) -> dict[str, Any]:
    """Scenario fields for one seeded SSO-failure case (see the module docstring)."""
    company = kit.company()
    name = kit.person()
    tier = kit.pick(TIERS_BUSINESS)
    idp = kit.pick(IDPS)
    workspace = kit.hexid("ws_", 6)
    variant = kit.pick(("certificate",) * 6 + ("entity_id",) * 5 + ("platform",) * 9)
    platform = variant == "platform"
    users = kit.rng.randrange(20, 3000)
    start = kit.clock()
    release = f"auth-2026.03.{kit.rng.randrange(1, 16)}"
    fingerprint = ":".join(kit.hexid("", 2) for _ in range(6))
    entity = f"https://idp.{company.split()[0].lower()}.example/{kit.hexid('', 8)}"
    wrong_entity = f"https://idp.{company.split()[0].lower()}.example/{kit.hexid('', 8)}"
    expired_days = kit.rng.randrange(0, 3)
    message = kit.pick(TEMPLATES).format(idp=idp, when=kit.pick(WHENS), extra=kit.pick(EXTRAS))

    if variant == "certificate":
        logs = (
            f"Workspace {workspace}: since {start} UTC every SAML response is rejected: "
            f"'signature validation failed: signing certificate {fingerprint} expired "
            f"{kit.day(expired_days)}'."
        )
        cert_until = kit.day(expired_days)
    elif variant == "entity_id":
        logs = (
            f"Workspace {workspace}: since {start} UTC every SAML response is rejected: "
            f"'issuer {wrong_entity} does not match the configured IdP entity ID {entity}'."
        )
        cert_until = kit.day(-kit.rng.randrange(60, 700))
    else:
        logs = (
            f"Workspace {workspace}: since {start} UTC the assertion consumer service returns "
            "503 before any SAML validation runs. No signature or issuer errors recorded."
        )
        cert_until = kit.day(-kit.rng.randrange(60, 700))
    if platform:
        status = (
            f"Auth service release {release} deployed at {start} UTC. Since then SSO sign-ins "
            f"fail for {kit.rng.randrange(60, 900)} tenants across all identity providers "
            f"(success rate {kit.rng.randrange(5, 40)}%, baseline 99.7%)."
        )
    else:
        status = (
            f"SSO sign-ins succeeding normally across tenants ({kit.rng.randrange(995, 999) / 10}"
            f"%). Last auth service release {release} on {kit.day(kit.rng.randrange(4, 14))}."
        )
    artifacts = {
        "sso_logs": Artifact(title=f"SSO logs for {workspace}", content=logs),
        "platform_status": Artifact(title="Platform SSO health", content=status),
        "sso_config": Artifact(
            title="SSO configuration",
            content=(
                f"IdP: {idp}. Configured entity ID: {entity}. Signing certificate "
                f"{fingerprint}, valid until {cert_until}. Last edited "
                f"{kit.day(kit.rng.randrange(30, 400))}."
            ),
        ),
        "scim_sync": Artifact(
            title="User provisioning (SCIM)",
            content=(
                f"Last sync {kit.day(0)}: {users} active users, 0 errors. Next sync in "
                f"{kit.rng.randrange(5, 55)} minutes."
            ),
        ),
    }
    policies = {
        "sso_troubleshooting": Policy(
            title="SSO sign-in failures",
            content=(
                "Read the tenant's SSO logs and platform SSO health. Errors inside the "
                "customer's SAML responses (expired signing certificate, issuer or entity "
                "ID mismatch) while other tenants sign in fine are the customer's IdP "
                "configuration: ask for fresh IdP metadata, update the configuration "
                "(fix_configuration) and resolve; technical_support, integration issue. "
                "Failures across many tenants "
                "(for example after an auth release) are a platform outage: classify as a "
                "technical incident, escalate to platform_engineering and open an "
                "incident."
            ),
            keywords=("sso", "saml", "single sign-on", "idp", "sign-in", "login"),
        ),
        "user_provisioning": Policy(
            title="SCIM user provisioning",
            content=(
                "SCIM syncs run every hour; a user missing after a sync is usually not "
                "assigned to the app in the IdP."
            ),
            keywords=("scim", "provisioning", "sync", "users"),
        ),
    }
    evidence = (
        "ticket",
        "artifact:sso_logs",
        "artifact:platform_status",
        "policy:sso_troubleshooting",
    )
    if platform:
        requested: tuple[str, ...] = ()
        reply_markers: tuple[Point, ...] = (
            point("incident"),
            point("updates"),
        )
        note = point("incident", name="platform_wide")
        forbidden: tuple[Claim, ...] = claims(
            "sso_metadata",
            "your_configuration",
            "refund",
            "password_reset",
            "verify_identity",
        )
        code, queue, issue = "open_incident", "platform_engineering", "technical_incident"
        priority = impact_priority(blocked=True, users=users, enterprise=tier == "enterprise")
    else:
        requested = ("idp_metadata",)
        reply_markers = (
            point("sso_metadata", name="metadata"),
            point("update_config", name="fixed"),
        )
        note = point("sso_metadata", name="cause")
        forbidden = claims("incident", "escalated", "engineering", "refund", "password_reset")
        code, queue, issue = "fix_configuration", "technical_support", "integration_issue"
        priority = impact_priority(blocked=True, users=users, enterprise=tier == "enterprise")
    # review, classify, two artifacts, one policy, [escalate], [request], note, reply, end
    optimal = 2 + 3 + int(platform) + len(requested) + 3
    new_cert = ":".join(kit.hexid("", 2) for _ in range(6))
    renewed = variant == "certificate"
    return {
        "difficulty": "hard" if variant == "entity_id" else "medium",
        "title": f"SSO sign-in failing ({idp})",
        "objective": (
            "Find out whether the SSO failures come from the customer's identity provider "
            "or from the platform, apply the SSO policy, route or escalate, tell the "
            "customer what happens next and settle or hand off the case."
        ),
        "ticket": Ticket(
            subject=kit.pick(("SSO login broken", "Can't sign in with SSO", "SAML error")),
            customer_name=name,
            customer_message=message,
            customer_tier=tier,
            sla_minutes=kit.rng.choice((30, 60)) if tier == "enterprise" else 120,
            affected_users=users,
            business_impact=f"All {users:,} {company} users are unable to sign in.",
            secondary_concerns=(
                ("Asks whether SCIM provisioning is affected.",) if kit.chance(0.35) else ()
            ),
        ),
        "artifacts": artifacts,
        "policies": policies,
        "customer": Customer(
            answers={
                "idp_metadata": (
                    f"Fresh {idp} metadata XML attached: entity ID "
                    + (wrong_entity if variant == "entity_id" else entity)
                    + f", signing certificate {new_cert if renewed else fingerprint}."
                ),
                "workspace_id": workspace,
            },
            unanswered_reply=f"{name.split()[0]} has not replied.",
        ),
        "step_budget": optimal + 6,
        "gold": Gold(
            final_status="escalated" if platform else "resolved",
            resolution_code=code,
            queue=queue,
            priority=priority,
            issue_type=issue,
            requested_fields=requested,
            required_evidence=evidence,
            reply_markers=reply_markers,
            note_markers=(note,),
            forbidden_claims=forbidden,
            optimal_steps=optimal,
        ),
    }


#: Sentences a customer may add (composed text).
EXTRA_CONTEXT = (
    "[Nobody|No one] on the team can [log in|sign in|get in].",
    "Our IT [admin|lead] is [on leave|travelling] this week.",
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
