"""Scenario: one support case, its facts, its simulated customer and its gold.

A scenario is pure data (frozen pydantic models). The agent-facing parts (``ticket``,
``artifacts``, ``policies``, ``customer``) decide what an agent can see and learn; the
``gold`` part decides the grade and never reaches the agent before the episode ends
(docs/architecture.md, "Grading"). ``content_hash`` pins a scenario's exact content in
the event log.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from caseops.canonical import canonical_json, sha256_hex

from .claims import Claim, Marker, Point, claim, claims, point, upgrade_gold_data
from .errors import ScenarioError
from .vocab import (
    CaseStatus,
    IssueType,
    Priority,
    Queue,
    RequestableField,
    ResolutionCode,
)

Difficulty = Literal["easy", "medium", "hard"]
Split = Literal["seed", "train", "validation", "test"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Ticket(_Frozen):
    """The inbound ticket as the agent first sees it.

    ``sla_minutes`` is the time left to first response at reset, in minutes; each step
    spends ``Scenario.minutes_per_step`` of it.
    """

    subject: str
    customer_name: str
    customer_message: str
    customer_tier: str = "standard"
    sla_minutes: int = Field(240, ge=1)
    affected_users: int = Field(1, ge=0)
    business_impact: str = ""
    secondary_concerns: tuple[str, ...] = ()
    channel: str = "email"


class Artifact(_Frozen):
    """An internal record the agent can inspect (order, payment, log...)."""

    title: str
    content: str


class Policy(_Frozen):
    """A knowledge-base article. ``keywords`` are the search terms that find it."""

    title: str
    content: str
    keywords: tuple[str, ...] = ()


class Customer(_Frozen):
    """The deterministic simulated customer.

    ``answers`` maps each field the customer can answer to the answer text. A
    ``request_info`` is answered at once with the asked fields the customer can answer
    (and only those); when every asked field is answered the case returns to the state it
    left, otherwise it keeps waiting. When none can be answered, ``unanswered_reply`` is
    what the agent hears.
    """

    answers: dict[RequestableField, str] = Field(default_factory=dict)
    unanswered_reply: str = "The customer has not replied yet."

    @field_validator("answers", mode="after")
    @classmethod
    def _sorted(cls, v: dict[str, str]) -> dict[str, str]:
        return dict(sorted(v.items()))


__all__ = [
    "Artifact",
    "Claim",
    "Customer",
    "Gold",
    "Marker",
    "Point",
    "Policy",
    "Scenario",
    "Ticket",
    "claim",
    "claims",
    "point",
]


class Gold(_Frozen):
    """The right answer. Never shown to the agent before the episode ends.

    ``required_evidence`` holds evidence ids: ``ticket``, ``artifact:<id>``,
    ``policy:<topic>``. ``optimal_steps`` is the length of a shortest full-score path;
    efficiency is full up to it and falls linearly to zero at the step budget.
    ``escalated`` says whether the case must be escalated to ``queue`` on the way (a
    case escalated and then left waiting on the customer); ``None`` means exactly when
    its final status is ``escalated`` (see :attr:`escalates`).

    ``reply_points`` / ``note_points`` are what the reply / the internal note must say and
    ``forbidden_claims`` what neither may say (see :mod:`caseops.domain.claims`: write
    them with ``point(...)`` and ``claim(...)``). Data in the pre-2.0.0 shape
    (``reply_markers`` / ``note_markers`` of ``{"name", "phrases"}``, forbidden claims as
    strings) is accepted and mapped, so old episode snapshots still build.
    """

    final_status: CaseStatus
    resolution_code: ResolutionCode | None
    queue: Queue
    priority: Priority
    issue_type: IssueType
    requested_fields: tuple[RequestableField, ...] = ()
    required_evidence: tuple[str, ...] = ()
    reply_points: tuple[Point, ...] = ()
    note_points: tuple[Point, ...] = ()
    forbidden_claims: tuple[Claim, ...] = ()
    optimal_steps: int = Field(ge=1)
    escalated: bool | None = None

    @property
    def escalates(self) -> bool:
        """Whether the right handling escalates the case (to ``queue``)."""
        return self.escalated if self.escalated is not None else self.final_status == "escalated"

    @model_validator(mode="before")
    @classmethod
    def _old_shape(cls, data: Any) -> Any:
        return upgrade_gold_data(data)

    @field_validator("reply_points", "note_points", "forbidden_claims", mode="after")
    @classmethod
    def _unique_names(cls, v: tuple[Point, ...] | tuple[Claim, ...]) -> tuple[Any, ...]:
        names = [s.name for s in v]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate names in {names}")
        return v

    @property
    def reply_markers(self) -> tuple[Point, ...]:
        """The reply's points (the pre-2.0.0 name)."""
        return self.reply_points

    @property
    def note_markers(self) -> tuple[Point, ...]:
        """The note's points (the pre-2.0.0 name)."""
        return self.note_points


class Scenario(_Frozen):
    """One support case. ``task_id`` is its public id; ``family``/``seed`` say where it came
    from (the six seed cases have family ``seed`` and seed 0)."""

    task_id: str
    family: str
    seed: int = 0
    split: Split = "seed"
    difficulty: Difficulty
    title: str
    objective: str
    ticket: Ticket
    artifacts: dict[str, Artifact] = Field(default_factory=dict)
    policies: dict[str, Policy] = Field(default_factory=dict)
    customer: Customer = Field(default_factory=Customer)
    step_budget: int = Field(16, ge=2, le=100)
    minutes_per_step: int = Field(5, ge=0)
    gold: Gold

    @field_validator("artifacts", "policies", mode="after")
    @classmethod
    def _sorted(cls, v: dict[str, object]) -> dict[str, object]:
        # Key order is canonical (sorted), so a scenario rebuilt from its canonical-JSON
        # snapshot equals the original and nothing depends on authoring order.
        return dict(sorted(v.items()))

    def content_hash(self) -> str:
        """sha256 over the canonical JSON of the whole scenario, gold included."""
        return sha256_hex(canonical_json(self.model_dump(mode="json")))

    def evidence_ids(self) -> tuple[str, ...]:
        """Every evidence id this case offers: the ticket, its artifacts, its policies."""
        return (
            "ticket",
            *(f"artifact:{a}" for a in self.artifacts),
            *(f"policy:{p}" for p in self.policies),
        )

    def check(self) -> None:
        """Consistency check: the gold refers only to what the case has.

        Raises:
            ScenarioError: naming the first dangling reference.
        """
        offered = set(self.evidence_ids())
        for item in self.gold.required_evidence:
            if item not in offered:
                raise ScenarioError(f"{self.task_id}: gold evidence {item!r} is not in the case")
        if self.gold.optimal_steps > self.step_budget:
            raise ScenarioError(f"{self.task_id}: optimal_steps exceeds the step budget")
        if self.gold.final_status in ("new", "triaged"):
            raise ScenarioError(f"{self.task_id}: a case cannot end {self.gold.final_status}")
        answerable = set(self.customer.answers)
        if (
            self.gold.final_status == "waiting_on_customer"
            and set(self.gold.requested_fields) <= answerable
        ):
            raise ScenarioError(
                f"{self.task_id}: gold waits on the customer, who can answer at once"
            )


def snapshot_hash(snapshot: dict[str, Any]) -> str:
    """sha256 over the canonical JSON of a stored scenario snapshot as it was stored.

    Equal to ``Scenario.model_validate(snapshot).content_hash()`` for a snapshot written by
    this version; for an older snapshot (pre-2.0.0 gold shape, mapped when rebuilt) it is
    still the hash recorded beside it, which the rebuilt scenario's would not be.
    """
    return sha256_hex(canonical_json(snapshot))
