"""The framework floor: a trivial echo environment served by openenv-core's
``create_app`` with the same uvicorn settings CaseOps uses
(:func:`caseops.api.app.server_options`).

Run: ``python -m bench.echo_server --port P``.
"""

from __future__ import annotations

import argparse
from typing import Any

import uvicorn
from openenv.core.env_server.http_server import create_app
from openenv.core.env_server.interfaces import Environment
from openenv.core.env_server.types import Action, Observation, State


class EchoAction(Action):
    """Echo this message."""

    message: str = ""


class EchoObservation(Observation):
    """The message echoed back."""

    echoed: str = ""


class EchoEnvironment(Environment[EchoAction, EchoObservation, State]):
    """Returns what it is sent; no state."""

    SUPPORTS_CONCURRENT_SESSIONS = True

    def __init__(self) -> None:
        super().__init__()
        self._state = State(episode_id="echo", step_count=0)

    def reset(
        self, seed: int | None = None, episode_id: str | None = None, **kw: Any
    ) -> EchoObservation:
        return EchoObservation(echoed="", reward=0.0, done=False)

    def step(
        self, action: EchoAction, timeout_s: float | None = None, **kw: Any
    ) -> EchoObservation:
        return EchoObservation(echoed=action.message, reward=0.0, done=False)

    @property
    def state(self) -> State:
        return self._state


app = create_app(EchoEnvironment, EchoAction, EchoObservation, max_concurrent_envs=512)

if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    a = p.parse_args()
    from caseops.api.app import server_options

    uvicorn.run(app, host="127.0.0.1", port=a.port, log_level="warning", **server_options())
