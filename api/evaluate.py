"""Evaluation runs (``caseops eval``): every task of a split played ``trials`` times by an
agent, in-process or over HTTP, concurrently; a results JSON, a self-contained HTML report
with plots, and a summary table.

Metrics: mean score per family; mean earned fraction per grade component; **pass^k** for
k = 1..trials at the success threshold 0.5, as tau-bench defines it (Yao et al. 2024,
"τ-bench", section 4): per task with ``n`` trials of which ``c`` succeeded,
``C(c, k) / C(n, k)``, the chance that ``k`` trials drawn without replacement all succeed,
averaged over tasks; steps per episode. Evaluation episodes use the ``terminal`` reward
mode by default (0 per step, the score at the end).

Agents: ``fallback`` (``inference.FallbackPolicy``, deterministic: the same run gives the
same results) and ``openai`` (``inference``'s chat model, ``API_BASE_URL``/``MODEL_NAME``/
``HF_TOKEN``; the fallback plays any step the model fails).
"""

from __future__ import annotations

import html
import json
import math
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

THRESHOLD = 0.5


@dataclass
class Episode:
    """One played trial: task, family, trial number, score, steps, status, components."""

    task_id: str
    family: str
    trial: int
    score: float
    steps: int
    final_status: str
    components: dict[str, float] = field(default_factory=dict)
    episode_id: str = ""
    error: str | None = None


class LocalPlayer:
    """Plays episodes in-process on an :class:`~caseops.api.service.EpisodeService`."""

    def __init__(self, service: Any) -> None:
        self.service = service

    def reset(self, task_id: str, reward_mode: str) -> dict[str, Any]:
        _, obs = self.service.start(task_id=task_id, reward_mode=reward_mode)
        return {"observation": obs.model_dump(mode="json"), "done": False, "reward": None}

    def step(self, episode_id: str, action: dict[str, Any]) -> dict[str, Any]:
        from caseops.domain.actions import CaseAction

        _, obs = self.service.step(episode_id, CaseAction.model_validate(action))
        return {"observation": obs.model_dump(mode="json"), "done": obs.done, "reward": obs.reward}


class HttpPlayer:
    """Plays episodes against a CaseOps server over HTTP (``/reset``, ``/step``)."""

    def __init__(self, base_url: str) -> None:
        import httpx

        self.http = httpx.Client(base_url=base_url.rstrip("/"), timeout=60)

    def reset(self, task_id: str, reward_mode: str) -> dict[str, Any]:
        r = self.http.post("/reset", json={"task_id": task_id, "reward_mode": reward_mode})
        r.raise_for_status()
        return dict(r.json())

    def step(self, episode_id: str, action: dict[str, Any]) -> dict[str, Any]:
        r = self.http.post("/step", json={"action": action, "episode_id": episode_id})
        if r.status_code == 422:
            raise ValueError(r.text)
        r.raise_for_status()
        return dict(r.json())


def fallback_agent() -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A fresh ``inference.FallbackPolicy`` (one per episode) as an ``act`` function."""
    from caseops.inference import FallbackPolicy

    return FallbackPolicy().act


def openai_agent() -> Callable[[dict[str, Any]], dict[str, Any]]:
    """``inference``'s model policy (its conversation, history budget, retries and parse
    retry) for one episode; the fallback plays a step the model cannot.

    Raises:
        RuntimeError: no model configured (``MODEL_NAME`` and ``HF_TOKEN`` or
            ``OPENAI_API_KEY``; ``API_BASE_URL`` for another endpoint).
    """
    from caseops import inference

    config = inference.ModelConfig.from_env()
    if config is None:
        raise RuntimeError("no model configured: set MODEL_NAME and HF_TOKEN or OPENAI_API_KEY")
    policy = inference.ModelPolicy(
        inference.OpenAIChat(config), config.max_calls, config.history_chars
    )
    fallback = inference.FallbackPolicy()
    stats = inference.TaskStats(task_id="eval")
    last: list[dict[str, Any]] = []

    def act(obs: dict[str, Any]) -> dict[str, Any]:
        if policy.conversation is None:
            policy.begin(obs)
        elif last:
            policy.record(last[-1], obs, None)
        action, _why = policy.propose(stats)
        if action is None:
            action = fallback.act(obs)
        last[:] = [action]
        return action

    return act


AGENTS: dict[str, Callable[[], Callable[[dict[str, Any]], dict[str, Any]]]] = {
    "fallback": fallback_agent,
    "openai": openai_agent,
}


def play_one(
    player: Any, agent: Callable[[], Any], task_id: str, trial: int, reward_mode: str
) -> Episode:
    """One trial of ``task_id``; a failure is recorded as score 0 with its error."""
    from caseops.cases.catalog import get_scenario

    family = get_scenario(task_id).family
    try:
        act = agent()
        data = player.reset(task_id, reward_mode)
        obs = data["observation"]
        eid = obs["episode_id"]
        budget = int(obs.get("remaining_steps", 20)) + 2
        steps = 0
        while not data.get("done") and steps < budget:
            action = act(obs)
            try:
                data = player.step(eid, action)
            except ValueError:
                data = player.step(eid, {"action_type": "submit"})
            obs = data["observation"]
            steps += 1
        report = obs.get("grade_report") or {}
        return Episode(
            task_id=task_id,
            family=family,
            trial=trial,
            score=float(report.get("score", 0.0)),
            steps=steps,
            final_status=str(obs.get("case", {}).get("status", "")),
            components={c["name"]: float(c["earned"]) for c in report.get("components", []) or []},
            episode_id=eid,
        )
    except Exception as e:
        return Episode(task_id, family, trial, 0.0, 0, "error", error=f"{type(e).__name__}: {e}")


def run(
    player: Any,
    agent: str,
    task_ids: list[str],
    trials: int,
    reward_mode: str = "terminal",
    concurrency: int = 4,
    on_done: Callable[[Episode], None] | None = None,
) -> list[Episode]:
    """Every task ``trials`` times, ``concurrency`` episodes at once; results in (task,
    trial) order whatever the order they finished in."""
    factory = AGENTS[agent]
    jobs = [(t, k) for t in task_ids for k in range(trials)]
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        futures = [pool.submit(play_one, player, factory, t, k, reward_mode) for t, k in jobs]
        results = []
        for f in futures:
            ep = f.result()
            results.append(ep)
            if on_done is not None:
                on_done(ep)
    return results


def pass_hat_k(successes: list[int], n: int, k: int) -> float:
    """tau-bench's pass^k: the mean over tasks of ``C(c, k) / C(n, k)``."""
    if not successes or k > n:
        return float("nan")
    return sum(math.comb(c, k) / math.comb(n, k) for c in successes) / len(successes)


def summarize(episodes: list[Episode], trials: int, threshold: float = THRESHOLD) -> dict[str, Any]:
    """The run's metrics: overall and per family (episodes, mean score, pass^k for
    k = 1..trials, mean steps), component means, the score and step lists for the plots."""

    def block(eps: list[Episode]) -> dict[str, Any]:
        per_task: dict[str, int] = defaultdict(int)
        for e in eps:
            per_task[e.task_id] += e.score >= threshold
        successes = list(per_task.values())
        return {
            "episodes": len(eps),
            "tasks": len(per_task),
            "mean_score": sum(e.score for e in eps) / len(eps) if eps else float("nan"),
            "mean_steps": sum(e.steps for e in eps) / len(eps) if eps else float("nan"),
            "pass_hat_k": {str(k): pass_hat_k(successes, trials, k) for k in range(1, trials + 1)},
        }

    families: dict[str, list[Episode]] = defaultdict(list)
    components: dict[str, list[float]] = defaultdict(list)
    for e in episodes:
        families[e.family].append(e)
        for name, earned in e.components.items():
            components[name].append(earned)
    return {
        "threshold": threshold,
        "trials": trials,
        "overall": block(episodes),
        "families": {f: block(eps) for f, eps in sorted(families.items())},
        "components": {c: sum(v) / len(v) for c, v in sorted(components.items())},
        "errors": sum(e.error is not None for e in episodes),
    }


def results_json(meta: dict[str, Any], episodes: list[Episode], summary: dict[str, Any]) -> str:
    """The results document: the run's settings, the summary and every episode."""
    return json.dumps(
        {"run": meta, "summary": summary, "episodes": [asdict(e) for e in episodes]},
        indent=1,
        sort_keys=True,
    )


# -- the HTML report (inline SVG, no network) -------------------------------------------
_W, _ROW = 640, 22


def _svg(width: int, height: int, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="11">{"".join(body)}</svg>'
    )


def _scores_by_family(episodes: list[Episode]) -> str:
    fams = sorted({e.family for e in episodes})
    left, plot = 170, _W - 190
    body = []
    for i, f in enumerate(fams):
        y = 20 + i * _ROW
        body.append(f'<text x="4" y="{y + 4}">{html.escape(f)}</text>')
        body.append(f'<line x1="{left}" y1="{y}" x2="{left + plot}" y2="{y}" stroke="#ddd"/>')
        scores = [e.score for e in episodes if e.family == f]
        for s in scores:
            body.append(
                f'<circle cx="{left + s * plot:.1f}" cy="{y}" r="3" fill="#4a7" '
                'fill-opacity="0.35"/>'
            )
        mean = sum(scores) / len(scores)
        x = left + mean * plot
        body.append(f'<line x1="{x:.1f}" y1="{y - 7}" x2="{x:.1f}" y2="{y + 7}" stroke="#c33"/>')
    h = 30 + len(fams) * _ROW
    for t in (0, 0.25, 0.5, 0.75, 1):
        x = left + t * plot
        body.append(f'<text x="{x:.0f}" y="{h - 4}" text-anchor="middle">{t}</text>')
    return _svg(_W, h + 4, body)


def _bars(values: dict[str, float], scale: float = 1.0) -> str:
    left, plot = 170, _W - 230
    body = []
    for i, (name, v) in enumerate(values.items()):
        y = 10 + i * _ROW
        w = 0 if math.isnan(v) else v / scale * plot
        body.append(f'<text x="4" y="{y + 12}">{html.escape(name)}</text>')
        body.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="15" fill="#47a"/>')
        body.append(f'<text x="{left + w + 4:.1f}" y="{y + 12}">{v:.3f}</text>')
    return _svg(_W, 20 + len(values) * _ROW, body)


def _curve(points: dict[str, float]) -> str:
    left, top, pw, ph = 50, 10, _W - 80, 180
    ks = [int(k) for k in points]
    body = [f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#ccc"/>']
    xy = []
    for k in ks:
        x = left + (0.5 if len(ks) == 1 else (k - 1) / (len(ks) - 1)) * pw
        v = points[str(k)]
        y = top + ph - (0 if math.isnan(v) else v) * ph
        xy.append((x, y))
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#a40"/>')
        body.append(f'<text x="{x:.1f}" y="{top + ph + 14}" text-anchor="middle">k={k}</text>')
        body.append(f'<text x="{x + 6:.1f}" y="{y - 6:.1f}">{v:.3f}</text>')
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
    body.append(f'<polyline points="{path}" fill="none" stroke="#a40"/>')
    for t in (0, 0.5, 1):
        body.append(
            f'<text x="{left - 6}" y="{top + ph - t * ph + 4:.1f}" text-anchor="end">{t}</text>'
        )
    return _svg(_W, ph + 40, body)


def _histogram(values: list[int]) -> str:
    if not values:
        return _svg(_W, 20, [])
    lo, hi = min(values), max(values)
    counts = [values.count(v) for v in range(lo, hi + 1)]
    left, top, pw, ph = 40, 10, _W - 60, 150
    bw = pw / len(counts)
    body = []
    for i, c in enumerate(counts):
        h = c / max(counts) * ph
        x = left + i * bw
        body.append(
            f'<rect x="{x:.1f}" y="{top + ph - h:.1f}" width="{bw - 2:.1f}" height="{h:.1f}" '
            'fill="#777"/>'
        )
        body.append(
            f'<text x="{x + bw / 2:.1f}" y="{top + ph + 14}" text-anchor="middle">{lo + i}</text>'
        )
    return _svg(_W, ph + 34, body)


def html_report(meta: dict[str, Any], episodes: list[Episode], summary: dict[str, Any]) -> str:
    """A self-contained HTML page: the settings, the per-family table and four plots."""
    o = summary["overall"]
    rows = "".join(
        f"<tr><td>{html.escape(f)}</td><td>{b['episodes']}</td><td>{b['mean_score']:.3f}</td>"
        + "".join(f"<td>{v:.3f}</td>" for v in b["pass_hat_k"].values())
        + f"<td>{b['mean_steps']:.1f}</td></tr>"
        for f, b in [*summary["families"].items(), ("all", o)]
    )
    ks = "".join(f"<th>pass^{k}</th>" for k in o["pass_hat_k"])
    settings = html.escape(json.dumps(meta, sort_keys=True))
    title = html.escape(f"CaseOps evaluation: {meta.get('agent')} on {meta.get('split')}")
    style = (
        "body{font-family:sans-serif;margin:2em;max-width:900px}"
        "td,th{padding:2px 8px;text-align:right}td:first-child,th:first-child{text-align:left}"
        "table{border-collapse:collapse}tr:nth-child(even){background:#f4f4f4}"
    )
    parts = [
        f'<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>',
        f"<style>{style}</style></head><body><h1>{title}</h1><p><code>{settings}</code></p>",
        f"<p>{o['episodes']} episodes over {o['tasks']} tasks; mean score "
        f"{o['mean_score']:.3f}; success = score &ge; {summary['threshold']}; pass^k as "
        "tau-bench defines it.</p>",
        "<table><tr><th>family</th><th>episodes</th><th>mean score</th>"
        f"{ks}<th>steps</th></tr>{rows}</table>",
        "<h2>Score distribution per family</h2><p>dots: episodes; red: the mean.</p>",
        _scores_by_family(episodes),
        f"<h2>Grade components (mean earned)</h2>{_bars(summary['components'])}",
        f"<h2>pass^k, k = 1..{summary['trials']}</h2>{_curve(o['pass_hat_k'])}",
        f"<h2>Steps per episode</h2>{_histogram([e.steps for e in episodes])}",
        "</body></html>\n",
    ]
    return "\n".join(parts)
