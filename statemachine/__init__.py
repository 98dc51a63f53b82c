"""The case state machine: ``decide(scenario, record, action) -> events`` and
``evolve(record, event) -> record``, both pure, with legality from one ``transitions``
``Machine`` (docs/architecture.md, "The case machine")."""

from .decide import decide
from .engine import StepOutcome, apply_step, fold, start_episode
from .evolve import evolve
from .machine import MACHINE, legal_actions, mermaid

__all__ = [
    "MACHINE",
    "StepOutcome",
    "apply_step",
    "decide",
    "evolve",
    "fold",
    "legal_actions",
    "mermaid",
    "start_episode",
]
