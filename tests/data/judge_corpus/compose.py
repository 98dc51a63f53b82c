"""Compose the labelled judge corpus (``replies.jsonl``, ``notes.jsonl``) from hand-written
sentences. Run: ``.venv/bin/python tests/data/judge_corpus/compose.py``.

Each concept has sentences a support lead would write, in two disjoint pools: ``dev``
(the judge may be tuned on them) and ``test`` (written before any tuning, in other
wording; never used to tune). A text's labels follow from what it was composed of: the
points stated with their polarity, the forbidden claims asserted. Categories: good,
paraphrased (the test pool's wording), negation (the outcome point negated), wrong
promise (a forbidden claim asserted on top of a good reply), vague, off-topic.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from caseops.cases.catalog import SEED_SCENARIOS
from caseops.cases.generator import FAMILY_NAMES, generate, split_refs
from caseops.domain.lexicon import OPPOSITES, SAY

HERE = Path(__file__).parent

# concept -> (dev asserted, test asserted, dev negated, test negated); "{f}" = the facts
POOL: dict[str, tuple[list[str], list[str], list[str], list[str]]] = {
    "apology": (
        ["I'm really sorry about this.", "Apologies for the hassle."],
        ["We regret the inconvenience this caused you.", "So sorry to hear that!"],
        [],
        [],
    ),
    "thanks": (
        ["Thanks for flagging this."],
        ["We appreciate you taking the time to report it."],
        [],
        [],
    ),
    "refund": (
        ["We've issued a refund to your card.", "You'll get your money back on the original card."],
        [
            "The amount has been reimbursed to your payment method.",
            "We processed a refund for you today.",
        ],
        ["We won't be able to refund this.", "A refund isn't possible here."],
        ["Unfortunately we cannot reimburse this purchase.", "We are unable to offer a refund."],
    ),
    "replacement": (
        ["A replacement is being sent out today.", "We'll ship you a new one right away."],
        [
            "We're sending you another one free of charge.",
            "A fresh unit will be dispatched to you.",
        ],
        ["We can't replace it, sadly.", "A replacement isn't possible."],
        ["We are not able to send a replacement.", "Sadly there will be no replacement."],
    ),
    "reship": (
        ["We'll reship the order today.", "We will send the correct item out again."],
        ["A new parcel is being dispatched to you.", "We're shipping the right item to you now."],
        ["We won't reship it.", "There's no need to resend anything."],
        ["We will not send another parcel.", "Nothing will be shipped again."],
    ),
    "return": (
        ["Please send the item back to us.", "You'll need to return it first."],
        ["Kindly post the item back.", "Please ship it back to our warehouse."],
        ["There's no need to return anything.", "You don't have to send it back."],
        ["Please don't bother returning the damaged one.", "No return is necessary."],
    ),
    "locked": (
        ["We've locked your account for now.", "Your account has been frozen to protect it."],
        ["We temporarily suspended access to the account.", "The account is secured and locked."],
        [],
        [],
    ),
    "security_team": (
        ["Our security team is investigating.", "The fraud team is looking into it."],
        [
            "Our trust and safety specialists are reviewing what happened.",
            "A security investigation is under way.",
        ],
        [],
        [],
    ),
    "verify_identity": (
        ["Please verify your identity.", "We need to confirm your identity first."],
        ["Could you send proof of identity?", "We'll need a quick identity verification."],
        [],
        [],
    ),
    "duplicate": (
        ["The second charge was a duplicate.", "You were charged twice by mistake."],
        [
            "The extra payment came from a gateway retry.",
            "We see you were billed twice for one order.",
        ],
        ["There's no duplicate charge.", "You weren't charged twice."],
        ["We see no duplicate payment.", "There was no double charge on the card."],
    ),
    "two_orders": (
        ["These were two separate orders.", "You placed both orders yourself."],
        [
            "The two payments belong to two different purchases.",
            "Each charge is for its own order.",
        ],
        [],
        [],
    ),
    "timeline": (
        ["It takes 5-10 business days to show.", "Allow 5 to 10 working days."],
        ["Expect it within 10 business days.", "It should appear within 5-10 business days."],
        [],
        [],
    ),
    "in_transit": (
        ["Your parcel is still on its way.", "The package is in transit."],
        [
            "The carrier shows it moving en route to you.",
            "It's out for delivery soon and still with the courier.",
        ],
        [],
        [],
    ),
    "lost": (
        ["The carrier confirms the parcel is lost.", "It went missing with no scans."],
        ["The courier lost the package.", "Tracking shows no movement; it's lost."],
        [],
        [],
    ),
    "cancel": (
        ["Your subscription is cancelled.", "We've cancelled the plan."],
        ["We have ended your subscription as asked.", "The plan is now terminated."],
        [
            "We can't cancel the plan before the term ends.",
            "The subscription cannot be cancelled early.",
        ],
        ["We are unable to end the contract early.", "Early cancellation is not possible."],
    ),
    "deletion": (
        ["We have deleted your personal data.", "Your data has been erased."],
        ["All of your information has been removed from our systems.", "We wiped your records."],
        ["We can't delete your data right now.", "Your data cannot be erased yet."],
        ["We are unable to remove your information at this point.", "Deletion isn't possible yet."],
    ),
    "export": (
        ["Here is your data export link.", "Your copy of your data is ready."],
        ["You can download an archive of your data.", "We emailed you a copy of your information."],
        [],
        [],
    ),
    "incident": (
        ["This is a platform incident.", "We have an outage affecting many tenants."],
        [
            "There's a wider platform problem on our side.",
            "A service-wide incident is causing this.",
        ],
        [],
        [],
    ),
    "updates": (
        ["We'll keep you posted.", "Updates will go on the status page."],
        ["We will let you know as things progress.", "Expect regular updates from us."],
        [],
        [],
    ),
    "diagnostics": (
        ["Please share request IDs.", "Send us the error logs."],
        [
            "Could you send a few example requests with timestamps?",
            "Error messages and request IDs would help.",
        ],
        [],
        [],
    ),
    "password_reset": (
        ["We've sent a reset link.", "Please use the password reset email."],
        [
            "A recovery link is on its way to your inbox.",
            "Choose a new password using the link we sent.",
        ],
        [],
        [],
    ),
    "outside_window": (
        ["The order is outside the return window.", "It's past our refund period."],
        ["This purchase is no longer eligible.", "The window for this order has expired."],
        [],
        [],
    ),
    "escalated": (
        ["I've escalated this to a specialist.", "This is passed to our engineering team."],
        ["We handed it over to the specialist team.", "It has been escalated."],
        [],
        [],
    ),
    "resolved": (
        ["The issue has been fixed.", "Everything is resolved now."],
        ["It's working again.", "We have resolved the problem."],
        [],
        [],
    ),
    "safe": (
        ["Your account is safe.", "No action is needed."],
        ["There's nothing to worry about.", "Everything is fine with the account."],
        [],
        [],
    ),
    "own_device": (
        ["It was your own device.", "The sign-in came from your phone."],
        ["We recognised the device as yours.", "It was you signing in from your usual laptop."],
        [],
        [],
    ),
    # concepts added with generator 2.0.0 (issue 19); the test sentences were written
    # before any pattern was tuned
    "warranty": (
        ["It's still under warranty.", "The manufacturer's guarantee covers this."],
        ["Your guarantee still applies to this unit.", "This falls under the warranty."],
        [],
        [],
    ),
    "warranty_ended": (
        ["The warranty has ended.", "It is past the warranty now."],
        ["Unfortunately the warranty period is over.", "The guarantee doesn't cover it any more."],
        [],
        [],
    ),
    "cooling_off": (
        ["You're within the cooling-off period.", "You signed up within the last 14 days."],
        [
            "As you only just subscribed, the cooling off window applies.",
            "It's within your 14-day cooling-off.",
        ],
        [],
        [],
    ),
    "domestic_vat": (
        [
            "As you're in Ireland, Irish VAT applies.",
            "Domestic VAT is charged for Irish customers.",
        ],
        [
            "Customers based in Ireland always pay local VAT.",
            "Being an Irish business, you're charged Irish VAT.",
        ],
        [],
        [],
    ),
    "validated_after": (
        [
            "Your VAT number was validated after the invoice date.",
            "The VAT ID was only verified after we invoiced.",
        ],
        [
            "The number wasn't validated yet when the invoice went out.",
            "Validation happened after the invoice was issued.",
        ],
        [],
        [],
    ),
    "order_cancelled": (
        [
            "That order was cancelled before dispatch.",
            "The second order never shipped because it was cancelled.",
        ],
        [
            "The other order was canceled prior to shipping.",
            "Since that order was cancelled, it was never sent.",
        ],
        [],
        [],
    ),
    "sso_assignment": (
        [
            "Those users need to be assigned to the app in your IdP.",
            "Please add the users to the application in Okta.",
        ],
        [
            "Your admin should assign the missing people to our application.",
            "The failing users aren't assigned to the app yet.",
        ],
        [],
        [],
    ),
    "address_change": (
        ["We've updated the delivery address.", "The carrier will redirect the parcel."],
        ["Your order will now go to your new address.", "We changed the shipping address for you."],
        ["We can't change the address any more.", "A redirect isn't possible with this carrier."],
        ["It's too late to change the delivery address.", "We are unable to redirect the parcel."],
    ),
    "already_done": (
        ["That's already been done.", "No change is needed."],
        ["The order is already going to that address.", "Nothing needs to be changed."],
        [],
        [],
    ),
    "known_defect": (
        ["Your unit is from a batch with a known defect.", "This model has a known fault."],
        [
            "That batch is covered by our defect bulletin.",
            "It's a known manufacturing problem in those serials.",
        ],
        [],
        [],
    ),
    "repair_offer": (
        ["We can offer a paid repair.", "Our repair service can fix it for a fee."],
        [
            "You can send it in for an out-of-warranty repair.",
            "We'd be happy to repair it at cost.",
        ],
        [],
        [],
    ),
    "payment_declined": (
        ["Your card declined the payment.", "The renewal failed due to insufficient funds."],
        ["The bank refused the charge.", "Your payment was rejected because the card has expired."],
        [],
        [],
    ),
    "update_payment": (
        ["Please update your card.", "You can add a new card in billing settings."],
        ["Could you replace the payment method on file?", "Please pay with the link we sent."],
        [],
        [],
    ),
    "payment_retry": (
        [
            "We'll retry the payment on Friday.",
            "The next automatic attempt will use your new card.",
        ],
        [
            "The charge will be attempted again tomorrow.",
            "Our system retries the renewal in two days.",
        ],
        [],
        [],
    ),
    "remove_users": (
        [
            "Please unassign some users first.",
            "You'll need to remove users before we reduce the seats.",
        ],
        [
            "First deactivate the accounts you no longer need.",
            "Too many users are assigned for that seat count.",
        ],
        [],
        [],
    ),
    "workspace_admin": (
        [
            "Your workspace admin needs to make this request.",
            "Please ask your company's administrator.",
        ],
        [
            "Your employer controls this data, so the IT team must ask us.",
            "The owner of your organisation's workspace has to request it.",
        ],
        [],
        [],
    ),
    "hold_released": (
        [
            "We've released the hold on your order.",
            "The review is cleared and your order ships today.",
        ],
        ["We lifted the security hold.", "Your order has been approved and will be dispatched."],
        [],
        [],
    ),
    "content_removed": (
        ["We removed the post and warned the account.", "The comment has been taken down."],
        [
            "That content is now hidden and the user received a warning.",
            "We deleted the video you reported.",
        ],
        [],
        [],
    ),
}

VAGUE = [
    "Thanks for reaching out. We're looking into your request and will get back to you.",
    "We have received your message and a member of the team will be in touch.",
    "Hello, we are on it. Kind regards.",
]
OFF_TOPIC = [
    "Did you know our spring collection launches next week? Check out the new arrivals.",
    "Please remember to update your marketing preferences in the account settings.",
    "Our office is closed on public holidays; opening hours are on the website.",
]


def sentence(concept: str | None, negated: bool, split: str, rng: random.Random) -> str:
    """A sentence stating ``concept`` (negated or not) from the split's pool."""
    if concept is None:
        return ""
    dev, test, ndev, ntest = POOL.get(concept, ([], [], [], []))
    pool = (ntest if split == "test" else ndev) if negated else (test if split == "test" else dev)
    if pool:
        return rng.choice(pool)
    asserted, neg = SAY[concept]
    if negated:
        return neg or SAY.get(OPPOSITES.get(concept, ""), ("",))[0]
    return asserted


def with_facts(text: str, facts: tuple[str, ...], any_fact: bool) -> str:
    if not facts:
        return text
    shown = facts[:1] if any_fact else facts
    return f"{text} (ref: {', '.join(shown)})".strip()


def compose(split: str) -> tuple[list[dict], list[dict]]:
    rng = random.Random(f"judge-corpus-{split}")
    gen_split = "validation" if split == "test" else "train"
    refs = [r for r in split_refs(gen_split)]
    cases = []
    if split == "dev":
        cases += list(SEED_SCENARIOS.values())[:3]
    else:
        cases += list(SEED_SCENARIOS.values())[3:]
    by_family: dict[str, list] = {}
    for fam, seed in refs:
        by_family.setdefault(fam, []).append(seed)
    for fam in FAMILY_NAMES:
        for seed in by_family.get(fam, [])[:4]:
            cases.append(generate(fam, seed))
    replies: list[dict] = []
    notes: list[dict] = []
    for sc in cases:
        g = sc.gold
        task = {"family": sc.family, "seed": sc.seed, "task_id": sc.task_id}

        def good(points) -> tuple[str, list[str]]:
            parts, made = [], []
            for p in points:
                s = sentence(p.concept, p.negated, split, rng)
                s = with_facts(s, p.facts, p.any_fact)
                if s:
                    parts.append(s)
                    made.append(p.name)
            return " ".join(parts), made

        text, made = good(g.reply_points)
        cat = "paraphrased" if split == "test" else "good"
        replies.append(
            {**task, "category": cat, "text": "Hi there, " + text, "points": made, "claims": []}
        )
        # negation: the first outcome-like point stated the other way
        if g.reply_points:
            p = g.reply_points[-1]
            neg = sentence(p.concept, not p.negated, split, rng)
            if p.concept is not None and neg:
                rest = [q for q in g.reply_points if q is not p]
                t2, m2 = good(rest)
                replies.append(
                    {
                        **task,
                        "category": "negation",
                        "text": f"{t2} {with_facts(neg, p.facts, p.any_fact)}".strip(),
                        "points": m2,
                        "claims": _claims_of(g, neg, p),
                    }
                )
        # wrong promise: a forbidden claim stated on top
        concept_claims = [c for c in g.forbidden_claims if c.concept is not None and not c.negated]
        if concept_claims:
            c = rng.choice(concept_claims)
            bad = sentence(c.concept, False, split, rng)
            replies.append(
                {
                    **task,
                    "category": "wrong_promise",
                    "text": f"{text} {bad}",
                    "points": made,
                    "claims": [c.name],
                }
            )
        replies.append(
            {**task, "category": "vague", "text": rng.choice(VAGUE), "points": [], "claims": []}
        )
        replies.append(
            {
                **task,
                "category": "off_topic",
                "text": rng.choice(OFF_TOPIC),
                "points": [],
                "claims": [],
            }
        )
        if g.note_points:
            nt, nm = good(g.note_points)
            notes.append(
                {**task, "category": "good", "text": "Checked: " + nt, "points": nm, "claims": []}
            )
            notes.append(
                {
                    **task,
                    "category": "vague",
                    "text": "Looked at the case, nothing to add.",
                    "points": [],
                    "claims": [],
                }
            )
            if concept_claims:
                c = rng.choice(concept_claims)
                told = sentence(c.concept, False, split, rng)
                notes.append(
                    {
                        **task,
                        "category": "wrong_promise",
                        "text": f"Checked: {nt} Told the customer: {told}",
                        "points": nm,
                        "claims": [c.name],
                    }
                )
    return replies, notes


def _claims_of(g, text: str, p) -> list[str]:
    """A negated point asserts the claim on its concept's other polarity, if the case has
    one (a "cannot refund" reply in a refund case asserts ``refund_declined``)."""
    return [c.name for c in g.forbidden_claims if c.concept == p.concept and c.negated != p.negated]


def main() -> None:
    out_r, out_n = [], []
    for split in ("dev", "test"):
        r, n = compose(split)
        out_r += [{"split": split, "kind": "reply", **x} for x in r]
        out_n += [{"split": split, "kind": "note", **x} for x in n]
    for name, rows in (("replies.jsonl", out_r), ("notes.jsonl", out_n)):
        with open(HERE / name, "w", encoding="utf-8") as f:
            for i, row in enumerate(rows):
                f.write(json.dumps({"id": f"{name[0]}{i:04d}", **row}, ensure_ascii=False) + "\n")
    print(len(out_r), "replies,", len(out_n), "notes")


if __name__ == "__main__":
    main()
