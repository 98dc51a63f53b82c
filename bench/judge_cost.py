"""What the reply/note judge costs per graded step: median microseconds to judge one
typical reply against its case's points and claims, cold (a text not seen before: the
analysis cache is bypassed) and warm (the grader re-reads a text it has judged).

Run: ``.venv/bin/python -m bench.judge_cost``.
"""

from __future__ import annotations

import statistics
import time

from caseops.cases.generator import generate
from caseops.domain.judge import judge_text
from caseops.domain.judge.rules import analyse
from caseops.statemachine.agents import oracle_actions

REPLY = (
    "Hi Marcus, sorry about this. We checked order ORD-20931 and the second charge of "
    "$86.40 was a duplicate from a gateway retry. We have refunded it; the money will be "
    "back on your card within 5-10 business days, and you'll get a receipt by email."
)


def main(n: int = 400) -> dict[str, float]:
    """Median µs per judged reply, cold and warm."""
    sc = generate("duplicate_charge", 7)
    g = sc.gold
    judge_text(REPLY, g.reply_points, g.forbidden_claims)  # builds the pipeline once
    cold = []
    for i in range(n):
        text = f"{REPLY} Ref {i}."
        t = time.perf_counter()
        judge_text(text, g.reply_points, g.forbidden_claims)
        cold.append(time.perf_counter() - t)
    warm = []
    for _ in range(n):
        t = time.perf_counter()
        judge_text(REPLY, g.reply_points, g.forbidden_claims)
        warm.append(time.perf_counter() - t)
    oracle = next(a.message for a in oracle_actions(sc) if a.message)
    analyse.cache_clear()
    t = time.perf_counter()
    judge_text(oracle, g.reply_points, g.forbidden_claims)
    out = {
        "cold_median_us": statistics.median(cold) * 1e6,
        "warm_median_us": statistics.median(warm) * 1e6,
        "oracle_reply_us": (time.perf_counter() - t) * 1e6,
    }
    for k, v in out.items():
        print(f"{k}: {v:.1f}")
    return out


if __name__ == "__main__":
    main()
