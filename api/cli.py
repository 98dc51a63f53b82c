"""The ``caseops`` command line (typer + rich).

Commands: ``serve``, ``tasks``, ``episodes``, ``replay``, ``regrade``, ``audit``, ``baseline``,
``export``, ``eval``.
Every command that reads the store takes ``--db URL`` (default ``CASEOPS_DATABASE_URL``,
else an SQLite file ``caseops.db`` in the working directory).
"""

from __future__ import annotations

import importlib.abc
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from caseops.domain.errors import CaseOpsError

from .settings import get_settings

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="CaseOps: event-sourced support cases for agents.",
)
out = Console()
err = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="SQLAlchemy URL of the store (default: CASEOPS_DATABASE_URL)."),
]


def _db(db: str | None) -> str:
    return db or get_settings().database_url


class _NoGradio(importlib.abc.MetaPathFinder):
    """Makes ``import gradio`` fail at once. openenv-core imports Gradio (about 4 s here)
    when its server package loads, only to offer the ``/web`` playground, and treats a
    missing Gradio as "no playground"; the commands that read the store never serve."""

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> None:
        if fullname == "gradio" or fullname.startswith("gradio."):
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None


@contextmanager
def _without_gradio() -> Iterator[None]:
    """Imports made inside skip Gradio; nothing changes once it is loaded, and the finder
    is removed afterwards (a later ``/web`` imports it as usual)."""
    if "gradio" in sys.modules:
        yield
        return
    finder = _NoGradio()
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)


def _service(db: str | None):  # type: ignore[no-untyped-def]
    with _without_gradio():
        from caseops.eventstore import EventStore

        from .service import EpisodeService

    return EpisodeService(EventStore(_db(db), chain_key=get_settings().chain_key), cache_size=0)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to bind (PORT is honoured).")] = 8000,
    db: DbOption = None,
    web: Annotated[bool, typer.Option(help="Enable the /web playground.")] = False,
) -> None:
    """Serve CaseOps over HTTP and WebSocket (OpenEnv protocol)."""
    if db:
        os.environ["CASEOPS_DATABASE_URL"] = db
        get_settings.cache_clear()
    if web:
        os.environ["ENABLE_WEB_INTERFACE"] = "true"
    port = int(os.environ.get("PORT", port)) if port == 8000 else port
    from .app import create_caseops_app, run_server

    run_server(create_caseops_app(), host=host, port=port)


@app.command()
def tasks(
    split: Annotated[str | None, typer.Option(help="Only this split.")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 100,
    offset: Annotated[int, typer.Option(min=0)] = 0,
) -> None:
    """List tasks (no gold): ``--split seed`` (default: the six seed cases), ``train``,
    ``validation`` or ``test`` (generated ``<family>/<seed>`` cases), paged."""
    from caseops.domain.scenarios import list_scenarios, task_refs

    try:
        total = len(task_refs(split))
        items = list_scenarios(split, offset, limit)
    except CaseOpsError as e:
        err.print(f"[red]{e.message}[/red]")
        raise typer.Exit(2) from None
    table = Table(title=f"{total} tasks in split {split or 'seed'} (showing {len(items)})")
    for col in ("task_id", "difficulty", "split", "title"):
        table.add_column(col)
    for s in items:
        table.add_row(s.task_id, s.difficulty, s.split, s.title)
    out.print(table)


@app.command()
def episodes(
    db: DbOption = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
) -> None:
    """List stored episodes, newest first."""
    svc = _service(db)
    total, rows = svc.store.list_streams(limit=limit, offset=offset)
    table = Table(title=f"{total} episodes")
    for col in ("episode_id", "task_id", "status", "done", "steps", "score"):
        table.add_column(col)
    for r in rows:
        m = r.meta
        table.add_row(
            r.stream_id,
            str(m.get("task_id")),
            str(m.get("status")),
            str(m.get("done")),
            str(m.get("steps")),
            str(m.get("score")),
        )
    out.print(table)


def _print_report(rep) -> None:  # type: ignore[no-untyped-def]
    table = Table(title=f"{rep.task_id} — episode {rep.episode_id}")
    for col in ("component", "weight", "earned", "points", "detail"):
        table.add_column(col)
    for c in rep.grade.components:
        table.add_row(c.name, f"{c.weight:.3f}", f"{c.earned:.3f}", f"{c.points:.3f}", c.detail)
    out.print(table)
    verdict = "[green]matches the log[/green]" if rep.matches else "[red]DIFFERS from the log[/red]"
    out.print(f"score {rep.grade.score:.3f} (recorded {rep.recorded_score}); replay {verdict}")
    for m in rep.mismatches:
        out.print(f"  [red]- {m}[/red]")


@app.command()
def replay(
    episode_id: Annotated[str | None, typer.Argument(help="Episode to replay.")] = None,
    db: DbOption = None,
    all_: Annotated[bool, typer.Option("--all", help="Replay every episode.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Replay an episode from its log and print its grade report.

    Exit 1 when the replay differs from the recorded rewards or score; 2 for an unknown
    episode.
    """
    svc = _service(db)
    ids = svc.store.stream_ids() if all_ else ([episode_id] if episode_id else [])
    if not ids:
        err.print("give an EPISODE_ID or --all")
        raise typer.Exit(2)
    bad = 0
    for eid in ids:
        try:
            rep = svc.replay(eid)
        except CaseOpsError as e:
            err.print(f"[red]{e.message}[/red]")
            raise typer.Exit(2) from None
        bad += not rep.matches
        if as_json:
            out.print_json(rep.model_dump_json())
        else:
            _print_report(rep)
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
) -> None:
    """Re-grade stored episodes in bulk (every episode when none is named) and compare
    each grade with the score recorded at its last step.

    Fast: grades the stored payloads without re-deciding the actions (``replay`` proves
    every reward); large stores are shared among worker processes (``--jobs``). Exit 1
    when any episode differs or cannot be graded.
    """
    svc = _service(db)
    table = Table(title="re-grade")
    for col in ("episode_id", "task_id", "status", "steps", "recorded", "regraded", "ok"):
        table.add_column(col)
    bad = n = 0
    t0 = time.perf_counter()
    for r in svc.regrade(episode_ids or None, jobs=jobs):
        n += 1
        bad += not r.matches
        if as_json:
            sys.stdout.write(r.model_dump_json() + "\n")
        else:
            table.add_row(
                *(escape(x) for x in (r.episode_id, r.task_id, r.final_status)),
                str(r.steps),
                escape(r.recorded_score),
                escape(r.score_exact),
                "[green]yes[/green]" if r.matches else f"[red]{escape(r.problem or '')}[/red]",
            )
    wall = time.perf_counter() - t0
    if not as_json:
        out.print(table)
    err.print(f"{n} episode(s) re-graded in {wall:.2f} s; {bad} differ")
    if bad:
        raise typer.Exit(1)


@app.command()
def audit(
    db: DbOption = None,
    verify: Annotated[bool, typer.Option(help="Check every stream's hash chain.")] = False,
    limit: Annotated[int, typer.Option(min=1, max=100_000)] = 1000,
) -> None:
    """List rejected transitions across episodes; ``--verify`` checks every hash chain
    (exit 1 on a break)."""
    from .routes.audit import rejections

    svc = _service(db)
    page = rejections(svc, 0, limit)
    table = Table(title=f"{len(page.items)} rejected transitions")
    for col in ("episode_id", "step", "action", "from_state", "reason"):
        table.add_column(col)
    for r in page.items:
        table.add_row(
            r.episode_id, str(r.step), str(r.action.get("action_type")), r.from_state, r.reason
        )
    out.print(table)
    if verify:
        problems: list[str] = []
        ids = svc.store.stream_ids()
        for sid in ids:
            problems.extend(svc.store.verify(sid))
        if problems:
            for p in problems:
                out.print(f"[red]{p}[/red]")
            out.print(f"[red]hash chain broken in {len(problems)} place(s)[/red]")
            raise typer.Exit(1)
        out.print(f"[green]{len(ids)} streams verified: every hash chain holds[/green]")


db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Create or upgrade the store's schema to the newest revision (exit 1 on failure)."""
    from caseops.eventstore import EventStore

    try:
        store = EventStore(_db(db))  # creating the store runs the migrations
    except CaseOpsError as e:
        err.print(f"[red]{e.message}[/red]")
        raise typer.Exit(1) from None
    from caseops.eventstore.migrate import current_revision

    with store.engine.connect() as conn:
        out.print(f"schema at revision {current_revision(conn)}")


def _free_port() -> int:
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
    """The main job: start a server on the store, run ``inference.py`` against it over
    HTTP, then replay every episode it played from the log and print the scores."""
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
    table = Table(title="Replayed from the event log")
    for col in ("task_id", "episode_id", "steps", "final status", "score", "replay"):
        table.add_column(col)
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
    out.print(table)
    if scores:
        out.print(f"mean score {sum(scores) / len(scores):.3f} over {len(scores)} episodes")
    out.print(json.dumps({"episodes": len(new), "replay_mismatches": bad, "inference_exit": code}))
    if bad or code != 0:
        raise typer.Exit(1)


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
    ``--format hf`` writes a Hugging Face dataset folder (needs the ``datasets`` package)."""
    import tempfile
    from pathlib import Path

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

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
            console=err,
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
    """Evaluate an agent: every task of a split ``--trials`` times (in-process on ``--db``,
    or over HTTP with ``--url``, concurrently), then write ``results.json`` and a
    self-contained ``report.html`` (score per family, component means, pass^k curve at
    the 0.5 threshold, steps) to ``--out`` and print the summary table."""
    from pathlib import Path

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from caseops.domain.scenarios import task_refs

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
        console=err,
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

    return EpisodeService(EventStore(_db(db), chain_key=get_settings().chain_key))


def main() -> None:
    """Entry point for ``python -m caseops.api.cli``."""
    app()


if __name__ == "__main__":
    main()
