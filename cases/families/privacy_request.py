"""Family ``privacy_request``: a customer asks for their account and personal data to be
erased.

Decision rule (source: the ``privacy_requests`` article, clauses 1-5; priorities from
``support_priorities``):

1. Act only for a verified data subject. The request must come from the account's email
   on file (``sender`` headers against ``account``); from any other address ->
   ``request_info(identity_verification, data_subject_email)``, the case waits on the
   customer, submitted as ``request_verification``.
2. Even from the address on file: when ``account_audit`` shows that address was set
   within the last 14 days (a recent email change, the pattern of a takeover), the
   address does not verify -> ``request_info(identity_verification)``, waiting,
   ``request_verification``. Older email changes do not matter.
3. Verified, and ``account_standing`` shows an ACTIVE legal hold or an UNPAID invoice ->
   erasure is blocked: ``provide_information`` (what blocks it, by its id), resolved.
   A hold marked released, or an invoice marked paid, blocks nothing.
4. Verified and nothing active blocks it -> ``fulfil_privacy_request``, resolved.
5. Queue ``privacy_compliance``; priority: the statutory deadline is 30 days from the
   FIRST request (``privacy_log``); 3 days or fewer left -> high, else low.
"""

from __future__ import annotations

from typing import Any

from caseops.cases import records as rec
from caseops.cases import text as tx
from caseops.cases.common import assemble, impact_priority, sla
from caseops.cases.kit import TIERS_BUSINESS, TIERS_CONSUMER, Kit
from caseops.domain.claims import Claim, Point, claim, claims, point
from caseops.domain.scenario import Artifact, Policy, Ticket
from caseops.domain.vocab import RequestableField

NAME = "privacy_request"
BUDGET = 14
RECENT_CHANGE_DAYS = 14

ASKS = (
    "[Please|Kindly] delete my account and all the personal data you hold about me.",
    "I'm exercising my right to erasure - [erase|delete|remove] everything you have on me.",
    "I want my personal data permanently [deleted|erased|removed][| under GDPR].",
    "[Close|Delete] my account and [wipe|erase|delete] my data, [please|thanks].",
    "This is a formal request under Article 17 GDPR to erase my personal data.",
)
FACTS = (
    "The account is under the name {name}.",
    "I [no longer|don't] use the service[| any more].",
    "I [wrote|am writing] from my [usual|normal|own] address.",
    "I'm not happy about the marketing emails either.",
    "I asked [for this|about this] [before|already|a while ago] and heard nothing.",
    "I [changed|updated] my email [recently|a while back|last year], in case that matters.",
    "I expect a reply within the legal deadline.",
)
REQUESTS = (
    "Please confirm when it's done.",
    "Let me know if you need anything from me.",
    "[Can|Could] you confirm [this|the deletion] in writing?",
    "How long will this take?",
    "Please [action|process] this [without delay|promptly|asap].",
)
CONTEXT = (
    "I [care|worry] about [my privacy|where my data goes].",
    "I [read|saw] your privacy [notice|policy].",
    "I [had|have] a [bad|poor] experience [with you|recently].",
)
SUBJECTS = (
    "Delete my data",
    "GDPR request",
    "Personal data request",
    "Privacy request",
    "Right to erasure",
    "Account deletion",
)


def _policies(kit: Kit) -> dict[str, Policy]:
    """The knowledge base of a case (the first article states the decision rule):
    ``privacy_requests``, ``marketing_emails``."""
    return {
        "privacy_requests": rec.article(
            kit,
            "Erasure requests",
            (
                "Act only for a verified data subject: the request must come from the "
                "account's email on file. From any other address, delete nothing: ask "
                "for identity verification and the account's email, and wait.",
                f"An email address set within the last {RECENT_CHANGE_DAYS} days does "
                "not verify a request (account takeovers change it first): ask for "
                "identity verification and wait.",
                "A verified request is fulfilled unless an active legal hold or an "
                "unpaid invoice blocks it: then explain what blocks erasure, by its "
                "reference. Released holds and paid invoices block nothing.",
                "Route to privacy_compliance. The statutory deadline is 30 days from the "
                "first request.",
            ),
            age=(100, 600),
            versions=(2, 6),
            keywords=("gdpr", "personal data", "delete", "deletion", "erasure", "erase"),
        ),
        "marketing_emails": Policy(
            title="Marketing email preferences",
            content=(
                "Customers can unsubscribe from marketing emails from any email footer or "
                "in account settings; changes apply within 48 hours."
            ),
            keywords=("marketing", "unsubscribe", "newsletter", "emails"),
        ),
    }


def generate(kit: Kit) -> dict[str, Any]:
    """Scenario fields for one seeded erasure-request case (see the module docstring)."""
    name = kit.person()
    first, last = name.split()[0], name.split()[-1]
    tier = kit.pick(TIERS_CONSUMER + TIERS_CONSUMER + TIERS_BUSINESS)
    roll = kit.rng.random()
    verify = "other" if roll < 0.25 else "recent" if roll < 0.5 else "ok"
    styles, domains = kit.mailboxes(first, last)
    account_email = f"{kit.pick(styles)}@{domains[0]}.example"
    other_email = f"{kit.pick(styles)}@{domains[1]}.example"
    old_email = f"{kit.pick(styles)}@{domains[2]}.example"
    sender = other_email if verify == "other" else account_email
    changed = (
        kit.rng.randrange(0, RECENT_CHANGE_DAYS)
        if verify == "recent"
        else kit.rng.randrange(RECENT_CHANGE_DAYS + 1, 900)
    )

    # what stands in the way of erasure: holds and invoices, active or settled
    hold_id, invoice = kit.ident("LH", 4), kit.ident("INV", 6)
    amount = kit.money(12, 900)
    blocker = kit.chance(0.5)
    which = kit.pick(("hold", "invoice"))
    lines = []
    settled = kit.pick(("released", "none", "none"))
    hold_state = "active" if blocker and which == "hold" else settled
    if hold_state == "active":
        lines.append(
            f"Legal hold {hold_id}: placed {kit.day(kit.rng.randrange(10, 200))} by legal "
            "(pending dispute); status active."
        )
    elif hold_state == "released":
        lines.append(
            f"Legal hold {hold_id}: placed {kit.day(kit.rng.randrange(200, 400))} by legal; "
            f"status released {kit.day(kit.rng.randrange(5, 150))}."
        )
    else:
        lines.append("Legal holds: none.")
    if blocker and which == "invoice":
        lines.append(
            f"Invoice {invoice}: {amount}, due {kit.day(kit.rng.randrange(5, 60))}; status unpaid."
        )
    else:
        lines.append(
            f"Invoice {invoice}: {amount}, due {kit.day(kit.rng.randrange(30, 200))}; status "
            f"paid {kit.day(kit.rng.randrange(5, 25))}."
        )
    kit.rng.shuffle(lines)
    blocked_by = (hold_id if which == "hold" else invoice) if blocker else ""

    first_request = kit.rng.randrange(1, 30) if kit.chance(0.45) else 0
    deadline = 30 - first_request
    log_lines: list[tuple[int, str]] = []
    if first_request:
        log_lines.append(
            (first_request * 1440 + 300, f"erasure request received from {sender}; unanswered")
        )
    log_lines.append((200, f"erasure request received from {sender}"))
    if kit.chance(0.4):
        log_lines.append(
            (kit.rng.randrange(100, 600) * 1440, "access request fulfilled (export sent)")
        )
    audit = [
        (changed * 1440 + 500, f"email changed from {old_email} to {account_email}"),
        (kit.rng.randrange(1, 300) * 1440, "password changed"),
    ]
    if kit.chance(0.5):
        audit.append((kit.rng.randrange(1, 300) * 1440, "marketing preferences updated"))

    user_id = kit.ident("USR", 6)
    facts = [tx.variant(kit, ASKS)]
    facts += [tx.fill(kit, f, name=name) for f in kit.rng.sample(FACTS, kit.rng.randint(0, 2))]
    msg = tx.compose(kit, facts, REQUESTS, CONTEXT, name)
    subject = kit.pick(SUBJECTS)
    artifacts = {
        "account": Artifact(
            title=f"Account {user_id}",
            content=rec.record(
                kit,
                [
                    ("Name", name),
                    ("Email on file", f"{account_email} (verified)"),
                    ("Tier", tier),
                ],
                [
                    ("Customer since", kit.day(kit.rng.randrange(400, 2500))),
                    ("Language", kit.pick(("en", "de", "fr", "es"))),
                ],
            ),
        ),
        "sender": Artifact(
            title="Inbound message headers",
            content=f"From: {name} <{sender}>\nReceived: {kit.day(0)}\nSPF: pass",
        ),
        "account_audit": Artifact(title="Account audit log", content=rec.log(kit, audit)),
        "account_standing": Artifact(title="Billing and legal standing", content="\n".join(lines)),
        "privacy_log": Artifact(
            title="Privacy request log", content=rec.log(kit, log_lines, n_noise=(0, 1))
        ),
    }
    policies = _policies(kit)
    evidence = [
        "ticket",
        "artifact:account",
        "artifact:sender",
        "artifact:account_audit",
        "artifact:privacy_log",
    ]
    requested: tuple[RequestableField, ...] = ()
    common = claims("refund", "escalated", "locked")
    reply: tuple[Point, ...]
    note: tuple[Point, ...]
    forbidden: tuple[Claim, ...]
    if verify == "other":
        code, status = "request_verification", "waiting_on_customer"
        requested = ("identity_verification", "data_subject_email")
        reply = (point("verify_identity"), point("account_email"))
        note = (point("identity_mismatch", facts=(sender,)),)
        forbidden = (
            claim("deletion"),
            claim("deletion", negated=True, name="cannot_delete"),
            *common,
        )
    elif verify == "recent":
        code, status = "request_verification", "waiting_on_customer"
        requested = ("identity_verification",)
        reply = (point("verify_identity"), point("account_email", facts=(kit.day(changed),)))
        note = (point("account_email", facts=(kit.day(changed),), name="recent_change"),)
        forbidden = (
            claim("deletion"),
            claim("deletion", negated=True, name="cannot_delete"),
            *common,
        )
    elif blocker:
        evidence.append("artifact:account_standing")
        code, status = "provide_information", "resolved"
        reason = "legal_hold" if which == "hold" else "open_invoice"
        reply = (
            point("deletion", negated=True, name="blocked"),
            point(reason, facts=(blocked_by,)),
        )
        note = (point(reason, facts=(blocked_by,)),)
        forbidden = (claim("deletion"), *common)
    else:
        evidence.append("artifact:account_standing")
        code, status = "fulfil_privacy_request", "resolved"
        reply = (point("deletion", facts=(user_id,)), point("personal_data"))
        note = (point("identity_matched"),)
        forbidden = (
            claim("deletion", negated=True, name="cannot_delete"),
            *claims("legal_hold", "open_invoice"),
            *common,
        )
    evidence.append("policy:privacy_requests")
    return assemble(
        kit,
        difficulty="medium",
        budget=BUDGET,
        title=subject,
        objective=(
            "Work the case: establish who is asking and what stands in the way from the "
            "records and the policy, route it, note your reasoning and tell the customer "
            "what happens next."
        ),
        ticket=Ticket(
            subject=subject,
            customer_name=name,
            customer_message=msg,
            customer_tier=tier,
            sla_minutes=sla(kit, tier),
            affected_users=1,
            business_impact="Statutory privacy request (30-day deadline).",
            secondary_concerns=(("Wants to stop marketing emails.",) if kit.chance(0.3) else ()),
        ),
        artifacts=artifacts,
        policies=policies,
        status=status,
        code=code,
        queue="privacy_compliance",
        priority=impact_priority(deadline_days=deadline),
        issue_type="privacy_request",
        evidence=evidence,
        requested=requested,
        answers={"data_subject_email": f"The account email is {account_email}."},
        reply=reply,
        note=note,
        forbidden=forbidden,
    )
