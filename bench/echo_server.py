"""The framework floors: a trivial echo environment served by openenv-core's
``create_app`` with the same uvicorn settings CaseOps uses
(:func:`caseops.api.app.server_options`), and the same echo persisting every step.

- ``app`` (``echo``): returns what it is sent; the framework's own cost per step.
- :func:`persisted_app` (``echo-persisted``): the echo plus one storage-floor write per
  step (:class:`bench.floor.FloorTable`: a bare SQLAlchemy Core single-row
  insert-and-commit on the database it is given), run on the event loop as CaseOps runs
  its steps on SQLite. It is what an environment pays that stores every step with one
  SQLAlchemy Core write when served by openenv-core: a served target that this server
  misses against the echo is out of reach for such an environment, whatever its own
  step costs.

Run: ``python -m bench.echo_server --port P [--persist URL]``.
"""

from __future__ import annotations

import argparse
from typing import Any

from fastapi import FastAPI
from openenv.core.env_server.http_server import create_app
from openenv.core.env_server.interfaces import Environment
from openenv.core.env_server.types import Action, Observation, State

from .floor import FloorTable


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


def persisted_app(url: str) -> FastAPI:
    """The echo app whose every step (and reset) first makes one storage-floor write on
    ``url``, on the event loop (``step_async``), before answering."""
    floor = FloorTable(url)

    class PersistedEchoEnvironment(EchoEnvironment):
        """The echo, plus one bare insert-and-commit per step."""

        def reset(
            self, seed: int | None = None, episode_id: str | None = None, **kw: Any
        ) -> EchoObservation:
            floor.write()
            return super().reset(seed, episode_id)

        def step(
            self, action: EchoAction, timeout_s: float | None = None, **kw: Any
        ) -> EchoObservation:
            floor.write()
            return super().step(action)

        async def reset_async(
            self, seed: int | None = None, episode_id: str | None = None, **kw: Any
        ) -> EchoObservation:
            return self.reset(seed, episode_id)

        async def step_async(
            self, action: EchoAction, timeout_s: float | None = None, **kw: Any
        ) -> EchoObservation:
            return self.step(action)

    served = create_app(
        PersistedEchoEnvironment, EchoAction, EchoObservation, max_concurrent_envs=512
    )
    served.state.floor = floor  # what its steps write to (the benchmark's tests count it)
    return served


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--persist", default=None, help="database URL: serve the persisted echo")
    a = p.parse_args()
    from caseops.api.app import run_server

    served = persisted_app(a.persist) if a.persist else app
    run_server(served, host="127.0.0.1", port=a.port, log_level="warning")
