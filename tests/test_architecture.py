"""docs/architecture.md against the code: the package import graph, the path of one step,
and the size of source files.

The rules on imports (which arrows may exist) are import-linter contracts in
pyproject.toml, checked by ``lint-imports`` in ``make lint`` (and so in CI), not here:
these tests check that the picture the docs draw is the code's.

- The layer diagram (the ``flowchart`` block) draws an arrow ``a --> b`` exactly when a
  module of the top-level package ``a`` imports one of ``b`` (anywhere in the file,
  function-level and ``TYPE_CHECKING`` imports included). The packages are the
  top-level packages that pyproject.toml ships and the modules at the package root.
- The step diagram (the ``sequenceDiagram`` block) names files that exist, and each call
  it shows (``name(`` or ``Class.name(``) is defined in the file it is sent to.
- No Python file outside ``tests/`` is over 400 lines, except the data modules allowed
  by name below (issue 20: "No file over 400 lines outside tests and case data").
"""

from __future__ import annotations

import ast
import re
import tomllib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"
MAX_LINES = 400
#: Case-data modules allowed past MAX_LINES (path: why): tables only, no logic. Empty while
#: every data module fits (the lexicon is a package of topic modules). An entry whose file
#: is gone or has shrunk below the limit fails the test, so the list cannot go stale.
DATA_MODULES: dict[str, str] = {}
SKIP_DIRS = {"tests", "build", "__pycache__"}


def _mermaid_blocks(text: str) -> list[str]:
    return re.findall(r"^```mermaid\n(.*?)^```", text, flags=re.M | re.S)


def _block(kind: str) -> str:
    blocks = [b for b in _mermaid_blocks(DOC.read_text()) if b.lstrip().startswith(kind)]
    assert len(blocks) == 1, f"docs/architecture.md: expected one ```mermaid {kind} block"
    return blocks[0]


def _packages() -> set[str]:
    """The top-level packages of ``caseops``: those pyproject.toml ships, and the modules at
    the package root (``client``, ``models``, ...)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    shipped = config["tool"]["setuptools"]["packages"]
    packages = {p.split(".")[1] for p in shipped if p.count(".") == 1}
    packages |= {p.stem for p in ROOT.glob("*.py") if p.name != "__init__.py"}
    return packages


def _files(package: str) -> list[Path]:
    single = ROOT / f"{package}.py"
    return [single] if single.is_file() else sorted((ROOT / package).rglob("*.py"))


def _imported(path: Path) -> list[tuple[str, int]]:
    """Every ``caseops...`` module name ``path`` imports, with its line (relative
    imports resolved; ``from caseops import x`` gives ``caseops.x``)."""
    here = ["caseops", *path.relative_to(ROOT).parent.parts]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(here[: len(here) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            found += [(f"{module}.{alias.name}", node.lineno) for alias in node.names]
    return [(name, line) for name, line in found if name.startswith("caseops.")]


def actual_edges() -> dict[tuple[str, str], list[str]]:
    """``(a, b)`` → where package ``a`` imports package ``b`` (``file:line``)."""
    packages = _packages()
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for source in sorted(packages):
        for path in _files(source):
            for name, line in _imported(path):
                target = name.split(".")[1]
                where = f"{path.relative_to(ROOT)}:{line}"
                if target in packages and target != source and where not in edges[source, target]:
                    edges[source, target].append(where)
    return dict(edges)


_NODE = re.compile(r"^\s*(\w+)\s*\[")
_EDGE = re.compile(r"^\s*(\w+)\s*-->\s*(\w+)\s*$")


def drawn_graph() -> tuple[set[str], set[tuple[str, str]]]:
    """The layer diagram's nodes and arrows. A line with an arrow in any other form fails
    (an arrow the parser skipped would be an arrow the test never checked)."""
    nodes: set[str] = set()
    edges: set[tuple[str, str]] = set()
    for line in _block("flowchart").splitlines()[1:]:
        if line.strip().startswith("%%") or not line.strip():
            continue
        if "--" in line:
            match = _EDGE.match(line)
            assert match, f"docs/architecture.md: write arrows as `a --> b`: {line.strip()!r}"
            edges.add((match[1], match[2]))
        elif node := _NODE.match(line):
            nodes.add(node[1])
    return nodes, edges


def test_the_layer_diagram_draws_every_package():
    nodes, edges = drawn_graph()
    packages = _packages()
    assert not packages - nodes, f"packages not drawn: {sorted(packages - nodes)}"
    assert not nodes - packages, f"drawn, not a package: {sorted(nodes - packages)}"
    stray = {e for e in edges if not set(e) <= nodes}
    assert not stray, f"arrows between undeclared nodes: {sorted(stray)}"


def test_the_layer_diagram_draws_exactly_the_imports():
    actual = actual_edges()
    _, drawn = drawn_graph()
    problems = [
        f"imported but not drawn: {a} --> {b} ({', '.join(actual[a, b][:3])})"
        for a, b in sorted(set(actual) - drawn)
    ] + [f"drawn but nothing imports it: {a} --> {b}" for a, b in sorted(drawn - set(actual))]
    assert not problems, "docs/architecture.md's layer diagram:\n" + "\n".join(problems)


def test_the_import_graph_reader_sees_imports():
    """The graph the diagram is checked against is not empty by accident: the known
    imports of the service and the OpenEnv client are in it, each at its file."""
    actual = actual_edges()
    assert any(w.startswith("api/service.py:") for w in actual["api", "statemachine"])
    assert any(w.startswith("client.py:") for w in actual["client", "domain"])


_PARTICIPANT = re.compile(r"^\s*participant\s+(\w+)\s+as\s+(\S+)\s*$")
_MESSAGE = re.compile(r"^\s*(\w+)\s*->>\s*(\w+)\s*:\s*(.*)$")
_CALL = re.compile(r"^(?:(\w+)\.)?(\w+)\(")


def _defined(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return {node.name for node in ast.walk(tree) if isinstance(node, kinds)}


def test_the_step_diagram_names_real_files_and_functions():
    block = _block("sequenceDiagram")
    files = {}
    for line in block.splitlines():
        if match := _PARTICIPANT.match(line):
            files[match[1]] = ROOT / match[2]
    assert len(files) >= 8, "the step diagram names its participants as files"
    missing = [str(p.relative_to(ROOT)) for p in files.values() if not p.is_file()]
    assert not missing, f"the step diagram names files that do not exist: {missing}"
    wrong = []
    calls = 0
    for line in block.splitlines():
        message = _MESSAGE.match(line)
        if not message or message[2] not in files:
            continue
        call = _CALL.match(message[3])
        if call is None:
            continue
        calls += 1
        path = files[message[2]]
        names = _defined(path)
        for name in filter(None, (call[1], call[2])):
            if name not in names:
                wrong.append(f"{name} is not defined in {path.relative_to(ROOT)}")
    assert calls >= 8, "the step diagram shows the calls of one step"
    assert not wrong, "docs/architecture.md's step diagram:\n" + "\n".join(wrong)


def _sources() -> list[Path]:
    return sorted(
        p
        for p in ROOT.rglob("*.py")
        if not (set(p.relative_to(ROOT).parts[:-1]) & SKIP_DIRS)
        and not any(part.startswith(".") for part in p.relative_to(ROOT).parts)
    )


def test_no_source_file_is_over_400_lines():
    sizes = {str(p.relative_to(ROOT)): len(p.read_text().splitlines()) for p in _sources()}
    assert len(sizes) > 50, "the walk finds the package's files"
    stale = [
        f"{path} (allowed as data: {why}) is gone or within {MAX_LINES} lines: drop it"
        for path, why in DATA_MODULES.items()
        if sizes.get(path, 0) <= MAX_LINES
    ]
    over = [
        f"{path}: {n} lines"
        for path, n in sorted(sizes.items(), key=lambda kv: -kv[1])
        if n > MAX_LINES and path not in DATA_MODULES
    ]
    assert not over + stale, f"files over {MAX_LINES} lines:\n" + "\n".join(over + stale)
