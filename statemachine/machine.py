"""The one module-level ``transitions`` machine: the single source of truth for which
action is legal in which case status, where a transition leads, and the Mermaid diagram.

Built with ``auto_transitions=False`` (no implicit ``to_<state>`` triggers). It is only
ever *queried* (``get_triggers``, ``get_transitions``), never fired, so it holds no
per-episode state and is safe to share between threads.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from transitions.extensions import GraphMachine

from caseops.domain.vocab import ACTION_TYPES, CASE_STATUSES, TOOL_ACTIONS

OPEN_STATES = ("new", "triaged", "waiting_on_customer", "escalated")

#: The system trigger fired when the simulated customer answers.
CUSTOMER_REPLIES = "customer_replies"

_TRANSITIONS: list[dict[str, Any]] = [
    {"trigger": "classify", "source": ["new", "triaged"], "dest": "triaged"},
    {"trigger": "classify", "source": "escalated", "dest": "escalated"},
    {"trigger": "request_info", "source": ["triaged", "escalated"], "dest": "waiting_on_customer"},
    {
        "trigger": CUSTOMER_REPLIES,
        "source": "waiting_on_customer",
        "dest": "triaged",
        "conditions": "left_from_triaged",
    },
    {
        "trigger": CUSTOMER_REPLIES,
        "source": "waiting_on_customer",
        "dest": "escalated",
        "conditions": "left_from_escalated",
    },
    {"trigger": "escalate", "source": "triaged", "dest": "escalated"},
    {"trigger": "resolve", "source": ["triaged", "escalated"], "dest": "resolved"},
    # Tool actions and submit: internal transitions (no state change), legal while open.
    *({"trigger": t, "source": list(OPEN_STATES), "dest": None} for t in TOOL_ACTIONS),
    {"trigger": "submit", "source": list(OPEN_STATES), "dest": None},
]

MACHINE = GraphMachine(
    states=list(CASE_STATUSES),
    transitions=_TRANSITIONS,
    initial="new",
    auto_transitions=False,
    graph_engine="mermaid",
    show_conditions=True,
    title="CaseOps case",
)


@lru_cache(maxsize=16)
def legal_actions(status: str) -> tuple[str, ...]:
    """The agent actions legal in ``status``, in the canonical action order.

    Returns an empty tuple for ``resolved`` (terminal) and for an unknown status.
    """
    if status not in CASE_STATUSES:
        return ()
    triggers = set(MACHINE.get_triggers(status))
    return tuple(a for a in ACTION_TYPES if a in triggers)


@lru_cache(maxsize=64)
def destination(trigger: str, status: str, left_from: str | None = None) -> str:
    """Where ``trigger`` leads from ``status``. For an internal transition, ``status``.

    ``left_from`` is the status a waiting case left (used by ``customer_replies``).

    Raises:
        ValueError: when ``trigger`` is not legal from ``status``.
    """
    candidates = MACHINE.get_transitions(trigger=trigger, source=status)
    if not candidates:
        raise ValueError(f"{trigger} is not legal from {status}")
    if trigger == CUSTOMER_REPLIES:
        for t in candidates:
            if t.dest == left_from:
                return str(t.dest)
        raise ValueError(f"no return path to {left_from}")
    dest = candidates[0].dest
    return status if dest is None else str(dest)


@lru_cache(maxsize=1)
def mermaid() -> str:
    """The state machine as a Mermaid ``stateDiagram-v2`` (drawn by ``transitions``)."""
    text = MACHINE.get_graph().draw(None)
    # The shared machine's own "current state" is meaningless here: drop its styling.
    lines = [ln for ln in str(text).splitlines() if not ln.strip().startswith("Class ")]
    lines = [ln for ln in lines if not ln.strip().startswith("classDef ")]
    return "\n".join(lines) + "\n"
