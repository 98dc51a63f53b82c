"""Process preparation before serving: the start-up heap is frozen out of the cyclic
garbage collector's reach (``caseops.api.app.prepare_process``), by every entry point."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import sqlite_url
from typer.testing import CliRunner

from caseops.api.app import prepare_process
from caseops.api.settings import Settings, get_settings


@pytest.fixture(autouse=True)
def unfrozen() -> Iterator[None]:
    """Each test starts and ends with nothing frozen (the suite's own GC is untouched)."""
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_prepare_process_freezes_what_is_alive_and_collection_still_works() -> None:
    assert gc.get_freeze_count() == 0
    assert prepare_process(Settings(gc_freeze=True)) is True
    frozen = gc.get_freeze_count()
    assert frozen > 1000  # the imported frameworks at least

    class Node:
        def __init__(self) -> None:
            self.me = self

    Node()  # a cycle made after the freeze is still collected
    assert gc.collect() >= 1
    assert gc.get_freeze_count() == frozen


def test_prepare_process_does_nothing_when_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    assert prepare_process(Settings(gc_freeze=False)) is False
    assert gc.get_freeze_count() == 0
    monkeypatch.setenv("CASEOPS_GC_FREEZE", "false")
    get_settings.cache_clear()
    try:
        assert prepare_process() is False
    finally:
        get_settings.cache_clear()
    assert gc.get_freeze_count() == 0


def _record_run(monkeypatch: pytest.MonkeyPatch, target: Any) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    def fake_run(app: Any, **kwargs: Any) -> None:
        calls.append({"frozen": gc.get_freeze_count(), **kwargs})

    monkeypatch.setattr(target, "run", fake_run)
    return calls


def test_openenv_server_entry_point_freezes_before_serving(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CASEOPS_DATABASE_URL", sqlite_url(tmp_path, "entry.db"))
    get_settings.cache_clear()
    try:
        import uvicorn

        import caseops.server.app as entry

        calls = _record_run(monkeypatch, uvicorn)
        monkeypatch.setattr(sys, "argv", ["server", "--port", "8123"])
        entry.main()
    finally:
        get_settings.cache_clear()
    assert len(calls) == 1 and calls[0]["port"] == 8123
    assert calls[0]["frozen"] > 0


def test_caseops_serve_freezes_before_serving(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import uvicorn

    from caseops.api.cli import app

    # `serve --db` writes CASEOPS_DATABASE_URL into the environment: restored afterwards
    monkeypatch.delenv("CASEOPS_DATABASE_URL", raising=False)
    calls = _record_run(monkeypatch, uvicorn)
    try:
        result = CliRunner().invoke(
            app, ["serve", "--db", sqlite_url(tmp_path, "serve.db"), "--port", "8124"]
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert len(calls) == 1 and calls[0]["port"] == 8124
    assert calls[0]["frozen"] > 0
