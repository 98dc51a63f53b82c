"""``caseops`` commands on the catalog and the stored episodes: ``tasks``, ``episodes``,
``replay``, ``regrade``, ``audit`` and ``db upgrade`` (registered in :mod:`caseops.api.cli`).
They read the store through the episode service only."""

from __future__ import annotations

import sys
import time
from typing import Annotated

import typer

from .cli_support import (
    DbOption,
    db_url,
    dump_json,
    err,
    escape,
    make_table,
    out,
    print_table,
    read_service,
)


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
        dump_json(
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
    table = make_table(
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


def episodes(
    db: DbOption = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many.")] = 50,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many newest first.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
    ids: Annotated[bool, typer.Option("--ids", help="Print only the episode ids.")] = False,
) -> None:
    """List stored episodes, newest first, paged."""
    page = read_service(db).list_episodes(limit, offset)
    if ids:
        sys.stdout.write("".join(e.episode_id + "\n" for e in page.items))
        return
    if as_json:
        keys = {"episode_id", "task_id", "status", "done", "steps", "score"}
        dump_json([e.model_dump(include=keys) for e in page.items])
        return
    table = make_table(
        f"{page.total} episodes (showing {len(page.items)} from {offset})",
        "episode_id",
        "task_id",
        "status",
        "done",
        "steps",
        "score",
        ids=("episode_id", "task_id"),
    )
    for e in page.items:
        table.add_row(
            escape(e.episode_id),
            escape(str(e.task_id)),
            str(e.status),
            str(e.done),
            str(e.steps),
            str(e.score),
        )
    print_table(table, console=out)


def print_report(rep) -> None:  # type: ignore[no-untyped-def]
    """Print a replay report: the grade's components, the score and the verdict."""
    table = make_table(
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
            c.name, f"{c.weight:.3f}", f"{c.earned:.3f}", f"{c.points:.3f}", escape(c.detail)
        )
    print_table(table, console=out)
    verdict = "[green]matches the log[/green]" if rep.matches else "[red]DIFFERS from the log[/red]"
    out.print(f"score {rep.grade.score:.3f} (recorded {rep.recorded_score}); replay {verdict}")
    for note in getattr(rep, "notes", []):
        out.print(f"  [yellow]{escape(note)}[/yellow]")
    for m in rep.mismatches:
        out.print(f"  [red]- {escape(m)}[/red]")


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
    svc = read_service(db)
    if all_:
        ids = svc.episode_ids()
    elif episode_id:
        ids = [episode_id]
    else:
        err.print("give an EPISODE_ID or --all")
        raise typer.Exit(2)
    bad = running = 0
    t0 = time.perf_counter()
    for eid in ids:
        if all_ and not svc.summary(eid).done:
            running += 1
            continue
        rep = svc.ended_replay(eid)
        bad += not rep.matches
        if as_json:
            sys.stdout.write(rep.model_dump_json(indent=2) + "\n")
        else:
            print_report(rep)
    if all_:
        replayed = len(ids) - running
        err.print(
            f"{replayed} episode(s) replayed in {time.perf_counter() - t0:.2f} s: "
            f"{replayed - bad} match the log, {bad} differ; {running} still running (skipped)",
            highlight=False,
        )
    if bad:
        raise typer.Exit(1)


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
    svc = read_service(db)
    table = make_table(
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
                *(escape(x) for x in (r.episode_id, r.task_id, r.final_status)),
                str(r.steps),
                escape(r.recorded_score),
                escape(r.score_exact),
                "[green]yes[/green]" if r.matches else f"[red]{escape(r.problem or '')}[/red]",
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


def audit(
    db: DbOption = None,
    verify: Annotated[bool, typer.Option(help="Check every stream's hash chain.")] = False,
    limit: Annotated[int, typer.Option(min=1, max=100_000, help="At most this many.")] = 1000,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
) -> None:
    """List rejected transitions across episodes; --verify checks every hash chain
    (exit 1 on a break)."""
    svc = read_service(db)
    page = svc.rejections(0, limit)
    if as_json:
        dump_json([r.model_dump(mode="json") for r in page.items])
    else:
        table = make_table(
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
                escape(r.episode_id),
                str(r.step),
                str(r.action.get("action_type")),
                r.from_state,
                escape(r.reason),
            )
        print_table(table, console=out)
    if verify:
        ids = svc.episode_ids()
        problems = svc.chain_problems(ids)
        report = err if as_json else out
        if problems:
            for p in problems:
                report.print(f"[red]{escape(p)}[/red]")
            report.print(f"[red]hash chain broken in {len(problems)} place(s)[/red]")
            raise typer.Exit(1)
        report.print(f"[green]{len(ids)} streams verified: every hash chain holds[/green]")


def db_upgrade(db: DbOption = None) -> None:
    """Create or upgrade the store's schema to the newest revision (exit 2 when the
    database cannot be reached)."""
    from caseops.eventstore import EventStore

    store = EventStore(db_url(db))  # creating the store runs the migrations
    from caseops.eventstore.migrate import current_revision

    with store.engine.connect() as conn:
        out.print(f"schema at revision {current_revision(conn)}")
