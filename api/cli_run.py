"""``caseops`` commands that serve, play, judge and export: ``serve``, ``baseline``,
``judge-eval``, ``export`` and ``eval`` (registered in :mod:`caseops.api.cli`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Annotated

import typer

from .cli_support import (
    DbOption,
    check_port,
    cli_settings,
    console,
    db_url,
    err,
    escape,
    make_table,
    out,
    play_service,
    print_table,
    read_service,
)


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


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def baseline(
    db: DbOption = None,
    port: Annotated[int, typer.Option(help="Port for the server (0: a free one).")] = 0,
    split: Annotated[str, typer.Option(help="Split to play.")] = "seed",
    limit: Annotated[int, typer.Option(help="At most this many tasks (0: all).")] = 0,
) -> None:
    """The main job: start a server on the store, run inference.py against it over
    HTTP, then replay every episode it played from the log and print the scores."""
    import httpx

    url = db_url(db)
    port = port or free_port()
    env = {**os.environ, "CASEOPS_DATABASE_URL": url}
    svc = read_service(url)
    before = set(svc.episode_ids())
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
    new = [sid for sid in svc.episode_ids() if sid not in before]
    table = make_table(
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
    from caseops.api.judge_eval import agreement, load
    from caseops.domain.judge import judge_text

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

        model = from_settings(cli_settings())
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
        table = make_table(
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
                escape(name),
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

    from caseops.errors import CaseOpsError

    from .export import ExportStats, export_records

    if fmt not in ("chat-jsonl", "hf"):
        err.print("[red]--format must be chat-jsonl or hf[/red]")
        raise typer.Exit(2)
    svc = read_service(db)
    ids = svc.episode_ids()
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
            console=console(True),
        ) as progress,
    ):
        task = progress.add_task("exporting", total=len(ids))
        try:
            for rec in export_records(svc, split, ids, stats=stats):
                fh.write(json.dumps(rec, separators=(",", ":")) + "\n")
                progress.update(task, completed=stats.episodes + stats.skipped)
        except CaseOpsError as e:
            err.print(f"[red]{e.message}[/red]")
            raise typer.Exit(2) from None
        progress.update(task, completed=len(ids))
    svc.close()
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
    from caseops.errors import CaseOpsError

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
    local = None if url else play_service(db)
    player: evaluate.HttpPlayer | evaluate.LocalPlayer = (
        evaluate.HttpPlayer(url) if url else evaluate.LocalPlayer(local)
    )
    t0 = time.perf_counter()
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console(True),
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
        local.close()
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
