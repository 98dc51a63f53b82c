"""Family ``payment_failure``: a renewal payment failed and the customer asks why, what
happens now, or why they were charged a fee.

Decision rule (source: the ``failed_payments`` article, clauses 1-5, with its retry
schedule; priorities from ``support_priorities``). Two records decide: the
``payment_attempts`` log (each attempt with its decline code, for this invoice and
others) and the ``cards`` and ``invoice`` records:

1. Two successful attempts for the SAME invoice (the customer paid through the payment
   link and the automatic retry went through as well) -> ``refund_duplicate_charge`` of
   the invoice amount.
2. The declines were ``processor_unavailable`` (our processor, not the card) and the
   invoice carries a late fee -> ``issue_refund`` of the late fee (a fee for our failure
   is refunded).
3. Otherwise, when a card was added and made the default AFTER the last failed attempt
   and a retry is still scheduled (``invoice``: next retry), or the declines were our
   processor's and no fee was charged -> ``no_action_needed``: the next retry will go
   through on its date.
4. Otherwise (the card's own declines: insufficient funds, expired card, do not honor,
   authentication required, and no new card since) -> ``provide_information``: why it was
   declined and that the customer must update the card before the next retry.
5. Queue ``billing``; priority by impact: the invoice amount is the money at stake; a
   suspended business or enterprise account is blocked.
"""

from __future__ import annotations

from typing import Any

from caseops.cases import records as rec
from caseops.cases import text as tx
from caseops.cases.common import APOLOGY, assemble, impact_priority, ticket
from caseops.cases.kit import Kit, Money
from caseops.domain.claims import Claim, Point, claim, claims, point
from caseops.domain.scenario import Artifact, Policy

NAME = "payment_failure"
BUDGET = 14
RETRY_DAYS = (0, 1, 3, 7)

CUSTOMER_DECLINES = (
    "insufficient_funds",
    "expired_card",
    "do_not_honor",
    "authentication_required",
)
PLANS = ("Plus monthly", "Family plan", "Team plan", "Pro annual", "Business monthly")
FACTS = (
    "I got an email saying my [payment|renewal] [failed|didn't go through|was declined].",
    "Your [app|site] says my account is [past due|overdue|on hold] because a payment failed.",
    "[My|The] [card|payment] [keeps getting|was] declined for the {plan}[| renewal].",
    "I was [charged|billed] a late fee [even though|but] I [have money|did nothing wrong].",
    "I [paid|tried to pay] through the link you sent [but|and] I'm not sure it worked.",
    "My bank [says|told me] [there's nothing wrong|the card is fine|they didn't block anything].",
)
ASIDES = (
    "I [updated|changed|added] my card [yesterday|this week|recently].",
    "I [think|believe] my old card expired.",
    "I [see|can see] [two|several] [attempts|payments|charges] in my banking app.",
    "I don't want to lose access [to my files|to the service|for my team].",
    "Nothing has changed on my side.",
)
REQUESTS = (
    "What [happened|is going on]?",
    "[Can|Could] you [check|sort this out] please?",
    "Do I need to do anything?",
    "Please explain [the fee|what happened|the charges].",
    "I'd like this [fixed|cleared up] [asap|today|soon].",
)
CONTEXT = (
    "I've been a [customer|subscriber] for [years|a long time|a while].",
    "This is [really|very] [annoying|stressful].",
    "I [rely|depend] on this [for work|every day].",
)
SUBJECTS = ("Payment failed", "Card declined", "Late fee?", "Renewal problem", "Billing issue")


def _policies(kit: Kit, schedule: str) -> dict[str, Policy]:
    """The knowledge base of a case (the first article states the decision rule):
    ``failed_payments``, ``late_fees``."""
    return {
        "failed_payments": rec.article(
            kit,
            "Failed payments and retries",
            (
                f"A failed renewal is retried automatically ({schedule} after the first "
                "attempt) on the default card.",
                "If the payment link and a retry both succeeded for one invoice, refund "
                "the duplicate payment.",
                "Declines coded processor_unavailable are ours, not the card's: a late "
                "fee charged for them is refunded; otherwise the next retry will go "
                "through.",
                "If the customer added a new default card after the last failed attempt "
                "and a retry is still scheduled, nothing needs doing.",
                "Other declines are the card's: explain the decline and ask the customer "
                "to update the card before the next retry. Route to billing.",
            ),
            age=(60, 500),
            versions=(2, 6),
            keywords=("payment", "declined", "failed", "retry", "late fee", "card"),
        ),
        "late_fees": Policy(
            title="Late fees",
            content="A late fee applies to invoices past due after the final retry.",
            keywords=("late", "fee", "overdue"),
        ),
    }


def generate(kit: Kit) -> dict[str, Any]:
    """Scenario fields for one seeded failed-payment case (see the module docstring)."""
    name = kit.person()
    tier = kit.pick(("standard", "plus", "plus", "business", "enterprise"))
    business = tier in ("business", "enterprise")
    plan = kit.pick(PLANS)
    amount = kit.money(9, 900)
    cur = (amount.code, amount.symbol)
    fee = Money(kit.pick((500, 750, 1000, 1500)), *cur)
    roll = kit.rng.random()
    variant = (
        "double"
        if roll < 0.22
        else "processor_fee"
        if roll < 0.46
        else "retry_pending"
        if roll < 0.72
        else "customer"
    )
    invoice = kit.ident("INV", 6)
    first = kit.rng.randrange(3, 9)  # days ago of the first attempt
    done = [d for d in RETRY_DAYS if first - d >= 0]
    pending = [d for d in RETRY_DAYS if first - d < 0]
    if not pending and variant == "retry_pending":
        first = kit.rng.randrange(3, 7)
        done = [d for d in RETRY_DAYS if first - d >= 0]
        pending = [d for d in RETRY_DAYS if first - d < 0]
    processor = variant == "processor_fee" or (
        variant in ("retry_pending", "double") and kit.chance(0.5)
    )
    decline = "processor_unavailable" if processor else kit.pick(CUSTOMER_DECLINES)
    old_card, new_card = f"{kit.rng.randrange(0, 10000):04d}", f"{kit.rng.randrange(0, 10000):04d}"
    last_fail = first - done[-1]
    new_card_added = variant == "retry_pending" and not processor
    late_fee = variant == "processor_fee" or (variant == "customer" and kit.chance(0.5))
    if variant == "retry_pending" and processor:
        late_fee = False

    entries: list[tuple[int, str]] = []
    for d in done:
        when = (first - d) * 1440 + kit.rng.randrange(60, 900)
        if variant == "double" and d == done[-1]:
            entries.append((when, f"invoice {invoice} retry card {old_card}: succeeded {amount}"))
        else:
            entries.append(
                (when, f"invoice {invoice} attempt card {old_card}: declined ({decline})")
            )
    if variant == "double":
        entries.append(
            (
                (first - done[-1]) * 1440 + kit.rng.randrange(901, 1300),
                f"invoice {invoice} payment link card {new_card}: succeeded {amount}",
            )
        )
    for _ in range(kit.rng.randint(2, 4)):
        other = kit.ident("INV", 6)
        ago = kit.rng.randrange(20, 200)
        how = kit.pick(("attempt", "retry", "payment link"))
        card = new_card if how == "payment link" else old_card
        code = kit.pick(
            (
                f"succeeded {kit.money(9, 900, cur)}",
                f"succeeded {kit.money(9, 900, cur)}",
                "declined (insufficient_funds)",
                "declined (processor_unavailable)",
            )
        )
        entries.append((ago * 1440, f"invoice {other} {how} card {card}: {code}"))
    attempts = rec.log(
        kit, entries, noise=("dunning email sent", "webhook delivered"), n_noise=(1, 3)
    )

    expiry = f"{kit.rng.randrange(1, 13):02d}/{kit.rng.randrange(25, 30)}"
    since = kit.day(kit.rng.randrange(100, 900))
    cards = [f"card ending {old_card}, expires {expiry}, added {since}"]
    new_exp = f"{kit.rng.randrange(1, 13):02d}/{kit.rng.randrange(28, 32)}"
    late_switch = variant == "customer" and not pending and kit.chance(0.5)
    if new_card_added or late_switch:
        added = kit.day(max(0, last_fail - 1))
        cards.append(f"card ending {new_card}, expires {new_exp}, added {added}")
        default = f"Default: card ending {new_card} (since {added})"
    else:
        if variant == "double" or kit.chance(0.4):
            added = kit.day(
                last_fail if variant == "double" else last_fail + kit.rng.randrange(2, 90)
            )
            cards.append(f"card ending {new_card}, expires {new_exp}, added {added}")
        default = f"Default: card ending {old_card} (since {since})"
    kit.rng.shuffle(cards)
    cards.append(default)
    next_retry = kit.day(first - pending[0]) if pending else ""
    inv_lines = [
        ("Invoice", invoice),
        ("Plan", plan),
        ("Amount", str(amount)),
        ("Status", "paid" if variant == "double" else "open, past due"),
        ("Late fee", str(fee) if late_fee else "none"),
        ("Next retry", next_retry or "none (retries exhausted)"),
    ]
    facts = [tx.variant(kit, FACTS, plan=plan)]
    facts += kit.rng.sample(ASIDES, kit.rng.randint(0, 2))
    msg = tx.message(
        kit,
        facts=facts,
        request=tx.variant(kit, REQUESTS),
        context=CONTEXT,
        name=name,
        company=kit.company() if business else "",
    )
    subject = kit.pick(SUBJECTS)
    artifacts = {
        "payment_attempts": Artifact(title="Payment attempts", content=attempts),
        "cards": Artifact(title="Payment methods", content="\n".join(cards)),
        "invoice": Artifact(title=f"Invoice {invoice}", content=rec.record(kit, inv_lines)),
        "crm": Artifact(title="CRM notes", content=rec.crm_notes(kit, [])),
    }
    schedule = ", ".join(f"day {d}" for d in RETRY_DAYS)
    policies = _policies(kit, schedule)
    evidence = [
        "ticket",
        "artifact:payment_attempts",
        "artifact:cards",
        "artifact:invoice",
        "policy:failed_payments",
    ]
    reply: tuple[Point, ...]
    note: tuple[Point, ...]
    forbidden: tuple[Claim, ...]
    if variant == "double":
        code = "refund_duplicate_charge"
        reply = (APOLOGY, point("refund", facts=(str(amount),)))
        note = (point("duplicate", facts=(invoice,)),)
        forbidden = claims("payment_declined", "locked")
    elif variant == "processor_fee":
        code = "issue_refund"
        reply = (APOLOGY, point("refund", facts=(str(fee),)))
        note = (point("payment_declined", facts=("processor_unavailable",)),)
        forbidden = (claim("refund", negated=True, name="no_refund"), *claims("locked"))
    elif variant == "retry_pending":
        code = "no_action_needed"
        reply = (point("payment_retry", facts=(next_retry,)),)
        note = (point("payment_retry"),)
        forbidden = claims("refund", "locked")
    else:
        code = "provide_information"
        reply = (point("payment_declined"), point("update_payment"))
        note = (point("payment_declined", facts=(decline,)),)
        forbidden = claims("refund", "locked")
    blocked = business and not pending and variant == "customer"
    return assemble(
        kit,
        difficulty="medium",
        budget=BUDGET,
        title=subject,
        objective=(
            "Work the case: find what happened to the payment and the retries from the "
            "records and the policy, route it, note your reasoning and tell the customer."
        ),
        ticket=ticket(kit, subject, name, msg, tier, f"Renewal of the {plan}, {amount}."),
        artifacts=artifacts,
        policies=policies,
        status="resolved",
        code=code,
        queue="billing",
        priority=impact_priority(money=amount, blocked=blocked, enterprise=tier == "enterprise"),
        issue_type="billing_error",
        evidence=evidence,
        reply=reply,
        note=note,
        forbidden=forbidden,
    )
