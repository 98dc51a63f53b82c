"""Seed cases from HyperBrickCaseOps (shared/seeds/002): routing and communication."""

from __future__ import annotations

from caseops.domain.scenario import Scenario

SUPPORT_DESK_SCENARIOS: tuple[Scenario, ...] = ()
