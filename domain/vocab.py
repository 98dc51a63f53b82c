"""The closed vocabularies an agent chooses from.

Every observation lists them in full (they are the same for every case, so they reveal
nothing about any one case's gold). Action fields that take these values are typed as
``Literal`` so a value outside the vocabulary is a 422 naming the field.
"""

from __future__ import annotations

from typing import Literal, get_args

CaseStatus = Literal["new", "triaged", "waiting_on_customer", "escalated", "resolved"]
CASE_STATUSES: tuple[str, ...] = get_args(CaseStatus)

ActionType = Literal[
    "review_ticket",
    "inspect_artifact",
    "search_policy",
    "draft_reply",
    "add_internal_note",
    "classify",
    "request_info",
    "escalate",
    "resolve",
    "submit",
]
ACTION_TYPES: tuple[str, ...] = get_args(ActionType)

#: Actions that are not state transitions; legal in every state but ``resolved``.
TOOL_ACTIONS: tuple[str, ...] = (
    "review_ticket",
    "inspect_artifact",
    "search_policy",
    "draft_reply",
    "add_internal_note",
)

#: Actions that move the case between states (docs/architecture.md, "The case machine").
TRANSITION_ACTIONS: tuple[str, ...] = ("classify", "request_info", "escalate", "resolve")

Queue = Literal[
    "general_support",
    "billing",
    "fulfillment",
    "technical_support",
    "platform_engineering",
    "trust_and_safety",
    "privacy_compliance",
    "account_management",
]
QUEUES: tuple[str, ...] = get_args(Queue)

Priority = Literal["low", "normal", "high", "urgent"]
PRIORITIES: tuple[str, ...] = get_args(Priority)

IssueType = Literal[
    "damaged_item",
    "wrong_item",
    "delivery_problem",
    "billing_error",
    "refund_request",
    "subscription_change",
    "account_security",
    "account_access",
    "technical_incident",
    "integration_issue",
    "privacy_request",
    "abuse_report",
    "general_inquiry",
]
ISSUE_TYPES: tuple[str, ...] = get_args(IssueType)

ResolutionCode = Literal[
    "send_replacement",
    "issue_refund",
    "refund_duplicate_charge",
    "deny_refund_outside_policy",
    "reship_order",
    "cancel_subscription",
    "lock_account_and_escalate_fraud",
    "request_verification",
    "reset_credentials",
    "open_incident",
    "fix_configuration",
    "fulfil_privacy_request",
    "provide_information",
    "suspend_abusive_account",
    "no_action_needed",
]
RESOLUTION_CODES: tuple[str, ...] = get_args(ResolutionCode)

RequestableField = Literal[
    "order_id",
    "photo_of_damage",
    "shipping_address",
    "tracking_number",
    "transaction_id",
    "charge_date",
    "card_last_four",
    "account_email",
    "last_successful_login",
    "recent_devices",
    "identity_verification",
    "request_ids",
    "error_logs",
    "incident_start_time",
    "affected_endpoints",
    "api_client_version",
    "workspace_id",
    "idp_metadata",
    "invoice_number",
    "tax_id",
    "data_subject_email",
    "content_url",
]
REQUESTABLE_FIELDS: tuple[str, ...] = get_args(RequestableField)

EndReason = Literal["resolved", "submitted", "step_budget"]
