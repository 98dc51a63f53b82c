"""The OpenEnv wire models of CaseOps (re-exported for the env convention): the domain's
action, observation and state as openenv's ``Action``, ``Observation`` and ``State``
(:mod:`caseops.api.wire`)."""

from caseops.api.wire import WireAction as CaseAction
from caseops.api.wire import WireObservation as CaseObservation
from caseops.api.wire import WireState as CaseState

__all__ = ["CaseAction", "CaseObservation", "CaseState"]
