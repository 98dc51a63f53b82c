"""Family ``invoice_tax``: a business customer asks for a VAT invoice and for the tax on
it to be checked.

Decision rule (source: the ``vat_invoices`` article, clauses 1-5; the seller is the Irish
entity, so Irish customers are domestic):

1. Reverse charge (0% VAT) applies to a customer in another EU country whose VAT ID was
   validated (``tax_registry``: the first SUCCESSFUL check; failed checks do not count)
   on or before the invoice date (``invoice``). Such an invoice that charged VAT anyway
   is corrected by a credit note -> ``issue_refund`` of the VAT charged (billing error).
2. An invoice that already applied the reverse charge, an ID validated only after the
   invoice date, or a domestic (Irish) customer -> the VAT shown stands:
   ``provide_information`` (send the VAT invoice, explain why).
3. No VAT ID on the account -> ``request_info(tax_id)``; the customer supplies one and
   the case is settled as information (an ID supplied now does not change an earlier
   invoice). When the customer's registration is still pending they cannot supply it: the
   case waits on the customer and is submitted as ``request_verification``.
4. Queue billing; priority by impact (``support_priorities``): the VAT charged is the money
   at stake, and a filing deadline the customer names within 3 days makes it high.
"""

from __future__ import annotations

from typing import Any

from caseops.cases import records as rec
from caseops.cases import text as tx
from caseops.cases.common import assemble, impact_priority, ticket
from caseops.cases.kit import TIERS_BUSINESS, Kit, Money
from caseops.domain.claims import Point, claims, point
from caseops.domain.scenario import Artifact, Policy
from caseops.domain.vocab import RequestableField

NAME = "invoice_tax"
BUDGET = 14

COUNTRIES = (
    ("Germany", "DE", 19),
    ("France", "FR", 20),
    ("the Netherlands", "NL", 21),
    ("Spain", "ES", 21),
    ("Italy", "IT", 22),
    ("Poland", "PL", 23),
    ("Sweden", "SE", 25),
    ("Belgium", "BE", 21),
)
IRELAND = ("Ireland", "IE", 23)
PLANS = ("Team plan", "Growth plan", "Analytics add-on", "Pro plan (annual)", "Seat top-up")
FACTS = (
    "Our [finance team|accountant|bookkeeper] needs a [VAT-compliant|proper VAT|valid tax] "
    "invoice for {invoice}[| ({amount})].",
    "[Could|Can] you [reissue|re-send|correct] {invoice} as a [proper|valid] VAT invoice?",
    "[Our accountant|The auditors|Our finance department] flagged {invoice} [as wrong|for "
    "the VAT|during review].",
    "We were [charged|billed] VAT on {invoice} and I'm [not sure|unsure|doubtful] that's "
    "right for a business like ours.",
)
WHO = (
    "{company} is a [registered|VAT-registered|limited] company in {country}[|, not a consumer].",
    "We are a business [based|registered|located] in {country}.",
    "[Just to be clear|For context], we're a [company|business], based in {country}.",
)
ID_CLAIMS = (
    "Our VAT number [should be|is|was added] on the account.",
    "We [gave|sent|entered] you our VAT number [ages ago|when we signed up|last year].",
    "I [think|believe] our tax ID is on file.",
)
PENDING_LINES = (
    "Our VAT registration is still [being processed|pending|in progress] with the tax office.",
)
DEADLINE = (
    "We need this before our [VAT return|quarterly filing|year-end close] in {days} days.",
    "[Our filing deadline|The VAT return] is due in {days} days.",
)
REQUESTS = (
    "[Please|Kindly] [check|confirm] the [VAT|tax] [treatment|on it] and send the "
    "[right|correct] invoice.",
    "Is the tax [correct|right]? If not, please [fix|correct] it.",
    "[Can|Could] you [sort this out|look into it] and send us a [compliant|correct] invoice?",
    "What [do you need|is needed] from us to get this [right|fixed]?",
)
CONTEXT = (
    "We [pay|settled] all our invoices [on time|by transfer].",
    "Our [auditors|accountants] are [strict|picky] about this.",
    "We [have|had] the same [problem|question] with another supplier last [year|quarter].",
)
SUBJECTS = ("VAT invoice request", "Invoice tax question", "VAT on our invoice", "Invoice fix")


def _vat_number(kit: Kit, prefix: str) -> str:
    return f"{prefix}{kit.rng.randrange(10**8, 10**9)}"


def _policies(kit: Kit) -> dict[str, Policy]:
    """The knowledge base of a case (the first article states the decision rule):
    ``vat_invoices``, ``invoice_copies``."""
    return {
        "vat_invoices": Policy(
            title="VAT on invoices",
            content=rec.policy_text(
                kit,
                (
                    "Reverse charge (0% VAT) applies to business customers in another EU "
                    "country whose VAT ID passed a validity check on or before the invoice "
                    "date. Failed or unavailable checks do not count.",
                    "If such an invoice charged VAT, issue a credit note for the VAT charged "
                    "(a refund of the VAT) and state the amount.",
                    "Customers in Ireland are domestic: Irish VAT is always charged.",
                    "An ID validated after the invoice date does not change that invoice; "
                    "send the VAT invoice as issued and explain.",
                    "No VAT ID on file: ask for it. If the registration is still pending, "
                    "wait for the customer.",
                ),
                effective="2025-07-01",
                version="3",
            ),
            keywords=("vat", "tax", "invoice", "reverse charge", "tax id"),
        ),
        "invoice_copies": Policy(
            title="Invoice copies",
            content="Copies of past invoices can be downloaded from the billing page.",
            keywords=("copy", "download", "invoice"),
        ),
    }


def generate(kit: Kit) -> dict[str, Any]:
    """Scenario fields for one seeded invoice-tax case (see the module docstring)."""
    name = kit.person()
    company = kit.company()
    tier = kit.pick(TIERS_BUSINESS)
    roll = kit.rng.random()
    variant = (
        "overcharged"
        if roll < 0.32
        else "reverse_charged"
        if roll < 0.44
        else "validated_after"
        if roll < 0.56
        else "domestic"
        if roll < 0.66
        else "missing"
    )
    pending = variant == "missing" and kit.chance(0.42)
    country, prefix, rate = (
        IRELAND if variant == "domestic" else COUNTRIES[kit.rng.randrange(len(COUNTRIES))]
    )
    invoice = kit.ident("INV", 6)
    inv_days = kit.rng.randint(5, 150)
    net = kit.money(200, 6000, ("EUR", "€"))
    charged_vat = variant != "reverse_charged"
    vat = Money(net.cents * rate // 100 if charged_vat else 0, "EUR", "€")
    vat_id = _vat_number(kit, prefix)
    if variant in ("overcharged", "reverse_charged", "domestic"):
        valid_days = inv_days + kit.rng.randint(1, 300)
    elif variant == "validated_after":
        valid_days = kit.rng.randint(0, inv_days - 1)
    else:
        valid_days = -1
    deadline = kit.rng.randint(1, 10) if kit.chance(0.35) else None

    # registry log: failed checks and the first successful one
    entries: list[tuple[int, str]] = []
    if valid_days >= 0:
        entries.append((valid_days * 1440 + 200, f"VIES check {vat_id}: valid"))
        if kit.chance(0.5):
            failed = valid_days + kit.rng.randint(1, 30)
            entries.append((failed * 1440 + 100, f"VIES check {vat_id}: service unavailable"))
        if kit.chance(0.4):
            entries.append((max(0, valid_days - 20) * 1440, f"VIES check {vat_id}: valid"))
    elif kit.chance(0.5):
        entries.append(
            (kit.rng.randint(5, 90) * 1440, f"VIES check {_vat_number(kit, prefix)}: invalid")
        )
    registry = rec.log(
        kit,
        entries,
        noise=("registry sync ok records={n}", "VIES latency ms={n}", "batch revalidation queued"),
        n_noise=(1, 3),
    )
    lines = [
        ("Invoice", invoice),
        ("Issued", kit.day(inv_days)),
        ("Seller", "Caseops Services Ltd, Dublin, IE"),
        ("Bill to", f"{company}, {country}"),
        ("Item", f"{kit.pick(PLANS)}, net {net}"),
        (
            "VAT",
            f"{rate}%: {vat}" if charged_vat else "0%: reverse charge (customer accounts for VAT)",
        ),
        ("Total", str(Money(net.cents + vat.cents, "EUR", "€"))),
    ]
    artifacts = {
        "invoice": Artifact(
            title=f"Invoice {invoice}",
            content=rec.record(kit, lines, [("PO", kit.ident("PO", 4)), ("Terms", "net 30")]),
        ),
        "account": Artifact(
            title=f"Account: {company}",
            content=rec.record(
                kit,
                [
                    ("Country", country),
                    ("VAT ID", vat_id if valid_days >= 0 else "none on file"),
                    ("Tier", tier),
                ],
                [("Billing email", "finance@example.com"), ("Seats", str(kit.rng.randint(5, 90)))],
            ),
        ),
        "tax_registry": Artifact(title="Tax ID checks", content=registry or "(no checks)"),
        "crm": Artifact(
            title="CRM notes",
            content=rec.crm_notes(
                kit,
                [(kit.rng.randint(100, 400), "Customer said their VAT number was on file.")]
                if kit.chance(0.3)
                else [],
            ),
        ),
    }
    policies = _policies(kit)

    facts = [
        tx.variant(
            kit, FACTS, invoice=invoice, amount=str(Money(net.cents + vat.cents, "EUR", "€"))
        ),
        tx.variant(kit, WHO, company=company, country=country),
    ]
    if kit.chance(0.4):
        facts.append(kit.pick(ID_CLAIMS))
    if pending:
        facts.append(tx.variant(kit, PENDING_LINES))
    if deadline is not None:
        facts.append(tx.variant(kit, DEADLINE, days=deadline))
    msg = tx.compose(kit, facts, REQUESTS, CONTEXT, name, company)
    subject = kit.pick(SUBJECTS)
    evidence = ["ticket", "artifact:invoice", "artifact:account", "policy:vat_invoices"]
    requested: tuple[RequestableField, ...] = ()
    status = "resolved"
    reply: tuple[Point, ...]
    note: tuple[Point, ...]
    if variant == "overcharged":
        code, issue = "issue_refund", "billing_error"
        evidence.append("artifact:tax_registry")
        # a credit note for the VAT charged, with its amount and the invoice it corrects
        reply = (
            point("refund", facts=(str(vat),), name="vat_refund"),
            point(facts=(invoice,), name="invoice_id"),
        )
        note = (point("overcharged"), point(facts=(kit.day(valid_days),), name="validated_on"))
        forbidden = claims("vat_correct", "locked", "escalated")
    elif variant == "missing":
        requested = ("tax_id",)
        code = "request_verification" if pending else "provide_information"
        status = "waiting_on_customer" if pending else "resolved"
        issue = "general_inquiry"
        reply = (point("tax_id"),)
        note = (point("tax_id", negated=True, conditional_ok=True, name="no_tax_id"),)
        forbidden = claims("credit_note", "refund", "locked")
    else:
        code, issue = "provide_information", "general_inquiry"
        if variant in ("validated_after", "reverse_charged"):
            evidence.append("artifact:tax_registry")
        if variant == "reverse_charged":
            why = point("reverse_charge", facts=(invoice,))
        elif variant == "validated_after":
            why = point("validated_after", facts=(kit.day(valid_days),))
        else:
            why = point("domestic_vat", facts=(invoice,))
        reply = (point("vat_correct"), why)
        note = (why.model_copy(update={"facts": ()}),)
        forbidden = claims("credit_note", "refund", "overcharged", "locked")
    return assemble(
        kit,
        difficulty="hard",
        budget=BUDGET,
        title=subject,
        objective=(
            "Work the case: check the invoice against the account, the tax records and the "
            "policy, route it, note your reasoning and tell the customer the outcome."
        ),
        ticket=ticket(kit, subject, name, msg, tier, f"{company}: invoice {invoice}."),
        artifacts=artifacts,
        policies=policies,
        status=status,
        code=code,
        queue="billing",
        priority=impact_priority(money=vat, deadline_days=deadline),
        issue_type=issue,
        evidence=evidence,
        requested=requested,
        answers={} if pending else {"tax_id": f"Our VAT ID is {vat_id}."},
        reply=reply,
        note=note,
        forbidden=forbidden,
    )
