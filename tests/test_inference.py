"""The baseline agent (``inference.py``): the stdout protocol, in-process mode, and the
model-reply parser."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import clean_env, sqlite_url

from caseops.api.service import EpisodeService
from caseops.cases.catalog import list_scenarios
from caseops.eventstore import EventStore
from caseops.inference import parse_action

START = re.compile(r"^\[START\] task=(\S+) env=caseops model=(\S+)$")
STEP = re.compile(
    r"^\[STEP\] step=(\d+) action=(\{.*\}) reward=(-?\d+\.\d{2}) done=(true|false) error=(.*)$"
)
END = re.compile(
    r"^\[END\] success=(true|false) steps=(\d+) score=(\d+\.\d{3}) "
    r"rewards=((?:-?\d+\.\d{2})(?:,-?\d+\.\d{2})*)?$"
)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], str]:
    workdir = tmp_path_factory.mktemp("inference")
    db = sqlite_url(workdir, "inference.db")
    proc = subprocess.run(
        [sys.executable, "-m", "caseops.inference"],
        env=clean_env(CASEOPS_DATABASE_URL=db),
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return proc, db


def blocks(stdout: str) -> list[dict]:  # type: ignore[type-arg]
    out: list[dict] = []  # type: ignore[type-arg]
    for line in stdout.splitlines():
        if m := START.match(line):
            out.append({"task": m.group(1), "model": m.group(2), "steps": [], "end": None})
        elif m := STEP.match(line):
            assert out and out[-1]["end"] is None, f"[STEP] outside a block: {line}"
            out[-1]["steps"].append(m)
        elif m := END.match(line):
            assert out and out[-1]["end"] is None, f"[END] outside a block: {line}"
            out[-1]["end"] = m
        else:
            raise AssertionError(f"stdout line outside the protocol: {line[:200]!r}")
    return out


def test_exit_code_and_only_protocol_lines(run) -> None:  # type: ignore[no-untyped-def]
    proc, _ = run
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    assert lines, proc.stderr[-3000:]
    for line in lines:
        assert line.startswith(("[START] ", "[STEP] ", "[END] ")), line[:200]
        assert START.match(line) or STEP.match(line) or END.match(line), line[:300]
    assert "fallback" in proc.stderr  # diagnostics go to stderr


def test_six_blocks_in_catalog_order(run) -> None:  # type: ignore[no-untyped-def]
    proc, _ = run
    bs = blocks(proc.stdout)
    expected = [s.task_id for s in list_scenarios("seed")]
    assert len(expected) == 6
    assert [b["task"] for b in bs] == expected
    assert sum(line.startswith("[START]") for line in proc.stdout.splitlines()) == 6
    assert sum(line.startswith("[END]") for line in proc.stdout.splitlines()) == 6
    assert all(b["model"] == "fallback" for b in bs)


def test_end_lines_match_the_steps(run) -> None:  # type: ignore[no-untyped-def]
    proc, _ = run
    for b in blocks(proc.stdout):
        end = b["end"]
        assert end is not None, b["task"]
        steps = b["steps"]
        assert int(end.group(2)) == len(steps)
        assert [int(m.group(1)) for m in steps] == list(range(1, len(steps) + 1))
        rewards = end.group(4).split(",") if end.group(4) else []
        assert rewards == [m.group(3) for m in steps]
        for m in steps:
            action = json.loads(m.group(2))
            assert "action_type" in action
        dones = [m.group(4) for m in steps]
        assert dones[-1] == "true" and "true" not in dones[:-1]
        score = float(end.group(3))
        assert 0.0 <= score <= 1.0
        assert end.group(1) == ("true" if score >= 0.5 else "false")


def test_episodes_were_stored_and_replay(run) -> None:  # type: ignore[no-untyped-def]
    proc, db = run
    bs = blocks(proc.stdout)
    store = EventStore(db)
    try:
        svc = EpisodeService(store)
        ids = store.stream_ids()
        assert len(ids) == 6
        by_task = {}
        for eid in ids:
            rep = svc.replay(eid)
            assert rep.matches, rep.mismatches
            assert rep.done
            by_task[rep.task_id] = rep
            assert store.verify(eid) == []
        for b in bs:
            rep = by_task[b["task"]]
            assert f"{rep.grade.score:.3f}" == b["end"].group(3)
            assert rep.steps == int(b["end"].group(2))
            assert [f"{float(r):.2f}" for r in rep.recorded_rewards] == [
                m.group(3) for m in b["steps"]
            ]
    finally:
        store.dispose()


# ------------------------------------------------------------------------------------
# parse_action
# ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ('{"action_type": "review_ticket"}', {"action_type": "review_ticket"}),
        (
            'Sure! Looking at the ticket first.\n```json\n{"action_type": "review_ticket"}\n```\n'
            "Let me know what you find.",
            {"action_type": "review_ticket"},
        ),
        (
            "I'll route it now: "
            '{"action_type": "classify", "queue": "billing", "priority": "normal", '
            '"issue_type": "billing_error"} -- that matches the policy.',
            {
                "action_type": "classify",
                "queue": "billing",
                "priority": "normal",
                "issue_type": "billing_error",
            },
        ),
        (
            'Action:\n{\n  "action_type": "request_info",\n  "requested_fields": ["order_id"]\n}',
            {"action_type": "request_info", "requested_fields": ["order_id"]},
        ),
        (
            'Reply: {"action_type": "draft_reply", "message": "Hi {name}, sorry!"}',
            {"action_type": "draft_reply", "message": "Hi {name}, sorry!"},
        ),
    ],
    ids=["bare", "fenced", "inline", "multiline", "braces_inside_string"],
)
def test_parse_action_extracts_json_from_chatty_replies(reply: str, expected: dict) -> None:  # type: ignore[type-arg]
    assert parse_action(reply) == expected


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (
            'First: {"action_type": "review_ticket"} and afterwards {"action_type": "submit"}',
            {"action_type": "review_ticket"},
        ),
        (
            'Here you go: {"action_type": "review_ticket"}\n(I will then look at {the artifacts}.)',
            {"action_type": "review_ticket"},
        ),
    ],
    ids=["two_objects", "braces_in_trailing_prose"],
)
def test_parse_action_takes_the_first_object_despite_trailing_braces(
    reply: str,
    expected: dict,  # type: ignore[type-arg]
) -> None:
    """The docstring promises the *first* JSON object of the reply."""
    assert parse_action(reply) == expected


@pytest.mark.parametrize(
    "junk",
    [
        "",
        "I think we should review the ticket.",
        "{not json at all}",
        '{"queue": "billing"}',
        "[1, 2, 3]",
        "{",
        "}{",
        '"action_type": "review_ticket"',
    ],
)
def test_parse_action_rejects_junk(junk: str) -> None:
    with pytest.raises(ValueError):
        parse_action(junk)


def test_inference_module_is_importable_without_credentials() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", "import caseops.inference as m; print(m.make_llm() is None)"],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).parent,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "True"
