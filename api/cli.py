"""The ``caseops`` command line (typer; tables by rich).

Commands: ``serve``, ``tasks``, ``episodes``, ``replay``, ``regrade``, ``audit``, ``db``,
``baseline``, ``judge-eval``, ``export``, ``eval``, ``docs-cli``. Every command that reads
the store takes ``--db URL`` (default ``CASEOPS_DATABASE_URL``, else an SQLite file
``caseops.db`` in the working directory). Expected failures print one line and exit 2
(:mod:`caseops.api.cli_support`); help is plain text. Heavy modules (rich, httpx,
SQLAlchemy, the settings) are imported inside the commands that use them, so
``caseops --help`` starts fast (``bench/startup.py``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .cli_support import DEBUG, CaseOpsTyper, check_port, print_table

if TYPE_CHECKING:
    from rich.console import Console

app = CaseOpsTyper(
    add_completion=False,
    no_args_is_help=True,
    help="CaseOps: event-sourced support cases for agents.",
)


@app.callback()
def _root(
    debug: Annotated[
        bool,
        typer.Option("--debug", help="Show the traceback of an expected failure too."),
    ] = False,
) -> None:
    """CaseOps: event-sourced support cases for agents."""
    DEBUG["on"] = debug


@cache
def _console(stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(stderr=stderr)


class _LazyConsole:
    """A rich ``Console`` made on first use (importing rich costs start-up time)."""

    def __init__(self, stderr: bool) -> None:
        self._stderr = stderr

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(_console(self._stderr), name)


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


def _settings():  # type: ignore[no-untyped-def]
    from .settings import get_settings

    return get_settings()


def _db(db: str | None) -> str:
    return db or _settings().database_url


def _service(db: str | None):  # type: ignore[no-untyped-def]
    from caseops.eventstore import EventStore

    from .service import EpisodeService

    return EpisodeService(EventStore(_db(db), chain_key=_settings().chain_key), cache_size=0)


def _table(title: str, *columns: str, ids: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    """A rich table with ``columns``; those named in ``ids`` never wrap (whole ids)."""
    from rich.table import Table

    table = Table(title=title)
    for col in columns:
        table.add_column(col, no_wrap=col in ids, overflow="ignore" if col in ids else "fold")
    return table


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to bind (PORT is honoured).")] = 8000,
    db: DbOption = None,
    web: Annotated[
        bool, typer.Option(help="Serve the /web playground (as ENABLE_WEB_INTERFACE=true).")
    ] = False,
) -> None:
    """Serve CaseOps over HTTP and WebSocket (the OpenEnv protocol).

    Exit 2 when the port is taken or the store cannot be opened.
    """
    if db:
        os.environ["CASEOPS_DATABASE_URL"] = db
        from .settings import get_settings

        get_settings.cache_clear()
    if web:
        os.environ["ENABLE_WEB_INTERFACE"] = "true"
    port = int(os.environ.get("PORT", port)) if port == 8000 else port
    check_port(host, port)
    from .app import create_caseops_app, run_server

    run_server(create_caseops_app(), host=host, port=port)


def _dump_json(rows: list[dict]) -> None:  # type: ignore[type-arg]
    sys.stdout.write(json.dumps(rows, indent=2) + "\n")


@app.command()
def tasks(
    split: Annotated[
        str | None, typer.Option(help="seed (default), train, validation or test.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many tasks.")] = 100,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many first.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
    ids: Annotated[bool, typer.Option("--ids", help="Print only the task ids.")] = False,
) -> None:
    """List tasks (never their answers), paged.

    The seed split holds six hand-written cases; train, validation and test hold
    generated cases whose ids are FAMILY/SEED. Exit 2 for an unknown split.
    """
    from caseops.cases.catalog import list_scenarios, task_refs

    total = len(task_refs(split))
    items = list_scenarios(split, offset, limit)
    if ids:
        sys.stdout.write("".join(s.task_id + "\n" for s in items))
        return
    if as_json:
        _dump_json(
            [
                {
                    "task_id": s.task_id,
                    "difficulty": s.difficulty,
                    "split": s.split,
                    "title": s.title,
                }
                for s in items
            ]
        )
        return
    table = _table(
        f"{total} tasks in split {split or 'seed'} (showing {len(items)})",
        "task_id",
        "difficulty",
        "split",
        "title",
        ids=("task_id",),
    )
    for s in items:
        table.add_row(s.task_id, s.difficulty, s.split, s.title)
    print_table(table, console=out)


def _number(value: object) -> float | None:
    """A score kept as an exact decimal string, as a number (``None`` stays)."""
    return None if value is None else float(str(value))


@app.command()
def episodes(
    db: DbOption = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many.")] = 50,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many newest first.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
    ids: Annotated[bool, typer.Option("--ids", help="Print only the episode ids.")] = False,
) -> None:
    """List stored episodes, newest first, paged."""
    svc = _service(db)
    total, rows = svc.store.list_streams(limit=limit, offset=offset)
    if ids:
        sys.stdout.write("".join(r.stream_id + "\n" for r in rows))
        return
    if as_json:
        _dump_json(
            [
                {
                    "episode_id": r.stream_id,
                    "task_id": r.meta.get("task_id"),
                    "status": r.meta.get("status"),
                    "done": bool(r.meta.get("done", False)),
                    "steps": int(r.meta.get("steps", 0)),
                    "score": _number(r.meta.get("score")),
                }
                for r in rows
            ]
        )
        return
    table = _table(
        f"{total} episodes (showing {len(rows)} from {offset})",
        "episode_id",
        "task_id",
        "status",
        "done",
        "steps",
        "score",
        ids=("episode_id", "task_id"),
    )
    for r in rows:
        m = r.meta
        table.add_row(
            _escape(r.stream_id),
            _escape(str(m.get("task_id"))),
            str(m.get("status")),
            str(m.get("done")),
            str(m.get("steps")),
            str(m.get("score")),
        )
    print_table(table, console=out)


def _print_report(rep) -> None:  # type: ignore[no-untyped-def]
    table = _table(
        f"{rep.task_id} - episode {rep.episode_id}",
        "component",
        "weight",
        "earned",
        "points",
        "detail",
        ids=("component",),
    )
    for c in rep.grade.components:
        table.add_row(
            c.name, f"{c.weight:.3f}", f"{c.earned:.3f}", f"{c.points:.3f}", _escape(c.detail)
        )
    print_table(table, console=out)
    verdict = "[green]matches the log[/green]" if rep.matches else "[red]DIFFERS from the log[/red]"
    out.print(f"score {rep.grade.score:.3f} (recorded {rep.recorded_score}); replay {verdict}")
    for note in getattr(rep, "notes", []):
        out.print(f"  [yellow]{_escape(note)}[/yellow]")
    for m in rep.mismatches:
        out.print(f"  [red]- {_escape(m)}[/red]")


@app.command()
def replay(
    episode_id: Annotated[str | None, typer.Argument(help="Episode to replay.")] = None,
    db: DbOption = None,
    all_: Annotated[
        bool, typer.Option("--all", help="Replay every episode that has ended.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Replay an ended episode from its log and print its grade report.

    As GET /episodes/ID/replay: an episode still running is refused (exit 2), since its
    grade would reveal the case's answers. --all replays every ended episode, skips the
    running ones and ends with a summary line. Exit 1 when a replay differs from the
    recorded rewards or score; 2 for an unknown or running episode.
    """
    from caseops.domain.errors import EpisodeNotFound, EpisodeStillRunning
    from caseops.eventstore import StreamNotFound

    svc = _service(db)
    if all_:
        ids = svc.store.stream_ids()
    elif episode_id:
        ids = [episode_id]
    else:
        err.print("give an EPISODE_ID or --all")
        raise typer.Exit(2)
    bad = running = 0
    t0 = time.perf_counter()
    for eid in ids:
        try:
            done = bool(svc.store.summary(eid).meta.get("done"))
        except StreamNotFound:
            raise EpisodeNotFound(f"no episode {eid!r}") from None
        if not done:
            if not all_:
                raise EpisodeStillRunning(
                    f"episode {eid} is still running; its replay is available once it ends"
                )
            running += 1
            continue
        rep = svc.replay(eid)
        bad += not rep.matches
        if as_json:
            sys.stdout.write(rep.model_dump_json(indent=2) + "\n")
        else:
            _print_report(rep)
    if all_:
        replayed = len(ids) - running
        err.print(
            f"{replayed} episode(s) replayed in {time.perf_counter() - t0:.2f} s: "
            f"{replayed - bad} match the log, {bad} differ; {running} still running (skipped)",
            highlight=False,
        )
    if bad:
        raise typer.Exit(1)


@app.command()
def regrade(
    episode_ids: Annotated[
        list[str] | None, typer.Argument(help="Episodes to re-grade (default: all).")
    ] = None,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs",
            "-j",
            min=0,
            max=64,
            help="Worker processes (0: one per 2,000 episodes, up to the CPU count and 8).",
        ),
    ] = 0,
    rejudge: Annotated[
        bool,
        typer.Option(
            "--rejudge",
            help="Set recorded judge verdicts aside and judge every reply and note again "
            "with the rule judge.",
        ),
    ] = False,
) -> None:
    """Re-grade stored episodes in bulk (every episode when none is named) and compare
    each grade with the score recorded at its last step.

    Fast: grades the stored payloads without re-deciding the actions (replay proves
    every reward); large stores are shared among worker processes (--jobs). Exit 1 when
    any episode differs or cannot be graded.
    """
    svc = _service(db)
    table = _table(
        "re-grade",
        "episode_id",
        "task_id",
        "status",
        "steps",
        "recorded",
        "regraded",
        "ok",
        ids=("episode_id", "task_id"),
    )
    bad = n = older = moved = 0
    deltas: list[float] = []
    t0 = time.perf_counter()
    for r in svc.regrade(episode_ids or None, jobs=jobs, rejudge=rejudge):
        n += 1
        bad += not r.matches
        if r.grader_changed and r.matches:
            older += 1
            d = float(r.score_change)
            if d:
                moved += 1
                deltas.append(d)
        if as_json:
            sys.stdout.write(r.model_dump_json() + "\n")
        else:
            table.add_row(
                *(_escape(x) for x in (r.episode_id, r.task_id, r.final_status)),
                str(r.steps),
                _escape(r.recorded_score),
                _escape(r.score_exact),
                "[green]yes[/green]" if r.matches else f"[red]{_escape(r.problem or '')}[/red]",
            )
    wall = time.perf_counter() - t0
    if not as_json:
        print_table(table, console=out)
    err.print(f"{n} episode(s) re-graded in {wall:.2f} s; {bad} differ", highlight=False)
    if older:
        from caseops.domain.grading import GRADER_VERSION

        mean = sum(deltas) / len(deltas) if deltas else 0.0
        worst = max((abs(d) for d in deltas), default=0.0)
        err.print(
            f"{older} recorded under an earlier grader: {moved} change score under grader "
            f"{GRADER_VERSION} (mean change {mean:+.4f}, largest {worst:.4f})",
            highlight=False,
        )
    if bad:
        raise typer.Exit(1)


@app.command()
def audit(
    db: DbOption = None,
    verify: Annotated[bool, typer.Option(help="Check every stream's hash chain.")] = False,
    limit: Annotated[int, typer.Option(min=1, max=100_000, help="At most this many.")] = 1000,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
) -> None:
    """List rejected transitions across episodes; --verify checks every hash chain
    (exit 1 on a break)."""
    from .routes.audit import rejections

    svc = _service(db)
    page = rejections(svc, 0, limit)
    if as_json:
        _dump_json([r.model_dump(mode="json") for r in page.items])
    else:
        table = _table(
            f"{len(page.items)} rejected transitions",
            "episode_id",
            "step",
            "action",
            "from_state",
            "reason",
            ids=("episode_id",),
        )
        for r in page.items:
            table.add_row(
                _escape(r.episode_id),
                str(r.step),
                str(r.action.get("action_type")),
                r.from_state,
                _escape(r.reason),
            )
        print_table(table, console=out)
    if verify:
        problems: list[str] = []
        ids = svc.store.stream_ids()
        for sid in ids:
            problems.extend(svc.store.verify(sid))
        report = err if as_json else out
        if problems:
            for p in problems:
                report.print(f"[red]{_escape(p)}[/red]")
            report.print(f"[red]hash chain broken in {len(problems)} place(s)[/red]")
            raise typer.Exit(1)
        report.print(f"[green]{len(ids)} streams verified: every hash chain holds[/green]")


db_app = CaseOpsTyper(help="Database schema (Alembic migrations).", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Create or upgrade the store's schema to the newest revision (exit 2 when the
    database cannot be reached)."""
    from caseops.eventstore import EventStore

    store = EventStore(_db(db))  # creating the store runs the migrations
    from caseops.eventstore.migrate import current_revision

    with store.engine.connect() as conn:
        out.print(f"schema at revision {current_revision(conn)}")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@app.command()
def baseline(
    db: DbOption = None,
    port: Annotated[int, typer.Option(help="Port for the server (0: a free one).")] = 0,
    split: Annotated[str, typer.Option(help="Split to play.")] = "seed",
    limit: Annotated[int, typer.Option(help="At most this many tasks (0: all).")] = 0,
) -> None:
    """The main job: start a server on the store, run inference.py against it over
    HTTP, then replay every episode it played from the log and print the scores."""
    import httpx

    url = _db(db)
    port = port or _free_port()
    env = {**os.environ, "CASEOPS_DATABASE_URL": url}
    svc = _service(url)
    before = set(svc.store.stream_ids())
    err.print(f"starting server on 127.0.0.1:{port} (store {url})")
    server = subprocess.Popen(
        [sys.executable, "-m", "caseops.server.app", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                err.print("[red]the server did not start[/red]")
                raise typer.Exit(1)
            time.sleep(0.3)
        run_env = {**env, "ENV_BASE_URL": base, "CASEOPS_SPLIT": split}
        if limit:
            run_env["CASEOPS_LIMIT"] = str(limit)
        code = subprocess.call([sys.executable, "-m", "caseops.inference"], env=run_env)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    new = [sid for sid in svc.store.stream_ids() if sid not in before]
    table = _table(
        "Replayed from the event log",
        "task_id",
        "episode_id",
        "steps",
        "final status",
        "score",
        "replay",
        ids=("task_id", "episode_id"),
    )
    bad = 0
    scores: list[float] = []
    for sid in new:
        rep = svc.replay(sid)
        bad += not rep.matches
        scores.append(rep.grade.score)
        table.add_row(
            rep.task_id,
            sid,
            str(rep.steps),
            rep.final_status,
            f"{rep.grade.score:.3f}",
            "match" if rep.matches else "[red]DIFFERS[/red]",
        )
    print_table(table, console=out)
    if scores:
        out.print(f"mean score {sum(scores) / len(scores):.3f} over {len(scores)} episodes")
    out.print(json.dumps({"episodes": len(new), "replay_mismatches": bad, "inference_exit": code}))
    if bad or code != 0:
        raise typer.Exit(1)


@app.command("judge-eval")
def judge_eval(
    judge: Annotated[
        str, typer.Option(help="rule, or model (CASEOPS_JUDGE_MODEL, a verdict per text).")
    ] = "rule",
    split: Annotated[str, typer.Option(help="Corpus split: dev, test or all.")] = "test",
    corpus: Annotated[
        str,
        typer.Option(
            help="Corpus part: composed (built from sentence pools), handwritten "
            "(written and labelled by reading) or all."
        ),
    ] = "all",
) -> None:
    """Agreement of the reply/note judge with the labelled corpus
    (tests/data/judge_corpus): per point and per forbidden claim precision and recall,
    and the balanced accuracy of "acceptable" (component share >= 0.6)."""
    from caseops.domain.judge import judge_text
    from caseops.api.judge_eval import agreement, load

    if split not in ("dev", "test", "all"):
        err.print("--split must be dev, test or all")
        raise typer.Exit(2)
    if corpus not in ("composed", "handwritten", "all"):
        err.print("--corpus must be composed, handwritten or all")
        raise typer.Exit(2)
    judge_fn = judge_text
    if judge == "model":
        from caseops.api.model_judge import from_settings
        from caseops.domain.grading.judged import verdict_of_fact

        model = from_settings(_settings())
        if model is None:
            err.print("--judge model needs CASEOPS_JUDGE_MODEL (and its base URL and key)")
            raise typer.Exit(2)

        def judge_fn(text, points, claims):  # type: ignore[no-untyped-def,misc]
            return verdict_of_fact(model.verdict("reply", text, points, claims).payload())

    elif judge != "rule":
        err.print("--judge must be rule or model")
        raise typer.Exit(2)
    a = agreement(load(None if split == "all" else split, part=corpus), judge_fn)
    for title, table_of in (("points", a.points), ("forbidden claims", a.claims)):
        table = _table(
            f"{title} ({corpus} corpus, {split}, {a.rows} texts)",
            "name",
            "labelled",
            "judged",
            "precision",
            "recall",
            ids=("name",),
        )
        for name in sorted(table_of):
            c = table_of[name]
            table.add_row(
                _escape(name),
                str(c.tp + c.fn),
                str(c.tp + c.fp),
                f"{c.precision:.3f}",
                f"{c.recall:.3f}",
            )
        print_table(table, console=out)
    for kind, c in sorted(a.acceptable.items()):
        out.print(
            f"{kind}: acceptable balanced accuracy {c.balanced_accuracy:.3f} "
            f"(tp {c.tp}, fp {c.fp}, fn {c.fn}, tn {c.tn})"
        )


def cli_reference() -> str:
    """The CLI reference as Markdown: every command's plain-text help (``--help``) in
    command-tree order, rendered at 88 columns so that the text does not depend on the
    terminal. ``caseops docs-cli`` writes it to ``docs/cli.md``; a test keeps the two
    equal."""
    root = typer.main.get_command(app)
    parts = [
        "# The `caseops` command line\n",
        "Generated from the CLI itself by `caseops docs-cli` (do not edit by hand; "
        "`tests/test_docs.py` fails when this file and the CLI disagree).\n",
        "Expected failures (an unreachable, missing or misnamed database, an unknown "
        "episode or task, a port in use) print one line, `error: <cause> (fix: <what to "
        "do>)`, and exit 2; `caseops --debug <command>` shows the traceback as well.\n",
    ]

    def walk(cmd: Any, path: list[str], parent: Any) -> None:
        # the command's own context class (typer carries its own copy of click)
        ctx = cmd.context_class(
            cmd, info_name=path[-1], parent=parent, terminal_width=88, max_content_width=88
        )
        name = " ".join(path)
        parts.append(f"## `{name}`\n")
        parts.append("```text\n" + cmd.get_help(ctx).rstrip() + "\n```\n")
        if hasattr(cmd, "list_commands"):
            for sub in cmd.list_commands(ctx):
                child = cmd.get_command(ctx, sub)
                if child is not None and not child.hidden:
                    walk(child, [*path, sub], ctx)

    walk(root, ["caseops"], None)
    return "\n".join(parts)


@app.command("docs-cli")
def docs_cli(
    output: Annotated[
        str, typer.Option("--output", "-o", help="File to write ('-': standard output).")
    ] = "docs/cli.md",
    check: Annotated[
        bool, typer.Option(help="Only compare: exit 1 when the file differs from the CLI.")
    ] = False,
) -> None:
    """Write the CLI reference (every command's help, as Markdown) to docs/cli.md."""
    from pathlib import Path

    text = cli_reference()
    if output == "-":
        sys.stdout.write(text)
        return
    path = Path(output)
    if check:
        same = path.is_file() and path.read_text(encoding="utf-8") == text
        err.print(f"{output} {'matches' if same else 'DIFFERS from'} the CLI", highlight=False)
        raise typer.Exit(0 if same else 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    err.print(f"wrote {output}", highlight=False)


@app.command()
def export(
    db: DbOption = None,
    split: Annotated[str | None, typer.Option(help="Only episodes of this split.")] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="chat-jsonl (one JSON record per line) or hf.")
    ] = "chat-jsonl",
    out_path: Annotated[
        str, typer.Option("--out", help="Output file (chat-jsonl) or folder (hf).")
    ] = "caseops-episodes.jsonl",
) -> None:
    """Export played (ended) episodes from the event log as training data: the observation
    as the user turn, each action as an assistant tool call and its result as a tool turn,
    with rewards, the score and the grade components; no gold, no scenario snapshot.
    --format hf writes a Hugging Face dataset folder (needs the datasets package)."""
    import tempfile
    from pathlib import Path

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from caseops.domain.errors import CaseOpsError

    from .export import ExportStats, export_records

    if fmt not in ("chat-jsonl", "hf"):
        err.print("[red]--format must be chat-jsonl or hf[/red]")
        raise typer.Exit(2)
    svc = _service(db)
    ids = svc.store.stream_ids()
    stats = ExportStats()
    target = Path(out_path)
    jsonl = target if fmt == "chat-jsonl" else Path(tempfile.mkdtemp()) / "episodes.jsonl"
    jsonl.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with (
        jsonl.open("w", encoding="utf-8") as fh,
        Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=_console(True),
        ) as progress,
    ):
        task = progress.add_task("exporting", total=len(ids))
        try:
            for rec in export_records(svc.store, split, ids, stats=stats):
                fh.write(json.dumps(rec, separators=(",", ":")) + "\n")
                progress.update(task, completed=stats.episodes + stats.skipped)
        except CaseOpsError as e:
            err.print(f"[red]{e.message}[/red]")
            raise typer.Exit(2) from None
        progress.update(task, completed=len(ids))
    svc.store.dispose()
    if fmt == "hf":
        try:
            from datasets import Dataset
        except ImportError:
            err.print("[red]--format hf needs the datasets package (the train extra)[/red]")
            raise typer.Exit(2) from None
        Dataset.from_json(str(jsonl)).save_to_disk(str(target))
    size = sum(f.stat().st_size for f in target.rglob("*")) if target.is_dir() else 0
    size = size or target.stat().st_size
    err.print(
        f"{stats.episodes} episodes ({stats.messages} messages; {stats.skipped} skipped) "
        f"-> {target} ({size / 1e6:.1f} MB) in {time.perf_counter() - t0:.1f} s"
    )


@app.command("eval")
def eval_(
    agent: Annotated[str, typer.Option(help="fallback or openai.")] = "fallback",
    split: Annotated[str, typer.Option(help="Split to play.")] = "validation",
    trials: Annotated[int, typer.Option(min=1, max=100, help="Trials per task.")] = 1,
    limit: Annotated[int, typer.Option(min=0, help="At most this many tasks (0: all).")] = 0,
    out_dir: Annotated[str, typer.Option("--out", help="Folder for results and report.")] = (
        "caseops-eval"
    ),
    url: Annotated[
        str | None, typer.Option(help="Play a CaseOps server over HTTP (default: in-process).")
    ] = None,
    db: DbOption = None,
    concurrency: Annotated[int, typer.Option(min=1, max=64, help="Episodes at once.")] = 4,
    reward_mode: Annotated[str, typer.Option(help="terminal (default) or dense.")] = "terminal",
) -> None:
    """Evaluate an agent: every task of a split --trials times (in-process on --db,
    or over HTTP with --url, concurrently), then write results.json and a
    self-contained report.html (score per family, component means, pass^k curve at
    the 0.5 threshold, steps) to --out and print the summary table."""
    from pathlib import Path

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from caseops.cases.catalog import task_refs
    from caseops.domain.errors import CaseOpsError

    from . import evaluate

    if agent not in evaluate.AGENTS:
        err.print(f"[red]--agent must be one of {', '.join(evaluate.AGENTS)}[/red]")
        raise typer.Exit(2)
    if reward_mode not in ("terminal", "dense"):
        err.print("[red]--reward-mode must be terminal or dense[/red]")
        raise typer.Exit(2)
    try:
        tasks = list(task_refs(None if split == "seed" else split))
    except CaseOpsError as e:
        err.print(f"[red]{e.message}[/red]")
        raise typer.Exit(2) from None
    tasks = tasks[:limit] if limit else tasks
    if agent == "openai":
        try:
            evaluate.openai_agent()
        except RuntimeError as e:
            err.print(f"[red]{e}[/red]")
            raise typer.Exit(2) from None
    local = None if url else _service_for_play(db)
    player: evaluate.HttpPlayer | evaluate.LocalPlayer = (
        evaluate.HttpPlayer(url) if url else evaluate.LocalPlayer(local)
    )
    t0 = time.perf_counter()
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=_console(True),
    ) as progress:
        bar = progress.add_task(f"{agent} on {split}", total=len(tasks) * trials)
        episodes = evaluate.run(
            player,
            agent,
            tasks,
            trials,
            reward_mode=reward_mode,
            concurrency=concurrency,
            on_done=lambda _: progress.advance(bar),
        )
    if local is not None:
        local.store.dispose()
    wall = time.perf_counter() - t0
    summary = evaluate.summarize(episodes, trials)
    meta = {
        "agent": agent,
        "split": split,
        "trials": trials,
        "tasks": len(tasks),
        "reward_mode": reward_mode,
        "target": url or "in-process",
    }
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "results.json").write_text(evaluate.results_json(meta, episodes, summary))
    (folder / "report.html").write_text(evaluate.html_report(meta, episodes, summary))
    o = summary["overall"]
    from rich.table import Table

    table = Table(title=f"{agent} on {split}: {len(tasks)} tasks x {trials} trials")
    for col in ("family", "episodes", "mean score", *(f"pass^{k}" for k in o["pass_hat_k"])):
        table.add_column(col, justify="right")
    table.add_column("steps", justify="right")
    for fam, b in [*summary["families"].items(), ("all", o)]:
        table.add_row(
            fam,
            str(b["episodes"]),
            f"{b['mean_score']:.3f}",
            *(f"{v:.3f}" for v in b["pass_hat_k"].values()),
            f"{b['mean_steps']:.1f}",
        )
    out.print(table)
    err.print(
        f"{len(episodes)} episodes in {wall:.1f} s ({summary['errors']} failed); "
        f"wrote {folder / 'results.json'} and {folder / 'report.html'}"
    )
    if summary["errors"]:
        raise typer.Exit(1)


def _service_for_play(db: str | None):  # type: ignore[no-untyped-def]
    """A service to play on in-process (a cache, unlike the read-only commands')."""
    from caseops.eventstore import EventStore

    from .service import EpisodeService

    return EpisodeService(EventStore(_db(db), chain_key=_settings().chain_key))


def main() -> None:
    """Entry point for ``python -m caseops.api.cli``."""
    app()


if __name__ == "__main__":
    main()
