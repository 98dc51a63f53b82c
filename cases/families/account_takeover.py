"""Family ``account_takeover``: a customer got a "new sign-in" alert and asks whether
someone else is in their account.

Decision rule (source: the ``account_takeover`` article; priorities from
``support_priorities``; the ticket reads the same in every variant, and a trusted device of
the same model as the alerted one is a distractor: devices match by id):
- the sign-in came from a device NOT in the trusted list, on an unfamiliar network, and the
  same session changed the email, password, shipping address or payment method -> account
  takeover: ``lock_account_and_escalate_fraud``, escalated to trust_and_safety,
  urgent (a compromise in progress); the reply must promise no refund;
- an untrusted device on an unfamiliar network and no account changes ->
  ``reset_credentials`` (sign out every session, force a new password), resolved, normal
  (the customer is locked out of a safe account until the reset);
- the device id is in the trusted list (the customer's own, e.g. their registered phone)
  and no changes -> ``no_action_needed``, resolved, low (nothing blocked, no money at
  stake);
- a new device on the customer's usual home network and no changes -> ambiguous:
  ``request_info(recent_devices)``; the customer answers and the case returns to triaged:
  their own new device -> ``no_action_needed``; a device they do not know ->
  ``reset_credentials``.
"""

from __future__ import annotations

from typing import Any

from caseops.cases import text as tx
from caseops.cases.common import assemble, impact_priority, sla
from caseops.cases.kit import TIERS_CONSUMER, Kit
from caseops.domain.claims import Claim, Point, claims, point
from caseops.domain.scenario import Artifact, Policy, Ticket

NAME = "account_takeover"
BUDGET = 14

#: (device as the sign-in log names it, what the customer calls it, is it a phone)
DEVICES = (
    ("Pixel 8 (Android app)", "Pixel 8", True),
    ("iPhone 15 (iOS app)", "iPhone 15", True),
    ("Galaxy S24 (Android app)", "Galaxy S24", True),
    ("Chrome on Windows", "Windows laptop", False),
    ("Safari on macOS", "MacBook", False),
    ("Firefox on Linux", "Linux laptop", False),
    ("iPad (iOS app)", "iPad", False),
)
CITIES = (
    "Leeds",
    "Lyon",
    "Austin",
    "Porto",
    "Gdansk",
    "Osaka",
    "Toronto",
    "Melbourne",
    "Lagos",
    "Jakarta",
    "Bucharest",
    "Sao Paulo",
)
NETWORKS = ("hosting provider", "anonymising VPN", "public Wi-Fi")
MAILS = ("mailbox", "proton-mx", "inbox-safe")
ISPS = ("Vodafone Home", "Comcast", "Orange Fibre", "BT Broadband", "Telstra", "Rogers")

FACTS = (
    "I [just|] got [an email|a notification|an alert] [saying|that says] there was a new "
    "sign-in to my account from {device} near {city} on {date}.",
    "Your security alert says someone signed in [to my account|] on {date} using {device} "
    "[near|around|in] {city}.",
    "Got a '[new sign-in|new login|unusual activity]' [notification|email|alert] for {date}: "
    "{device}, {city}.",
    "[There was|I see] a sign-in [alert|warning] from {device} [around|near] {city} on {date}.",
)
WORRY = (
    "Was that someone else?",
    "I'm [worried|scared|concerned] my account has been [hacked|compromised|taken over].",
    "I don't [remember|recall] doing anything [unusual|like that].",
    "I have my card saved on the account.",
    "I use the same password on a couple of other sites, if that matters.",
    "[Nobody else|No one else] [has|knows] my password [as far as I know|].",
)
REQUESTS = (
    "[Can|Could] you check if my account is [safe|ok|secure]?",
    "Please [check|look into it] and tell me what to do.",
    "Is my account [compromised|safe]? [Please check|Let me know].",
    "What should I do [now|next]?",
)
CONTEXT = (
    "I [travel|commute] a lot for work[| so maybe it's nothing].",
    "My [kids|partner] sometimes [use|borrow] my [tablet|laptop].",
    "I [changed|updated] my phone [recently|a while ago|last month].",
)
CONCERNS = (
    "Asks for a refund of last month's membership renewal.",
    "Asks how to turn on two-factor authentication.",
    "Wants fewer security emails.",
)


def _ip(kit: Kit) -> str:
    return f"{kit.rng.randrange(11, 223)}.{kit.rng.randrange(0, 256)}.{kit.rng.randrange(256)}.x"


#: The knowledge-base articles of every case of the family (the source of its decision
#: rule; no seeded part).
POLICIES: dict[str, Policy] = {
    "account_takeover": Policy(
        title="Suspicious sign-ins and account takeover",
        content=(
            "Compare the alerted sign-in with the trusted devices (by device id, not by "
            "model name) and the change audit log. An untrusted device followed by changes "
            "to the email, password, shipping address or payment methods is an account "
            "takeover: lock the account, escalate to trust_and_safety "
            "and promise no refunds or order changes before the review ends. An untrusted "
            "device on an unfamiliar network with no changes: reset the credentials (sign "
            "out every session, force a new password), resolve. A trusted "
            "device (the customer's own) with no changes: no action needed, reassure the "
            "customer. A new device on the customer's usual home network "
            "with no changes: ask the customer about their recent devices first; their own "
            "new device needs no action, otherwise reset the credentials. Issue type: "
            "account security."
        ),
        keywords=(
            "sign-in",
            "hacked",
            "compromised",
            "takeover",
            "suspicious",
            "security alert",
        ),
    ),
    "password_help": Policy(
        title="Forgotten passwords",
        content=(
            "Customers who forgot their password can use 'Forgot password' on the sign-in "
            "page; the link is valid for 30 minutes."
        ),
        keywords=("password", "forgot", "reset link"),
    ),
    "membership_refunds": Policy(
        title="Membership renewals",
        content="Renewals are refundable within 7 days if the membership was not used.",
        keywords=("refund", "renewal", "membership"),
    ),
}


def generate(kit: Kit) -> dict[str, Any]:
    """Scenario fields for one seeded account-takeover case (see the module docstring)."""
    name = kit.person()
    first = name.split()[0]
    tier = kit.pick(TIERS_CONSUMER)
    roll = kit.rng.random()
    variant = "takeover" if roll < 0.32 else ("stranger" if roll < 0.66 else "own")
    # Some no-change cases are ambiguous: a new device id on the customer's home network.
    ambiguous = variant != "takeover" and kit.chance(0.4)
    home = kit.pick(CITIES)
    isp = kit.pick(ISPS)
    alert_device, alert_noun, _ = DEVICES[kit.rng.randrange(len(DEVICES))]
    phone_digits = f"{kit.rng.randrange(0, 10000):04d}"
    alert_id = kit.hexid("dev_")
    alert_ago = kit.rng.randrange(0, 3)
    alert_day = kit.day(alert_ago)
    alert_time = f"{kit.rng.randrange(0, 24):02d}:{kit.rng.randrange(0, 60):02d}"

    # Trusted devices: the customer's own. The alert device is among them only for "own".
    others = [d for d in DEVICES if d[0] != alert_device]
    kit.rng.shuffle(others)
    trusted = [(kit.hexid("dev_"), *others[0]), (kit.hexid("dev_"), *others[1])]
    if variant == "own" and not ambiguous:
        trusted[0] = (alert_id, *next(d for d in DEVICES if d[0] == alert_device))
    elif kit.chance(0.35):
        # Same model name as the alert, different device id: the name alone proves nothing.
        trusted[1] = (kit.hexid("dev_"), *next(d for d in DEVICES if d[0] == alert_device))
    device_lines = []
    has_phone = False
    for did, desc, _, is_phone in trusted:
        since = kit.day(kit.rng.randrange(60, 900))
        phone = ""
        if is_phone and not has_phone:
            phone, has_phone = f", the registered phone (number ending {phone_digits})", True
        device_lines.append(f"{did}: {desc}{phone}; trusted since {since}.")
    if not has_phone:
        device_lines.append(f"Registered phone number ending {phone_digits} (SMS only).")

    # Where the alerted sign-in came from.
    if ambiguous or variant == "own":
        city, network = home, f"IP {_ip(kit)} ({isp}, the customer's usual home network)"
    else:
        away = [c for c in CITIES if c != home]
        city = kit.pick(away) if kit.chance(0.75) else home
        where = NETWORKS if city == home else (*NETWORKS, "mobile carrier abroad")
        network = f"IP {_ip(kit)} ({kit.pick(where)})"
    seen = (
        f"seen before: {kit.rng.randrange(8, 120)} earlier sign-ins"
        if variant == "own" and not ambiguous
        else "first seen at this sign-in"
    )
    usual = trusted[0]
    second = trusted[1]
    history = (
        f"{alert_day} {alert_time}: sign-in OK, {alert_device}, device {alert_id} ({seen}), "
        f"{network}, located near {city}.\n"
        f"{kit.day(alert_ago + kit.rng.randrange(1, 4))}: sign-in OK, {usual[1]}, device "
        f"{usual[0]}, IP {_ip(kit)} ({isp}), located near {home}.\n"
        f"{kit.day(alert_ago + kit.rng.randrange(5, 12))}: sign-in OK, {second[1]}, device "
        f"{second[0]}, located near {home}."
    )
    if variant == "takeover":
        changes = [
            f"email changed to {first.lower()}.{kit.hexid('', 4)}@{kit.pick(MAILS)}.example",
            "password changed",
            f"new shipping address added in {kit.pick([c for c in CITIES if c != home])}",
            "new payment card added",
        ]
        kit.rng.shuffle(changes)
        picked = changes[: kit.rng.randrange(1, 4)]
        audit = (
            f"{alert_day}, within 20 minutes of the {alert_time} sign-in, same device "
            f"{alert_id}: " + "; ".join(picked) + "."
        )
    else:
        audit = (
            "No changes to email, password, shipping addresses or payment methods since "
            f"{kit.day(kit.rng.randrange(30, 300))}."
        )

    message = tx.message(
        kit,
        facts=[
            tx.variant(kit, FACTS, device=alert_device, city=city, date=alert_day),
            *kit.rng.sample(WORRY, kit.rng.randint(0, 2)),
        ],
        request=tx.variant(kit, REQUESTS),
        context=CONTEXT,
        name=name,
    )
    subject = kit.pick(
        (
            "New sign-in alert - was it me?",
            "Is my account hacked?",
            "Security alert",
            "Strange login on my account",
            "Sign-in notification",
        )
    )
    # Ambiguous cases: the answer says whether the new device is the customer's own.
    if ambiguous and variant == "own":
        devices_answer = f"Yes, that was me - I set up a new {alert_noun} at home this week."
    elif ambiguous:
        devices_answer = (
            f"No, I only use my {usual[2]} and my {second[2]}. I haven't set up anything new."
        )
    elif variant == "own":
        devices_answer = f"I use my {alert_noun} every day, and my {second[2]}."
    else:
        devices_answer = f"Only my {usual[2]} and my {second[2]}."

    artifacts = {
        "login_history": Artifact(title="Sign-in history (last 14 days)", content=history),
        "devices": Artifact(
            title="Trusted devices",
            content=(
                "\n".join(device_lines)
                + f"\nUsual location: {home}. Two-factor: {kit.pick(('off', 'SMS'))}."
            ),
        ),
        "account_changes": Artifact(title="Account change audit log", content=audit),
        "orders": Artifact(
            title="Recent orders",
            content=(
                f"{kit.ident('ORD')}: delivered {kit.day(kit.rng.randrange(10, 40))}. "
                "No orders since."
            ),
        ),
        "notifications": Artifact(
            title="Notification settings",
            content="Security alerts: email. Marketing: weekly digest.",
        ),
    }
    policies = POLICIES
    requested: tuple[str, ...] = ("recent_devices",) if ambiguous else ()
    # Outside a takeover, a separate question about a renewal refund may be answered; only
    # promises that belong to other outcomes are forbidden. The note names the device id
    # the decision rests on (the log's id, not the model name).
    off_topic = claims("replacement", "incident")
    reply_points: tuple[Point, ...]
    forbidden: tuple[Claim, ...]
    if variant == "takeover":
        code, status = "lock_account_and_escalate_fraud", "escalated"
        priority = impact_priority(compromise=True)
        reply_points = (point("locked"), point("security_team"))
        note = point("locked", facts=(alert_id,), name="finding")
        forbidden = claims("refund", "safe", "own_device")
    elif variant == "stranger":
        code, status = "reset_credentials", "resolved"
        priority = impact_priority(blocked=True)
        reply_points = (point("password_reset", name="reset"), point("sessions"))
        note = point("no_misuse", facts=(alert_id,), name="finding")
        forbidden = (*off_topic, *claims("locked", "escalated", "safe", "own_device"))
    else:
        code, status = "no_action_needed", "resolved"
        priority = impact_priority()
        reply_points = (point("own_device", facts=(alert_day,)), point("safe"))
        note = point("own_device", facts=(alert_id,), name="finding")
        forbidden = (*off_topic, *claims("locked", "escalated", "compromised", "password_reset"))
    evidence = (
        "ticket",
        "artifact:login_history",
        "artifact:devices",
        "artifact:account_changes",
        "policy:account_takeover",
    )
    return assemble(
        kit,
        difficulty="hard",
        budget=BUDGET,
        title=subject,
        objective=(
            "Work the case: check the sign-in against the account's records and the policy, "
            "route it, note your reasoning, answer the customer and settle or hand it on."
        ),
        ticket=Ticket(
            subject=subject,
            customer_name=name,
            customer_message=message,
            customer_tier=tier,
            sla_minutes=sla(kit, tier),
            affected_users=1,
            business_impact="Consumer account with a saved payment card.",
            secondary_concerns=(kit.pick(CONCERNS),) if kit.chance(0.4) else (),
            channel=kit.pick(("email", "chat")),
        ),
        artifacts=artifacts,
        policies=policies,
        status=status,
        code=code,
        queue="trust_and_safety",
        priority=priority,
        issue_type="account_security",
        evidence=evidence,
        requested=requested,  # type: ignore[arg-type]
        answers={
            "recent_devices": devices_answer,
            "account_email": f"{first.lower()}@{kit.pick(('mail', 'inbox', 'post'))}.example",
            "last_successful_login": f"Around {kit.day(alert_ago + 1)} from home.",
        },
        reply=reply_points,
        note=(note,),
        forbidden=forbidden,
    )
