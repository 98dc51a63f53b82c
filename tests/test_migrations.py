"""Alembic migrations: ``caseops db upgrade`` creates and upgrades the schema; a database
at a revision this code does not know is refused, at store creation and at server start."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from caseops.api.cli import app
from caseops.eventstore import EventStore, OperationalError
from caseops.eventstore.migrate import current_revision, head_revision


def test_db_upgrade_creates_the_schema(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    result = CliRunner().invoke(app, ["db", "upgrade", "--db", url])
    assert result.exit_code == 0, result.output
    assert head_revision() in result.output
    store = EventStore(url)
    with store.engine.connect() as conn:
        assert current_revision(conn) == head_revision()
    # running it again is a no-op
    assert CliRunner().invoke(app, ["db", "upgrade", "--db", url]).exit_code == 0


def _make_newer(url: str) -> None:
    store = EventStore(url)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    store.dispose()


def test_a_newer_schema_is_refused(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'n.db'}"
    _make_newer(url)
    with pytest.raises(OperationalError, match="newer than this CaseOps"):
        EventStore(url)
    result = CliRunner().invoke(app, ["db", "upgrade", "--db", url])
    assert result.exit_code == 2  # an expected failure: one line, no traceback
    assert "newer" in result.output and "upgrade CaseOps" in result.output
    assert result.output.strip().count("\n") == 0


def test_the_server_refuses_to_start_on_a_newer_schema(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    _make_newer(url)
    env = {**os.environ, "CASEOPS_DATABASE_URL": url}
    proc = subprocess.run(
        [sys.executable, "-m", "caseops.server.app", "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert "cannot start" in proc.stderr and "newer" in proc.stderr


def test_postgresql_upgrade(tmp_path) -> None:
    url = os.environ.get("CASEOPS_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("CASEOPS_TEST_POSTGRES_URL not set: PostgreSQL migration test skipped")
    result = CliRunner().invoke(app, ["db", "upgrade", "--db", url])
    assert result.exit_code == 0, result.output
    assert head_revision() in result.output
