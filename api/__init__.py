"""The outside world: settings, the episode service, the OpenEnv environment, the FastAPI
app (OpenEnv routes plus tasks/episodes/replay/audit/statemachine) and the CLI."""

from . import openenv_lazy as _openenv_lazy

# before openenv's server package loads: no Gradio, MCP deferred (see that module)
_openenv_lazy.install()
