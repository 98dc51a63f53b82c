"""The CaseOps baseline agent's entry point: ``python inference.py`` at the repository
root, or ``python -m caseops.inference``.

The policies (the model's and the fallback heuristic) are :mod:`caseops.baseline` (its
docstring: the environment variables, the stdout protocol, the conversation and its
history policy, the ``[stats]`` lines). This module is where they play: the transports
(plain HTTP, in-process, OpenEnv's Docker client), each with ``reset(task_id)`` and
``step(action)`` returning ``{"observation", "reward", "done"}`` and ``close()`` (a
malformed action raises :class:`ValueError` from ``step``, and the fallback plays
instead), and the episode loop, which prints the ``[START]``/``[STEP]``/``[END]``
protocol lines on stdout and the ``[stats]`` lines on stderr; :func:`main` is the command.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping
from typing import Any

from caseops.baseline.config import ModelConfig, log
from caseops.baseline.fallback import FallbackPolicy
from caseops.baseline.model import ChatClient, ModelPolicy, OpenAIChat, TaskStats
from caseops.baseline.prompts import cut


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


def _fmt_bool(b: bool) -> str:
    return "true" if b else "false"


def _score(obs: Mapping[str, Any], previous: float) -> float:
    """The episode's score as the observation shows it: ``current_score``, else the grade
    report's (a reward mode that scores only at the end), else ``previous``."""
    score = obs.get("current_score")
    if score is None:
        score = (obs.get("grade_report") or {}).get("score")
    return previous if score is None else float(score)


def play(
    env: Any, task_id: str, model: ModelPolicy | None, model_name: str = "fallback"
) -> tuple[float, TaskStats]:
    """Play one task, printing the protocol lines; returns the final score and what the
    task cost (also printed on stderr as its ``[stats]`` line)."""
    print(f"[START] task={task_id} env=caseops model={model_name}", flush=True)
    stats = TaskStats(task_id)
    rewards: list[float] = []
    steps = 0
    score = 0.0
    done = False
    fallback = FallbackPolicy()
    try:
        data = env.reset(task_id)
        obs = data["observation"]
        score = _score(obs, score)
        if model is not None:
            model.begin(obs)
        budget = int(obs.get("remaining_steps", 20))
        while not done and steps < budget + 2:
            action: dict[str, Any] | None = None
            note: str | None = None
            if model is not None:
                action, why = model.propose(stats)
                if action is None:
                    note = f"the fallback policy chose this action: {why}"
            if action is None:
                action = fallback.act(obs)
                stats.fallback_steps += 1
            error: str | None = None
            try:
                data = env.step(action)
            except ValueError as e:
                if note is not None or model is None:
                    raise  # the fallback's own action was refused: a bug, end the task
                error = str(e)
                stats.invalid_actions += 1
                stats.fallback_steps += 1
                refused = json.dumps(action, ensure_ascii=False)
                note = (
                    f"your action {cut(refused, 300)} was refused ({error}); "
                    "the fallback policy chose the action above instead"
                )
                action = fallback.act(obs)
                data = env.step(action)
            steps += 1
            obs = data["observation"]
            reward = float(data.get("reward") or 0.0)
            done = bool(data.get("done"))
            rewards.append(reward)
            score = _score(obs, score)
            if model is not None:
                model.record(action, obs, note)
            error = error or obs.get("last_action_error")
            compact = json.dumps(action, separators=(",", ":"), ensure_ascii=False)
            err_text = "null" if not error else str(error).replace("\n", " ")
            print(
                f"[STEP] step={steps} action={compact} reward={reward:.2f} "
                f"done={_fmt_bool(done)} error={err_text}",
                flush=True,
            )
    except Exception as e:
        log(f"task {task_id} failed: {type(e).__name__}: {e}")
    finally:
        success = done and score >= 0.5
        joined = ",".join(f"{r:.2f}" for r in rewards)
        print(
            f"[END] success={_fmt_bool(success)} steps={steps} score={score:.3f} rewards={joined}",
            flush=True,
        )
        log(stats.line(f"task={task_id}"))
    return score, stats


def task_ids(split: str, limit: int) -> list[str]:
    """The tasks to play, in a fixed order."""
    from caseops.cases.catalog import task_refs

    ids = list(task_refs(None if split in ("", "seed") else split))
    return ids[:limit] if limit > 0 else ids


def run(
    env: Any, tasks: list[str], chat: ChatClient | None, config: ModelConfig | None
) -> list[float]:
    """Play ``tasks`` in order on ``env`` with the model behind ``chat`` (``None``: the
    fallback alone); prints the protocol lines and the ``[stats]`` lines; returns the
    scores."""
    model = None
    if chat is not None and config is not None:
        model = ModelPolicy(chat, config.max_calls, config.history_chars)
    name = config.model if model is not None and config is not None else "fallback"
    log(f"policy: {'model ' + name if model else 'fallback (no credentials)'}")
    scores: list[float] = []
    total = TaskStats("total")
    for tid in tasks:
        score, stats = play(env, tid, model, name)
        scores.append(score)
        total.merge(stats)
    log(total.line("total"))
    if scores:
        log(f"mean score {sum(scores) / len(scores):.3f} over {len(scores)} tasks")
    return scores


def main(argv: list[str] | None = None) -> int:
    """Run the baseline over the chosen tasks; returns the process exit code (2: a bad
    setting)."""
    parser = argparse.ArgumentParser(description="CaseOps baseline agent")
    parser.add_argument("--split", default=os.environ.get("CASEOPS_SPLIT", "seed"))
    parser.add_argument("--limit", type=int, default=int(os.environ.get("CASEOPS_LIMIT", "0")))
    args = parser.parse_args(argv)
    try:
        config = ModelConfig.from_env()
    except ValueError as e:
        log(f"bad setting: {e}")
        return 2
    base = os.environ.get("ENV_BASE_URL")
    image = os.environ.get("LOCAL_IMAGE_NAME")
    env: Any
    if base:
        env = HttpEnv(base)
    elif image:
        env = DockerEnv(image)
    else:
        env = LocalEnv()
    chat = OpenAIChat(config) if config is not None else None
    try:
        run(env, task_ids(args.split, args.limit), chat, config)
    finally:
        env.close()
        if chat is not None:
            chat.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
