"""openenv's wire types (``Action``, ``Observation``, ``State``), loaded without openenv's
server package.

The base classes of :class:`~caseops.domain.actions.CaseAction` and
:class:`~caseops.domain.observation.CaseObservation` live in the module
``openenv.core.env_server.types``, which needs nothing but pydantic. Importing it the usual
way first runs the ``__init__`` of ``openenv.core`` and ``openenv.core.env_server``, which
import the whole server: FastAPI routes, the MCP stack (fastmcp) and openenv's Gradio
playground. Measured with ``python -X importtime`` on the CI machine that was about 3 s of
the CLI's and the server's start (``bench/startup.py``), for three pydantic classes.

:func:`wire_types` loads that one file under its own name and registers it in
``sys.modules``; when openenv's server package loads later (``caseops serve``), its
``from .types import ...`` finds the module there, so both share the very same classes
(``isinstance`` and ``issubclass`` hold across them). When the server package is loaded
already, the module is simply imported.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

_NAME = "openenv.core.env_server.types"


def wire_types() -> ModuleType:
    """The module ``openenv.core.env_server.types``, loaded alone when its packages are not
    loaded yet (see the module docstring).

    Raises:
        ModuleNotFoundError: openenv is not installed.
    """
    loaded = sys.modules.get(_NAME)
    if loaded is not None:
        return loaded
    if "openenv.core.env_server" in sys.modules:
        return importlib.import_module(_NAME)
    top = importlib.util.find_spec("openenv")  # the top package only: not imported
    if top is None or not top.submodule_search_locations:
        raise ModuleNotFoundError("No module named 'openenv'", name="openenv")
    path = Path(next(iter(top.submodule_search_locations)), "core", "env_server", "types.py")
    spec = importlib.util.spec_from_file_location(_NAME, path)
    if spec is None or spec.loader is None or not path.is_file():  # another layout: usual way
        return importlib.import_module(_NAME)
    module = importlib.util.module_from_spec(spec)
    sys.modules[_NAME] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[_NAME]
        raise
    return module


if TYPE_CHECKING:
    from openenv.core.env_server.types import Action, Observation, State
else:
    _types = wire_types()
    Action = _types.Action
    Observation = _types.Observation
    State = _types.State

__all__ = ["Action", "Observation", "State", "wire_types"]
