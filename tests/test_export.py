"""``caseops export``: ended episodes as chat records (observation as the user turn, each
action a tool call, its result a tool turn, rewards, score, grade components), no gold and
no scenario snapshot, read in chunks."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import oracle_actions
from typer.testing import CliRunner

from caseops.api.cli import app
from caseops.api.export import ExportStats, export_records
from caseops.api.service import EpisodeService
from caseops.cases.catalog import get_scenario
from caseops.domain.actions import CaseAction
from caseops.eventstore import EventStore


def play(svc: EpisodeService, task_id: str, steps: int | None = None) -> str:
    s = get_scenario(task_id)
    loaded, _ = svc.start(task_id=task_id)
    eid = loaded.record.episode_id
    for a in oracle_actions(s)[:steps]:
        svc.step(eid, a)
    return eid


def test_export_records(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    svc = EpisodeService(EventStore(url))
    done = [play(svc, "api_incident_hard"), play(svc, "wrong_item/17"), play(svc, "wrong_item/3")]
    running = play(svc, "damaged_mug_replacement", steps=2)
    stats = ExportStats()
    records = list(export_records(svc, chunk=2, stats=stats))
    assert [r["episode_id"] for r in records] == done
    assert stats.episodes == 3 and stats.skipped == 1 and running not in str(records)
    for rec in records:
        replay = svc.replay(rec["episode_id"])
        assert rec["score"] == replay.grade.score >= 0.99
        assert [round(r, 9) for r in rec["rewards"]] == [
            round(float(x), 9) for x in replay.recorded_rewards
        ]
        assert {c["name"] for c in rec["components"]} == {c.name for c in replay.grade.components}
        msgs = rec["messages"]
        assert [m["role"] for m in msgs[:3]] == ["system", "user", "assistant"]
        calls = [m for m in msgs if m["role"] == "assistant"]
        results = [m for m in msgs if m["role"] == "tool"]
        assert len(calls) == len(results) == rec["steps"] == len(rec["rewards"])
        first = json.loads(msgs[1]["content"])
        assert first["task_id"] == rec["task_id"] and first["step"] == 0
        last = json.loads(results[-1]["content"])
        assert last["done"] is True and last["observation"]["grade_report"] == {
            "score": rec["score"]
        }
        for call, result in zip(calls, results, strict=True):
            fn = call["tool_calls"][0]["function"]
            assert result["name"] == fn["name"]
            json.loads(fn["arguments"])
        text = json.dumps(rec)
        assert '"gold"' not in text and '"scenario"' not in text
        assert "required_evidence" not in text and "reply_markers" not in text
        assert "forbidden_claims" not in text and "optimal_steps" not in text
    assert [r["task_id"] for r in export_records(svc, split="validation")] == ["wrong_item/17"]
    svc.close()


def test_export_cli_writes_jsonl(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    svc = EpisodeService(EventStore(url))
    play(svc, "api_incident_hard")
    play(svc, "wrong_item/17")
    svc.close()
    out = tmp_path / "out" / "episodes.jsonl"
    result = CliRunner().invoke(app, ["export", "--db", url, "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    assert len(lines) == 2 and all(json.loads(x)["score"] >= 0.99 for x in lines)
    bad = CliRunner().invoke(app, ["export", "--db", url, "--format", "csv"])
    assert bad.exit_code == 2


def test_an_action_refused_is_exported_as_played(tmp_path: Path) -> None:
    svc = EpisodeService(EventStore(f"sqlite:///{tmp_path / 'r.db'}"))
    loaded, _ = svc.start(task_id="api_incident_hard")
    eid = loaded.record.episode_id
    svc.step(eid, CaseAction(action_type="resolve", resolution_code="open_incident"))
    svc.step(eid, CaseAction(action_type="submit"))
    (rec,) = export_records(svc)
    first_result = json.loads(rec["messages"][3]["content"])
    assert first_result["observation"]["last_action_error"]
    assert rec["steps"] == 2
    svc.close()
