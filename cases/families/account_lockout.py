"""Family ``account_lockout``: a user is locked out (password attempts or lost two-factor).

Decision rule (source: the ``account_recovery`` article; priorities from
``support_priorities``):
- the sender of the ticket (``sender`` artifact) is the email on file (``account``) AND
  the login history shows a successful verified sign-in within the last 30 days ->
  ``reset_credentials``, resolved;
- otherwise (a different address, or no verified sign-in for more than 30 days) the
  requester cannot be verified from the records -> ``request_info(identity_verification)``;
  the customer cannot send it at once, so the case stays ``waiting_on_customer`` and is
  submitted with ``request_verification``;
- password lockouts go to ``general_support``, two-factor lockouts to
  ``technical_support``;
- priority by impact (``support_priorities``): the users blocked with the customer (a
  workspace's only admin blocks the team) and the tier.
"""

from __future__ import annotations

from typing import Any

from caseops.cases.common import finish, impact_priority, skip_draw
from caseops.cases.kit import TIERS_BUSINESS, TIERS_CONSUMER, Kit, slug
from caseops.domain.scenario import Artifact, Claim, Policy, claims, point

NAME = "account_lockout"

PASSWORD_PROBLEMS = (
    "I'm locked out of my account after too many password attempts.",
    "my account got locked after I mistyped my password a few times.",
    "I keep getting 'account locked' when I try to sign in with my password.",
)
TWO_FACTOR_PROBLEMS = (
    "I switched phones and my authenticator app no longer gives valid codes, so I can't "
    "get past two-factor.",
    "I lost the phone with my two-factor codes and now I can't sign in.",
    "my 2FA codes are rejected every time since I reinstalled the authenticator app.",
)
TEMPLATES = (
    "Hi, {problem} {extra}Can you get me back in?",
    "Hello - {problem} {extra}I need access today, please help.",
    "Quick one: {problem} {extra}What do I need to do?",
    "Support team, {problem} {extra}Please unlock it as soon as you can.",
    "Hey, {problem} {extra}This is blocking my work.",
)
EXTRAS = (
    "",
    "I have a deadline this afternoon. ",
    "I already tried the 'forgot password' page twice. ",
    "My colleagues can still sign in fine. ",
)
DEVICES = ("MacBook (Chrome)", "Windows laptop (Edge)", "iPhone app", "Android app", "iPad")
CITIES = ("Lisbon", "Toronto", "Manchester", "Osaka", "Austin", "Berlin", "Nairobi")


#: Sentences a customer may add (composed text).
EXTRA_CONTEXT = (
    "I [have|had] [a deadline|a presentation|a report due] [today|tomorrow].",
    "I [tried|did] the reset [twice|several times|already].",
)
BUDGET = 14


#: The knowledge-base articles of every case of the family (the source of its decision
#: rule; no seeded part).
POLICIES: dict[str, Policy] = {
    "account_recovery": Policy(
        title="Locked accounts and credential resets",
        content=(
            "Before resetting a password or two-factor on a locked account, verify the "
            "requester from our records: the request must come from the email on file "
            "AND the sign-in history must show a successful verified sign-in within the "
            "last 30 days. If both hold, reset the credentials (send a reset link or "
            "reset two-factor) and resolve. If either fails, do not reset anything: ask "
            "for identity verification and wait for it. Password lockouts go to "
            "general_support, two-factor lockouts to technical_support. "
            "Priority follows the shared support-priorities rule."
        ),
        keywords=("locked", "lockout", "locked out", "password", "two-factor", "2fa", "reset"),
    ),
    "account_takeover": Policy(
        title="Suspected account takeover",
        content=(
            "If a customer reports sign-ins or changes they did not make, lock the "
            "account and escalate to trust_and_safety as suspected fraud."
        ),
        keywords=("takeover", "hacked", "unauthorized", "fraud", "compromised"),
    ),
}


def generate(kit: Kit) -> dict[str, Any]:
    """Scenario fields for one seeded account-lockout case (see the module docstring)."""
    name = kit.person()
    first, last = name.split()[0], name.split()[-1]
    company = kit.company()
    domain = slug(company.split()[0]) + ".example"
    tier = kit.pick(TIERS_CONSUMER + TIERS_BUSINESS)
    two_factor = kit.chance(0.5)
    account_email = f"{slug(first)}.{slug(last)}@{domain}"
    personal_email = f"{slug(first)}{slug(last)}{kit.rng.randrange(10, 99)}@mailbox.example"

    # verified 50%; unverified: a different sender address, or a dormant account.
    variant = kit.pick(("verified",) * 10 + ("other_sender",) * 5 + ("dormant",) * 5)
    verified = variant == "verified"
    sender = personal_email if variant == "other_sender" else account_email
    last_login_days = (
        kit.rng.randrange(45, 260) if variant == "dormant" else kit.rng.randrange(1, 28)
    )
    sole_admin = kit.chance(0.4)
    team = kit.rng.randrange(4, 60) if sole_admin else 1
    priority = impact_priority(blocked=True, users=team, enterprise=tier == "enterprise")
    queue = "technical_support" if two_factor else "general_support"
    lock_day = kit.rng.randrange(0, 2)

    problem = kit.pick(TWO_FACTOR_PROBLEMS if two_factor else PASSWORD_PROBLEMS)
    message = kit.pick(TEMPLATES).format(problem=problem, extra=kit.pick(EXTRAS))
    user_id = kit.ident("USR", 6)
    lock_line = (
        f"Two-factor challenge failed 5 times on {kit.day(lock_day)} at {kit.clock()}; "
        "sign-in blocked pending a two-factor reset."
        if two_factor
        else f"{kit.rng.randrange(5, 12)} failed password attempts on {kit.day(lock_day)} at "
        f"{kit.clock()}; account locked."
    )
    artifacts = {
        "account": Artifact(
            title=f"Account {user_id}",
            content=(
                f"Name: {name}. Email on file: {account_email} (verified "
                f"{kit.day(kit.rng.randrange(300, 900))}). Workspace: {company}, "
                + (
                    f"role: owner and only admin of {team} members. "
                    if sole_admin
                    else "role: member (two other admins). "
                )
                + f"Two-factor: {'authenticator app' if two_factor else 'off'}. Status: locked."
            ),
        ),
        "login_history": Artifact(
            title="Sign-in history",
            content=(
                f"Last successful verified sign-in: {kit.day(last_login_days)} from "
                f"{kit.pick(DEVICES)} in {kit.pick(CITIES)}. {lock_line}"
            ),
        ),
        "sender": Artifact(
            title="Inbound message headers",
            content=(
                f"From: {name} <{sender}>. Received {kit.day(0)}. SPF pass, DKIM pass. "
                f"Phone on file: ending {kit.rng.randrange(10, 99)}."
            ),
        ),
        "billing": Artifact(
            title="Subscription",
            content=(
                f"Plan: {kit.pick(('Starter', 'Team', 'Pro'))}, paid through "
                f"{kit.day(-kit.rng.randrange(5, 300))}. Last payment {kit.money(9, 240)} "
                "succeeded. No open invoices."
            ),
        ),
    }
    policies = POLICIES
    evidence = (
        "ticket",
        "artifact:account",
        "artifact:login_history",
        "artifact:sender",
        "policy:account_recovery",
    )
    requested: tuple[str, ...] = () if verified else ("identity_verification",)
    if verified:
        reply_markers = (
            point("password_reset", name="reset"),
            point("sign_in"),
        )
        note = point("identity_matched", name="verified")
        forbidden: tuple[Claim, ...] = claims("verify_identity", "escalated", "incident", "refund")
    else:
        reply_markers = (
            point("verify_identity", name="verification"),
            point("security"),
        )
        note = point("identity_mismatch", name="not_verified")
        forbidden = claims("password_reset", "escalated", "incident", "refund")
    subject = kit.pick(
        ("Locked out of my account", "Can't sign in", "Account locked", "Login help")
    )
    skip_draw(kit, (120, 240, 480))
    concerns = (
        (
            kit.pick(
                (
                    "Asks whether saved drafts are kept.",
                    "Wants to switch two-factor to SMS.",
                    "Asks how to avoid this next time.",
                )
            ),
        )
        if kit.chance(0.35)
        else ()
    )
    return finish(
        kit,
        budget=BUDGET,
        difficulty="medium",
        context=EXTRA_CONTEXT,
        subject=subject,
        name=name,
        message=message,
        tier=tier,
        impact=(
            f"Only admin of the {company} workspace ({team} members) cannot sign in."
            if sole_admin
            else "One user cannot sign in."
        ),
        users=team,
        concerns=concerns,
        artifacts=artifacts,
        policies=policies,
        answers={"account_email": account_email},
        unanswered_reply=f"{first} has not sent any identity documents yet.",
        status="resolved" if verified else "waiting_on_customer",
        code="reset_credentials" if verified else "request_verification",
        queue=queue,
        priority=priority,
        issue_type="account_access",
        evidence=evidence,
        requested=requested,
        reply=reply_markers,
        note=(note,),
        forbidden=forbidden,
    )
