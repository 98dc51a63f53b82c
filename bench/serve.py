"""Serve CaseOps or the echo floor with identical uvicorn settings (for the benchmark).

``python -m bench.serve caseops|echo --port P`` (CaseOps' store: CASEOPS_DATABASE_URL).
"""

from __future__ import annotations

import argparse

import uvicorn

if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("which", choices=["caseops", "echo"])
    p.add_argument("--port", type=int, required=True)
    a = p.parse_args()
    if a.which == "echo":
        from bench.echo_server import app
    else:
        from caseops.server.app import app
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=a.port,
        log_level="warning",
        access_log=False,
        ws_max_size=1_048_576,
    )
