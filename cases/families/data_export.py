"""Family ``data_export`` (test only): a person asks for a copy of the personal data held
about them (a subject access request).

Decision rule (source: the ``access_requests`` article, clauses 1-5; priorities from
``support_priorities``):

1. Act only for a verified data subject: the request must come from the account's email
   on file (``sender`` against ``account``); otherwise ->
   ``request_info(identity_verification, data_subject_email)``, waiting, submitted as
   ``request_verification``.
2. An account managed by a company workspace (``account``: "managed by", with no end
   date, or an end date still ahead) -> the company is the controller:
   ``provide_information`` (the workspace admin, named, makes the request). An account
   that LEFT the workspace (an end date passed) is the person's own.
3. An export generated within the last 7 days whose link is still valid
   (``privacy_log``) -> ``no_action_needed``: point the customer to it (valid until its
   date). An expired link does not count.
4. Otherwise -> ``fulfil_privacy_request`` (generate the export).
5. Queue ``privacy_compliance``; priority: 30 days from the first request; 3 days or
   fewer left -> high, else low.
"""

from __future__ import annotations

from typing import Any

from caseops.cases import records as rec
from caseops.cases import text as tx
from caseops.cases.common import assemble, impact_priority, ticket
from caseops.cases.kit import TIERS_CONSUMER, Kit
from caseops.domain.claims import Claim, Point, claims, point
from caseops.domain.scenario import Artifact, Policy
from caseops.domain.vocab import RequestableField

NAME = "data_export"
BUDGET = 14
LINK_DAYS = 7

ASKS = (
    "[Please|Kindly] send me a copy of all the personal data you hold about me.",
    "I'd like to exercise my right of access and get an export of my data.",
    "I want a [full|complete] export of my personal information[| under GDPR].",
    "This is a subject access request: [please|kindly] provide all data you have on me.",
    "Can I [get|have] a download of everything [you store|stored] about me?",
)
FACTS = (
    "The account is under the name {name}.",
    "I [used|use] the account [through|via] my [employer|work|company] [for a while|].",
    "I think I [asked|requested] this [before|already] but [never got it|the link didn't "
    "work|lost the email].",
    "I [wrote|am writing] from my [usual|normal|personal] address.",
    "I [left|changed] my job [recently|last year|a few months ago].",
    "I expect a reply within the legal deadline.",
)
REQUESTS = (
    "Please confirm [when|once] it's [ready|done].",
    "Let me know if you need anything from me.",
    "How long will this take?",
    "Please [send|email] it [to me|here].",
)
CONTEXT = (
    "I [care|worry] about [my privacy|where my data goes].",
    "I [read|saw] your privacy [notice|policy].",
    "I'm [moving|switching] to another [service|provider].",
)
SUBJECTS = ("Copy of my data", "Subject access request", "Data export", "GDPR access request")


def _policies(kit: Kit) -> dict[str, Policy]:
    """The knowledge base of a case (the first article states the decision rule):
    ``access_requests``, ``data_retention``."""
    return {
        "access_requests": rec.article(
            kit,
            "Access requests (data exports)",
            (
                "Act only for a verified data subject: the request must come from the "
                "account's email on file; otherwise ask for identity verification and the "
                "account's email, and wait.",
                "For accounts managed by a company workspace, the company is the "
                "controller: the workspace admin makes the request; tell the person who "
                "their admin is. Once the management has ended, the account is personal.",
                f"An export generated in the last {LINK_DAYS} days with a valid link is "
                "the answer: point the customer to it and its expiry date.",
                "Otherwise generate the export. Route to privacy_compliance. The "
                "statutory deadline is 30 days from the first request.",
            ),
            age=(100, 600),
            versions=(2, 6),
            keywords=("gdpr", "personal data", "export", "access request", "copy of my data"),
        ),
        "data_retention": Policy(
            title="Data retention",
            content="Account data is kept while the account is open and 90 days after.",
            keywords=("retention", "kept", "how long"),
        ),
    }


def generate(kit: Kit) -> dict[str, Any]:
    """Scenario fields for one seeded access-request case (see the module docstring)."""
    name = kit.person()
    first, last = name.split()[0], name.split()[-1]
    tier = kit.pick(TIERS_CONSUMER)
    roll = kit.rng.random()
    variant = (
        "unverified"
        if roll < 0.25
        else "managed"
        if roll < 0.5
        else "recent"
        if roll < 0.74
        else "fulfil"
    )
    styles, domains = kit.mailboxes(first, last)
    account_email = f"{kit.pick(styles)}@{domains[0]}.example"
    sender = (
        f"{kit.pick(styles)}@{domains[1]}.example" if variant == "unverified" else account_email
    )
    company = kit.company()
    admin = f"it-admin@{company.split()[0].lower()}.example"
    # workspace management: current, ending later, ended, or never
    if variant == "managed":
        managed = kit.pick(("current", "until_future"))
    elif variant == "unverified":
        managed = kit.pick(("current", "until_future", "ended", "none"))
    else:
        managed = kit.pick(("none", "ended", "ended"))
    since = kit.day(kit.rng.randrange(300, 900))
    ws = f"{company} workspace (admin {admin}) from {since}"
    if managed == "current":
        managed_line = ws
    elif managed == "until_future":
        managed_line = f"{ws} to {kit.day(-kit.rng.randrange(3, 60))}"
    elif managed == "ended":
        managed_line = f"{ws} to {kit.day(kit.rng.randrange(5, 290))}"
    else:
        managed_line = "none (personal account)"
    # earlier exports: one recent with a valid link, or an old expired one
    exports: list[tuple[int, str]] = []
    gen_ago = kit.rng.randrange(0, LINK_DAYS) if variant == "recent" else None
    if gen_ago is None and kit.chance(0.5):
        gen_ago = kit.rng.randrange(LINK_DAYS + 1, 200)
    if gen_ago is not None:
        exports.append(
            (
                gen_ago * 1440 + 400,
                f"export {kit.hexid('exp_', 6)} generated; link valid until "
                f"{kit.day(gen_ago - LINK_DAYS)}; not downloaded",
            )
        )
    first_request = kit.rng.randrange(1, 30) if kit.chance(0.4) else 0
    if first_request:
        exports.append((first_request * 1440 + 300, f"access request received from {sender}"))
    exports.append((100, f"access request received from {sender}"))
    facts = [tx.variant(kit, ASKS)]
    facts += [tx.fill(kit, f, name=name) for f in kit.rng.sample(FACTS, kit.rng.randint(0, 2))]
    request = tx.variant(kit, REQUESTS)
    msg = tx.message(kit, facts=facts, request=request, context=CONTEXT, name=name)
    subject = kit.pick(SUBJECTS)
    user_id = kit.ident("USR", 6)
    artifacts = {
        "account": Artifact(
            title=f"Account {user_id}",
            content=rec.record(
                kit,
                [
                    ("Name", name),
                    ("Email on file", f"{account_email} (verified)"),
                    ("Managed by", managed_line),
                ],
                [("Customer since", kit.day(kit.rng.randrange(300, 2500))), ("Tier", tier)],
            ),
        ),
        "sender": Artifact(
            title="Inbound message headers",
            content=f"From: {name} <{sender}>\nReceived: {kit.day(0)}\nDKIM: pass",
        ),
        "privacy_log": Artifact(
            title="Privacy request log", content=rec.log(kit, exports, n_noise=(0, 2))
        ),
    }
    policies = _policies(kit)
    evidence = ["ticket", "artifact:account", "artifact:sender", "artifact:privacy_log"]
    evidence.append("policy:access_requests")
    requested: tuple[RequestableField, ...] = ()
    status = "resolved"
    reply: tuple[Point, ...]
    note: tuple[Point, ...]
    forbidden: tuple[Claim, ...]
    if variant == "unverified":
        code, status = "request_verification", "waiting_on_customer"
        requested = ("identity_verification", "data_subject_email")
        reply = (point("verify_identity"), point("account_email"))
        note = (point("identity_mismatch", facts=(sender,)),)
        forbidden = claims("export", "deletion")
    elif variant == "managed":
        code = "provide_information"
        reply = (point("workspace_admin", facts=(admin,)),)
        note = (point("workspace_admin", facts=(company,)),)
        forbidden = claims("deletion")
    elif variant == "recent":
        code = "no_action_needed"
        assert gen_ago is not None
        reply = (point("export", facts=(kit.day(gen_ago - LINK_DAYS),)),)
        note = (point("export"),)
        forbidden = claims("deletion")
    else:
        code = "fulfil_privacy_request"
        reply = (point("export"), point("personal_data"))
        note = (point("identity_matched"),)
        forbidden = claims("deletion")
    return assemble(
        kit,
        difficulty="medium",
        budget=BUDGET,
        title=subject,
        objective=(
            "Work the case: establish who is asking, whose data it is and what was already "
            "sent, apply the policy, route it, note your reasoning and tell the customer."
        ),
        ticket=ticket(kit, subject, name, msg, tier, "Statutory access request (30-day deadline)."),
        artifacts=artifacts,
        policies=policies,
        status=status,
        code=code,
        queue="privacy_compliance",
        priority=impact_priority(deadline_days=30 - first_request),
        issue_type="privacy_request",
        evidence=evidence,
        requested=requested,
        answers={"data_subject_email": f"The account email is {account_email}."},
        reply=reply,
        note=note,
        forbidden=forbidden,
    )
