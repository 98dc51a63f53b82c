"""The documents a newcomer reads are checked against what they describe.

- ``docs/cli.md`` is the CLI's own help (``caseops docs-cli``): it fails when a command,
  an option or a help text changes without the file being regenerated.
- ``docs/http.md``'s curl walk-through is run, block by block, against a live server, and
  every response is checked against the excerpt that follows its command.
- The README's examples (the curl episode, the Python and WebSocket clients) are run
  against a live server (the in-process one on its own store), and what each prints is
  checked against the ``text`` block under it, numbers aside.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import clean_env, sqlite_url
from typer.testing import CliRunner

from caseops.api.cli import app, cli_reference

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
ELLIPSIS = "…"


def test_cli_md_is_the_cli_help() -> None:
    """Regenerate with ``caseops docs-cli`` when this fails."""
    assert (DOCS / "cli.md").read_text(encoding="utf-8") == cli_reference()


def test_docs_cli_check_says_whether_the_file_matches(tmp_path: Path) -> None:
    runner = CliRunner()
    target = tmp_path / "cli.md"
    assert runner.invoke(app, ["docs-cli", "--check", "-o", str(target)]).exit_code == 1
    assert runner.invoke(app, ["docs-cli", "-o", str(target)]).exit_code == 0
    assert runner.invoke(app, ["docs-cli", "--check", "-o", str(target)]).exit_code == 0


def test_help_is_plain_text_for_every_command() -> None:
    """No reStructuredText (``literal``, :role:) and no rich markup in any help."""
    text = "\n".join(re.findall(r"```text\n(.*?)```", cli_reference(), flags=re.S))
    assert "Usage: caseops replay" in text
    assert "``" not in text and not re.search(r":(class|func|mod|meth):", text)
    assert "[red]" not in text and "[green]" not in text


def matches(expected: Any, actual: Any, where: str = "$") -> list[str]:
    """Where ``actual`` departs from the documented excerpt ``expected``.

    The excerpt's rules: a dict lists some of the keys (``"…": "…"`` marks the others left
    out); a list ending with ``"…"`` gives its first items, any other list all of them; the
    string ``"…"`` stands for any value; a number stands for any number (the grader's
    figures change; their type does not); anything else must be equal.
    """
    if expected == ELLIPSIS:
        return []
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: expected an object, got {actual!r}"]
        problems: list[str] = []
        for k, v in expected.items():
            if k == ELLIPSIS:
                continue
            if k not in actual:
                problems.append(f"{where}.{k}: missing")
            else:
                problems += matches(v, actual[k], f"{where}.{k}")
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{where}: expected a list, got {actual!r}"]
        prefix = bool(expected) and expected[-1] == ELLIPSIS
        items = expected[:-1] if prefix else expected
        if (len(actual) < len(items)) if prefix else (len(actual) != len(items)):
            return [f"{where}: expected {len(items)} items, got {len(actual)}"]
        problems = []
        for i, v in enumerate(items):
            problems += matches(v, actual[i], f"{where}[{i}]")
        return problems
    if isinstance(expected, bool) or expected is None:
        return [] if actual is expected else [f"{where}: expected {expected!r}, got {actual!r}"]
    if isinstance(expected, int | float):
        ok = isinstance(actual, int | float) and not isinstance(actual, bool)
        return [] if ok else [f"{where}: expected a number, got {actual!r}"]
    return [] if expected == actual else [f"{where}: expected {expected!r}, got {actual!r}"]


def walkthrough_blocks(text: str) -> list[tuple[str, Any]]:
    """The ``bash`` blocks of a page, each with the ``json`` excerpt right after it."""
    blocks = re.findall(r"```(\w+)\n(.*?)```", text, flags=re.S)
    out: list[tuple[str, Any]] = []
    for i, (lang, body) in enumerate(blocks):
        if lang != "bash":
            continue
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        expected = json.loads(nxt[1]) if nxt and nxt[0] == "json" else None
        out.append((body, expected))
    return out


def test_the_excerpt_rules_catch_a_departure() -> None:
    doc = {"a": 1, "b": [1, ELLIPSIS], "c": "x", "d": None, ELLIPSIS: ELLIPSIS}
    assert matches(doc, {"a": 2.5, "b": [3, 4], "c": "x", "d": None, "e": 0}) == []
    assert matches(doc, {"a": "1", "b": [3], "c": "y", "d": 0}) != []
    assert len(matches(doc, {"a": "1", "b": [], "c": "y", "d": 0})) == 4


def test_http_md_walkthrough_runs_against_a_live_server(live_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    srv = live_server(sqlite_url(tmp_path, "docs.db"))
    blocks = walkthrough_blocks((DOCS / "http.md").read_text(encoding="utf-8"))
    assert len(blocks) >= 8
    for script, expected in blocks:
        script = script.replace("http://127.0.0.1:8000", srv.base_url)
        run = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            env=clean_env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert run.returncode == 0, (script, run.stderr)
        if expected is None:
            continue
        actual = json.loads(run.stdout)
        assert matches(expected, actual) == [], (script, actual)


def readme_examples() -> list[tuple[str, str, str]]:
    """``(language, code, printed)``: each README ``bash`` or ``python`` block that talks to
    CaseOps (a server on 127.0.0.1:8000, or the in-process environment), with the ``text``
    block right after it."""
    blocks = re.findall(r"```(\w+)\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)
    return [
        (lang, code, blocks[i + 1][1])
        for i, (lang, code) in enumerate(blocks[:-1])
        if lang in ("bash", "python")
        and blocks[i + 1][0] == "text"
        and ("127.0.0.1:8000" in code or "CaseOpsEnvironment()" in code)
    ]


def _shape(text: str) -> list[str]:
    """The lines of ``text`` with every number replaced by ``#``."""
    return [re.sub(r"-?\d+(\.\d+)?", "#", line).rstrip() for line in text.strip().splitlines()]


def test_readme_examples_print_what_the_readme_shows(live_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    examples = readme_examples()
    assert [lang for lang, _, _ in examples] == ["bash", "python", "python", "python"]
    if shutil.which("curl") is None or shutil.which("jq") is None:
        pytest.skip("the README's curl walk-through needs curl and jq")
    srv = live_server(sqlite_url(tmp_path, "readme.db"))
    host = srv.base_url.removeprefix("http://")
    for lang, code, printed in examples:
        code = code.replace("127.0.0.1:8000", host)
        command = ["bash", "-euo", "pipefail", "-c", code] if lang == "bash" else [sys.executable]
        run = subprocess.run(
            command,
            input=None if lang == "bash" else code,
            env=clean_env(CASEOPS_DATABASE_URL=sqlite_url(tmp_path, "inprocess.db")),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, (code, run.stderr)
        assert _shape(run.stdout) == _shape(printed), (code, run.stdout)
