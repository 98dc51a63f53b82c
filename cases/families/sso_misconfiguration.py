"""Family ``sso_misconfiguration`` (test only): enterprise SSO sign-ins are failing.

Decision rule (source: the ``sso_troubleshooting`` article, clauses 1-5; priorities from
``support_priorities``). Two facts decide: which failure dominates the workspace's SSO
log since the trouble began (a few failures of every kind show up in any busy tenant),
and what the configuration and the platform say about it (``sso_config`` with its
audit lines; ``status_page``):

1. Mostly ``503 before SAML validation`` and the status page shows single sign-on
   degraded (an open incident) -> platform outage: escalate to ``platform_engineering``,
   ``open_incident``, submitted while escalated.
2. Mostly ``signature validation failed`` and the configured signing certificate's
   "valid until" date has passed, with no newer certificate uploaded -> the customer's
   IdP certificate: ``request_info(idp_metadata)``, then ``fix_configuration``,
   resolved. A CRM note that the customer "already rotated it" does not count: the
   configuration decides.
3. Signature failures, but the configuration audit shows a new certificate uploaded
   AFTER the failures began and the log shows only successful sign-ins since ->
   ``no_action_needed`` (already fixed; tell the customer when), resolved.
4. Mostly ``user not assigned to the application`` for some users while the others sign
   in -> the IdP's app assignment: ``provide_information`` (assign the users in the
   IdP), resolved.
5. Queue ``technical_support`` for 2-4; priority by impact (users blocked now, tier):
   every user for 1 and 2, the unassigned users for 4, nobody any more for 3.
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

NAME = "sso_misconfiguration"
BUDGET = 15

IDPS = ("Okta", "Microsoft Entra ID", "Google Workspace", "OneLogin", "Ping Identity")
FACTS = (
    "Since {when} [none of our staff|nobody here|our people|a lot of our users] can sign in "
    "with SSO through {idp}.",
    "Our single sign-on is [broken|failing|acting up]: users hit an error after "
    "authenticating with {idp} {when}.",
    "SSO login stopped working for [our whole organisation|many of us|our team] {when}. We "
    "use {idp}.",
    "[People|Users|Staff] can't get in - the {idp} SSO flow fails {when}.",
    "[We get|Users see] a SAML error [when|after] signing in through {idp} {when}.",
)
ASIDES = (
    "Password login is disabled for us, so [we are|people are] stuck.",
    "We did not change anything on our side that I know of.",
    "Our IT admin is available for a call.",
    "I think [our IT|someone] [renewed|rotated|updated] [a certificate|something in {idp}] "
    "[recently|last week|a while ago].",
    "[Some|A few|Most] people [can|seem to] still get in, [oddly|weirdly|strangely].",
    "[It|This] might be [working|better] now, I haven't [checked|tried] again.",
    "We [added|onboarded] [new starters|a new team|contractors] this week.",
)
REQUESTS = (
    "Please help [urgently|asap|today].",
    "What is wrong?",
    "We need this fixed today.",
    "[Can|Could] you [check|look at] our SSO setup?",
    "Is this on your side or ours?",
)
CONTEXT = (
    "[Nobody|No one] on the team can [log in|sign in|get in].",
    "Our IT [admin|lead] is [on leave|travelling] this week.",
    "We have [a deadline|month-end close|an audit] [this week|today].",
)
WHENS = ("earlier today", "today", "this morning", "since about {clock} UTC", "since yesterday")
SUBJECTS = ("SSO login broken", "Can't sign in with SSO", "SAML error", "SSO down for us")

KINDS = {
    "503": "503 from the assertion consumer service before SAML validation",
    "signature": "signature validation failed (signing certificate expired)",
    "unassigned": "user not assigned to the application in the IdP",
}


def _policies(kit: Kit) -> dict[str, Policy]:
    """The knowledge base of a case (the first article states the decision rule):
    ``sso_troubleshooting``, ``user_provisioning``."""
    return {
        "sso_troubleshooting": rec.article(
            kit,
            "SSO sign-in failures",
            (
                "Read what dominates the workspace's SSO log since the failures began; "
                "a few failures of every kind are normal.",
                "Mostly 503s before SAML validation while the status page shows single "
                "sign-on degraded: a platform outage. Escalate to platform_engineering "
                "and open an incident.",
                "Mostly signature failures with the configured signing certificate past "
                "its valid-until date: ask the customer for fresh IdP metadata and fix "
                "the configuration. The configuration decides, not notes.",
                "If a new certificate was uploaded after the failures began and only "
                "successful sign-ins follow, it is fixed already: tell the customer.",
                "Mostly 'user not assigned' failures while others sign in: the users "
                "must be assigned to the application in the IdP; explain.",
            ),
            age=(100, 500),
            versions=(2, 6),
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


def generate(kit: Kit) -> dict[str, Any]:
    """Scenario fields for one seeded SSO-failure case (see the module docstring)."""
    company = kit.company()
    name = kit.person()
    tier = kit.pick(TIERS_BUSINESS)
    enterprise = tier == "enterprise"
    idp = kit.pick(IDPS)
    workspace = kit.hexid("ws_", 6)
    users = kit.rng.randrange(40, 3000)
    roll = kit.rng.random()
    variant = (
        "platform"
        if roll < 0.27
        else "certificate"
        if roll < 0.53
        else "fixed"
        if roll < 0.77
        else "unassigned"
    )
    start_h = kit.rng.randrange(2, 16)
    start = f"{start_h:02d}:{kit.rng.randrange(0, 60):02d}"
    inc = f"INC-{kit.rng.randrange(1000, 9999)}"
    release = f"auth-2026.03.{kit.rng.randrange(1, 16)}"
    old_cert = ":".join(kit.hexid("", 2) for _ in range(6))
    new_cert = ":".join(kit.hexid("", 2) for _ in range(6))
    entity = f"https://idp.{company.split()[0].lower()}.example/{kit.hexid('', 8)}"

    main = {"platform": "503", "certificate": "signature", "fixed": "signature"}.get(
        variant, "unassigned"
    )
    counts = {k: kit.rng.randrange(0, 12) for k in KINDS}
    counts[main] = kit.rng.randrange(150, 4000)
    blocked = users if main != "unassigned" else kit.rng.randrange(3, max(4, users // 4))
    ok = (
        kit.rng.randrange(50, 900)
        if variant in ("unassigned", "fixed")
        else kit.rng.randrange(0, 30)
    )
    summary = [f"  {KINDS[k]}: {n:,} failures" for k, n in counts.items()]
    summary.append(f"  successful sign-ins: {ok:,}")
    kit.rng.shuffle(summary)
    fixed_at = f"{(start_h + kit.rng.randrange(1, 5)) % 24:02d}:{kit.rng.randrange(0, 60):02d}"
    tail = (
        f"Since {fixed_at} UTC: successful sign-ins only."
        if variant == "fixed"
        else kit.pick(("Failures continue.", "Still failing at the time of this export."))
    )
    logs = f"Workspace {workspace}, since {start} UTC today:\n" + "\n".join(summary) + f"\n{tail}"

    # configuration: the certificate in force and its audit trail
    if variant in ("certificate", "fixed"):
        cert_until = kit.day(kit.rng.randrange(0, 3))
    else:
        cert_until = kit.day(-kit.rng.randrange(20, 700))
    audit: list[tuple[int, str]] = [
        (kit.rng.randrange(30, 400) * 1440, f"signing certificate {old_cert} uploaded")
    ]
    if variant == "fixed":
        hh, mm = fixed_at.split(":")
        audit.append(
            (1440 - int(hh) * 60 - int(mm) + 1, f"signing certificate {new_cert} uploaded")
        )
    elif kit.chance(0.4):
        audit.append((kit.rng.randrange(2, 20) * 1440, "attribute mapping edited (department)"))
    current = new_cert if variant == "fixed" else old_cert
    current_until = kit.day(-kit.rng.randrange(300, 700)) if variant == "fixed" else cert_until
    config = (
        rec.record(
            kit,
            [
                ("IdP", idp),
                ("Entity ID", entity),
                ("Signing certificate", f"{current}, valid until {current_until}"),
            ],
            [("Enforced", "yes"), ("Just-in-time provisioning", kit.pick(("on", "off")))],
        )
        + "\n"
        + rec.log(kit, audit, noise=("admin viewed SSO settings",), n_noise=(0, 2))
    )
    # the status page: SSO degraded in the platform case; elsewhere sometimes too, on
    # another component, or an SSO incident already resolved
    if variant == "platform":
        page = [("Single sign-on", f"Degraded - {inc} investigating since {start} UTC ({release})")]
    else:
        r = kit.rng.random()
        page = (
            [("Single sign-on", f"Operational - {inc} resolved at {kit.clock()} UTC ({release})")]
            if r < 0.35
            else [
                (
                    kit.pick(("Webhooks", "Search", "Reporting")),
                    f"Degraded - {inc} investigating since {kit.clock()} UTC",
                )
            ]
            if r < 0.65
            else []
        )
    crm: list[tuple[int, str]] = []
    if variant == "certificate" and kit.chance(0.5):
        crm.append(
            (kit.rng.randrange(1, 6), "Customer says their IT already rotated the certificate.")
        )
    elif kit.chance(0.3):
        crm.append((kit.rng.randrange(5, 60), "Customer asked about SCIM group sync."))

    when = tx.fill(kit, kit.pick(WHENS), clock=start)
    facts = [tx.variant(kit, FACTS, when=when, idp=idp)]
    facts += [tx.fill(kit, a, idp=idp) for a in kit.rng.sample(ASIDES, kit.rng.randint(0, 2))]
    msg = tx.compose(kit, facts, REQUESTS, CONTEXT, name, company)
    subject = kit.pick(SUBJECTS)
    artifacts = {
        "sso_logs": Artifact(title=f"SSO log summary for {workspace}", content=logs),
        "status_page": Artifact(
            title=f"Status page (as of {kit.day(0)})", content=rec.status_page(kit, page)
        ),
        "sso_config": Artifact(title="SSO configuration", content=config),
        "crm": Artifact(title="CRM notes", content=rec.crm_notes(kit, crm)),
    }
    policies = _policies(kit)
    evidence = ["ticket", "artifact:sso_logs"]
    evidence.append("artifact:status_page" if variant == "platform" else "artifact:sso_config")
    evidence.append("policy:sso_troubleshooting")
    requested: tuple[RequestableField, ...] = ()
    reply: tuple[Point, ...]
    note: tuple[Point, ...]
    forbidden: tuple[Claim, ...]
    queue, issue, final = "technical_support", "integration_issue", "resolved"
    priority = impact_priority(blocked=True, users=blocked, enterprise=enterprise)
    if variant == "platform":
        code, queue, issue, final = (
            "open_incident",
            "platform_engineering",
            "technical_incident",
            "escalated",
        )
        reply = (point("incident", facts=(inc,)), point("updates"))
        note = (point("incident", facts=(inc,)),)
        forbidden = claims("sso_metadata", "your_configuration", "password_reset")
    elif variant == "certificate":
        requested = ("idp_metadata",)
        code = "fix_configuration"
        reply = (point("sso_metadata", facts=(old_cert,)), point("update_config"))
        note = (point("sso_metadata", facts=(cert_until,)),)
        forbidden = claims("incident", "escalated", "password_reset")
    elif variant == "fixed":
        code = "no_action_needed"
        reply = (point("resolved", facts=(fixed_at,)),)
        note = (point("sso_metadata", facts=(new_cert,)),)
        forbidden = claims("incident", "escalated", "password_reset")
        priority = impact_priority()
    else:
        code = "provide_information"
        reply = (point("sso_assignment"),)
        note = (point("sso_assignment"),)
        forbidden = claims("incident", "escalated", "sso_metadata")
    return assemble(
        kit,
        difficulty="hard",
        budget=BUDGET,
        title=subject,
        objective=(
            "Work the case: find what is failing and why from the workspace's logs, its "
            "configuration and the platform's records, apply the policy, route or escalate, "
            "note your reasoning and tell the customer what happens next."
        ),
        ticket=Ticket(
            subject=subject,
            customer_name=name,
            customer_message=msg,
            customer_tier=tier,
            sla_minutes=sla(kit, tier),
            affected_users=users,
            business_impact=f"{company}: {users:,} users sign in through SSO.",
            secondary_concerns=(
                ("Asks whether SCIM provisioning is affected.",) if kit.chance(0.35) else ()
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
            "idp_metadata": (
                f"Fresh {idp} metadata XML attached: entity ID {entity}, signing certificate "
                f"{new_cert}."
            ),
            "workspace_id": workspace,
        },
        reply=reply,
        note=note,
        forbidden=forbidden,
    )
