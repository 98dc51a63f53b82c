"""What every ``caseops`` command shares: expected failures as one line, tables that keep
ids whole, and a start-up that imports only what the command needs.

An *expected* failure is one a user causes and can fix: a database that is unreachable,
missing or named by an unusable URL, an unknown episode or task, a port in use. Each is a
:class:`~caseops.errors.CaseOpsError` by the time it reaches a command, and
:class:`CaseOpsTyper` prints it as one line, ``error: <cause> (fix: <what to do>)``, on
stderr and exits 2, without a traceback; ``caseops --debug <command>`` raises it instead.
Anything else is a bug and keeps its traceback.

This module imports only the standard library, typer and click at import time, so that
``caseops --help`` stays fast (``bench/startup.py``).
"""

from __future__ import annotations

import errno
import functools
import json
import re
import socket
import sys
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any

import typer

from caseops.domain.errors import (
    EpisodeNotFound,
    EpisodeStillRunning,
    UnknownTask,
)
from caseops.errors import CaseOpsError

if TYPE_CHECKING:
    from rich.console import Console

#: Set by ``caseops --debug``: expected failures are raised with their traceback.
DEBUG = {"on": False}


class PortInUse(CaseOpsError):
    """``caseops serve`` asked for an address that another process holds."""


class BadAddress(CaseOpsError):
    """``caseops serve --host`` names no address of this machine."""


#: (pattern in the driver's message, the fix to suggest), first match wins
_DB_FIXES: tuple[tuple[str, str], ...] = (
    (
        r"database \S+ does not exist",
        "create the database first (createdb NAME, or CREATE DATABASE NAME), or point "
        "--db at one that exists",
    ),
    (
        r"password authentication failed|role \S+ does not exist|no password supplied",
        "correct the user and password in --db / CASEOPS_DATABASE_URL",
    ),
    (
        r"connection refused|could not connect|timeout expired|timed out|"
        r"could not translate host|name or service not known|no route to host",
        "start PostgreSQL there, or correct the host and port in --db / CASEOPS_DATABASE_URL",
    ),
    (
        r"unable to open database file",
        "the SQLite file's folder must exist and be writable: create it, or give --db "
        "another path (sqlite:///caseops.db)",
    ),
    (
        r"newer than this|unknown revision|can.t locate revision",
        "upgrade CaseOps, or use a database written by this version",
    ),
)
_DEFAULT_DB_FIX = "check --db / CASEOPS_DATABASE_URL and that the database is up"
_URL_FIX = (
    "give --db (or CASEOPS_DATABASE_URL) as sqlite:///path/file.db or "
    "postgresql://user@host:5432/dbname"
)


def one_line(text: str) -> str:
    """``text`` with every run of whitespace (newlines, tabs) made one space."""
    return " ".join(text.split())


def explain(exc: BaseException) -> str | None:
    """The one line that reports an expected failure, ``error: <cause> (fix: <fix>)``, or
    ``None`` when ``exc`` is not one (a bug: it keeps its traceback)."""
    from caseops.eventstore import BadDatabaseURL, OperationalError

    if not isinstance(exc, CaseOpsError):
        return None
    cause = one_line(exc.message)
    fix: str | None = None
    if isinstance(exc, BadDatabaseURL):
        fix = _URL_FIX
    elif isinstance(exc, OperationalError):
        low = cause.lower()
        fix = next((f for pat, f in _DB_FIXES if re.search(pat, low)), _DEFAULT_DB_FIX)
    elif isinstance(exc, EpisodeNotFound):
        fix = "list the stored episodes with `caseops episodes --ids` (same --db)"
    elif isinstance(exc, UnknownTask):
        fix = "list the tasks with `caseops tasks --split seed|train|validation|test`"
    elif isinstance(exc, EpisodeStillRunning):
        fix = "finish the episode (or let it run out of steps), then replay it"
    elif isinstance(exc, PortInUse):
        fix = "stop the process that holds it, or pass --port N"
    elif isinstance(exc, BadAddress):
        fix = "pass --host 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)"
    return f"error: {cause}" + (f" (fix: {fix})" if fix else "")


def expected_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a command: an expected failure prints :func:`explain`'s line on stderr and
    exits 2 (raised as it is under ``--debug``)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CaseOpsError as e:
            line = explain(e)
            if DEBUG["on"] or line is None:
                raise
            sys.stderr.write(line + "\n")
            raise typer.Exit(2) from None

    return wrapper


class CaseOpsTyper(typer.Typer):
    """A ``typer.Typer`` whose every command reports expected failures as one line
    (:func:`expected_errors`) and whose help is plain text (click's formatter: no rich
    markup, no reStructuredText)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("rich_markup_mode", None)
        kwargs.setdefault("pretty_exceptions_enable", False)
        super().__init__(**kwargs)

    def command(self, *args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Any]:
        """As ``typer.Typer.command``, the callback wrapped by :func:`expected_errors`."""
        register = super().command(*args, **kwargs)

        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            register(expected_errors(func))
            return func

        return decorator


def check_port(host: str, port: int) -> None:
    """Refuse at once an address ``caseops serve`` could not bind (uvicorn would log a
    traceback-free error but only after the app is built).

    Binds and releases a socket with ``SO_REUSEADDR``, as uvicorn does, so a port left in
    ``TIME_WAIT`` passes and one with a listener does not.

    Raises:
        PortInUse: another process listens on ``host``:``port``.
        BadAddress: ``host`` is not an address of this machine.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as e:
        raise BadAddress(f"cannot bind {host!r}: {e.strerror}") from None
    family, kind, proto, _, addr = infos[0]
    with socket.socket(family, kind, proto) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(addr)
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                raise PortInUse(f"port {port} on {host} is in use") from None
            if e.errno == errno.EADDRNOTAVAIL:
                raise BadAddress(f"{host} is not an address of this machine") from None
            raise


def print_table(table: Any, *, console: Any = None) -> None:
    """Print a rich ``Table`` whole: when it does not fit the terminal (or rich's 80
    columns when output is not a terminal), it is printed at its natural width (every
    cell on one line) rather than with cells cut or folded, so that every id can be
    copied; the terminal wraps the long lines."""
    import io

    from rich.console import Console

    console = console or Console()
    # measured on an unbounded console (a measurement never exceeds its console's width)
    need = Console(width=100_000, file=io.StringIO()).measure(table).maximum
    if need > console.width:
        console = Console(width=need, file=console.file, force_terminal=console.is_terminal)
    console.print(table)


# -- what the commands share -----------------------------------------------------------


@cache
def console(stderr: bool = False) -> Console:
    """The rich console on standard output (or standard error), made on first use."""
    from rich.console import Console

    return Console(stderr=stderr)


class _LazyConsole:
    """A rich ``Console`` made on first use (importing rich costs start-up time)."""

    def __init__(self, stderr: bool) -> None:
        self._stderr = stderr

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(console(self._stderr), name)


out: Console = _LazyConsole(False)  # type: ignore[assignment]
err: Console = _LazyConsole(True)  # type: ignore[assignment]

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="SQLAlchemy URL of the store: sqlite:///file.db or postgresql://user@host/db "
        "(default: CASEOPS_DATABASE_URL, else sqlite:///caseops.db).",
    ),
]


def cli_settings():  # type: ignore[no-untyped-def]
    """The settings (``CASEOPS_*``), imported on first use."""
    from .settings import get_settings

    return get_settings()


def db_url(db: str | None) -> str:
    """``--db``, else the configured database URL."""
    return db or cli_settings().database_url


def read_service(db: str | None):  # type: ignore[no-untyped-def]
    """An episode service on ``--db`` for commands that read (no episode cache)."""
    from caseops.eventstore import EventStore

    from .service import EpisodeService

    return EpisodeService(EventStore(db_url(db), chain_key=cli_settings().chain_key), cache_size=0)


def play_service(db: str | None):  # type: ignore[no-untyped-def]
    """An episode service on ``--db`` to play on in-process (with the episode cache)."""
    from caseops.eventstore import EventStore

    from .service import EpisodeService

    return EpisodeService(EventStore(db_url(db), chain_key=cli_settings().chain_key))


def make_table(title: str, *columns: str, ids: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    """A rich table with ``columns``; those named in ``ids`` never wrap (whole ids)."""
    from rich.table import Table

    table = Table(title=title)
    for col in columns:
        table.add_column(col, no_wrap=col in ids, overflow="ignore" if col in ids else "fold")
    return table


def escape(text: str) -> str:
    """``text`` with rich markup escaped."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def dump_json(rows: list[dict]) -> None:  # type: ignore[type-arg]
    """Print ``rows`` as an indented JSON list on standard output."""
    sys.stdout.write(json.dumps(rows, indent=2) + "\n")
