"""The families, registered explicitly: name -> ``generate(kit) -> dict`` (the fields
of one :class:`~caseops.domain.scenario.Scenario`), in catalog order.

A new family is a module in :mod:`caseops.cases.families` plus one line in
:data:`FAMILIES`; nothing is looked up by name at run time, so static tools see every
family. The order is the catalog's (``split_refs`` walks it): appending keeps every
existing listing, reordering changes them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from .families import (
    abuse_report,
    account_lockout,
    account_takeover,
    address_change,
    api_outage,
    chargeback_dispute,
    damaged_item,
    data_export,
    duplicate_charge,
    fraud_false_positive,
    invoice_tax,
    lost_parcel,
    partial_outage,
    payment_failure,
    privacy_request,
    refund_window,
    seat_downgrade,
    sso_misconfiguration,
    subscription_cancellation,
    warranty_claim,
    wrong_item,
)
from .kit import Kit

#: A family's builder: a seeded kit -> the scenario's fields (all but the id, family,
#: seed and split, which the generator adds).
Build = Callable[[Kit], dict[str, Any]]

#: family name -> its builder, in catalog order.
FAMILIES: Mapping[str, Build] = MappingProxyType(
    {
        "damaged_item": damaged_item.generate,
        "wrong_item": wrong_item.generate,
        "lost_parcel": lost_parcel.generate,
        "refund_window": refund_window.generate,
        "subscription_cancellation": subscription_cancellation.generate,
        "duplicate_charge": duplicate_charge.generate,
        "chargeback_dispute": chargeback_dispute.generate,
        "invoice_tax": invoice_tax.generate,
        "account_takeover": account_takeover.generate,
        "account_lockout": account_lockout.generate,
        "api_outage": api_outage.generate,
        "privacy_request": privacy_request.generate,
        "sso_misconfiguration": sso_misconfiguration.generate,
        "abuse_report": abuse_report.generate,
        "address_change": address_change.generate,
        "warranty_claim": warranty_claim.generate,
        "payment_failure": payment_failure.generate,
        "partial_outage": partial_outage.generate,
        "seat_downgrade": seat_downgrade.generate,
        "data_export": data_export.generate,
        "fraud_false_positive": fraud_false_positive.generate,
    }
)

#: Family names, in catalog order.
FAMILY_NAMES: tuple[str, ...] = tuple(FAMILIES)
