"""``caseops eval``: pass^k as tau-bench defines it, deterministic fallback runs (in-process,
concurrent, and over HTTP give the same scores), results JSON and a self-contained HTML
report with its four plots, terminal rewards by default."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from caseops.api import evaluate
from caseops.api.app import create_caseops_app
from caseops.api.cli import app
from caseops.api.service import EpisodeService
from caseops.api.settings import Settings
from caseops.cases.catalog import task_refs
from caseops.eventstore import EventStore


@pytest.mark.parametrize(
    ("successes", "n", "k", "expected"),
    [
        ([3, 1, 0], 3, 1, (1 + 1 / 3 + 0) / 3),
        ([3, 1, 0], 3, 2, 1 / 3),
        ([3, 2], 3, 2, (1 + 1 / 3) / 2),
        ([4], 4, 4, 1.0),
        ([3], 4, 4, 0.0),
    ],
)
def test_pass_hat_k(successes: list[int], n: int, k: int, expected: float) -> None:
    assert math.isclose(evaluate.pass_hat_k(successes, n, k), expected)


def test_summary_counts_successes_per_task() -> None:
    eps = [
        evaluate.Episode("a/1", "a", 0, 0.9, 5, "resolved", {"x": 1.0}),
        evaluate.Episode("a/1", "a", 1, 0.2, 6, "resolved", {"x": 0.0}),
        evaluate.Episode("b/1", "b", 0, 0.5, 7, "resolved", {"x": 0.5}),
        evaluate.Episode("b/1", "b", 1, 0.6, 7, "resolved", {"x": 0.5}),
    ]
    s = evaluate.summarize(eps, trials=2)
    assert s["overall"]["pass_hat_k"] == {"1": 0.75, "2": 0.5}
    assert s["families"]["a"]["pass_hat_k"] == {"1": 0.5, "2": 0.0}
    assert s["components"] == {"x": 0.5}
    assert s["overall"]["mean_steps"] == 6.25


def _scores(episodes: list[evaluate.Episode]) -> list[tuple[str, int, float, int]]:
    return [(e.task_id, e.trial, e.score, e.steps) for e in episodes]


def test_fallback_runs_are_deterministic_and_terminal(tmp_path: Path) -> None:
    tasks = list(task_refs("validation")[:6])
    svc = EpisodeService(EventStore(f"sqlite:///{tmp_path / 'e.db'}"))
    try:
        one = evaluate.run(evaluate.LocalPlayer(svc), "fallback", tasks, 2, concurrency=1)
        many = evaluate.run(evaluate.LocalPlayer(svc), "fallback", tasks, 2, concurrency=4)
        # the same episodes are in the log, in the terminal reward mode
        state = svc.state(one[0].episode_id)
    finally:
        svc.close()
    assert _scores(one) == _scores(many)
    assert [(e.task_id, e.trial) for e in one] == [(t, k) for t in tasks for k in range(2)]
    assert all(e.error is None for e in one)
    assert state.reward_mode == "terminal" and state.done
    app_ = create_caseops_app(settings=Settings(database_url=f"sqlite:///{tmp_path / 'h.db'}"))
    with TestClient(app_) as c:
        player = evaluate.HttpPlayer("http://testserver")
        player.http = c  # the in-process ASGI client stands in for the network
        over_http = evaluate.run(player, "fallback", tasks, 2, concurrency=2)
    app_.state.service.close()
    assert _scores(over_http) == _scores(one)


def test_eval_cli_writes_results_and_a_self_contained_report(tmp_path: Path) -> None:
    out = tmp_path / "run"
    args = ["eval", "--split", "validation", "--trials", "3", "--limit", "4"]
    args += ["--db", f"sqlite:///{tmp_path / 'c.db'}", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "pass^3" in result.output and "all" in result.output
    data = json.loads((out / "results.json").read_text())
    assert data["run"]["reward_mode"] == "terminal" and len(data["episodes"]) == 12
    assert set(data["summary"]["overall"]["pass_hat_k"]) == {"1", "2", "3"}
    page = (out / "report.html").read_text()
    assert page.count("<svg") == 4
    assert not re.search(r"(src|href)=\"?https?:", page)  # nothing fetched from the network
    again = tmp_path / "again"
    assert CliRunner().invoke(app, [*args[:-1], str(again)]).exit_code == 0
    second = json.loads((again / "results.json").read_text())
    assert second["summary"] == data["summary"]
    bad = CliRunner().invoke(app, ["eval", "--agent", "nobody"])
    assert bad.exit_code == 2
