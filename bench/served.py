"""Served loops: a server subprocess (``bench.serve``) and the HTTP and WebSocket step
loops run against it, with the server's CPU time and memory per session."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from .common import ROOT, pct
from .workloads import oracle_script


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A server subprocess (``bench.serve``) on a free port.

    ``wait=False`` returns as soon as the process is started; :meth:`wait_ready` then
    waits for its ``/health`` (so that several servers import side by side).
    """

    def __init__(self, which: str, db: str | None = None, wait: bool = True) -> None:
        self.which = which
        self.port = free_port()
        env = {**os.environ, "PYTHONPATH": str(ROOT.parent)}
        if db:
            env["CASEOPS_DATABASE_URL"] = db
        env.pop("ENABLE_WEB_INTERFACE", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.serve", which, "--port", str(self.port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if wait:
            self.wait_ready()

    def wait_ready(self, timeout_s: float = 90) -> None:
        """Wait until ``/health`` answers 200; stops the server and raises
        ``RuntimeError`` when it has not after ``timeout_s`` seconds or has exited."""
        import httpx

        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                if httpx.get(f"{self.base}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.which} server did not start")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def cpu_s(self) -> float:
        """CPU seconds (user + system) the server process has used so far."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def measured(self, loop: Callable[[], dict[str, float]]) -> dict[str, float]:
        """``loop()``'s figures plus the server's CPU milliseconds per step during it
        (where a served step's time goes, without a sampler)."""
        before = self.cpu_s()
        out = loop()
        out["server_cpu_ms_per_step"] = 1000 * (self.cpu_s() - before) / max(1, out["steps"])
        return out

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def http_loop(base: str, echo: bool, max_steps: int, max_s: float) -> dict[str, float]:
    import httpx

    script = oracle_script()
    lat: list[float] = []
    with httpx.Client(base_url=base, timeout=30) as c:
        t0 = time.perf_counter()
        while len(lat) < max_steps and time.perf_counter() - t0 < max_s:
            r = c.post("/reset", json={} if echo else {"task_id": "api_incident_hard"})
            eid = None if echo else r.json()["observation"]["episode_id"]
            for a in script:
                body = {"action": {"message": "hi"}} if echo else {"action": a, "episode_id": eid}
                s = time.perf_counter()
                r = c.post("/step", json=body)
                lat.append(time.perf_counter() - s)
                assert r.status_code == 200, r.text
    return {
        "steps": len(lat),
        "steps_per_s": len(lat) / sum(lat),
        "p50_ms": pct(lat, 0.5) * 1e3,
        "p99_ms": pct(lat, 0.99) * 1e3,
    }


async def _ws_session(base: str, echo: bool, steps: int, lat: list[float], deadline: float) -> int:
    import websockets

    script = oracle_script()
    done = 0
    url = base.replace("http", "ws") + "/ws"
    async with websockets.connect(url, max_size=2**22) as ws:
        while done < steps and time.perf_counter() < deadline:
            await ws.send(
                json.dumps(
                    {"type": "reset", "data": {} if echo else {"task_id": "api_incident_hard"}}
                )
            )
            await ws.recv()
            for a in script:
                msg = {"type": "step", "data": {"message": "hi"} if echo else a}
                s = time.perf_counter()
                await ws.send(json.dumps(msg))
                reply = json.loads(await ws.recv())
                lat.append(time.perf_counter() - s)
                if reply.get("type") != "observation":
                    raise RuntimeError(str(reply)[:200])
                done += 1
    return done


def ws_loop(base: str, echo: bool, sessions: int, steps: int, max_s: float) -> dict[str, float]:
    lat: list[float] = []

    async def run() -> float:
        deadline = time.perf_counter() + max_s
        t0 = time.perf_counter()
        await asyncio.gather(
            *(_ws_session(base, echo, steps, lat, deadline) for _ in range(sessions))
        )
        return time.perf_counter() - t0

    wall = asyncio.run(run())
    return {
        "steps": len(lat),
        "steps_per_s": len(lat) / wall,
        "p50_ms": pct(lat, 0.5) * 1e3,
        "p99_ms": pct(lat, 0.99) * 1e3,
    }


def ws_memory(server: Server, counts: tuple[int, ...]) -> dict[str, float]:
    import websockets

    out: dict[str, float] = {}

    async def hold(n: int) -> float:
        before = server.rss_kib()
        conns = []
        for _ in range(n):
            ws = await websockets.connect(server.base.replace("http", "ws") + "/ws")
            await ws.send(
                json.dumps({"type": "reset", "data": {"task_id": "damaged_mug_replacement"}})
            )
            await ws.recv()
            conns.append(ws)
        await asyncio.sleep(0.5)
        after = server.rss_kib()
        for ws in conns:
            await ws.close()
        await asyncio.sleep(0.5)
        return (after - before) / n

    for n in counts:
        out[f"rss_kib_per_session_at_{n}"] = asyncio.run(hold(n))
    return out
