"""``CaseOpsEnv``: the typed OpenEnv client for CaseOps (WebSocket session).

    async with CaseOpsEnv(base_url="http://127.0.0.1:8000") as env:
        result = await env.reset(task_id="damaged_mug_replacement")
        result = await env.step(CaseAction(action_type="review_ticket"))

or synchronously::

    with CaseOpsEnv(base_url="http://127.0.0.1:8000").sync() as env:
        result = env.reset()
"""

from __future__ import annotations

from typing import Any

from openenv.core.client_types import StepResult
from openenv.core.env_client import EnvClient

from caseops.domain.actions import CaseAction
from caseops.domain.observation import CaseObservation, CaseState


class CaseOpsEnv(EnvClient[CaseAction, CaseObservation, CaseState]):
    """OpenEnv client: ``reset(**kwargs)`` (``task_id``, ``split``, ``seed``,
    ``episode_id``), ``step(CaseAction)``, ``state()``; results are typed."""

    def _step_payload(self, action: CaseAction) -> dict[str, Any]:
        return action.model_dump(mode="json", exclude_none=True, exclude={"metadata"})

    def _parse_result(self, payload: dict[str, Any]) -> StepResult[CaseObservation]:
        obs = dict(payload.get("observation", {}))
        obs.pop("metadata", None)  # openenv's, always empty
        obs["reward"] = payload.get("reward")
        obs["done"] = payload.get("done", False)
        observation = CaseObservation.model_validate(obs)
        return StepResult(
            observation=observation,
            reward=payload.get("reward"),
            done=bool(payload.get("done", False)),
        )

    def _parse_state(self, payload: dict[str, Any]) -> CaseState:
        return CaseState.model_validate(payload)
