"""Where a served step's time goes: ``python -m bench.profile [--seconds S]``.

Starts a CaseOps server and the echo floor (``bench.serve``, the same uvicorn settings as
the benchmark), samples each with py-spy (every thread: the event loop and the thread
pool that runs steps) while a client drives sequential HTTP ``/step`` and WebSocket
steps, and attributes every sample to the layer of the innermost frame it can place:

- ``caseops domain``: decide, evolve, the grader, the observation (``domain/``,
  ``statemachine/``);
- ``caseops service/api``: the episode service, routes and environment (``api/``);
- ``storage``: the event store, SQLAlchemy and the database drivers, commits included;
- ``pydantic``, ``json``, ``openenv-core``, ``fastapi/starlette``, ``asgi server``
  (uvicorn, h11, httptools, websockets), ``event loop/threads`` (asyncio, selectors,
  concurrent.futures, threading) and ``other``.

Prints one JSON document (percent of samples per layer, and samples per step) on stdout
and a table on stderr. Needs py-spy (``pip install py-spy``) and permission to ptrace
the server (root, or ``kernel.yama.ptrace_scope=0``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from pathlib import Path

from bench.__main__ import Server, http_loop, log, ws_loop

LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("caseops domain", ("/domain/", "/statemachine/")),
    ("caseops service/api", ("/api/", "/server/app.py")),
    ("storage", ("/eventstore/", "/sqlalchemy/", "sqlite3", "/psycopg/", "psycopg_")),
    ("pydantic", ("/pydantic/", "pydantic_core")),
    ("json", ("/json/",)),
    ("openenv-core", ("/openenv/",)),
    ("fastapi/starlette", ("/fastapi/", "/starlette/", "/anyio/")),
    ("asgi server", ("/uvicorn/", "/h11/", "/httptools/", "/websockets/", "/wsproto/")),
    ("event loop/threads", ("asyncio/", "selectors.py", "concurrent/", "threading.py")),
]


def layer_of(frame: str) -> str | None:
    """The layer of one py-spy frame ``"function (path:line)"``, or ``None``."""
    for name, marks in LAYERS:
        if any(m in frame for m in marks):
            return name
    return None


def attribute(raw: str) -> Counter[str]:
    """Samples per layer from py-spy's raw (collapsed) output: each stack goes to the
    layer of its innermost frame that has one; idle waits are dropped by py-spy."""
    out: Counter[str] = Counter()
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        layer = next((x for x in map(layer_of, reversed(frames)) if x), "other")
        out[layer] += int(count)
    return out


def profile(which: str, seconds: float, db: str | None) -> dict[str, object]:
    """Sample one server while HTTP then WebSocket steps run against it."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    srv = Server(which, db)
    out = Path(tempfile.mkdtemp(prefix="caseops-spy-")) / "raw.txt"
    try:
        rec = subprocess.Popen(
            [spy, "record", "--pid", str(srv.proc.pid), "--rate", "500", "--format", "raw"]
            + ["--duration", str(int(2 * seconds + 2)), "--nonblocking", "-o", str(out)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        echo = which == "echo"
        steps: dict[str, float] = {}

        def drive() -> None:
            h = http_loop(srv.base, echo, 10**6, seconds)
            w = ws_loop(srv.base, echo, 1, 10**6, seconds)
            steps["http_steps_per_s"] = h["steps_per_s"]
            steps["ws_steps_per_s"] = w["steps_per_s"]

        t = threading.Thread(target=drive)
        t.start()
        t.join()
        rec.wait(timeout=4 * seconds + 30)
    finally:
        srv.stop()
    counts = attribute(out.read_text()) if out.exists() else Counter()
    total = sum(counts.values()) or 1
    return {
        "samples": total,
        **steps,
        "percent_by_layer": {k: round(100 * v / total, 1) for k, v in counts.most_common()},
    }


def main() -> int:
    p = argparse.ArgumentParser(description="Profile served steps by layer (py-spy)")
    p.add_argument("--seconds", type=float, default=8.0, help="per protocol, per server")
    a = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="caseops-profile-"))
    result = {
        "caseops": profile("caseops", a.seconds, f"sqlite:///{tmp / 'profile.db'}"),
        "echo": profile("echo", a.seconds, None),
    }
    print(json.dumps(result, indent=2))
    for which, r in result.items():
        log(f"{which}: {r['samples']} samples")
        for layer, pct in r["percent_by_layer"].items():  # type: ignore[attr-defined]
            log(f"  {layer:<22} {pct:5.1f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
