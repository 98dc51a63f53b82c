"""The OpenEnv entry point: ``server`` (pyproject script), ``python -m caseops.server.app``.

Starts uvicorn on ``--host``/``--port`` (defaults: ``HOST`` or 0.0.0.0, ``PORT`` or 8000,
the OpenEnv/Hugging Face Space convention). The store is ``CASEOPS_DATABASE_URL``.
"""

from __future__ import annotations

import argparse
import os
import sys

from caseops.api.app import create_caseops_app, run_server
from caseops.errors import CaseOpsError

try:
    app = create_caseops_app()
except CaseOpsError as exc:  # an unusable store: say why and stop
    print(f"caseops: cannot start: {exc.message}", file=sys.stderr)
    raise SystemExit(1) from None


def main(host: str | None = None, port: int | None = None) -> None:
    """Serve the app with uvicorn (blocks until stopped)."""
    parser = argparse.ArgumentParser(description="Serve CaseOps (OpenEnv).")
    parser.add_argument("--host", default=host or os.environ.get("HOST", "0.0.0.0"))
    parser.add_argument("--port", type=int, default=port or int(os.environ.get("PORT", "8000")))
    args, _ = parser.parse_known_args()
    run_server(app, host=args.host, port=args.port, log_level="info")


if __name__ == "__main__":
    main()
