"""Schema migrations with Alembic, run in-process.

``upgrade(engine)`` brings a database to the newest revision this code knows (creating
the schema on an empty database) and refuses, with :class:`OperationalError`, a database
whose revision this code does not know (a newer CaseOps migrated it). Concurrent
upgraders are serialised by the recorder's ``lock`` statement (PostgreSQL: an advisory
lock), or else by the write transaction's lock (SQLite's ``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect

from .errors import OperationalError, translate


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    return cfg


def head_revision() -> str:
    """The newest schema revision this code knows."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(conn: Connection) -> str | None:
    """The database's revision (``None`` for an unversioned database)."""
    return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, lock: str | None = None) -> str:
    """Upgrade the database to :func:`head_revision`, in one transaction that first runs
    ``lock`` (when given); returns the revision reached.

    Raises:
        OperationalError: the database is unreachable, or its revision is unknown here.
    """
    cfg = _config()
    script = ScriptDirectory.from_config(cfg)
    known = {rev.revision for rev in script.walk_revisions()}
    with translate(), engine.connect() as c:
        conn = c.execution_options(caseops_write=True)
        with conn.begin():
            if lock is not None:
                conn.exec_driver_sql(lock)
            current = current_revision(conn)
            if current is not None and current not in known:
                raise OperationalError(
                    f"the database schema is at revision {current!r}, newer than this CaseOps "
                    f"knows (head {script.get_current_head()!r}); upgrade CaseOps"
                )
            cfg.attributes["connection"] = conn
            has_events = inspect(conn).has_table("caseops_events")
            if current is None and has_events:
                command.stamp(cfg, "0001")  # created before migrations existed
            elif current is not None and not has_events:
                command.stamp(cfg, "base", purge=True)  # tables dropped by hand: recreate
            command.upgrade(cfg, "head")
            reached = current_revision(conn)
    return reached or head_revision()
