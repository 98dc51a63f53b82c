"""Domain events: frozen, versioned, JSON-serialisable facts about one episode.

Every agent step appends exactly one *step event* (a subclass of :class:`StepEvent`),
which records the action as sent, the reward and score the environment returned and the
cost charged, followed by any *system events* the step caused (:class:`CustomerReplied`,
:class:`SlaBreached`, :class:`EpisodeEnded`). The first event of a stream is always
:class:`EpisodeStarted`, which pins everything replay needs (docs/architecture.md,
"Events and the store").

Numbers that are not integers (reward, score, cost) are decimal strings with 12 places,
so payloads are canonical JSON without floats.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from caseops.canonical import canonical_json

_CONTAINERS = (list, dict)


class Event(BaseModel):
    """Base of all events. ``SCHEMA_VERSION`` is stored beside the payload."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    SCHEMA_VERSION: ClassVar[int] = 1

    @property
    def type(self) -> str:
        """The event type stored in the log: the class name."""
        return type(self).__name__

    def payload(self) -> dict[str, Any]:
        """The event as a JSON-ready dict (no floats): ``model_dump(mode="json")``, read
        straight from the fields (their lists and dicts copied one level deep), which are
        JSON-ready once validated, so the serializer's walk would only copy them (cheaper
        on every append: bench/README.md). ``tests/test_properties.py`` holds the two
        equal, key order included, for every event of random episodes.
        """
        return {k: v.copy() if type(v) in _CONTAINERS else v for k, v in self.__dict__.items()}

    def canonical(self) -> str:
        """The payload as canonical JSON text."""
        return canonical_json(self.payload())


class EpisodeStarted(Event):
    """First event of every stream. ``scenario`` is the full scenario snapshot the episode
    runs (gold included: never served to anyone but an administrator of a sealed server,
    and only after the end to anyone on an open one), so replay and re-grading never
    depend on today's scenario code.

    ``reward_mode`` is ``dense`` (potential-based shaping) or ``terminal`` (0 at every
    step, the final score at the end); ``generator_version`` the case generator's version;
    ``salt_hash`` the sha256 of the private test-split salt the case was generated with
    (``None``: the public split). Streams recorded before these fields existed read as
    ``dense``, ``None``, ``None``.
    """

    episode_id: str
    task_id: str
    split: str
    seed: int
    scenario_hash: str
    grader_version: str
    step_budget: int
    start_score: str = "0"
    reward_mode: Literal["dense", "terminal"] = "dense"
    generator_version: str | None = None
    salt_hash: str | None = None
    scenario: dict[str, Any]


class StepEvent(Event):
    """An agent step. ``action`` is the action as sent; ``reward``/``score``/``cost`` are
    what the environment returned (decimal strings); ``from_state``/``to_state`` the case
    status before and after; ``repeated`` marks an action identical to an earlier one."""

    step: int = Field(ge=1)
    action: dict[str, Any]
    from_state: str
    to_state: str
    reward: str = "0"
    score: str = "0"
    cost: str = "0"
    repeated: bool = False
    result: str = ""


class TicketReviewed(StepEvent):
    """The agent read the full ticket."""


class ArtifactInspected(StepEvent):
    """The agent opened an internal record."""

    artifact_id: str


class PolicySearched(StepEvent):
    """The agent searched the knowledge base; ``topic`` is the policy found, if any."""

    query: str
    topic: str | None = None


class ReplyDrafted(StepEvent):
    """The agent saved a customer-facing reply draft (the latest draft counts)."""

    message: str


class InternalNoteAdded(StepEvent):
    """The agent added an internal note."""

    note: str


class CaseClassified(StepEvent):
    """The agent set queue, priority and issue type."""

    queue: str
    priority: str
    issue_type: str


class InfoRequested(StepEvent):
    """The agent asked the customer for fields; the case waits on the customer."""

    requested_fields: list[str]


class CaseEscalated(StepEvent):
    """The agent escalated the case to a team (``queue``)."""

    queue: str


class CaseResolved(StepEvent):
    """The agent resolved the case; terminal."""

    resolution_code: str


class CaseSubmitted(StepEvent):
    """The agent handed the case off in its current state; ends the episode."""

    resolution_code: str | None = None


class TransitionRejected(StepEvent):
    """An illegal trigger: the state is untouched; ``legal_actions`` lists what was legal."""

    attempted: str
    reason: str
    legal_actions: list[str]


class ActionInvalid(StepEvent):
    """A legal trigger missing what it needs (a field, a known artifact): nothing changes."""

    attempted: str
    reason: str


class CustomerReplied(Event):
    """System event: the simulated customer answered; the case returns to ``to_state``."""

    step: int
    answers: dict[str, str]
    unanswered: list[str]
    from_state: str
    to_state: str


class SlaBreached(Event):
    """System event: the first-response SLA ran out at this step (minutes over budget)."""

    step: int
    minutes_over: int


class EpisodeEnded(Event):
    """System event: the episode is over (resolved, submitted or out of steps)."""

    step: int
    reason: str
    final_status: str


class JudgeVerdict(Event):
    """System event: a judge's verdict on the reply or note of the step just before it
    (issue 18). Recorded when the verdict came from a language model (or from the rule
    judge after a model call failed), so grading and replay read it instead of calling a
    model again.

    ``target``: ``reply`` or ``note``; ``text_sha256``: sha256 of the judged text (a
    verdict applies only to that text); ``judge``: ``model:<name>`` or the rule judge's
    id (``rule-2``); ``prompt_sha256``: the model prompt's hash; ``fallback``: why the
    rule judge answered instead (empty when the model did); ``points`` / ``claims``: one
    finding per point / forbidden claim (``{"name", "ok", "status", "sentence", "text"}``).
    """

    step: int
    target: str
    text_sha256: str
    judge: str
    prompt_sha256: str = ""
    fallback: str = ""
    points: list[dict[str, Any]] = Field(default_factory=list)
    claims: list[dict[str, Any]] = Field(default_factory=list)


EVENT_TYPES: dict[str, type[Event]] = {
    cls.__name__: cls
    for cls in (
        EpisodeStarted,
        TicketReviewed,
        ArtifactInspected,
        PolicySearched,
        ReplyDrafted,
        InternalNoteAdded,
        CaseClassified,
        InfoRequested,
        CaseEscalated,
        CaseResolved,
        CaseSubmitted,
        TransitionRejected,
        ActionInvalid,
        CustomerReplied,
        SlaBreached,
        EpisodeEnded,
        JudgeVerdict,
    )
}

#: The names of the step-event types (one per agent step).
STEP_EVENT_TYPES: frozenset[str] = frozenset(
    name for name, cls in EVENT_TYPES.items() if issubclass(cls, StepEvent)
)


def event_from_payload(event_type: str, payload: dict[str, Any]) -> Event:
    """Rebuild a domain event from its stored type and payload.

    Raises:
        KeyError: for an unknown event type.
        pydantic.ValidationError: for a payload that does not fit the type.
    """
    return EVENT_TYPES[event_type].model_validate(payload)
