"""Fixtures for the reliability tests (issue "Durable under load, faults and hostile input").

PostgreSQL: these tests use their own database, ``caseops_reliability`` (created once per
session when missing), derived from ``CASEOPS_TEST_POSTGRES_URL`` by replacing the
database name; other suites drop the tables of the database named there. Without that
variable the PostgreSQL tests skip with a visible reason.

Servers: ``servers`` starts ``python -m caseops.server.app`` processes on 127.0.0.1 and
stops every one of them at teardown.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from rel_support import (
    PG_SKIP_REASON,
    ServerPool,
    empty_database,
    ensure_database,
    pg_base_url,
    reliability_pg_url,
)


def pytest_plugin_registered(plugin: Any, manager: Any) -> None:
    """Keep ``import conftest`` meaning ``tests/conftest.py``.

    This directory has no ``__init__.py`` (rootdir-relative imports), so pytest imports this
    file as the module ``conftest`` too, replacing the parent's entry in ``sys.modules``;
    the test modules in ``tests/`` then fail on ``from conftest import ...``. Once this file
    is registered, point ``sys.modules["conftest"]`` back at the parent conftest.
    """
    if getattr(plugin, "__file__", None) != __file__:
        return
    parent = str(Path(__file__).resolve().parent.parent / "conftest.py")
    for p in manager.get_plugins():
        f = getattr(p, "__file__", None)
        if f and str(Path(f).resolve()) == parent:
            sys.modules["conftest"] = p
            return


@pytest.fixture(scope="session")
def reliability_pg() -> str:
    """The URL of our own PostgreSQL database (created when missing); skips when
    ``CASEOPS_TEST_POSTGRES_URL`` is unset."""
    base = pg_base_url()
    if base is None:
        pytest.skip(PG_SKIP_REASON)
    url = reliability_pg_url(base)
    ensure_database(url)
    return url


@pytest.fixture
def rel_pg_url(reliability_pg: str) -> str:
    """Our PostgreSQL database, emptied for this test."""
    empty_database(reliability_pg)
    return reliability_pg


@pytest.fixture
def sqlite_db(tmp_path: Path) -> str:
    """An SQLite file URL in this test's temporary directory."""
    return f"sqlite:///{tmp_path / 'reliability.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def backend_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store URL on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'reliability.db'}"
    return str(request.getfixturevalue("rel_pg_url"))


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[ServerPool]:
    """Starts server processes; all are stopped at teardown."""
    pool = ServerPool(tmp_path / "servers")
    try:
        yield pool
    finally:
        pool.close()
