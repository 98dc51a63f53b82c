"""CaseOps for openenv's harness rollouts (``openenv.core.harness``):
``build_harness_rollout_func`` (a TRL ``rollout_func``) and ``CollectRunner`` (the engine of
``openenv collect``).

:class:`CaseOpsSessionFactory` makes one :class:`CaseOpsSession` per rollout: the case's
first observation as the initial messages, the MCP tools (one per action type; the
session opens the case itself, so ``start_case`` is not offered), and a ``verify`` whose
reward is the **episode score** (the final grade; 0.0 for a case left unfinished).
openenv takes a rollout's reward from the last tool result that carries one, else from
``verify``; CaseOps' tool results carry the step's reward under ``step_reward`` instead,
so the score, not the last step's shaped increment, is what training and collection see.

    from openenv.core.harness import MCPHarnessAdapter, build_harness_rollout_func
    from caseops.integrations.harness import CaseOpsSessionFactory

    rollout_func = build_harness_rollout_func(
        session_factory=CaseOpsSessionFactory(reward_mode="terminal"),
        harness_adapter=MCPHarnessAdapter(),
        model_step_builder=...,
    )

A task is a task id (``"wrong_item/17"``), a dict with ``task_id`` (a dataset row, or
``{"split": ..., "index": ...}``), or ``None`` (a seed case picked by ``seed``).
"""

from __future__ import annotations

from typing import Any

from openenv.core.env_server.mcp_environment import get_server_tools
from openenv.core.env_server.mcp_types import Tool
from openenv.core.harness import (
    Message,
    ResourceSession,
    ResourceSessionFactory,
    ToolResult,
    VerifyResult,
)

from caseops.api.environment import CaseOpsEnvironment
from caseops.api.service import EpisodeService
from caseops.domain.observation import CaseObservation

from .trl import SYSTEM_PROMPT, render_observation


class CaseOpsSession(ResourceSession):
    """One CaseOps episode behind openenv's ``ResourceSession`` interface.

    Args:
        task: see the module docstring.
        seed: picks a seed case when ``task`` names none.
        service: the episode service (default: the process-wide one).
        reward_mode: ``dense`` (default) or ``terminal``.
    """

    def __init__(
        self,
        task: Any = None,
        seed: int | None = None,
        service: EpisodeService | None = None,
        reward_mode: str = "dense",
    ) -> None:
        self.env = CaseOpsEnvironment(service=service)
        kwargs: dict[str, Any] = {"reward_mode": reward_mode}
        if isinstance(task, str):
            kwargs["task_id"] = task
        elif isinstance(task, dict):
            for key in ("task_id", "split", "index", "seed"):
                if task.get(key) is not None:
                    kwargs[key] = task[key]
        if seed is not None:
            kwargs.setdefault("seed", seed)
        self.first: CaseObservation = self.env.reset(**kwargs)
        self.last: dict[str, Any] = self.first.model_dump(mode="json")
        tools = get_server_tools(self.env.mcp_server)
        self._tools = {name: tool for name, tool in tools.items() if name != "start_case"}

    @property
    def episode_id(self) -> str:
        """The CaseOps episode id (its stream in the event log)."""
        return self.first.episode_id

    def initial_messages(self) -> list[Message]:
        """A system message with the instructions and a user message with the case."""
        return [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": render_observation(self.first)},
        ]

    def list_tools(self) -> list[Tool]:
        """The action tools with their JSON schemas (vocabulary enums)."""
        return [
            Tool(name=t.name, description=t.description or "", input_schema=t.parameters)
            for t in self._tools.values()
        ]

    def call_tool(self, name: str, arguments: dict[str, Any]) -> ToolResult:
        """Apply one action. ``data`` is the observation with ``step_reward`` and ``done``.

        Raises:
            KeyError: an unknown tool.
            ValueError: arguments the action schema refuses (a value outside a vocabulary).
        """
        from pydantic import ValidationError

        if name not in self._tools:
            raise KeyError(f"Unknown tool: {name}")
        try:
            result = self._tools[name].fn(**arguments)
        except ValidationError as e:
            raise ValueError(str(e)) from None
        self.last = {**result["observation"], "done": bool(result["done"])}
        done = bool(result["done"])
        return ToolResult(
            data={
                "observation": result["observation"],
                "step_reward": result["reward"],
                "done": done,
            },
            done=done,
            metadata={"step_reward": result["reward"], "episode_id": self.episode_id},
        )

    def score(self) -> float:
        """The episode score: the final grade once ended, else 0.0."""
        report = self.last.get("grade_report")
        return float(report["score"]) if self.last["done"] and report is not None else 0.0

    def verify(self, transcript: list[Message], final_state: Any | None = None) -> VerifyResult:
        """The rollout's result: ``env_reward`` is the episode score."""
        return VerifyResult(
            env_reward=self.score(),
            done=bool(self.last["done"]),
            metrics={"steps": self.last["step"], "status": self.last["case"]["status"]},
            artifacts={"episode_id": self.episode_id, "task_id": self.first.task_id},
        )

    def close(self) -> None:
        """Nothing to release: the episode stays in the log."""


class CaseOpsSessionFactory(ResourceSessionFactory[CaseOpsSession]):
    """Sessions on one service and reward mode. openenv's ``episode_id`` (collection's
    own numbering) is not reused as the CaseOps episode id, which the log keeps unique."""

    def __init__(self, service: EpisodeService | None = None, reward_mode: str = "dense") -> None:
        self.service = service
        self.reward_mode = reward_mode

    def create(
        self, task: Any, seed: int | None = None, episode_id: str | None = None
    ) -> CaseOpsSession:
        """A session on ``task`` (see the module docstring)."""
        return CaseOpsSession(task, seed, service=self.service, reward_mode=self.reward_mode)
