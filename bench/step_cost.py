"""The CPU instructions of one step, counted rather than timed: ``python -m bench.step_cost``.

Wall-clock figures on a shared machine move by 20% or more from one run to the next
(bench/README.md), too much to see a change of a few percent in the step. The number
of instructions a step executes does not move: run this module under valgrind's
cachegrind twice, with no episodes and with ``--episodes N``, and the difference of the
two counts divided by the steps it prints is the instructions per step::

    PYTHONHASHSEED=0 valgrind --tool=cachegrind --cache-sim=no \\
        --cachegrind-out-file=/dev/null .venv/bin/python -m bench.step_cost --episodes 0
    PYTHONHASHSEED=0 valgrind --tool=cachegrind --cache-sim=no \\
        --cachegrind-out-file=/dev/null .venv/bin/python -m bench.step_cost --episodes 300

(``I refs`` in each report; about 2.5 minutes each here, most of it the imports.) The
same two runs with ``--floor per-call`` or ``--floor prepared`` count the storage floor's
single-row insert-and-commit (``bench.floor``) on the same in-memory SQLite instead, one
write per "step", so the two costs can be set side by side in instructions. The loop
is the benchmark's in-process one (the oracle's script for ``api_incident_hard``, through
:class:`~caseops.api.service.EpisodeService`) on in-memory SQLite, with the cyclic garbage
collector off so that its passes do not land at a different step in each run. The ids
(UUIDv7: clock and ``os.urandom``) and the append's timestamp are the only inputs that
differ between runs; they change no branch of the step.
"""

from __future__ import annotations

import argparse
import gc
import sys

from .floor import FORMS


def main(argv: list[str] | None = None) -> int:
    """Run ``--episodes`` episodes (after two for warm-up); prints the steps run."""
    parser = argparse.ArgumentParser(prog="python -m bench.step_cost", description=__doc__)
    parser.add_argument("--episodes", type=int, default=300, help="episodes to run (default 300)")
    parser.add_argument(
        "--floor",
        choices=FORMS,
        help="count the storage floor's writes (as many as the episodes' steps) instead",
    )
    args = parser.parse_args(argv)
    if args.episodes < 0:
        parser.error("--episodes must be at least 0")
    if args.floor is not None:
        return _floor(args.floor, args.episodes)

    from caseops.api.service import EpisodeService
    from caseops.domain.actions import CaseAction
    from caseops.eventstore import EventStore

    from .workloads import oracle_script

    service = EpisodeService(EventStore("sqlite://"))
    script = [CaseAction.model_validate(a) for a in oracle_script()]
    gc.disable()

    def episode() -> int:
        _, obs = service.start(task_id="api_incident_hard")
        for action in script:
            service.step(obs.episode_id, action)
        return len(script)

    try:
        episode(), episode()  # warm-up: caches, lazily built statements
        steps = sum(episode() for _ in range(args.episodes))
    finally:
        gc.enable()
        service.store.dispose()
    print(f"steps {steps}", file=sys.stderr)
    return 0


def _floor(form: str, episodes: int) -> int:
    """``--floor``: the storage floor's writes, as many as ``episodes`` episodes' steps."""
    from .floor import FloorTable
    from .workloads import oracle_script

    table = FloorTable("sqlite://")
    write = table.writer(form)
    per_episode = len(oracle_script())
    gc.disable()
    try:
        for _ in range(2 * per_episode):  # warm-up, as for the episodes
            write()
        writes = 0
        for _ in range(episodes * per_episode):
            write()
            writes += 1
    finally:
        gc.enable()
        table.drop()
    print(f"steps {writes}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
