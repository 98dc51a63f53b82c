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

Samples whose innermost frame is a wait (the selector, a condition, a queue) count as
idle and are left out of the percentages. On uvloop (the servers' default) the loop's own
work and its waits are both C code under one Python frame (``Runner.run``), which
py-spy cannot split: those samples are counted apart (``uvloop_samples``, "uvloop (C),
waits included") and left out of the percentages too, so "busy" is the Python work
above the loop. The server CPU per step that ``python -m bench`` reads from
``/proc/PID/stat`` is the figure that includes everything. Prints one JSON document (percent of busy
samples per layer, steps/s while sampled) on stdout and a table on stderr. Needs py-spy
(a dev dependency) and permission to ptrace the server (root, or
``kernel.yama.ptrace_scope=0``). Sampling slows the server: read the shares, not the
rates.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from .common import log
from .served import Server, http_loop, ws_loop

RATE = 500  # samples per second per thread
ROOT_NAME = Path(__file__).resolve().parent.parent.name

#: Layer by the first directory of a frame's path (py-spy prints paths relative to
#: sys.path entries); CaseOps' own files by the directory under the repository root.
OWN = {
    "domain": "caseops domain",
    "statemachine": "caseops domain",
    "api": "caseops service/api",
    "server": "caseops service/api",
    "eventstore": "storage",
    "bench": "bench harness",
}
PACKAGES = {
    "sqlalchemy": "storage",
    "psycopg": "storage",
    "pydantic": "pydantic",
    "pydantic_core": "pydantic",
    "json": "json",
    "orjson": "json",
    "openenv": "openenv-core",
    "fastapi": "fastapi/starlette",
    "starlette": "fastapi/starlette",
    "anyio": "fastapi/starlette",
    "uvicorn": "asgi server",
    "h11": "asgi server",
    "httptools": "asgi server",
    "websockets": "asgi server",
    "wsproto": "asgi server",
    "asyncio": "event loop/threads",
    "concurrent": "event loop/threads",
    "selectors.py": "event loop/threads",
    "threading.py": "event loop/threads",
    "queue.py": "event loop/threads",
}
#: Innermost frames that mean a thread is waiting, not working (py-spy cannot always
#: tell an idle thread from a busy one). A thread pool's ``_worker`` as the innermost frame
#: is its thread waiting in the C ``SimpleQueue.get`` for work.
IDLE = (
    "EpollSelector.select",
    "Condition.wait",
    "Queue.get",
    "Event.wait",
    "Lock.acquire",
    "_worker (concurrent/futures/thread.py",
)
#: The innermost Python frame of a thread that is inside uvloop's C loop: waiting on
#: epoll or doing the loop's own work, which py-spy cannot tell apart without native frames.
UVLOOP = "Runner.run (asyncio/runners.py"
IDLE_LAYER = "idle (waiting)"
UVLOOP_LAYER = "uvloop (C), waits included"


def layer_of(frame: str) -> str | None:
    """The layer of one py-spy frame ``"function (path:line)"``, or ``None``."""
    path = frame[frame.rfind("(") + 1 : frame.rfind(":")]
    parts = path.split("/")
    if len(parts) > 2 and parts[0] == ROOT_NAME:
        return OWN.get(parts[1])
    return PACKAGES.get(parts[0])


def attribute(raw: str) -> Counter[str]:
    """Samples per layer from py-spy's raw (collapsed) output: each working stack goes
    to the layer of its innermost frame that has one; waiting stacks count as idle, and
    stacks whose innermost frame is uvloop's ``Runner.run`` go to :data:`UVLOOP_LAYER`."""
    out: Counter[str] = Counter()
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        if frames[-1].startswith(IDLE):
            out[IDLE_LAYER] += int(count)
            continue
        if frames[-1].startswith(UVLOOP):
            out[UVLOOP_LAYER] += int(count)
            continue
        layer = next((x for x in map(layer_of, reversed(frames)) if x), "other")
        out[layer] += int(count)
    return out


def profile(which: str, seconds: float, db: str | None) -> dict[str, object]:
    """Sample one server while HTTP then WebSocket steps run against it."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    srv = Server(which, db)
    out = Path(tempfile.mkdtemp(prefix="caseops-spy-")) / "raw.txt"
    duration = str(int(2 * seconds + 2))
    cmd = [spy, "record", "--pid", str(srv.proc.pid), "--rate", str(RATE), "--format"]
    cmd += ["raw", "--duration", duration, "--nonblocking", "-o", str(out)]
    try:
        rec = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        echo = which == "echo"
        h = http_loop(srv.base, echo, 10**6, seconds)
        w = ws_loop(srv.base, echo, 1, 10**6, seconds)
        rec.wait(timeout=4 * seconds + 30)
    finally:
        srv.stop()
    counts = attribute(out.read_text()) if out.exists() else Counter()
    idle = counts.pop(IDLE_LAYER, 0)
    uvloop = counts.pop(UVLOOP_LAYER, 0)
    busy = sum(counts.values()) or 1
    steps = h["steps"] + w["steps"]
    per_step_ms = 1000 / RATE / max(1.0, steps)
    return {
        "steps": steps,
        "http_steps_per_s": h["steps_per_s"],
        "ws_steps_per_s": w["steps_per_s"],
        "busy_samples": busy,
        "idle_samples": idle,
        "uvloop_samples": uvloop,
        "uvloop_ms_per_step": round(uvloop * per_step_ms, 3),
        "busy_ms_per_step": round(busy * per_step_ms, 3),
        "percent_of_busy_by_layer": {k: round(100 * v / busy, 1) for k, v in counts.most_common()},
        "ms_per_step_by_layer": {k: round(v * per_step_ms, 3) for k, v in counts.most_common()},
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
        log(
            f"{which}: {r['busy_ms_per_step']} ms busy per step ({r['steps']} steps), "
            f"beside {r['uvloop_ms_per_step']} ms in uvloop's C loop, waits included"
        )
        ms = r["ms_per_step_by_layer"]
        for layer, pct in r["percent_of_busy_by_layer"].items():  # type: ignore[attr-defined]
            log(f"  {layer:<22} {pct:5.1f} %  {ms[layer]:.3f} ms/step")  # type: ignore[index]
    return 0


if __name__ == "__main__":
    sys.exit(main())
