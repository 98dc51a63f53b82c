"""The OpenEnv wire models of CaseOps (re-exported for the env convention)."""

from caseops.domain.actions import CaseAction
from caseops.domain.observation import CaseObservation, CaseState

__all__ = ["CaseAction", "CaseObservation", "CaseState"]
