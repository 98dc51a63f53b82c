"""The agent's action: one typed model for the whole unified action space.

Schema-level limits (types, vocabularies, lengths) are enforced by pydantic, so a
malformed action is a 422 naming the field. Whether an action makes sense *now* (the
fields a given ``action_type`` needs, an artifact id that exists, a legal transition) is
the state machine's call, answered with a recorded rejection (docs/architecture.md,
"The case machine").
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .vocab import ActionType, IssueType, Priority, Queue, RequestableField, ResolutionCode

#: Largest free-text field accepted on the wire, in characters (a 1 MB string is a 422).
MAX_TEXT_CHARS = 4000
#: Largest customer reply or internal note the case accepts, in characters.
MAX_REPLY_CHARS = 1200


class CaseAction(BaseModel):
    """One step of work on the case.

    Fields used per ``action_type``: ``inspect_artifact`` -> ``artifact_id``;
    ``search_policy`` -> ``query``; ``draft_reply`` -> ``message``; ``add_internal_note`` ->
    ``note``; ``classify`` -> ``queue``, ``priority``, ``issue_type``; ``request_info`` ->
    ``requested_fields`` (1..10); ``escalate`` -> ``queue`` (the team escalated to);
    ``resolve`` -> ``resolution_code``; ``submit`` -> optional ``resolution_code`` (the
    disposition handed off). Other fields are ignored.
    """

    model_config = ConfigDict(extra="forbid")

    action_type: ActionType = Field(description="What to do (see the state machine).")
    artifact_id: str | None = Field(None, max_length=64, description="Artifact to inspect.")
    query: str | None = Field(None, max_length=200, description="Knowledge-base search terms.")
    message: str | None = Field(
        None, max_length=MAX_TEXT_CHARS, description="Customer-facing reply draft."
    )
    note: str | None = Field(None, max_length=MAX_TEXT_CHARS, description="Internal note.")
    queue: Queue | None = Field(None, description="Queue to route to or escalate to.")
    priority: Priority | None = Field(None, description="Case priority.")
    issue_type: IssueType | None = Field(None, description="Issue type.")
    requested_fields: list[RequestableField] | None = Field(
        None, max_length=10, description="Fields to ask the customer for (1..10)."
    )
    resolution_code: ResolutionCode | None = Field(None, description="Resolution code.")

    def payload(self) -> dict[str, Any]:
        """The action as a plain JSON dict, without unset fields and without the wire's
        ``metadata`` (:class:`caseops.api.wire.WireAction`):
        ``model_dump(mode="json", exclude_none=True, exclude={"metadata"})``, read straight
        from the fields (all ``Literal`` strings, text and a list of strings, copied), as
        :meth:`Event.payload <caseops.domain.events.Event.payload>` does; the property
        tests hold the two equal."""
        return {
            k: list(v) if type(v) is list else v
            for k, v in self.__dict__.items()
            if v is not None and k != "metadata"
        }

    def fingerprint(self) -> str:
        """A stable key for "the same action": the canonical payload (repeat detection)."""
        from caseops.canonical import canonical_json

        return canonical_json(self.payload())
