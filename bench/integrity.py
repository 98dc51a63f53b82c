"""The sealed score's table: ``python -m bench.integrity [--per-family N] [--out PATH]``.

Mean final score of every scripted policy on the validation and the public test split,
per family and over each split, in the dense and the terminal reward mode: the three
non-reading attacks of :mod:`caseops.statemachine.attacks` (learned on train), the
oracle, and the baseline's offline fallback policy (``inference.FallbackPolicy``, which
reads the case). A family held out for the test split is scored on its test cases in
both tables. The non-reading policies and the oracle play scripts whose final score does
not depend on the reward mode, so only the prober is played in both modes.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from caseops.cases.generator import FAMILY_NAMES, TEST_ONLY, generate
from caseops.domain.actions import CaseAction
from caseops.domain.observation import CaseObservation
from caseops.domain.scenario import Scenario
from caseops.inference import FallbackPolicy
from caseops.statemachine.attacks import integrity_rows, play_plan, split_seeds


def fallback_policy(scenario: Scenario) -> Any:
    """The baseline's fallback agent as a policy over observations."""
    agent = FallbackPolicy()

    def policy(obs: CaseObservation) -> CaseAction:
        return CaseAction.model_validate(agent.act(obs.model_dump(mode="json")))

    return policy


def fallback_means(split: str, per_family: int) -> dict[str, float]:
    """The fallback's mean final score per family on ``split`` (test for test-only
    families)."""
    out: dict[str, float] = {}
    for f in FAMILY_NAMES:
        where = "test" if f in TEST_ONLY else split
        cases = [generate(f, s) for s in split_seeds(f, where, per_family)]
        out[f] = sum(play_plan(c, fallback_policy(c), "dense")[0] for c in cases) / len(cases)
    return out


def table(split: str, per_family: int) -> dict[str, Any]:
    """Per family and overall means of every policy on ``split``."""
    rows = integrity_rows(split, per_family=per_family)
    fallback = fallback_means(split, per_family)
    families = {
        r.family: {
            "split": r.split,
            "cases": r.cases,
            "constant": round(r.constant, 3),
            "metadata_keyed": round(r.metadata_keyed, 3),
            "prober_terminal": round(r.prober_terminal, 3),
            "prober_dense": round(r.prober_dense, 3),
            "oracle": round(r.oracle, 3),
            "fallback": round(fallback[r.family], 3),
        }
        for r in rows
    }
    in_split = [v for v in families.values() if v["split"] == split]
    keys = ("constant", "metadata_keyed", "prober_terminal", "prober_dense", "oracle", "fallback")
    overall = {k: round(sum(v[k] for v in in_split) / len(in_split), 3) for k in keys}
    worst = {k: max(families.items(), key=lambda kv: kv[1][k])[0] for k in keys}
    return {"split": split, "overall": overall, "worst_family": worst, "families": families}


def main(argv: list[str] | None = None) -> int:
    """Print the tables (validation and test) as JSON; optionally save them."""
    parser = argparse.ArgumentParser(prog="python -m bench.integrity", description=__doc__)
    parser.add_argument("--per-family", type=int, default=200, help="cases per family")
    parser.add_argument("--out", type=Path, default=None, help="write the JSON here too")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    result = {
        "validation": table("validation", args.per_family),
        "test": table("test", args.per_family),
    }
    result["seconds"] = round(time.perf_counter() - start, 1)
    text = json.dumps(result, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
