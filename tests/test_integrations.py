"""Training adapters: openenv's harness (``build_harness_rollout_func`` and ``CollectRunner``,
the engine of ``openenv collect``) reports the episode score, not the last step's
increment; the TRL environment class exposes one typed tool per action type, ``reset(**row)``
and ``get_reward()``; and the opt-in TRL GRPO run (``CASEOPS_TRAIN_TEST=1`` with the ``train``
extra installed)."""

from __future__ import annotations

import importlib.util
import inspect
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import action_json, oracle_actions
from openenv.core.harness import (
    HarnessRunLimits,
    MCPHarnessAdapter,
    ModelStepResult,
    build_harness_rollout_func,
)
from openenv.core.harness.collect import CollectRunner, RolloutSerializer
from openenv.core.llm_client import LLMResponse, ToolCall

from caseops.api.service import EpisodeService
from caseops.api.tools import TOOL_NAMES
from caseops.cases.catalog import get_scenario
from caseops.domain.vocab import ACTION_TYPES
from caseops.integrations.harness import CaseOpsSessionFactory
from caseops.integrations.trl import CaseOpsToolEnv

REPO = Path(__file__).resolve().parents[1]
TASK = "api_incident_hard"


def scripted_model(task_id: str, stop_after: int | None = None) -> Any:
    """A model step that plays the reference agent's actions as tool calls, one per turn
    (and stops calling tools after ``stop_after`` of them)."""
    calls = []
    for a in oracle_actions(get_scenario(task_id)):
        args = action_json(a)
        calls.append((args.pop("action_type"), args))
    if stop_after is not None:
        calls = calls[:stop_after]
    turn = iter(range(len(calls) + 1))

    def model_step(messages: Any, tools: Any, sampling: Any) -> ModelStepResult:
        k = next(turn)
        if k >= len(calls):
            return ModelStepResult(response=LLMResponse(content="done"))
        name, args = calls[k]
        call = ToolCall(id=f"c{k}", name=name, args=args)
        return ModelStepResult(response=LLMResponse(content="", tool_calls=[call]))

    return model_step


def test_harness_rollout_reward_is_the_episode_score(service: EpisodeService) -> None:
    factory = CaseOpsSessionFactory(service=service)
    rollout = build_harness_rollout_func(
        session_factory=factory,
        harness_adapter=MCPHarnessAdapter(),
        model_step_builder=lambda trainer, session: scripted_model(TASK),
        limits=HarnessRunLimits(max_turns=30),
    )
    out = rollout([TASK, {"task_id": TASK}], None)
    assert len(out["env_reward"]) == 2
    for reward, metrics in zip(out["env_reward"], out["verify_metrics"], strict=True):
        assert reward >= 0.99  # the score, not the last step's shaped increment
        assert metrics["status"] == get_scenario(TASK).gold.final_status
    # the same episodes are in the log, with that score
    scores = [r.score for r in service.regrade()]
    assert sorted(scores) == sorted(out["env_reward"])

    # a rollout that stops before the end scores 0 (no outcome), in the terminal mode too
    short = build_harness_rollout_func(
        session_factory=CaseOpsSessionFactory(service=service, reward_mode="terminal"),
        harness_adapter=MCPHarnessAdapter(),
        model_step_builder=lambda trainer, session: scripted_model(TASK, stop_after=3),
    )
    assert short([TASK], None)["env_reward"] == [0.0]


def test_harness_session_tools_and_collect(service: EpisodeService, tmp_path: Path) -> None:
    factory = CaseOpsSessionFactory(service=service)
    session = factory.create(task={"split": "seed", "index": 5}, episode_id="ep-000000")
    assert session.first.task_id == TASK and session.episode_id != "ep-000000"
    assert {t.name for t in session.list_tools()} == set(TOOL_NAMES)
    assert "gold" not in str(session.initial_messages())
    with pytest.raises(ValueError, match="queue"):
        session.call_tool("escalate", {"queue": "nowhere"})
    with pytest.raises(KeyError):
        session.call_tool("start_case", {})
    session.close()

    runner = CollectRunner(
        session_factory=factory,
        harness_adapter=MCPHarnessAdapter(),
        serializer=RolloutSerializer(tmp_path / "collected"),
        tasks=[TASK, TASK],
        limits=HarnessRunLimits(max_turns=30),
    )
    model_steps = iter([scripted_model(TASK), scripted_model(TASK)])

    def model_step(messages: Any, tools: Any, sampling: Any) -> ModelStepResult:
        if len(messages) <= 2:  # a new episode's first turn
            model_step.current = next(model_steps)  # type: ignore[attr-defined]
        return model_step.current(messages, tools, sampling)  # type: ignore[attr-defined]

    result = runner.run(model_step=model_step, num_episodes=2, resume=False)
    assert result.num_collected == 2 and result.num_failed == 0, result
    assert result.avg_reward >= 0.99


def test_trl_environment_class_shape(service: EpisodeService) -> None:
    env = CaseOpsToolEnv(service=service)
    members = inspect.getmembers(CaseOpsToolEnv, inspect.isfunction)
    public = {n for n, _ in members if not n.startswith("_")}
    # what TRL exposes as tools: every public function but reset and get_reward
    assert public - {"reset", "get_reward"} == set(ACTION_TYPES)
    for name in ACTION_TYPES:
        method = getattr(CaseOpsToolEnv, name)
        doc = inspect.getdoc(method) or ""
        assert len(doc) > 40 and "Returns:" in doc, name
        params = [p for p in inspect.signature(method).parameters if p != "self"]
        for p in params:
            assert f"{p}:" in doc, (name, p)  # every argument documented (Google style)
    text = env.reset(task_id=TASK, prompt=[{"role": "user", "content": "x"}])
    assert TASK in text and "gold" not in text
    assert env.get_reward() == 0.0
    for a in oracle_actions(get_scenario(TASK)):
        args = action_json(a)
        out = getattr(env, args.pop("action_type"))(**args)
    assert out["done"] is True
    assert env.get_reward() >= 0.99


TRAIN = os.environ.get("CASEOPS_TRAIN_TEST") == "1"
HAVE_TRL = all(importlib.util.find_spec(m) for m in ("trl", "transformers", "torch", "datasets"))


@pytest.mark.skipif(
    not (TRAIN and HAVE_TRL),
    reason="opt-in: set CASEOPS_TRAIN_TEST=1 with the train extra installed "
    "(uv sync --extra train) to run TRL's GRPO end to end on a tiny random model",
)
def test_trl_grpo_example_runs_end_to_end(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(REPO / "examples" / "trl_grpo.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=1800,
        env={**os.environ, "CASEOPS_DATABASE_URL": f"sqlite:///{tmp_path / 'grpo.db'}"},
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "final reward" in proc.stdout


async def _verifiers_style_episode(base_url: str) -> tuple[float, float, dict[str, Any]]:
    """What verifiers' ``OpenEnvEnv.run`` does (verifiers 0.4,
    ``verifiers/v1/tasksets/openenv/taskset.py``): read ``/schema``, reset with the task's
    arguments, step with the model's JSON actions through ``GenericEnvClient``, and score
    the sum of the step rewards. The model here is scripted (the reference agent)."""
    import httpx
    from openenv import GenericEnvClient

    total = 0.0
    async with GenericEnvClient(base_url=base_url) as client:
        async with httpx.AsyncClient(timeout=30) as http:
            schema = (await http.get(f"{base_url}/schema")).json()["action"]
        result = await client.reset(split="seed", index=5, reward_mode="terminal")
        for a in oracle_actions(get_scenario(TASK)):
            result = await client.step(action_json(a))
            total += result.reward or 0.0
            if result.done:
                break
    return total, float(result.observation["grade_report"]["score"]), schema


def test_verifiers_openenv_recipe_sums_to_the_score(tmp_path: Path) -> None:
    import asyncio

    from conftest import running_servers, sqlite_url

    with running_servers(sqlite_url(tmp_path, "v.db"), tmp_path) as servers:
        total, score, schema = asyncio.run(_verifiers_style_episode(servers[0].base_url))
    assert schema["title"] == "CaseAction"  # not the generic MCP action: JSON actions
    assert score >= 0.99 and abs(total - score) < 1e-9
