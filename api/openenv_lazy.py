"""openenv's server package without the parts CaseOps does not use, loaded at start-up.

``import openenv.core.env_server`` (which every import of one of its modules runs first)
also imports, in its ``__init__`` and in ``http_server``:

- ``web_interface``: openenv's Gradio playground, about 2 s of start-up (Gradio, pandas,
  matplotlib...). CaseOps serves its own playground (:mod:`caseops.api.playground`), so
  the module is marked absent (a ``None`` entry in ``sys.modules``: its import raises
  ``ModuleNotFoundError``; Python language reference, "The import system"), which openenv
  already handles (``except ModuleNotFoundError``: no Gradio page).
- ``mcp_environment``: the base class of environments that expose MCP tools, which
  imports ``fastmcp`` and the ``mcp`` package (about 1 s of CPU, most of it building the
  MCP protocol's pydantic models), for ``get_server_tools``, a helper ``/mcp`` calls only
  for an environment that has an MCP server. CaseOps has none. A stand-in module defers
  the real one until an attribute of it is used (``get_server_tools`` is a thin function
  that loads it on its first call). ``MCPEnvironment`` asked for while openenv's package
  initialises reads as absent (its ``__init__`` then sets it to ``None``, as it does when
  fastmcp is not installed); asked for afterwards, the real class is loaded.

Measured with ``python -X importtime`` and ``bench/startup.py`` (bench/README.md).
:func:`install` runs when :mod:`caseops.api` is imported, before openenv's server package.
"""

from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path
from typing import Any

_PACKAGE = "openenv.core.env_server"
_WEB = f"{_PACKAGE}.web_interface"
_MCP = f"{_PACKAGE}.mcp_environment"


class _DeferredMCPEnvironment(types.ModuleType):
    """Stands in for ``openenv.core.env_server.mcp_environment`` until it is needed."""

    def __init__(self) -> None:
        super().__init__(_MCP)
        self.__package__ = _PACKAGE
        self._real: types.ModuleType | None = None

        def get_server_tools(mcp_server: Any) -> dict[str, Any]:
            """openenv's ``get_server_tools``, loaded on first use."""
            return self._load().get_server_tools(mcp_server)  # type: ignore[no-any-return]

        self.get_server_tools = get_server_tools

    def _load(self) -> types.ModuleType:
        """The real module, executed once (under its own name, so its relative imports and
        pickling work) and put in ``sys.modules`` in place of this stand-in."""
        if self._real is None:
            spec = _real_spec()
            if spec is None or spec.loader is None:
                raise ModuleNotFoundError(f"No module named {_MCP!r}", name=_MCP)
            real = importlib.util.module_from_spec(spec)
            sys.modules[_MCP] = real
            try:
                spec.loader.exec_module(real)
            except BaseException:
                sys.modules[_MCP] = self
                raise
            self._real = real
        return self._real

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        package = sys.modules.get(_PACKAGE)
        spec = getattr(package, "__spec__", None)
        if name == "MCPEnvironment" and getattr(spec, "_initializing", False):
            # openenv's __init__ importing it: "not installed" (MCPEnvironment = None)
            raise ModuleNotFoundError(f"{_MCP} is deferred by CaseOps", name=_MCP)
        return getattr(self._load(), name)


_spec_cache: dict[str, Any] = {}


def _real_spec() -> Any:
    """The import spec of the real ``mcp_environment`` file (found once, before the
    stand-in is registered)."""
    return _spec_cache.get("spec")


def install() -> None:
    """Mark openenv's Gradio playground absent and defer its MCP module, unless openenv's
    server package is loaded already (then nothing changes). Idempotent."""
    if _PACKAGE in sys.modules:
        return
    sys.modules.setdefault(_WEB, None)  # type: ignore[arg-type]
    if _MCP in sys.modules:
        return
    top = importlib.util.find_spec("openenv")  # the top package only: not imported
    if top is None or not top.submodule_search_locations:
        return
    for root in top.submodule_search_locations:
        path = Path(root, "core", "env_server", "mcp_environment.py")
        if path.is_file():
            _spec_cache["spec"] = importlib.util.spec_from_file_location(_MCP, path)
            sys.modules[_MCP] = _DeferredMCPEnvironment()
            return
