"""The scenario catalog: the six seed cases (one module per seed source) and lookup."""

from .catalog import SEED_SCENARIOS, get_scenario, list_scenarios, task_refs

__all__ = ["SEED_SCENARIOS", "get_scenario", "list_scenarios", "task_refs"]
