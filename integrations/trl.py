"""CaseOps for TRL's ``GRPOTrainer(environment_factory=...)``.

:class:`CaseOpsToolEnv` is the environment TRL drives: one CaseOps episode per rollout,
played in-process on the event log (``CASEOPS_DATABASE_URL``, or the service given).
Its public methods are the tools (one per action type, typed, with docstrings: TRL reads
them with ``transformers``' ``get_json_schema``), ``reset(**row)`` opens the row's case
and returns its first observation as text (appended to the prompt), and
``get_reward()`` returns the episode score. :func:`prompts` builds the ``datasets``
dataset TRL samples from: a ``prompt`` column (chat messages) and the ``task_id`` that
``reset`` opens.

    from trl import GRPOConfig, GRPOTrainer
    from caseops.integrations.trl import CaseOpsToolEnv, prompts

    trainer = GRPOTrainer(model=..., train_dataset=prompts("train", limit=512),
                          environment_factory=CaseOpsToolEnv, args=GRPOConfig(...))

Requires the ``train`` extra (``datasets``) for :func:`prompts` only; the environment
class needs nothing beyond CaseOps (TRL is documented at huggingface.co/docs/trl,
``environment_factory``).
"""

from __future__ import annotations

from typing import Any

from caseops.api.environment import CaseOpsEnvironment
from caseops.api.service import EpisodeService
from caseops.api.tools import CaseTools
from caseops.cases.catalog import list_scenarios, task_refs
from caseops.domain.actions import CaseAction
from caseops.domain.observation import CaseObservation

SYSTEM_PROMPT = (
    "You are a customer-support agent working one case with tools. Review the ticket, "
    "inspect the records and search the policies that matter, classify the case, request "
    "information or escalate only when the case needs it, draft the customer reply and an "
    "internal note, then finish with resolve (or submit). Call one tool at a time."
)


def render_observation(obs: CaseObservation) -> str:
    """The first observation as the text a model reads: the task, the ticket's headline,
    the records and policy topics it can look at, and its step budget."""
    t = obs.ticket
    lines = [
        f"Case {obs.task_id} ({obs.difficulty}). {obs.objective}",
        f'Ticket: "{t.subject}" from {t.customer_name} ({t.customer_tier} tier, '
        f"{t.channel}); SLA {t.sla_minutes_remaining} min.",
        "Records you can inspect: " + ", ".join(obs.available_artifacts),
        "Policy topics: " + ", ".join(obs.policy_topics),
        f"You have {obs.remaining_steps} steps.",
    ]
    return "\n".join(lines)


class CaseOpsToolEnv(CaseTools):
    """One CaseOps episode per rollout, for TRL's ``environment_factory``.

    Args:
        service: the episode service to play on (default: the process-wide one on
            ``CASEOPS_DATABASE_URL``).
        reward_mode: ``dense`` (default; shaped step rewards, shown in tool results) or
            ``terminal``. :meth:`get_reward` is the episode score either way.

    Tool results (what the model reads, as text) are compact: the tool's output, any
    error, the case's status, the step's reward, the steps left and whether the case is
    done. Tool calls after the end raise (TRL reports them to the model as errors).
    """

    def __init__(self, service: EpisodeService | None = None, reward_mode: str = "dense") -> None:
        self._env = CaseOpsEnvironment(service=service)
        self._reward_mode = reward_mode
        self._obs: CaseObservation | None = None

    def reset(self, task_id: str | None = None, **row: Any) -> str:
        """Open the case ``task_id`` (a dataset row's column; other columns are ignored)
        and return its first observation as text."""
        self._obs = self._env.reset(task_id=task_id, reward_mode=self._reward_mode)
        return render_observation(self._obs)

    def get_reward(self) -> float:
        """The episode score in [0, 1]: the final grade once the case has ended (resolved,
        submitted or out of steps); 0.0 for a case left unfinished."""
        obs = self._obs
        if obs is None or not obs.done or obs.grade_report is None:
            return 0.0
        return float(obs.grade_report["score"])

    def _act(self, action: CaseAction) -> dict[str, Any]:
        obs = self._env.step(action)
        self._obs = obs
        return {
            "result": obs.last_tool_result,
            "error": obs.last_action_error,
            "status": obs.case.status,
            "reward": obs.reward,
            "remaining_steps": obs.remaining_steps,
            "done": obs.done,
        }


def prompts(split: str = "train", limit: int | None = None, offset: int = 0) -> Any:
    """A ``datasets.Dataset`` of the tasks of ``split`` in catalog order (``offset``, at most
    ``limit``): columns ``prompt`` (system and user messages; :meth:`CaseOpsToolEnv.reset`
    appends the case to the user message) and ``task_id``, ``family``, ``difficulty``.

    Raises:
        UnknownTask: an unknown split.
        ImportError: without the ``datasets`` package (the ``train`` extra).
    """
    from datasets import Dataset

    refs = task_refs(split)
    count = len(refs) - offset if limit is None else min(limit, len(refs) - offset)
    rows: dict[str, list[Any]] = {"prompt": [], "task_id": [], "family": [], "difficulty": []}
    for s in list_scenarios(split, offset, max(count, 0)):
        rows["prompt"].append(
            [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": "Work this case.\n"},
            ]
        )
        rows["task_id"].append(s.task_id)
        rows["family"].append(s.family)
        rows["difficulty"].append(s.difficulty)
    return Dataset.from_dict(rows)
