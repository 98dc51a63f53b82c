"""Family ``invoice_tax``: a business customer asks for a VAT-compliant invoice and
for the tax on it to be checked.

Facts that decide the gold:
- a tax ID validated on the account BEFORE the invoice date and the invoice charged VAT
  anyway -> a tax miscalculation: ``issue_refund`` of the VAT charged, issue type
  ``billing_error``, priority normal (high for enterprise accounts);
- a tax ID validated before the invoice date and the invoice applied the reverse charge
  (0% VAT) -> ``provide_information`` (send the VAT invoice; the tax is right);
- a tax ID validated only AFTER the invoice date -> the VAT charged stands:
  ``provide_information``;
- no tax ID on file -> ``request_info(tax_id)``; the customer answers and the case returns
  to triaged; a tax ID supplied now does not change the earlier invoice:
  ``provide_information``;
- when the customer cannot give a tax ID yet (registration pending), the case stays
  ``waiting_on_customer`` and is submitted as ``request_verification``;
- information cases are issue type ``general_inquiry``, priority low; all in billing.
"""

from __future__ import annotations

from typing import Any

from caseops.domain.families.kit import TIERS_BUSINESS, Kit, Money
from caseops.domain.scenario import (
    Artifact,
    Claim,
    Customer,
    Gold,
    Point,
    Policy,
    Ticket,
    claims,
    point,
)

NAME = "invoice_tax"

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
PLANS = ("Team plan", "Growth plan", "Analytics add-on", "Pro plan (annual)", "Seat top-up")

TEMPLATES = (
    "Hello, our finance team needs a VAT-compliant invoice for {invoice} ({amount}). We are a "
    "business customer in {country}. {check}",
    "Hi, could you reissue {invoice} as a proper VAT invoice? {company} is a company based "
    "in {country}, not a consumer. {check}",
    "Our accountant flagged {invoice}: we need a valid VAT invoice for our books. {check}"
    "Thanks, {first}",
    "Please send us a VAT invoice for {invoice}, {amount}. We are a registered business in "
    "{country}. {check}",
)
CHECKS = (
    "Can you also check the tax on it is right? ",
    "Please confirm the VAT treatment as well. ",
    "Is the tax on it correct for a business like ours? ",
    "",
)
CONCERNS = (
    "Asks whether invoices can be emailed to a finance mailbox.",
    "Wants the company address on invoices updated.",
    "Asks about paying by bank transfer next year.",
)


def _vat_number(kit: Kit, prefix: str) -> str:
    return prefix + "".join(str(kit.rng.randrange(10)) for _ in range(9))


def generate(kit: Kit) -> dict[str, Any]:
    """Scenario fields for one seeded invoice/tax case (see the module docstring)."""
    name = kit.person()
    first = name.split()[0]
    company = kit.company()
    tier = kit.pick(TIERS_BUSINESS)
    country, prefix, rate = COUNTRIES[kit.rng.randrange(len(COUNTRIES))]
    invoice = kit.ident("INV", 6)
    net = kit.money(80, 4000, ("EUR", "€"))
    vat = Money(net.cents * rate // 100, net.code, net.symbol)
    roll = kit.rng.random()
    variant = (
        "overcharged"
        if roll < 0.46
        else "reverse_charged"
        if roll < 0.64
        else "late_id"
        if roll < 0.78
        else "missing"
    )
    # Without a tax ID on file, some customers cannot give one yet (registration pending).
    pending = variant == "missing" and kit.chance(0.45)
    vat_number = _vat_number(kit, prefix)
    invoice_ago = kit.rng.randrange(5, 60)
    invoice_day = kit.day(invoice_ago)
    if variant in ("overcharged", "reverse_charged"):
        validated = kit.day(invoice_ago + kit.rng.randrange(20, 400))
    else:
        validated = kit.day(kit.rng.randrange(0, invoice_ago))
    charged_vat = variant != "reverse_charged"
    total = Money(net.cents + (vat.cents if charged_vat else 0), net.code, net.symbol)

    if charged_vat:
        tax_line = f"VAT {rate}% ({country}): {vat}"
    else:
        tax_line = "VAT 0%: reverse charge (customer accounts for VAT)"
    vat_shown = vat_number if variant in ("overcharged", "reverse_charged") else "none"
    invoice_text = (
        f"Invoice {invoice}, dated {invoice_day}, {company}, billing country {country}. "
        f"{kit.pick(PLANS)}: net {net}. {tax_line}. Total {total}, paid. "
        f"Customer VAT number printed: {vat_shown}."
    )
    if variant == "missing":
        profile = f"Company {company}, {country}. Tax ID: none on file. Tax status: consumer."
    else:
        profile = (
            f"Company {company}, {country}. Tax ID: {vat_number}, validated (VIES) on "
            f"{validated}. Tax status: business, reverse charge applies from validation."
        )
    message = kit.pick(TEMPLATES).format(
        invoice=invoice,
        amount=total,
        country=country,
        company=company,
        first=first,
        check=kit.pick(CHECKS),
    )
    artifacts = {
        "invoice": Artifact(title=f"Invoice {invoice}", content=invoice_text),
        "tax_profile": Artifact(title="Billing and tax profile", content=profile),
        "payment_methods": Artifact(
            title="Payment methods",
            content=(
                f"Card ending {kit.rng.randrange(0, 10000):04d} (default); "
                f"invoices emailed to billing@{company.split()[0].lower()}.example."
            ),
        ),
        "usage": Artifact(
            title="Plan usage",
            content=(
                f"{kit.rng.randrange(3, 250)} seats active; renewal "
                f"{kit.day(-kit.rng.randrange(10, 300))}."
            ),
        ),
    }
    policies = {
        "tax_invoices": Policy(
            title="Invoices and tax (VAT)",
            content=(
                "Business customers with a tax ID validated on the account are invoiced with "
                "the reverse charge (0% VAT). Compare the invoice date with the tax ID's "
                "validation date: if VAT was charged on an invoice dated after validation, that "
                "is a miscalculation - refund the VAT charged (a billing error). If the tax ID "
                "was validated only after the invoice date, the VAT charged stands and the "
                "reverse charge applies to future invoices. If no tax ID is on file, ask the "
                "customer for it before reissuing (if they cannot give one yet, leave the case "
                "waiting on the customer as a verification request); a tax ID supplied now does "
                "not change earlier invoices. Otherwise send the VAT-compliant invoice (provide "
                "information). Route to billing: questions are low priority; a VAT refund is "
                "normal priority (high for enterprise accounts)."
            ),
            keywords=("vat", "invoice", "tax", "reverse charge", "tax id"),
        ),
        "subscription_refunds": Policy(
            title="Subscription refunds",
            content=(
                "Plan fees are refundable within 14 days of purchase; after that, no refunds "
                "for unused time."
            ),
            keywords=("refund", "subscription", "cancel"),
        ),
        "data_retention": Policy(
            title="Billing data retention",
            content="Invoices are kept for 10 years and can be downloaded from the billing page.",
            keywords=("download", "retention", "records"),
        ),
    }
    requested: tuple[str, ...] = ("tax_id",) if variant == "missing" else ()
    status = "waiting_on_customer" if pending else "resolved"
    if pending:
        code, issue, priority = "request_verification", "general_inquiry", "low"
        reply_markers: tuple[Point, ...] = (
            point("tax_id", name="need_tax_id"),
            point("reissue_invoice", conditional_ok=True, name="reissue_later"),
        )
        note = point("tax_id", negated=True, conditional_ok=True, name="no_tax_id")
        forbidden: tuple[Claim, ...] = claims(
            "refund", "credit_note", "reverse_charge", "vat_correct", "locked", "escalated"
        )
    elif variant == "overcharged":
        code, issue = "issue_refund", "billing_error"
        priority = "high" if tier == "enterprise" else "normal"
        reply_markers = (
            point("apology"),
            point("refund"),
        )
        note = point("overcharged", name="miscalculated")
        forbidden = claims("vat_correct", "locked", "escalated", "incident", "replacement")
    else:
        code, issue = "provide_information", "general_inquiry"
        priority = "low"
        if variant == "reverse_charged":
            treatment = point("reverse_charge")
            tax_concept = "reverse_charge"
        else:
            treatment = point("vat_correct", name="vat_stands")
            tax_concept = "vat_correct"
        reply_markers = (
            point("invoice"),
            treatment,
        )
        note = point(tax_concept, name="tax_status")
        forbidden = claims(
            "refund", "credit_note", "overcharged", "locked", "escalated", "incident"
        )
    evidence = ("ticket", "artifact:invoice", "artifact:tax_profile", "policy:tax_invoices")
    # review, classify, two artifacts, one policy, [request], note, reply, resolve
    # (a pending case ends with submit instead of resolve: the same count)
    optimal = 1 + 1 + 2 + 1 + len(requested) + 1 + 1 + 1
    difficulty = {
        "reverse_charged": "easy",
        "overcharged": "medium",
        "missing": "hard" if pending else "medium",
        "late_id": "hard",
    }[variant]
    return {
        "difficulty": difficulty,
        "title": f"VAT invoice for {invoice}",
        "objective": (
            "Check the invoice against the account's tax profile and the tax policy, route the "
            "case, answer the customer and settle it."
        ),
        "ticket": Ticket(
            subject=kit.pick(("VAT invoice request", "Invoice and VAT question", "Tax invoice")),
            customer_name=name,
            customer_message=message,
            customer_tier=tier,
            sla_minutes=kit.rng.choice((480, 720, 1440)),
            affected_users=1,
            business_impact=f"{company} finance close; invoice total {total}.",
            secondary_concerns=(kit.pick(CONCERNS),) if kit.chance(0.4) else (),
        ),
        "artifacts": artifacts,
        "policies": policies,
        "customer": Customer(
            answers={}
            if pending
            else {
                "tax_id": f"Our VAT number is {vat_number}.",
                "invoice_number": f"It's {invoice}.",
            },
            unanswered_reply=(
                f"{first}: our VAT registration is still being processed; we don't have the "
                "number yet."
                if pending
                else f"{first} has not replied."
            ),
        ),
        "step_budget": optimal + 6,
        "gold": Gold(
            final_status=status,
            resolution_code=code,
            queue="billing",
            priority=priority,
            issue_type=issue,
            requested_fields=requested,  # type: ignore[arg-type]
            required_evidence=evidence,
            reply_markers=reply_markers,
            note_markers=(note,),
            forbidden_claims=forbidden,
            optimal_steps=optimal,
        ),
    }
