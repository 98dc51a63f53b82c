"""The CaseOps action space as tools an LLM can call: one method per action type.

:class:`CaseTools` holds one method per ``action_type`` of
:class:`~caseops.domain.actions.CaseAction`, with typed arguments (the closed vocabularies
as ``Literal`` enums, ``requested_fields`` as an array) and Google-style docstrings (what
the tool does, when to use it, each argument), so that a model reading the schema can act
on it. The same methods serve the MCP server (:mod:`caseops.api.mcp`, through FastMCP)
and the TRL adapter (:mod:`caseops.integrations.trl`, through ``transformers``'
``get_json_schema``). A subclass decides what a call does by implementing
:meth:`CaseTools._act`.

Every tool result is ``{"observation": {...}, "reward": float | None, "done": bool}``:
the observation as :class:`~caseops.domain.observation.CaseObservation` fields (no gold;
the grade report only once the episode has ended), the step's reward (shaped in the
``dense`` mode, 0 until the end and then the final score in the ``terminal`` mode) and
whether the episode has ended.
"""

from __future__ import annotations

from typing import Any

from caseops.domain.actions import CaseAction
from caseops.domain.observation import CaseObservation
from caseops.domain.vocab import (
    ACTION_TYPES,
    IssueType,
    Priority,
    Queue,
    RequestableField,
    ResolutionCode,
)

#: Observation fields that are not part of a tool result's ``observation`` (the result
#: carries ``reward`` and ``done`` beside it).
_NOT_OBSERVED = {"reward", "done", "metadata"}


def tool_result(obs: CaseObservation) -> dict[str, Any]:
    """A tool result: ``{"observation": {...}, "reward": r, "done": d}`` (JSON types)."""
    return {
        "observation": obs.model_dump(mode="json", exclude=_NOT_OBSERVED),
        "reward": obs.reward,
        "done": bool(obs.done),
    }


class CaseTools:
    """One tool per action type; :meth:`_act` applies the action (subclasses say how).

    The method names are the action types, so a tool call maps to
    ``CaseAction(action_type=<name>, **arguments)``. Arguments outside the vocabularies are
    refused by :class:`CaseAction` (``pydantic.ValidationError`` naming the field);
    whether an action makes sense now is the state machine's call, answered in the
    observation's ``last_action_error``.
    """

    def _act(self, action: CaseAction) -> dict[str, Any]:
        """Apply ``action`` to the current episode and return the tool result."""
        raise NotImplementedError

    def _call(self, action_type: str, **fields: Any) -> dict[str, Any]:
        given = {k: v for k, v in fields.items() if v is not None}
        return self._act(CaseAction(action_type=action_type, **given))  # type: ignore[arg-type]

    def review_ticket(self) -> dict[str, Any]:
        """Read the customer's ticket in full: subject, sender, tier, channel, SLA, business
        impact and the message itself. Usually the first thing to do on a new case.

        Returns:
            The tool result: observation (the ticket text in `last_tool_result`), reward, done.
        """
        return self._call("review_ticket")

    def inspect_artifact(self, artifact_id: str) -> dict[str, Any]:
        """Open one of the case's records (an order, a payment, a log, an account event)
        and read it; what it shows is evidence for how the case should be handled.

        Args:
            artifact_id: One of the ids in the observation's `available_artifacts`.

        Returns:
            The tool result: observation (the record in `last_tool_result`), reward, done.
        """
        return self._call("inspect_artifact", artifact_id=artifact_id)

    def search_policy(self, query: str) -> dict[str, Any]:
        """Search the support knowledge base for the policy that applies to the case.

        Args:
            query: A few words naming the policy, such as a topic from the observation's
                `policy_topics` ("damaged items", "refund window").

        Returns:
            The tool result: observation (the policy found, if any, in `last_tool_result`),
            reward, done.
        """
        return self._call("search_policy", query=query)

    def draft_reply(self, message: str) -> dict[str, Any]:
        """Write the reply the customer will receive (replaces any earlier draft). Say what
        happens next; never promise what the policy does not allow.

        Args:
            message: The customer-facing reply, plain text (at most 1,200 characters count).

        Returns:
            The tool result: observation, reward, done.
        """
        return self._call("draft_reply", message=message)

    def add_internal_note(self, note: str) -> dict[str, Any]:
        """Add an internal note for colleagues (not sent to the customer): what you found
        and why you chose the outcome.

        Args:
            note: The note, plain text.

        Returns:
            The tool result: observation, reward, done.
        """
        return self._call("add_internal_note", note=note)

    def classify(self, queue: Queue, priority: Priority, issue_type: IssueType) -> dict[str, Any]:
        """Triage the case: route it to a queue and set its priority and issue type. Moves
        a new case to `triaged`; changing a classification later costs.

        Args:
            queue: The team that owns this kind of case.
            priority: How urgent the case is (customer tier, SLA and impact count).
            issue_type: What the case is about.

        Returns:
            The tool result: observation, reward, done.
        """
        return self._call("classify", queue=queue, priority=priority, issue_type=issue_type)

    def request_info(self, requested_fields: list[RequestableField]) -> dict[str, Any]:
        """Ask the customer for details the case needs and cannot be found in its records;
        the case waits on the customer until they answer (their answer appears in the
        observation's `case.customer_answers`). Asking for what the case does not need costs.

        Args:
            requested_fields: One to ten fields to ask for.

        Returns:
            The tool result: observation, reward, done.
        """
        return self._call("request_info", requested_fields=list(requested_fields))

    def escalate(self, queue: Queue) -> dict[str, Any]:
        """Hand the case to a specialist team, when the policy or the evidence calls for it
        (fraud, an incident, a legal request); a needless escalation costs.

        Args:
            queue: The team to escalate to.

        Returns:
            The tool result: observation, reward, done.
        """
        return self._call("escalate", queue=queue)

    def resolve(self, resolution_code: ResolutionCode) -> dict[str, Any]:
        """Close the case with an outcome; this ends the episode and grades it.

        Args:
            resolution_code: The outcome the policy and the evidence support.

        Returns:
            The tool result: observation (with the grade report), reward, done (true).
        """
        return self._call("resolve", resolution_code=resolution_code)

    def submit(self, resolution_code: ResolutionCode | None = None) -> dict[str, Any]:
        """Hand the case off as it stands (for a case left waiting on the customer or with
        a specialist team); this ends the episode and grades it.

        Args:
            resolution_code: The disposition handed off, if one applies.

        Returns:
            The tool result: observation (with the grade report), reward, done (true).
        """
        return self._call("submit", resolution_code=resolution_code)


#: The tool methods: one per action type, named and ordered as the action types.
TOOL_NAMES: tuple[str, ...] = ACTION_TYPES
