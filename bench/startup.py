"""Cold start of the ``caseops`` command line and server, with bytecode cached.

    python -m bench.startup [--runs 7] [--root DIR] [--json]

Measures, as fresh processes (``python -m caseops.api.cli ...``, what the ``caseops``
script runs):

- ``caseops --help`` and ``caseops tasks``: from the start of the process to its exit;
- ``caseops serve`` and ``caseops serve --web`` (the playground): from the start of the
  process to the first ``200`` from ``/health`` (polled every 10 ms over a raw socket), on
  a fresh SQLite store; then it is stopped.

Each command runs once first with bytecode writing allowed (so every module it imports
has its ``.pyc``, whatever ``PYTHONDONTWRITEBYTECODE`` says), then ``--runs`` times; the
report gives the median wall time, the median CPU time (user + system, from
``getrusage`` of the child) and the median user CPU time alone, and the load average,
since on a shared machine the wall time grows with the load while the user CPU time
barely does (system time moves more: page faults and scheduling under contention).

``--root DIR`` measures another checkout of the package (say the tree before a change,
from ``git archive``), imported in place of the installed one through ``PYTHONPATH``
(``DIR`` is linked as ``caseops`` in a temporary folder); the interpreter and the
libraries are this environment's. Targets (issue 22): ``--help`` and ``tasks`` under
0.5 s, ``serve`` ready under 2 s. Results and history: ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CASES = (
    "caseops --help",
    "caseops tasks",
    "caseops serve (ready)",
    "caseops serve --web (ready)",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _healthy(port: int) -> bool:
    """Whether ``GET /health`` answers 200 now (a raw HTTP/1.0 request)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            return s.recv(16).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


#: (wall s, CPU s = user + system, user CPU s) of one run
Sample = tuple[float, float, float]


def _proc_cpu(pid: int) -> tuple[float, float] | None:
    """(user + system, user) CPU seconds a running process has used so far, from
    ``/proc/<pid>/stat`` (Linux); ``None`` elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick, int(fields[11]) / tick


def _cpu() -> tuple[float, float]:
    """(user + system, user) CPU seconds of the waited-for children so far."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime, r.ru_utime


def _run_once(args: list[str], env: dict[str, str]) -> Sample:
    """(wall s, CPU s, user CPU s) of one command run to its exit."""
    c0, t0 = _cpu(), time.perf_counter()
    subprocess.run(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    c1 = _cpu()
    return time.perf_counter() - t0, c1[0] - c0[0], c1[1] - c0[1]


def _serve_once(args: list[str], env: dict[str, str], workdir: str, *extra: str) -> Sample:
    """(wall s to the first healthy answer, CPU and user CPU s of the server process until
    then: read from ``/proc`` at that moment on Linux, else its whole CPU time once
    stopped)."""
    port = _free_port()
    db = f"sqlite:///{workdir}/startup-{port}.db"
    c0, t0 = _cpu(), time.perf_counter()
    proc = subprocess.Popen(
        [*args, "serve", "--port", str(port), "--db", db, *extra],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while not _healthy(port):
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited with {proc.returncode}")
            if time.perf_counter() - t0 > 120:
                raise RuntimeError("the server did not become healthy in 120 s")
            time.sleep(0.01)
        wall = time.perf_counter() - t0
        at_ready = _proc_cpu(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    if at_ready is None:
        c1 = _cpu()
        at_ready = (c1[0] - c0[0], c1[1] - c0[1])
    return wall, *at_ready


def measure(runs: int, root: Path | None) -> dict[str, object]:
    """Median wall and CPU seconds of each command over ``runs`` runs (after a warm-up)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.pop("CASEOPS_DATABASE_URL", None)
    tmp = tempfile.TemporaryDirectory(prefix="caseops-startup-")
    if root is not None:
        (Path(tmp.name) / "caseops").symlink_to(root.resolve(), target_is_directory=True)
        env["PYTHONPATH"] = tmp.name
    base = [sys.executable, "-m", "caseops.api.cli"]
    results: dict[str, object] = {
        "root": str(root) if root else "installed",
        "runs": runs,
        "load_average_1min": os.getloadavg()[0],
        "cpus": os.cpu_count(),
    }
    try:
        cases = {
            "caseops --help": lambda: _run_once([*base, "--help"], env),
            "caseops tasks": lambda: _run_once([*base, "tasks"], env),
            "caseops serve (ready)": lambda: _serve_once(base, env, tmp.name),
            "caseops serve --web (ready)": lambda: _serve_once(base, env, tmp.name, "--web"),
        }
        for name, once in cases.items():
            once()  # warm-up: writes the bytecode
            samples = [once() for _ in range(runs)]
            results[name] = {
                "wall_s": round(statistics.median(s[0] for s in samples), 3),
                "cpu_s": round(statistics.median(s[1] for s in samples), 3),
                "user_s": round(statistics.median(s[2] for s in samples), 3),
            }
    finally:
        tmp.cleanup()
    results["load_average_1min_after"] = os.getloadavg()[0]
    return results


def main() -> None:
    """Print the table (or ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--root", type=Path, default=None, help="another checkout to measure")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    res = measure(args.runs, args.root)
    if args.json:
        print(json.dumps(res, indent=2))
        return
    print(
        f"{res['root']}: median of {res['runs']} runs, {res['cpus']} CPUs, load average "
        f"{res['load_average_1min']:.1f} -> {res['load_average_1min_after']:.1f}"
    )
    print(f"{'command':<30}{'wall s':>8}{'CPU s':>8}{'user s':>8}")
    for name in CASES:
        r = res[name]
        assert isinstance(r, dict)
        print(f"{name:<30}{r['wall_s']:>8.3f}{r['cpu_s']:>8.3f}{r['user_s']:>8.3f}")


if __name__ == "__main__":
    main()
