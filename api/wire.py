"""The domain's action, observation and state as openenv's wire types.

openenv's server, client and ``Environment`` interface take subclasses of its
``Action``, ``Observation`` and ``State`` (``openenv.core.env_server.types``); the domain's
models (:mod:`caseops.domain.actions`, :mod:`caseops.domain.observation`) know nothing of
openenv. Each wire type here is the domain model with openenv's base added: the same
fields in the same order (openenv's ``metadata`` first on an action, ``done``, ``reward``
and ``metadata`` first on an observation), so a wire action *is* a domain action, and a
domain observation becomes a wire one by :func:`wire_observation` without validation
(it was validated, or built from typed values, by the domain).
"""

from __future__ import annotations

from openenv.core.env_server.types import Action, Observation, State
from pydantic import ConfigDict

from caseops.domain.actions import CaseAction
from caseops.domain.observation import CaseObservation, CaseState


class WireAction(CaseAction, Action):
    """:class:`~caseops.domain.actions.CaseAction` as openenv's ``Action`` (adds an
    optional ``metadata`` dict, ignored: not part of the action's payload). Its JSON
    schema keeps the domain's name."""

    model_config = ConfigDict(title="CaseAction")


class WireObservation(CaseObservation, Observation):
    """:class:`~caseops.domain.observation.CaseObservation` as openenv's ``Observation``
    (adds ``metadata``, always empty)."""

    model_config = ConfigDict(title="CaseObservation")


class WireState(CaseState, State):
    """:class:`~caseops.domain.observation.CaseState` as openenv's ``State``."""

    model_config = ConfigDict(title="CaseState")


def wire_observation(obs: CaseObservation) -> WireObservation:
    """``obs`` as a :class:`WireObservation`: the same field values (shared, not
    copied), an empty ``metadata``, the same fields set."""
    return WireObservation.model_construct(obs.model_fields_set, **obs.__dict__)


def wire_state(state: CaseState) -> WireState:
    """``state`` as a :class:`WireState` (the same field values)."""
    return WireState.model_construct(state.model_fields_set, **state.__dict__)


__all__ = ["WireAction", "WireObservation", "WireState", "wire_observation", "wire_state"]
