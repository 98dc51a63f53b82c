"""The agent's observation and the public episode state.

Every field is typed. Nothing here carries a scenario's gold; ``grade_report`` is filled
only once the episode has ended. The API serves them as openenv's wire types
(:mod:`caseops.api.wire`).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class TicketView(BaseModel):
    """The ticket and its urgency context. ``sla_minutes_remaining`` is in minutes and may
    go negative once the SLA is breached."""

    model_config = ConfigDict(extra="forbid")

    subject: str = ""
    customer_name: str = ""
    customer_message: str = ""
    customer_tier: str = ""
    channel: str = ""
    sla_minutes_remaining: int = 0
    affected_users: int = 0
    business_impact: str = ""
    secondary_concerns: list[str] = Field(default_factory=list)


class CaseView(BaseModel):
    """The mutable case record as the agent has left it so far."""

    model_config = ConfigDict(extra="forbid")

    status: str = "new"
    queue: str | None = None
    priority: str | None = None
    issue_type: str | None = None
    escalated_to: str | None = None
    requested_fields: list[str] = Field(default_factory=list)
    customer_answers: dict[str, str] = Field(default_factory=dict)
    drafted_reply: str | None = None
    internal_notes: list[str] = Field(default_factory=list)
    resolution_code: str | None = None


class Vocabularies(BaseModel):
    """The closed value sets for action fields (the same for every case)."""

    model_config = ConfigDict(extra="forbid")

    queues: list[str] = Field(default_factory=list)
    priorities: list[str] = Field(default_factory=list)
    issue_types: list[str] = Field(default_factory=list)
    resolution_codes: list[str] = Field(default_factory=list)
    requestable_fields: list[str] = Field(default_factory=list)


#: The case file's bounds, in characters: each entry's ``content`` is cut to at most
#: ``CASE_FILE_ENTRY_CHARS`` and all contents together to ``CASE_FILE_TOTAL_CHARS`` (entries
#: past the total keep their id and title with an empty, ``truncated`` content). Chosen
#: from the catalogue: over the 9,606 seed, train and validation cases the longest
#: evidence text is 954 characters and a whole case's 2,777 (README, Observation and
#: state), so the bounds only guard against outliers; a change of either is a change of
#: the observation.
CASE_FILE_ENTRY_CHARS = 2000
CASE_FILE_TOTAL_CHARS = 8000
#: An entry's ``title`` is cut to this many characters.
CASE_FILE_TITLE_CHARS = 200


class CaseFileEntry(BaseModel):
    """One piece of evidence the agent has collected, with its contents.

    ``evidence_id`` is ``ticket``, ``artifact:<id>``, ``policy:<topic>`` (as in
    ``collected_evidence``) or ``customer:<field>`` for a customer's answer; ``title`` the
    artifact's or policy's title (the ticket's subject, the answered field); ``content``
    the text the agent was shown, cut to the case file's bounds, and ``truncated`` whether
    it was cut.
    """

    model_config = ConfigDict(extra="forbid")

    evidence_id: str = ""
    title: str = ""
    content: str = ""
    truncated: bool = False


class CaseObservation(BaseModel):
    """What the agent sees after ``reset`` and after every ``step``.

    ``reward`` is this step's reward (shaped in the ``dense`` reward mode; 0 until the
    final step, which gets the score, in the ``terminal`` mode); ``current_score`` the
    grade of the episode so far, in [0, 1] (``None`` in the terminal mode until the end);
    ``remaining_steps`` the steps left in the budget. ``case_file`` holds the contents of
    the evidence collected so far, in a fixed order (the ticket, artifacts and policies by
    id, then the customer's answers by field), within the bounds above, so that an agent
    needs no memory of earlier steps to know what it has learned. Every field before the
    end is a function of public facts (the ticket, the family, what the agent did), never
    of the gold.
    """

    model_config = ConfigDict(extra="forbid")

    done: bool = Field(default=False, description="Whether the episode has terminated")
    reward: float | None = Field(default=None, description="Reward signal from the last action")
    episode_id: str = ""
    task_id: str = ""
    reward_mode: str = "dense"
    difficulty: str = ""
    objective: str = ""
    step: int = 0
    ticket: TicketView = Field(default_factory=TicketView)
    case: CaseView = Field(default_factory=CaseView)
    legal_actions: list[str] = Field(default_factory=list)
    available_artifacts: list[str] = Field(default_factory=list)
    policy_topics: list[str] = Field(default_factory=list)
    vocabularies: Vocabularies = Field(default_factory=Vocabularies)
    collected_evidence: list[str] = Field(default_factory=list)
    case_file: list[CaseFileEntry] = Field(default_factory=list)
    last_tool_result: str | None = None
    last_action_error: str | None = None
    remaining_steps: int = 0
    current_score: float | None = 0.0
    grade_report: dict[str, Any] | None = None


class CaseState(BaseModel):
    """The public state of one episode (``GET /state``). No gold; in the ``terminal``
    reward mode ``score`` is ``None`` until the episode ends. ``step_count`` counts the
    steps taken."""

    episode_id: str | None = Field(
        default=None, description="Unique identifier for the current episode"
    )
    step_count: int = Field(
        default=0, ge=0, description="Number of steps taken in the current episode"
    )

    task_id: str = ""
    reward_mode: str = "dense"
    status: str = "new"
    done: bool = False
    end_reason: str | None = None
    version: int = 0
    step_budget: int = 0
    score: float | None = 0.0
    total_reward: float = 0.0
    rejected_actions: int = 0
