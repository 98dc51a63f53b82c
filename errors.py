"""The root of the CaseOps error hierarchy.

``CaseOpsError`` is the root of every error CaseOps raises on purpose. It sits below every
layer so that the domain's errors (:mod:`caseops.domain.errors`) and the event store's
(:mod:`caseops.eventstore.errors`) share it while the store imports nothing of the
domain; the HTTP layer maps them to statuses in exactly one table
(:data:`caseops.api.errors.HTTP_STATUS`) and the CLI prints them as one line
(:mod:`caseops.api.cli_support`).
"""

from __future__ import annotations


class CaseOpsError(Exception):
    """Root of all CaseOps errors; ``message`` is the text shown to a user (one line)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
