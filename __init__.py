"""CaseOps: an event-sourced OpenEnv environment for customer-support operations.

The package root is the repository root (the OpenEnv env convention). Layers, from the
bottom up: :mod:`caseops.domain` (pure data and functions), :mod:`caseops.statemachine`
(the case FSM: decide and evolve), :mod:`caseops.eventstore` (SQLAlchemy Core streams),
:mod:`caseops.api` (the OpenEnv environment, the FastAPI app and the command line).
"""

__version__ = "0.1.0"

# Before anything imports openenv's server package (the client, the wire types, the app):
# importing caseops.api marks openenv's Gradio playground absent and defers its MCP module,
# whatever part of CaseOps is imported first (caseops.api.openenv_lazy explains why).
from caseops import api as _api  # noqa: F401
