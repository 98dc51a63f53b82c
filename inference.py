"""The CaseOps baseline agent's entry point: ``python inference.py`` at the repository
root, or ``python -m caseops.inference``.

The agent is :mod:`caseops.baseline` (its docstring: the environment variables, the
stdout protocol, the conversation and its history policy, the ``[stats]`` lines).
"""

from __future__ import annotations

import sys

from caseops.baseline.runner import main

if __name__ == "__main__":
    sys.exit(main())
