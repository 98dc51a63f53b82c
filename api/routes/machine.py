"""``GET /statemachine``: the case FSM, drawn by ``transitions`` as Mermaid."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from caseops.domain.vocab import CASE_STATUSES
from caseops.statemachine.machine import legal_actions, mermaid

router = APIRouter(tags=["State machine"])


class MachineInfo(BaseModel):
    """The states, the legal actions in each, and the Mermaid diagram."""

    states: list[str]
    initial: str
    terminal: list[str]
    legal_actions: dict[str, list[str]]
    mermaid: str


@router.get("/statemachine", response_model=MachineInfo)
def statemachine() -> MachineInfo:
    """The case state machine (the same object that decides legality)."""
    return MachineInfo(
        states=list(CASE_STATUSES),
        initial="new",
        terminal=["resolved"],
        legal_actions={s: list(legal_actions(s)) for s in CASE_STATUSES},
        mermaid=mermaid(),
    )
