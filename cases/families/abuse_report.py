"""Family ``abuse_report`` (test only): a user reports abusive content or an account.

Decision rule (source: the ``abuse_reports`` article; priorities from
``support_priorities``):
- ``moderation_record`` confirms the reported content violates policy AND
  ``reported_account`` shows two or more ACTIVE strikes (a repeat offender; expired strikes
  and dismissed reports do not count) -> ``suspend_abusive_account``, resolved;
- a confirmed violation with fewer active strikes -> the content is removed and the
  account warned: ``provide_information`` (the reporter is told action was taken);
- the content found within the community guidelines -> ``no_action_needed``, resolved;
- the ticket gives no link and the reported account has several reviewed items ->
  ``request_info(content_url)`` first; the link the reporter sends says which review
  decides (the case returns to triaged), then settle as above;
- always ``trust_and_safety`` / ``abuse_report``; priority by impact: someone is being
  abused (blocked) when a violation is confirmed, else low.
"""

from __future__ import annotations

from typing import Any

from caseops.cases.common import finish, impact_priority, skip_draw
from caseops.cases.kit import TIERS_BUSINESS, TIERS_CONSUMER, Kit
from caseops.domain.scenario import (
    Artifact,
    Claim,
    Policy,
    claim,
    claims,
    point,
)

NAME = "abuse_report"

CONTENT = ("comment", "post", "direct message", "profile bio", "review")
ABUSE = ("harassment", "hate speech", "threats", "targeted insults", "impersonation")
HANDLES = ("nightowl", "pixelpunk", "truthteller", "quietstorm", "redfox", "cobalt", "lynx")
TEMPLATES = (
    "I want to report @{handle}. Their {content} {link}is {abuse} aimed at me. {extra}",
    "Hello, a user (@{handle}) posted a {content} {link}that I consider {abuse}. {extra}"
    "Please deal with it.",
    "Reporting abuse: @{handle}'s {content} {link}- it's {abuse}. {extra}I'd like this "
    "account removed.",
    "Hi, I keep running into @{handle}. This {content} {link}is plain {abuse}. {extra}What "
    "will you do about it?",
)
EXTRAS = (
    "",
    "This isn't the first time. ",
    "I've blocked them already. ",
    "Other people in the thread saw it too. ",
)


#: Sentences a customer may add (composed text).
EXTRA_CONTEXT = (
    "[It|This] has been going on for [days|a week|a while].",
    "I [blocked|muted] them [already|but it continues].",
)
BUDGET = 14


#: The knowledge-base articles of every case of the family (the source of its decision
#: rule; no seeded part).
POLICIES: dict[str, Policy] = {
    "abuse_reports": Policy(
        title="Handling abuse reports",
        content=(
            "Decide from the moderation review of the reported content (ask the reporter "
            "for its link if they did not give one and the account has several reviewed "
            "items). A confirmed violation by an account with two or more active strikes "
            "(a repeat offender) -> suspend the account. A confirmed violation with fewer "
            "active strikes -> the content is removed and the account warned; tell the "
            "reporter action was taken. "
            "Content found within the community guidelines -> no action; "
            "thank the reporter and point to block and mute. Never share the other "
            "account's history. Route to "
            "trust_and_safety. "
            "Priority follows the shared support-priorities rule."
        ),
        keywords=("abuse", "harassment", "report", "hate", "threats", "moderation"),
    ),
    "copyright_claims": Policy(
        title="Copyright claims",
        content=(
            "Copyright takedown notices go to the legal team through the takedown form; "
            "support does not remove content on copyright grounds."
        ),
        keywords=("copyright", "dmca", "takedown", "stolen"),
    ),
}


def generate(kit: Kit) -> dict[str, Any]:
    """Scenario fields for one seeded abuse-report case (see the module docstring)."""
    name = kit.person()
    tier = kit.pick(TIERS_CONSUMER + TIERS_CONSUMER + TIERS_BUSINESS)
    handle = f"{kit.pick(HANDLES)}{kit.rng.randrange(10, 999)}"
    content = kit.pick(CONTENT)
    abuse = kit.pick(ABUSE)
    content_id = kit.hexid("c_", 8)
    url = f"https://community.example/{handle}/{content_id}"
    violation = kit.chance(0.5)
    has_link = kit.chance(0.6)
    link = f"({url}) " if has_link else ""
    message = kit.pick(TEMPLATES).format(
        handle=handle, content=content, abuse=abuse, link=link, extra=kit.pick(EXTRAS)
    )
    strikes = kit.pick((0, 0, 1, 1, 2, 3, 4))
    repeat = strikes >= 2

    def review(cid: str, bad: bool) -> str:
        moderator = f"mod-{kit.rng.randrange(10, 99)}"
        reviewed = kit.day(kit.rng.randrange(0, 2))
        verdict = (
            f"violates the {abuse} rules (confirmed); content hidden pending account action"
            if bad
            else "within the community guidelines (heated disagreement, no targeted abuse); "
            "no violation"
        )
        return f"{content} {cid}: reviewed by {moderator} on {reviewed}: {verdict}."

    # The ticket without a link: the account has several reviewed items, and only the
    # link the reporter sends says which one they mean (the answer decides).
    reviews = [(content_id, review(content_id, violation))]
    if not has_link:
        for _ in range(kit.rng.randint(1, 2)):
            other = kit.hexid("c_", 8)
            reviews.append((other, review(other, not violation if kit.chance(0.7) else violation)))
    reviews.sort()
    finding = "\n".join(r for _, r in reviews)
    dismissed = kit.rng.randrange(0, 4)
    history = (
        f"Active strikes: {strikes}"
        + (f" (last on {kit.day(kit.rng.randrange(10, 120))})" if strikes else "")
        + "."
        + (f" Expired strikes: {kit.rng.randrange(1, 3)}." if kit.chance(0.3) else "")
        + (f" Earlier reports dismissed after review: {dismissed}." if dismissed else "")
    )
    priority = impact_priority(blocked=violation)
    artifacts = {
        "moderation_record": Artifact(title=f"Moderation reviews: @{handle}", content=finding),
        "reported_account": Artifact(
            title=f"Account @{handle}",
            content=(
                f"Joined {kit.day(kit.rng.randrange(30, 2000))}; "
                f"{kit.rng.randrange(3, 40000):,} followers. {history}"
            ),
        ),
        "reporter_account": Artifact(
            title=f"Reporter {name}",
            content=(
                f"{tier} tier since {kit.day(kit.rng.randrange(60, 1500))}; "
                f"earlier reports filed: {kit.rng.randrange(0, 4)}; account in good standing."
            ),
        ),
    }
    policies = POLICIES
    evidence = (
        "ticket",
        "artifact:moderation_record",
        "artifact:reported_account",
        "policy:abuse_reports",
    )
    requested: tuple[str, ...] = () if has_link else ("content_url",)
    thanks = point("thanks")
    if violation and repeat:
        outcome = point("action_taken")
        note = point("repeat_offender")
        forbidden: tuple[Claim, ...] = (
            claim("violation", negated=True, name="no_violation"),
            claim("action_taken", negated=True, name="no_action"),
            *claims("refund", "escalated", "incident", "password_reset"),
        )
        code = "suspend_abusive_account"
    elif violation:
        outcome = point("content_removed")
        note = point("violation", name="first_offence")
        forbidden = (
            claim("violation", negated=True, name="no_violation"),
            *claims("refund", "escalated", "incident", "password_reset"),
        )
        code = "provide_information"
    else:
        outcome = point("violation", negated=True, name="no_violation")
        note = point("violation", negated=True, name="within_guidelines")
        forbidden = claims("action_taken", "refund", "escalated", "incident", "password_reset")
        code = "no_action_needed"
    subject = kit.pick(
        (f"Reporting @{handle}", "Abusive user", "Harassment report", "Report a user")
    )
    skip_draw(kit, (60, 120, 240))
    asks_anonymity = kit.chance(0.35)
    return finish(
        kit,
        budget=BUDGET,
        difficulty="medium",
        context=EXTRA_CONTEXT,
        subject=subject,
        name=name,
        message=message,
        tier=tier,
        impact="One user reports abusive content.",
        concerns=(
            ("Asks whether the other user will know who reported them.",) if asks_anonymity else ()
        ),
        artifacts=artifacts,
        policies=policies,
        answers={"content_url": url},
        status="resolved",
        code=code,
        queue="trust_and_safety",
        priority=priority,
        issue_type="abuse_report",
        evidence=evidence,
        requested=requested,
        reply=(outcome, thanks),
        note=(note,),
        forbidden=forbidden,
    )
