"""Where the baseline plays: each transport has ``reset(task_id)`` and ``step(action)``,
both returning ``{"observation", "reward", "done"}``, and ``close()``.

A malformed action raises :class:`ValueError` from ``step`` (the runner lets the fallback
play instead).
"""

from __future__ import annotations

from typing import Any


def _case_action(action: dict[str, Any]) -> Any:
    """``action`` as a :class:`~caseops.domain.actions.CaseAction`.

    Raises:
        ValueError: the action is malformed (the first validation message).
    """
    from pydantic import ValidationError

    from caseops.domain.actions import CaseAction

    try:
        return CaseAction.model_validate(action)
    except ValidationError as e:
        raise ValueError(f"invalid action: {e.errors()[0]['msg']}") from None


class HttpEnv:
    """Plays over plain HTTP (``/reset``, ``/step`` with the episode id)."""

    def __init__(self, base_url: str) -> None:
        import httpx

        self.client = httpx.Client(base_url=base_url.rstrip("/"), timeout=30)
        self.episode_id: str | None = None

    def reset(self, task_id: str) -> dict[str, Any]:
        r = self.client.post("/reset", json={"task_id": task_id})
        r.raise_for_status()
        data = r.json()
        self.episode_id = data["observation"]["episode_id"]
        return data

    def step(self, action: dict[str, Any]) -> dict[str, Any]:
        r = self.client.post("/step", json={"action": action, "episode_id": self.episode_id})
        if r.status_code == 422:
            raise ValueError(f"invalid action: {r.json().get('detail')}")
        r.raise_for_status()
        return r.json()

    def close(self) -> None:
        self.client.close()


class LocalEnv:
    """Plays in-process against :class:`CaseOpsEnvironment` (store: ``service``'s, else
    CASEOPS_DATABASE_URL)."""

    def __init__(self, service: Any = None) -> None:
        from caseops.api.environment import CaseOpsEnvironment

        self.env = CaseOpsEnvironment(service=service)

    @staticmethod
    def _wrap(obs: Any) -> dict[str, Any]:
        data = obs.model_dump(mode="json", exclude={"reward", "done", "metadata"})
        return {"observation": data, "reward": obs.reward, "done": obs.done}

    def reset(self, task_id: str) -> dict[str, Any]:
        return self._wrap(self.env.reset(task_id=task_id))

    def step(self, action: dict[str, Any]) -> dict[str, Any]:
        return self._wrap(self.env.step(_case_action(action)))

    def close(self) -> None:
        pass


class DockerEnv:
    """Plays through OpenEnv's ``from_docker_image`` (WebSocket client)."""

    def __init__(self, image: str) -> None:
        import asyncio

        from caseops.client import CaseOpsEnv

        self.client = asyncio.run(CaseOpsEnv.from_docker_image(image)).sync()

    def reset(self, task_id: str) -> dict[str, Any]:
        res = self.client.reset(task_id=task_id)
        return self._wrap(res)

    def step(self, action: dict[str, Any]) -> dict[str, Any]:
        return self._wrap(self.client.step(_case_action(action)))

    @staticmethod
    def _wrap(res: Any) -> dict[str, Any]:
        data = res.observation.model_dump(mode="json", exclude={"reward", "done", "metadata"})
        return {"observation": data, "reward": res.reward, "done": res.done}

    def close(self) -> None:
        self.client.close()
