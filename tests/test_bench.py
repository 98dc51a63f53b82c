"""The benchmark's floors measure what the README says they measure."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from caseops.bench.common import interleaved
from caseops.bench.echo_server import persisted_app
from caseops.bench.floor import FloorTable


def _rows(floor: FloorTable) -> int:
    with floor.engine.connect() as c:
        return int(c.execute(select(func.count()).select_from(floor.table)).scalar_one())


def _each_form_commits_one_row(url: str) -> None:
    floor = FloorTable(url)
    try:
        floor.write()
        assert _rows(floor) == 1
        floor.write_prepared()
        floor.write_prepared()
        assert _rows(floor) == 3
        floor.write_driver()
        floor.write_driver()  # the held connection, again
        assert _rows(floor) == 5  # committed (on a file: seen from another connection)
    finally:
        floor.drop()


def test_each_floor_write_commits_exactly_one_row(tmp_path) -> None:
    _each_form_commits_one_row(f"sqlite:///{tmp_path / 'floor.db'}")
    _each_form_commits_one_row("sqlite://")


def test_each_floor_write_commits_exactly_one_row_on_postgresql() -> None:
    from conftest import pg_url_or_skip

    _each_form_commits_one_row(pg_url_or_skip())


def test_the_floor_loop_refuses_an_unknown_form(tmp_path) -> None:
    import pytest

    from caseops.bench.workloads import floor_insert

    url = f"sqlite:///{tmp_path / 'floor.db'}"
    assert floor_insert(url, 5, 10.0, "driver")["commits_per_s"] > 0
    with pytest.raises(ValueError, match="driver"):
        floor_insert(url, 5, 10.0, "raw")


def test_persisted_echo_writes_one_row_per_reset_and_step_and_echoes(tmp_path) -> None:
    """The framework + storage ceiling: the echo's answers, plus one floor write for
    every reset and every step, over HTTP and over the WebSocket."""
    app = persisted_app(f"sqlite:///{tmp_path / 'echo.db'}")
    floor: FloorTable = app.state.floor
    with TestClient(app) as client:
        assert client.post("/reset", json={}).status_code == 200
        r = client.post("/step", json={"action": {"message": "hi"}})
        assert r.status_code == 200
        assert r.json()["observation"]["echoed"] == "hi"
        assert _rows(floor) == 2
        with client.websocket_connect("/ws") as ws:
            ws.send_json({"type": "reset", "data": {}})
            assert ws.receive_json()["type"] == "observation"
            for k in range(3):
                ws.send_json({"type": "step", "data": {"message": f"m{k}"}})
                reply = ws.receive_json()
                assert reply["data"]["observation"]["echoed"] == f"m{k}"
        assert _rows(floor) == 6
    floor.drop()


def test_interleaved_alternates_the_figures_and_summarises_each() -> None:
    calls: list[str] = []

    def fig(name: str, value: float):  # type: ignore[no-untyped-def]
        def run() -> dict[str, float]:
            calls.append(name)
            return {"x": value + len(calls)}

        return run

    a, b = interleaved(3, fig("a", 0.0), fig("b", 100.0))
    assert calls == ["a", "b", "a", "b", "a", "b"]
    assert a["x"] == {"median": 3.0, "min": 1.0, "max": 5.0}
    assert b["x"] == {"median": 104.0, "min": 102.0, "max": 106.0}


def test_step_cost_runs_the_episodes_it_is_asked_for_and_refuses_a_negative_count(
    capsys,
) -> None:
    import gc

    import pytest

    from caseops.bench.step_cost import main
    from caseops.bench.workloads import oracle_script

    assert main(["--episodes", "2"]) == 0
    assert gc.isenabled()
    assert capsys.readouterr().err.strip() == f"steps {2 * len(oracle_script())}"
    for form in ("per-call", "prepared", "driver"):
        assert main(["--episodes", "2", "--floor", form]) == 0
        assert gc.isenabled()
        assert capsys.readouterr().err.strip() == f"steps {2 * len(oracle_script())}"
    with pytest.raises(SystemExit) as exit_info:
        main(["--episodes", "-1"])
    assert exit_info.value.code == 2
    assert "--episodes must be at least 0" in capsys.readouterr().err


def test_profile_attributes_each_stack_to_its_innermost_known_layer() -> None:
    """py-spy's raw lines: a working stack goes to the layer of its innermost frame that
    has one, a wait is idle, and uvloop's C loop (``Runner.run`` innermost) is apart."""
    from caseops.bench import profile

    root = profile.ROOT_NAME
    serve = f"<module> ({root}/bench/serve.py:31);Runner.run (asyncio/runners.py:118)"
    raw = "\n".join(
        [
            f"{serve} 7",
            f"{serve};step (ext/{root}/x.py:1);"
            f"EventStore._append ({root}/eventstore/store.py:564) 3",
            f"{serve};observe ({root}/statemachine/projection.py:106);"
            "BaseModel.model_dump (pydantic/main.py:520) 2",
            f"{serve};advance ({root}/domain/grader.py:360) 4",
            f"{serve};_worker (concurrent/futures/thread.py:81);Queue.get (queue.py:171) 5",
            "Thread.run (threading.py:982);_worker (concurrent/futures/thread.py:81) 6",
            "_worker (concurrent/futures/thread.py:83);"
            "_WorkItem.run (concurrent/futures/thread.py:58) 1",
            f"{serve};mystery (nowhere/else.py:3) 1",  # the loop's frame is the innermost known
            "mystery (nowhere/else.py:3) 2",
            "not a sample line",
        ]
    )
    counts = profile.attribute(raw)
    assert counts == {
        profile.UVLOOP_LAYER: 7,
        "storage": 3,
        "pydantic": 2,
        "caseops domain": 4,
        profile.IDLE_LAYER: 11,
        "event loop/threads": 2,
        "other": 2,
    }


def test_read_and_decode_floor_reads_every_stored_event_the_regrade_grades(tmp_path) -> None:
    """The re-grade's floor reads and decodes exactly the events the re-grade grades."""
    from caseops.bench.workloads import fill_replay_store, read_decode_rate, regrade_rate

    url = f"sqlite:///{tmp_path / 'replay.db'}"
    ids = fill_replay_store(url, 3)
    floor = read_decode_rate(url, ids)
    graded = regrade_rate(url, ids)
    assert floor["events"] == graded["events"] == 30  # the mug's oracle: 10 events each
    assert read_decode_rate(url, ids[:1])["events"] == 10
    assert floor["events_per_s"] > 0


def test_append_cost_times_each_layer_on_caseops_own_schema(capsys) -> None:
    """Its SQL is CaseOps' append's (the guarded update must move the head each time)
    on the store's own schema (the index it drops must exist)."""
    import json

    from caseops.bench.append_cost import main

    assert main(["--appends", "30", "--reps", "1"]) == 0
    doc = json.loads(capsys.readouterr().out)
    for key in ("driver_one_row", "append_sql", "append_sql_without_type_index"):
        assert doc[key]["median"] > 0
    assert doc["event_store_append"]["median"] > 0 and doc["appends"] == 30
