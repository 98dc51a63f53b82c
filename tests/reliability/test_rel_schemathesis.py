"""Requirement 6, with schemathesis: every route of the live server's own OpenAPI document.

One ``python -m caseops.server.app`` process (uvicorn on 127.0.0.1, a fresh SQLite file in
``tmp_path``, ``CASEOPS_ADMIN_TOKEN`` set and sent, so the admin routes answer 200 too) is
tested with schemathesis, loaded from the server's ``/openapi.json``:

* every operation, as ``st run`` and ``schema.parametrize()`` test it: the coverage
  phase (every boundary value and every kind of schema-invalid input the document
  defines, deterministic) and the fuzzing phase, both with schema-valid (positive) and
  schema-invalid (negative) cases;
* then stateful scenarios along the links schemathesis infers (``/episodes`` items to
  ``/episodes/{episode_id}``, ``.../events`` and ``.../replay``), over the episodes the
  cases above started.

Every response goes through all of schemathesis' checks (``not_a_server_error``,
``status_code_conformance``, ``content_type_conformance``, ``response_headers_conformance``,
``response_schema_conformance``, ``positive_data_acceptance``,
``negative_data_rejection``, ...): no 5xx, no undocumented status, no body that breaks the
schema the document gives for its status. Runs are bounded and reproducible
(``derandomize``); the number of cases run per route is printed and every route must have
been exercised.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from rel_support import Server, ServerPool, fuzz_settings
from schemathesis import Case, Response
from schemathesis.config import SchemathesisConfig
from schemathesis.errors import FailureGroup

# The test builder behind `schema.parametrize()` and `st run`'s unit phases: it adds the
# coverage phase's cases, which `operation.as_strategy()` alone does not generate. Not in
# schemathesis' documented API: uv.lock pins the version this is written against.
from schemathesis.generation.hypothesis.builder import (
    HypothesisTestConfig,
    HypothesisTestMode,
    create_test,
)

TOKEN = "st-4dm1n-t0ken"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
#: Fuzzed examples per operation (the coverage phase adds its own, a fixed set).
MAX_EXAMPLES = 50
#: Stateful scenarios, and calls at most in each.
STATEFUL_EXAMPLES = 30
STATEFUL_STEPS = 6
#: Routes the document must list (more are fine: every one listed is tested).
EXPECTED = {
    "POST /reset",
    "POST /step",
    "GET /state",
    "GET /tasks",
    "GET /episodes",
    "GET /episodes/{episode_id}",
    "GET /episodes/{episode_id}/events",
    "GET /episodes/{episode_id}/replay",
    "GET /audit/rejections",
    "GET /statemachine",
    "GET /health",
    "GET /metadata",
    "GET /schema",
    "POST /mcp",
    # openenv's Task API (CaseOpsEnvironment is its TaskProvider)
    "GET /list_environments",
    "GET /{env_name}/splits",
    "POST /{env_name}/tasks",
    "POST /{env_name}/num_tasks",
    "POST /{env_name}/task",
    "POST /{env_name}/task_range",
}
#: The one refusal of schema-valid input the document cannot avoid: openenv's
#: ``POST /{env_name}/task`` answers an index past the split's end with 400 (openenv's
#: ``TaskProvider.get_task`` contract); the bound depends on the split, which no schema
#: can say. Everything else is as schemathesis checks it by default.
CONFIG = SchemathesisConfig.from_dict(
    {
        "operations": [
            {
                "include-path": "/{env_name}/task",
                "include-method": "POST",
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409"]
                    }
                },
            }
        ]
    }
)


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counter.items()))


class Tally:
    """Cases run per operation label, phase and generation mode, and the statuses answered."""

    def __init__(self) -> None:
        self.cases: Counter[str] = Counter()
        self.by_phase: Counter[str] = Counter()
        self.statuses: dict[str, Counter[str]] = {}
        self.failures: list[str] = []

    def record(self, phase: str, case: Case, response: Response) -> None:
        label = case.operation.label
        mode = case.meta.generation.mode.value if case.meta is not None else "unknown"
        self.cases[label] += 1
        self.by_phase[f"{phase} {mode}"] += 1
        self.statuses.setdefault(label, Counter())[f"{response.status_code // 100}xx"] += 1

    def summary(self) -> str:
        total = sum(self.cases.values())
        phases = _counts(self.by_phase)
        routes = "\n".join(
            f"  {n:5d}  {label}  ({_counts(self.statuses[label])})"
            for label, n in sorted(self.cases.items())
        )
        return (
            f"[schemathesis {schemathesis.__version__}] cases run: {total} ({phases}); "
            f"per route (HTTP answers):\n{routes}"
        )


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Server]:
    """A live server on a fresh SQLite file, with an admin token."""
    pool = ServerPool(tmp_path / "servers")
    try:
        yield pool.one(f"sqlite:///{tmp_path / 'schemathesis.db'}", CASEOPS_ADMIN_TOKEN=TOKEN)
    finally:
        pool.close()


def _operation_test(
    schema: Any, operation: Any, session: requests.Session, tally: Tally, base_url: str
) -> Callable[[], None]:
    """The Hypothesis test of one operation, as ``schema.parametrize()`` and ``st run`` build
    it: its examples, the coverage phase's cases (every boundary and every kind of invalid
    input the schema defines, deterministic) and fuzzed cases, positive and negative."""

    def check(case: Case) -> None:
        # = case.call_and_validate(session=session, headers=AUTH), counted
        response = case.call(session=session, headers=AUTH)
        phase = case.meta.phase.name.value if case.meta is not None else "unknown"
        tally.record(phase, case, response)
        case.validate_response(
            response, headers=AUTH, transport_kwargs={"session": session, "headers": AUTH}
        )
        if response.status_code == 409 and "EpisodeAlreadyEnded" in response.text:
            # A /step without episode_id continues the latest episode /reset started: keep
            # one running, so that the next cases reach the state machine (not just a 409).
            session.post(f"{base_url}/reset", json={}, timeout=30).raise_for_status()

    return create_test(
        operation=operation,
        test_func=check,
        config=HypothesisTestConfig(
            project=schema.config,
            modes=list(HypothesisTestMode),
            settings=fuzz_settings(MAX_EXAMPLES),
        ),
    )


def _operations(schema: Any, session: requests.Session, tally: Tally, base_url: str) -> set[str]:
    """Every operation of the document; returns their labels."""
    labels: set[str] = set()
    for result in schema.get_all_operations():
        operation = result.ok()  # raises on an operation schemathesis cannot load
        labels.add(operation.label)
        try:
            _operation_test(schema, operation, session, tally, base_url)()
        # collected, so that one report lists every failing route (a FailureGroup, the
        # distinct check failures of one case, is a BaseExceptionGroup)
        except (Exception, FailureGroup) as exc:
            tally.failures.append(f"{operation.label}:\n{exc}")
    return labels


def _stateful(schema: Any, session: requests.Session, tally: Tally) -> None:
    """Scenarios along the links schemathesis infers from the document."""

    class Machine(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Case) -> dict[str, Any]:
            return {"session": session, "headers": AUTH}

        def after_call(self, response: Response, case: Case) -> None:
            super().after_call(response, case)
            tally.record("stateful", case, response)

    try:
        Machine.run(settings=fuzz_settings(STATEFUL_EXAMPLES, stateful_step_count=STATEFUL_STEPS))
    except (Exception, FailureGroup) as exc:
        tally.failures.append(f"stateful:\n{exc}")


def test_schemathesis_every_route_no_5xx_and_schema_conformant(
    live: Server, request: pytest.FixtureRequest
) -> None:
    started = time.monotonic()
    schema = schemathesis.openapi.from_url(f"{live.base_url}/openapi.json", config=CONFIG)
    tally = Tally()
    with requests.Session() as session:
        labels = _operations(schema, session, tally, live.base_url)
        _stateful(schema, session, tally)
    summary = f"{tally.summary()}\n  in {time.monotonic() - started:.1f} s"
    print(f"\n{summary}")
    request.node.add_report_section("call", "schemathesis", summary)

    assert not tally.failures, (
        "\n\n".join(tally.failures) + f"\n\nserver log (tail):\n{live.log_tail()}"
    )
    assert labels >= EXPECTED, sorted(EXPECTED - labels)
    total = sum(tally.cases.values())
    assert total > 0
    unexercised = sorted(labels - set(tally.cases))
    assert not unexercised, f"routes no case reached: {unexercised}"
    assert live.alive(), live.log_tail()
