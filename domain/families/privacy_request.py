"""Family ``privacy_request``: a customer asks for an export or the deletion of their data.

Facts that decide the gold:
- the ticket's sender (``sender``) is not the account's verified email (``account``) ->
  the data subject cannot be verified: ``request_info(identity_verification,
  data_subject_email)``; the customer names the account email but cannot send proof of
  identity at once, so the case stays ``waiting_on_customer``, submitted with
  ``request_verification``;
- verified sender, deletion request, and ``account_standing`` shows an open invoice or a
  legal hold -> deletion is blocked: ``provide_information``, resolved;
- otherwise (verified export, or verified deletion with nothing blocking) ->
  ``fulfil_privacy_request``, resolved;
- always ``privacy_compliance`` / ``privacy_request``; ``privacy_log`` shows an earlier
  request 20 or more days ago (the 30-day deadline is close) -> ``high``, else ``normal``.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from caseops.domain.families.common import OBJECTIVE, finish, impact_priority
from caseops.domain.families.kit import TIERS_BUSINESS, TIERS_CONSUMER, Kit
from caseops.domain.scenario import (
    Artifact,
    Claim,
    Customer,
    Gold,
    Point,
    Policy,
    Ticket,
    claim,
    claims,
    point,
)

NAME = "privacy_request"

EXPORT_ASKS = (
    "please send me a copy of all the personal data you hold about me",
    "I'd like to exercise my right of access and get an export of my data",
    "I want a full export of my personal information under GDPR",
)
DELETE_ASKS = (
    "please delete my account and all the personal data you hold about me",
    "I'm exercising my right to erasure - erase everything you have on me",
    "I want my personal data permanently deleted under GDPR",
)
TEMPLATES = (
    "Hello, {ask}. The account is under the name {name}. {extra}",
    "To whom it may concern: {ask}. {extra}Please confirm when it's done.",
    "Hi - {ask}. {extra}I expect a reply within the legal deadline.",
    "Data request: {ask}. My name is {name}. {extra}Thanks.",
    "{ask_cap}. {extra}Let me know if you need anything from me.",
)
EXTRAS = (
    "",
    "I no longer use the service. ",
    "I wrote from my usual address. ",
    "I'm not happy about the marketing emails either. ",
)


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


def _case(kit: Kit) -> dict[str, Any]:
    """Scenario fields for one seeded privacy-request case (see the module docstring)."""
    name = kit.person()
    first, last = name.split()[0], name.split()[-1]
    tier = kit.pick(TIERS_CONSUMER + TIERS_CONSUMER + TIERS_BUSINESS)
    deletion = kit.chance(0.7)
    verified = kit.chance(0.65)
    blocker = kit.pick(("invoice", "legal_hold")) if deletion and kit.chance(0.62) else None
    account_email = f"{_slug(first)}.{_slug(last)}@{kit.pick(('inbox', 'post', 'mailer'))}.example"
    other_email = f"{_slug(first)[0]}{_slug(last)}{kit.rng.randrange(100, 999)}@webmail.example"
    sender = account_email if verified else other_email
    earlier = kit.chance(0.35)
    earlier_days = kit.rng.randrange(20, 28) if earlier else 0
    priority = impact_priority(deadline_days=30 - earlier_days if earlier else None)
    ask = kit.pick(DELETE_ASKS if deletion else EXPORT_ASKS)
    message = kit.pick(TEMPLATES).format(
        ask=ask, ask_cap=ask[0].upper() + ask[1:], name=name, extra=kit.pick(EXTRAS)
    )
    user_id = kit.ident("USR", 6)
    invoice = kit.ident("INV", 6)
    amount = kit.money(12, 900)
    if blocker == "invoice":
        standing = (
            f"Open invoice {invoice} for {amount}, due {kit.day(kit.rng.randrange(5, 60))}, "
            "unpaid. No legal holds."
        )
    elif blocker == "legal_hold":
        standing = (
            f"No open invoices. Legal hold {kit.ident('LH', 4)} placed "
            f"{kit.day(kit.rng.randrange(10, 200))} by legal (pending dispute); active."
        )
    else:
        standing = (
            f"No open invoices (last invoice {invoice}, {amount}, paid "
            f"{kit.day(kit.rng.randrange(20, 200))}). No legal holds."
        )
    log = (
        f"Earlier request from this person logged {kit.day(earlier_days)} (day {earlier_days} "
        "of the 30-day deadline); not yet answered."
        if earlier
        else "No earlier privacy requests for this account."
    )
    artifacts = {
        "account": Artifact(
            title=f"Account {user_id}",
            content=(
                f"Name: {name}. Email on file: {account_email} (verified). Customer since "
                f"{kit.day(kit.rng.randrange(200, 2500))}. Tier: {tier}."
            ),
        ),
        "sender": Artifact(
            title="Inbound message headers",
            content=f"From: {name} <{sender}>. Received {kit.day(0)}. SPF pass.",
        ),
        "account_standing": Artifact(title="Billing and legal standing", content=standing),
        "privacy_log": Artifact(title="Privacy request log", content=log),
        "marketing_prefs": Artifact(
            title="Marketing preferences",
            content=(
                "Newsletter: "
                + kit.pick(("subscribed", "unsubscribed"))
                + f" since {kit.day(kit.rng.randrange(30, 400))}. Partner offers: off."
            ),
        ),
    }
    policies = {
        "privacy_requests": Policy(
            title="Data export and deletion requests",
            content=(
                "Act only for a verified data subject: the request must come from the "
                "account's verified email. If it comes from any other address, do not "
                "export or delete anything: ask for identity verification and the data "
                "subject's account email, and wait. A verified export request is fulfilled. "
                "A verified deletion request is fulfilled unless the account has an open "
                "invoice or an active legal hold; then deletion is blocked, so explain why "
                "and what has to happen first (provide information). Route to "
                "privacy_compliance. The statutory deadline is 30 days from the first "
                "request."
                " "
                "Priority follows the shared support-priorities rule."
            ),
            keywords=("gdpr", "personal data", "export", "delete", "deletion", "erasure"),
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
    evidence = ["ticket", "artifact:account", "artifact:sender", "artifact:privacy_log"]
    if deletion and verified:
        evidence.append("artifact:account_standing")
    evidence.append("policy:privacy_requests")

    requested: tuple[str, ...] = ()
    common_forbidden = claims("refund", "escalated", "incident", "locked")
    if not verified:
        code, status = "request_verification", "waiting_on_customer"
        requested = ("identity_verification", "data_subject_email")
        reply_markers: tuple[Point, ...] = (
            point("verify_identity", name="verification"),
            point("account_email", name="email"),
        )
        note = point("identity_mismatch", name="not_verified")
        forbidden: tuple[Claim, ...] = (
            *claims("deletion", "export", "legal_hold"),
            claim("deletion", negated=True, name="cannot_delete"),
            *common_forbidden,
        )
        difficulty = "medium"
    elif blocker is not None:
        code, status = "provide_information", "resolved"
        reason = "open_invoice" if blocker == "invoice" else "legal_hold"
        reply_markers = (
            point("deletion", negated=True, name="blocked"),
            point(reason, name="reason"),
        )
        note = point(reason, name="blocker")
        forbidden = (*claims("deletion", "export"), *common_forbidden)
        difficulty = "hard"
    else:
        code, status = "fulfil_privacy_request", "resolved"
        if deletion:
            outcome = point("deletion")
            other: tuple[Claim, ...] = (
                claim("export"),
                claim("deletion", negated=True, name="cannot_delete"),
            )
        else:
            outcome = point("export")
            other = (claim("deletion"),)
        reply_markers = (
            outcome,
            point("personal_data", name="data"),
        )
        note = point("identity_matched", name="verified")
        forbidden = (*other, *claims("legal_hold", "open_invoice"), *common_forbidden)
        difficulty = "easy" if not deletion else "medium"
    # review, classify, artifacts, one policy, [request], note, reply, resolve|submit
    optimal = 2 + (len(evidence) - 1) + int(bool(requested)) + 3
    return {
        "difficulty": difficulty,
        "title": "Data " + ("deletion" if deletion else "export") + " request",
        "objective": (
            "Verify the data subject, check what the request needs, apply the privacy "
            "policy, route the case, tell the customer what happens next and settle it."
        ),
        "ticket": Ticket(
            subject=kit.pick(
                (
                    "Delete my data" if deletion else "Copy of my data",
                    "GDPR request",
                    "Personal data request",
                    "Privacy request",
                )
            ),
            customer_name=name,
            customer_message=message,
            customer_tier=tier,
            sla_minutes=kit.rng.choice((480, 720, 1440)),
            affected_users=1,
            business_impact="Statutory privacy request (30-day deadline).",
            secondary_concerns=(("Wants to stop marketing emails.",) if kit.chance(0.3) else ()),
        ),
        "artifacts": artifacts,
        "policies": policies,
        "customer": Customer(
            answers={"data_subject_email": f"The account email is {account_email}."},
            unanswered_reply=f"{first} has not sent proof of identity yet.",
        ),
        "step_budget": optimal + 6,
        "gold": Gold(
            final_status=status,
            resolution_code=code,
            queue="privacy_compliance",
            priority=priority,
            issue_type="privacy_request",
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
    "I [care|worry] about [my privacy|where my data goes].",
    "I [read|saw] your privacy [notice|policy].",
)
BUDGET = 14


def generate(kit: Kit) -> dict[str, Any]:
    """Scenario fields for one seeded case (see the module docstring); the ticket text
    is composed by :mod:`caseops.domain.families.text` around the family's sentences."""
    return finish(
        kit,
        _case(kit),
        budget=BUDGET,
        difficulty="medium",
        objective=OBJECTIVE,
        context=EXTRA_CONTEXT,
    )
