"""The enterprise SaaS seed cases (routing and communication): an invoice paid twice, an
unrecognised sign-in, a production API outage. First written for HyperBrickCaseOps
(shared/seeds/002).

Enterprise B2B SaaS support desk: each ticket carries the customer tier, the SLA to first
response, the affected-user count, the business impact and any side concerns, so the
agent has to route by the primary issue. Re-authored in the unified action space: the
facts the original task spec stated outright now sit in artifacts and policies, and each
case names forbidden claims so that stuffing every keyword cannot pay.
"""

from __future__ import annotations

from caseops.domain.scenario import (
    Artifact,
    Customer,
    Gold,
    Policy,
    Scenario,
    Ticket,
    claim,
    claims,
    point,
)

BILLING_REFUND_EASY = Scenario(
    task_id="billing_refund_easy",
    family="seed",
    difficulty="easy",
    title="Invoice paid twice",
    objective=(
        "Work the ticket: confirm the billing problem in the ledger, apply the billing policy, "
        "route the case, confirm to the customer what happens to their money and settle it."
    ),
    ticket=Ticket(
        subject="Invoice INV-2024-0419 charged twice",
        customer_name="Helena Brooks (Finance, Lumen Analytics)",
        customer_message=(
            "Hi team, our company card was charged twice for invoice INV-2024-0419 "
            "($4,800.00, annual Growth plan, 40 seats) on the 1st. Our finance team needs the "
            "duplicate reversed before month-end close. Can you confirm the refund and send us "
            "an updated receipt? Thanks, Helena"
        ),
        customer_tier="business",
        sla_minutes=240,
        affected_users=1,
        business_impact="$4,800 paid twice; blocks month-end close. No service impact.",
        secondary_concerns=("Asks for an updated receipt for their records.",),
    ),
    artifacts={
        "billing_ledger": Artifact(
            title="Billing ledger - Lumen Analytics",
            content=(
                "INV-2024-0419: Growth plan, annual, 40 seats, $4,800.00, status paid.\n"
                "ch_8841: $4,800.00 at 09:00:04 UTC on the 1st, card ending 2210, succeeded, "
                "references INV-2024-0419.\n"
                "ch_8842: $4,800.00 at 09:00:09 UTC on the 1st, card ending 2210, succeeded, "
                "references INV-2024-0419 (processor retry after a timeout).\n"
                "Invoice balance: -$4,800.00 (overpaid). Refunds: none."
            ),
        ),
        "subscription": Artifact(
            title="Subscription - Lumen Analytics",
            content=(
                "Growth plan, 40 seats, renews yearly on the 1st. A 5-seat add-on is scheduled "
                "for next month; the prorated $412.50 will be invoiced then. No other open "
                "invoices."
            ),
        ),
    },
    policies={
        "duplicate_charge": Policy(
            title="Invoice paid twice",
            content=(
                "If one invoice was paid twice, refund the extra charge to the original card at "
                "once (no approval needed under $10,000), send the customer the refund "
                "confirmation and an updated receipt, and resolve the case. Refunds reach the "
                "card in 5-10 business days. Route to billing, normal priority."
            ),
            keywords=(
                "duplicate",
                "charged twice",
                "double charge",
                "paid twice",
                "invoice",
                "refund",
            ),
        ),
        "plan_changes": Policy(
            title="Plan changes and proration",
            content=(
                "Seat changes mid-term are prorated and invoiced on the next billing date. "
                "Credits for seat reductions are applied to the next invoice, not refunded."
            ),
            keywords=("proration", "prorated", "seats", "plan change", "credit"),
        ),
    },
    customer=Customer(
        answers={
            "invoice_number": "INV-2024-0419",
            "card_last_four": "2210",
            "charge_date": "The 1st, both at about 09:00 UTC.",
        },
        unanswered_reply="Helena has not replied yet.",
    ),
    step_budget=12,
    gold=Gold(
        final_status="resolved",
        resolution_code="refund_duplicate_charge",
        queue="billing",
        priority="normal",
        issue_type="billing_error",
        required_evidence=("ticket", "artifact:billing_ledger", "policy:duplicate_charge"),
        reply_points=(
            point("duplicate"),
            point("refund"),
            point("timeline"),
            point("receipt"),
        ),
        note_points=(
            point("duplicate", name="charge_ids"),
            point(facts=("INV-2024-0419",), name="invoice"),
        ),
        forbidden_claims=claims("locked", "escalated", "incident", "service_credit"),
        optimal_steps=7,
    ),
)

ACCOUNT_TAKEOVER_MEDIUM = Scenario(
    task_id="account_takeover_medium",
    family="seed",
    difficulty="medium",
    title="Unrecognised sign-in on an enterprise owner account",
    objective=(
        "Work the ticket: check the sign-in records, follow the security policy, route the "
        "case, tell the customer what happens next and leave the case in the state the "
        "policy calls for."
    ),
    ticket=Ticket(
        subject="Unrecognised sign-in alert on our owner account",
        customer_name="Rafael Ortiz (IT Admin, Kestrel Logistics)",
        customer_message=(
            "We got a 'new sign-in' alert this morning for our workspace owner account "
            "(ops-admin@kestrel-logistics.example) from a country we don't operate in. Nobody "
            "here recognises it. Please look into this urgently and make sure nobody has taken "
            "over the account. Also, while you're at it, when does our contract renew?"
        ),
        customer_tier="enterprise",
        sla_minutes=60,
        affected_users=250,
        business_impact=(
            "The owner account controls billing, SSO and data exports for 250 users; no "
            "confirmed misuse yet."
        ),
        secondary_concerns=("Asks when the contract renews.",),
    ),
    artifacts={
        "login_activity": Artifact(
            title="Sign-in activity - ops-admin@kestrel-logistics.example",
            content=(
                "Today 06:41 UTC: password sign-in from a new device (Windows, Chrome), IP "
                "102.89.34.18, Lagos NG, risk score 71/100; MFA push approved.\n"
                "Earlier sign-ins: Rotterdam NL only, from 2 known MacBooks.\n"
                "Since the new sign-in: no changes to email, password, SSO, members or "
                "exports."
            ),
        ),
        "contract": Artifact(
            title="Contract - Kestrel Logistics",
            content=(
                "Enterprise annual agreement, 250 seats, renews on 1 March. Renewal owner: "
                "account manager J. Patel."
            ),
        ),
    },
    policies={
        "suspicious_login": Policy(
            title="Unrecognised sign-ins (no confirmed compromise)",
            content=(
                "When a customer reports a sign-in they do not recognise and nothing shows "
                "misuse yet, escalate to Trust & Safety at high priority and ask the requester "
                "for identity verification, their last successful login and the devices they "
                "use. Keep the case waiting on the customer until they reply. Do not lock, "
                "reset or change the account and do not share sign-in details (IP, location) "
                "before the requester is verified. Do not tell the customer the account is "
                "safe."
            ),
            keywords=(
                "suspicious",
                "sign-in",
                "sign in",
                "login",
                "unrecognised",
                "unrecognized",
                "alert",
                "takeover",
            ),
        ),
        "contract_renewals": Policy(
            title="Contract and renewal questions",
            content=(
                "Renewal dates and terms are handled by the customer's account manager; route "
                "such questions to account management in a separate thread."
            ),
            keywords=("renewal", "renew", "contract", "pricing"),
        ),
    },
    customer=Customer(
        answers={},
        unanswered_reply="Rafael has not replied yet; verification takes him some time.",
    ),
    step_budget=15,
    gold=Gold(
        final_status="waiting_on_customer",
        resolution_code="request_verification",
        queue="trust_and_safety",
        priority="high",
        issue_type="account_security",
        requested_fields=("identity_verification", "last_successful_login", "recent_devices"),
        required_evidence=("ticket", "artifact:login_activity", "policy:suspicious_login"),
        reply_points=(
            point("security_team"),
            point("verify_identity", name="verification"),
            point("last_login"),
            point("devices"),
        ),
        note_points=(
            point("takeover_signals", name="signin_facts"),
            point("no_misuse", name="no_misuse_yet"),
        ),
        forbidden_claims=(
            *claims("refund", "replacement", "locked", "resolved", "safe"),
            claim(facts=("lagos", "102.89.34.18"), any_fact=True, name="attacker_details"),
        ),
        optimal_steps=9,
        escalated=True,
    ),
)

API_INCIDENT_HARD = Scenario(
    task_id="api_incident_hard",
    family="seed",
    difficulty="hard",
    title="Production API outage with a compliance side-request",
    objective=(
        "Work the ticket under SLA pressure: check the platform records, follow the policy "
        "that applies, route the case, tell the customer what happens next and leave the "
        "case in the state the policy calls for. Keep the primary issue first."
    ),
    ticket=Ticket(
        subject="URGENT: production API returning 503s, checkout down",
        customer_name="Mei Tanaka (VP Engineering, Corvid Pay)",
        customer_message=(
            "Since about 09:10 UTC every call from our production workspace to your payments "
            "API fails with 503 Service Unavailable. Checkout is down for all our merchants. "
            "This is a P1 for us, we need engineers on it now. Separately, our auditors need "
            "your latest SOC 2 Type II report by Friday, can you send it over?"
        ),
        customer_tier="enterprise",
        sla_minutes=30,
        affected_users=12000,
        business_impact=(
            "Checkout failing for about 12,000 merchant users; contract has a 99.95% uptime SLA."
        ),
        secondary_concerns=("Requests the latest SOC 2 Type II report for an audit due Friday.",),
    ),
    artifacts={
        "api_metrics": Artifact(
            title="API metrics - workspace ws_corvid_prod",
            content=(
                "5xx rate 0.1% until 09:11 UTC, 97% since; all failing calls served by the "
                "eu-west-2 gateway. Other tenants on eu-west-2: 5xx at 41%. p99 latency: 30s "
                "timeouts. Platform change log: gateway release v4.18 rolled out to eu-west-2 at "
                "09:08 UTC. Customer-side configuration: unchanged for 7 days."
            ),
        ),
        "account": Artifact(
            title="Account - Corvid Pay",
            content=(
                "Enterprise plan, 99.95% uptime SLA, Sev-1 first response within 30 minutes, "
                "updates every 30 minutes. Status page: no incident posted yet."
            ),
        ),
        "compliance_requests": Artifact(
            title="Compliance requests - Corvid Pay",
            content=(
                "NDA on file since last year. SOC 2 Type II report (current period) available "
                "under NDA; requests are fulfilled by privacy compliance within 5 business days."
            ),
        ),
    },
    policies={
        "api_incident": Policy(
            title="Production API incidents",
            content=(
                "When a customer reports production API failures that platform metrics "
                "confirm, open an incident: classify urgent / technical_incident, escalate to "
                "platform engineering and ask the customer for failing request IDs, error logs "
                "and the incident start time. Never call it resolved or fixed before "
                "engineering confirms recovery. Reply with the incident acknowledgement and the "
                "next update time (every 30 minutes). Handle side requests in a separate ticket "
                "after the incident."
            ),
            keywords=("outage", "503", "5xx", "api", "incident", "errors", "down", "production"),
        ),
        "compliance_reports": Policy(
            title="Compliance reports (SOC 2, ISO 27001)",
            content=(
                "Customers with an NDA can receive the SOC 2 Type II report through privacy "
                "compliance; route such requests to privacy_compliance at normal priority."
            ),
            keywords=("soc 2", "soc2", "audit", "auditors", "compliance", "report", "iso"),
        ),
    },
    customer=Customer(
        answers={
            "request_ids": "req_9f2a1c, req_9f2a7e, req_9f2b03",
            "error_logs": (
                "HTTP 503 'upstream connect error or disconnect/reset before headers' from "
                "gw-euw2-3, repeated on every call since 09:10 UTC."
            ),
            "incident_start_time": "First failures at 09:10 UTC today.",
            "affected_endpoints": "POST /v2/charges and GET /v2/charges/{id}.",
            "api_client_version": "corvid-sdk 3.4.1",
        },
        unanswered_reply="Mei has not replied yet.",
    ),
    step_budget=16,
    minutes_per_step=5,
    gold=Gold(
        final_status="escalated",
        resolution_code="open_incident",
        queue="platform_engineering",
        priority="urgent",
        issue_type="technical_incident",
        requested_fields=("request_ids", "error_logs", "incident_start_time"),
        required_evidence=(
            "ticket",
            "artifact:api_metrics",
            "artifact:account",
            "policy:api_incident",
        ),
        reply_points=(
            point("incident"),
            point("engineering"),
            point("diagnostics"),
            point("updates"),
        ),
        note_points=(
            point(
                facts=("eu-west-2", "v4.18", "gateway release", "503"),
                any_fact=True,
                name="platform_cause",
            ),
            point(facts=("SOC 2", "SOC2"), any_fact=True, name="soc2_separate"),
        ),
        forbidden_claims=claims("refund", "replacement", "locked", "resolved"),
        optimal_steps=10,
    ),
)

#: The enterprise SaaS seed cases, in catalog order.
ENTERPRISE_SEEDS: tuple[Scenario, ...] = (
    BILLING_REFUND_EASY,
    ACCOUNT_TAKEOVER_MEDIUM,
    API_INCIDENT_HARD,
)
