"""The ``caseops`` command line (typer; tables by rich).

Commands: ``serve``, ``tasks``, ``episodes``, ``replay``, ``regrade``, ``audit``, ``db``,
``baseline``, ``judge-eval``, ``docs-cli``, ``export``, ``eval``, registered here in that
order from :mod:`caseops.api.cli_store` (the catalog and the stored episodes) and
:mod:`caseops.api.cli_run` (serving, playing, judging, exporting). Every command that reads
the store takes ``--db URL`` (default ``CASEOPS_DATABASE_URL``, else an SQLite file
``caseops.db`` in the working directory). Expected failures print one line and exit 2
(:mod:`caseops.api.cli_support`); help is plain text. Heavy modules (rich, httpx,
SQLAlchemy, the settings) are imported inside the commands that use them, so
``caseops --help`` starts fast (``bench/startup.py``).
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from .cli_run import baseline, eval_, export, judge_eval, serve
from .cli_store import audit, db_upgrade, episodes, regrade, replay, tasks
from .cli_support import DEBUG, CaseOpsTyper, err

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


db_app = CaseOpsTyper(help="Database schema (Alembic migrations).", no_args_is_help=True)
db_app.command("upgrade")(db_upgrade)

app.command()(serve)
app.command()(tasks)
app.command()(episodes)
app.command()(replay)
app.command()(regrade)
app.command()(audit)
app.add_typer(db_app, name="db")
app.command()(baseline)
app.command("judge-eval")(judge_eval)
app.command("docs-cli")(docs_cli)
app.command()(export)
app.command("eval")(eval_)


def main() -> None:
    """Entry point for ``python -m caseops.api.cli``."""
    app()


if __name__ == "__main__":
    main()
