"""Family ``partial_outage``: a business customer's file uploads, imports or exports are
failing while the platform has a partial incident somewhere.

Decision rule (source: the ``partial_incidents`` article, clauses 1-5; priorities from
``support_priorities``). Two facts decide: whether the incident on the ``status_page``
covers the customer's feature AND region (``workspace``: its hosting region), and what
the incident's latest update says (open with or without a workaround, or resolved), read
against the workspace's own ``error_log``:

1. The incident covers the feature and the workspace's region, is open, and its latest
   update gives a workaround -> ``provide_information`` (the workaround and the
   incident id), resolved.
2. Covers them, open, no workaround yet -> the ticket joins the incident:
   escalated to ``platform_engineering`` with ``open_incident``.
3. Covers them, but resolved, and the workspace's failures all precede the resolution
   time -> ``no_action_needed`` (it has recovered; the incident id).
4. The incident is in another region or on another feature -> not this incident:
   ``request_info(error_logs)``; the customer's log shows the upload over the plan's
   size limit -> ``provide_information`` (the limit), resolved.
5. Queue ``technical_support`` except 2; priority by impact (users blocked, tier),
   nobody blocked any more in 3.
"""

from __future__ import annotations

from typing import Any

from caseops.cases import records as rec
from caseops.cases import text as tx
from caseops.cases.common import assemble, impact_priority, ticket
from caseops.cases.kit import TIERS_BUSINESS, Kit
from caseops.domain.claims import Claim, Point, claims, point
from caseops.domain.scenario import Artifact, Policy
from caseops.domain.vocab import RequestableField

NAME = "partial_outage"
BUDGET = 15

FEATURES = (
    ("File uploads", "upload files", "uploads"),
    ("CSV imports", "import our CSV files", "imports"),
    ("Report exports", "export reports", "exports"),
)
REGIONS = ("eu-west", "us-east", "ap-south")
WORKAROUNDS = {
    "uploads": "upload through the desktop app, which uses another route",
    "imports": "import through the API endpoint /v2/imports instead of the web form",
    "exports": "schedule the export by email instead of downloading it",
}
FACTS = (
    "[Since|From] {when} we can't {action}[| any more].",
    "{Feature} [keep failing|are failing|don't work] for us {when}.",
    "Our team [gets|keeps getting] errors when we try to {action} {when}.",
    "[Nobody|None of us] can {action} {when}.",
)
IMPACT = (
    "[About|Around|Roughly] {users} [people|users|colleagues] are [stuck|blocked|affected].",
    "This blocks {users} users.",
    "{users} of our staff [rely|depend] on this [daily|every day].",
)
ASIDES = (
    "Your status page [mentions|shows] something but I'm not sure it's us.",
    "Other features [work|seem fine].",
    "We [tried|used] [another browser|incognito|a different laptop], same thing.",
    "The files are [bigger|larger] than usual this month.",
    "It worked [yesterday|last week|this morning].",
)
REQUESTS = (
    "[Can|Could] you [help|check] [asap|today|please]?",
    "Is there a workaround?",
    "When will this be fixed?",
    "What should we do?",
    "Is this on your side?",
)
CONTEXT = (
    "We have a [deadline|board meeting|month-end close] [today|tomorrow|this week].",
    "Our [ops|finance|data] team is [waiting|blocked].",
)
SUBJECTS = ("{F} failing", "Can't {action}", "{F} broken?", "Errors on {f}")


def _policies(kit: Kit) -> dict[str, Policy]:
    """The knowledge base of a case (the first article states the decision rule):
    ``partial_incidents``, ``service_credits``."""
    return {
        "partial_incidents": rec.article(
            kit,
            "Partial incidents",
            (
                "Check whether the incident covers the customer's feature and their "
                "workspace's region; incidents are listed per feature and region.",
                "Open incident with a workaround: give the customer the workaround and "
                "the incident id.",
                "Open incident without a workaround: attach the ticket to the incident "
                "and escalate to platform_engineering.",
                "Resolved incident and the workspace's failures all before the "
                "resolution: nothing to do; tell the customer it has recovered.",
                "Not covered by the incident: ask for the error logs and troubleshoot "
                "(uploads over the plan's size limit fail: business 100 MB, "
                "enterprise 250 MB).",
            ),
            age=(60, 500),
            versions=(2, 6),
            keywords=("outage", "incident", "failing", "errors", "workaround", "status"),
        ),
        "service_credits": Policy(
            title="Service credits",
            content="Credits for missed uptime are calculated by account management.",
            keywords=("credit", "credits", "uptime", "sla"),
        ),
    }


def generate(kit: Kit) -> dict[str, Any]:
    """Scenario fields for one seeded partial-outage case (see the module docstring)."""
    name = kit.person()
    company = kit.company()
    tier = kit.pick(TIERS_BUSINESS)
    feature, action, key = FEATURES[kit.rng.randrange(len(FEATURES))]
    region = kit.pick(REGIONS)
    users = kit.rng.randrange(3, 60) * 10
    roll = kit.rng.random()
    variant = (
        "workaround"
        if roll < 0.26
        else "no_workaround"
        if roll < 0.5
        else "recovered"
        if roll < 0.73
        else "elsewhere"
    )
    inc = f"INC-{kit.rng.randrange(1000, 9999)}"
    start_h = kit.rng.randrange(1, 14)
    start = f"{start_h:02d}:{kit.rng.randrange(0, 60):02d}"
    fixed_h = start_h + kit.rng.randrange(1, 4)
    fixed = f"{fixed_h:02d}:{kit.rng.randrange(0, 60):02d}"
    # the incident: which feature and region it covers, and its latest update
    if variant == "elsewhere":
        if kit.chance(0.5):
            inc_region, inc_feature, inc_key = (
                kit.pick([r for r in REGIONS if r != region]),
                feature,
                key,
            )
        else:
            other = kit.pick([f for f in FEATURES if f[2] != key])
            inc_region, inc_feature, inc_key = region, other[0], other[2]
        state = kit.pick(("workaround", "no_workaround", "recovered"))
    else:
        inc_region, inc_feature, inc_key = region, feature, key
        state = variant
    if state == "workaround":
        update = f"Investigating since {start} UTC. Workaround: {WORKAROUNDS[inc_key]}."
        label = "Degraded"
    elif state == "no_workaround":
        update = f"Investigating since {start} UTC. No workaround available yet."
        label = "Degraded"
    else:
        update = f"Resolved at {fixed} UTC after a fix was deployed (began {start} UTC)."
        label = "Operational"
    page = [(f"{inc_feature} ({inc_region})", f"{label} - {inc}: {update}")]
    status = rec.status_page(kit, page)

    # the workspace's own failures since today
    errors: list[tuple[int, str]] = []
    last_fail_h = (
        kit.rng.randrange(start_h, fixed_h) if variant == "recovered" else kit.rng.randrange(14, 20)
    )
    code = kit.pick(("request failed", "request failed (retrying)", "timeout"))
    for h in sorted({start_h, last_fail_h, kit.rng.randrange(start_h, last_fail_h + 1)}):
        errors.append(((24 - h) * 60 - kit.rng.randrange(0, 59), f"{key}: {code}"))
    if variant == "recovered":
        errors.append(((24 - fixed_h - 1) * 60, f"{key}: 200 ok (since then: 200 ok only)"))
    workspace = rec.record(
        kit,
        [("Workspace", kit.hexid("ws_", 6)), ("Region", region), ("Plan", tier)],
        [("Seats", str(users + kit.rng.randrange(0, 50))), ("SSO", kit.pick(("on", "off")))],
    )
    limit_mb = 100 if tier == "business" else 250
    when = kit.pick(("today", "this morning", f"since about {start} UTC", "for a few hours"))
    facts = [
        tx.variant(kit, FACTS, when=when, action=action, Feature=feature),
        tx.variant(kit, IMPACT, users=users),
    ]
    facts += kit.rng.sample(ASIDES, kit.rng.randint(0, 2))
    msg = tx.compose(kit, facts, REQUESTS, CONTEXT, name, company)
    subject = tx.variant(kit, SUBJECTS, F=feature, f=feature.lower(), action=action)
    artifacts = {
        "status_page": Artifact(title=f"Status page (as of {kit.day(0)})", content=status),
        "workspace": Artifact(title=f"Workspace of {company}", content=workspace),
        "error_log": Artifact(title="Workspace error log (today)", content=rec.log(kit, errors)),
    }
    policies = _policies(kit)
    evidence = ["ticket", "artifact:status_page", "artifact:workspace"]
    if variant == "recovered":
        evidence.append("artifact:error_log")
    evidence.append("policy:partial_incidents")
    requested: tuple[RequestableField, ...] = ()
    final, queue, issue, code_ = "resolved", "technical_support", "technical_incident", ""
    priority = impact_priority(blocked=True, users=users, enterprise=tier == "enterprise")
    reply: tuple[Point, ...]
    note: tuple[Point, ...]
    forbidden: tuple[Claim, ...]
    if variant == "workaround":
        code_ = "provide_information"
        reply = (point("workaround", facts=(inc,)),)
        note = (point("incident", facts=(inc,)),)
        forbidden = claims("resolved", "service_credit")
    elif variant == "no_workaround":
        code_, final, queue = "open_incident", "escalated", "platform_engineering"
        reply = (point("incident", facts=(inc,)), point("updates"))
        note = (point("incident", facts=(inc,)),)
        forbidden = claims("resolved", "service_credit")
    elif variant == "recovered":
        code_ = "no_action_needed"
        reply = (point("resolved", facts=(inc,)),)
        note = (point("resolved", facts=(fixed,)),)
        forbidden = claims("escalated", "service_credit")
        priority = impact_priority()
    else:
        code_, issue = "provide_information", "integration_issue"
        requested = ("error_logs",)
        reply = (point("size_limit", facts=(f"{limit_mb} MB",)),)
        note = (point("size_limit"),)
        forbidden = claims("escalated", "service_credit")
    return assemble(
        kit,
        difficulty="hard",
        budget=BUDGET,
        title=subject,
        objective=(
            "Work the case: find out whether the platform's incident covers this customer "
            "and what it says, apply the policy, route or escalate, note your reasoning and "
            "tell the customer what to do."
        ),
        ticket=ticket(
            kit, subject, name, msg, tier, f"{users} users of {company} cannot {action}.", users
        ),
        artifacts=artifacts,
        policies=policies,
        status=final,
        code=code_,
        queue=queue,
        priority=priority,
        issue_type=issue,
        evidence=evidence,
        requested=requested,
        answers={
            "error_logs": (
                f"Our log says: 413 Payload Too Large (file {limit_mb + kit.rng.randrange(5, 400)}"
                f" MB, limit {limit_mb} MB)."
            )
        },
        reply=reply,
        note=note,
        forbidden=forbidden,
    )
