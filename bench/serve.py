"""Serve CaseOps or one of its floors (the echo, the persisted echo) with identical
uvicorn settings and process preparation (for the benchmark): CaseOps' own
(:func:`caseops.api.app.server_options`, :func:`caseops.api.app.prepare_process`) for
all three.

``python -m bench.serve caseops|echo|echo-persisted --port P`` (the store of CaseOps and of
the persisted echo: CASEOPS_DATABASE_URL).
"""

from __future__ import annotations

import argparse
import os

if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("which", choices=["caseops", "echo", "echo-persisted"])
    p.add_argument("--port", type=int, required=True)
    a = p.parse_args()
    if a.which == "echo":
        from bench.echo_server import app
    elif a.which == "echo-persisted":
        from bench.echo_server import persisted_app

        app = persisted_app(os.environ["CASEOPS_DATABASE_URL"])
    else:
        from caseops.server.app import app
    from caseops.api.app import run_server

    # CaseOps' own way of serving (options and process preparation), for the floors too
    run_server(app, host="127.0.0.1", port=a.port, log_level="warning", access_log=False)
