"""Non-reading attack policies, shipped as library code next to the reference agents.

A score that can be had without reading the case is worth nothing, so the family
self-check (``tests/test_integrity.py``, ``python -m bench.integrity``) plays three
policies that never read a case's text, each learned from the train split alone:

- :func:`learn_constant` with :func:`family_key`: one plan per family, the plan that
  earned the best mean final score on train cases of that family. Its candidate plans are
  solutions of train cases (their reply and note text included, written for another
  case), each also with "inspect every artifact and search every policy" evidence: so it
  is at least as strong as a constant plan found by trying plans on train.
- the same with :func:`metadata_key`: one plan per (family, difficulty, step budget), the
  public metadata an observation carries before any step.
- :class:`RewardProber`: the family's constant plan, plus a search of classifications
  and replies by the running score (``current_score``, the sum of the rewards so far) in
  the steps the budget leaves spare.

The bars they are held to are in docs/architecture.md ("Evaluation integrity"): in the
terminal reward mode each averages at most 0.30 over validation and 0.40 on any family;
in the dense mode the prober averages at most 0.45. Pure and deterministic: plans are
chosen by score with ties broken by their order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field

from caseops.canonical import canonical_json
from caseops.cases.generator import FAMILY_NAMES, TEST_ONLY, generate, split_of
from caseops.domain.actions import CaseAction
from caseops.domain.events import Event
from caseops.domain.observation import CaseObservation
from caseops.domain.reward import RewardMode
from caseops.domain.scenario import Scenario
from caseops.domain.vocab import ISSUE_TYPES, PRIORITIES, QUEUES

from .agents import oracle_actions
from .decide import match_policy
from .engine import apply_step, start_episode
from .projection import observe

#: A scripted plan: the actions in order (the last one ends the episode).
Plan = tuple[CaseAction, ...]
#: What a keyed policy reads of the first observation to choose its plan.
KeyFn = Callable[[CaseObservation], Hashable]


def family_key(obs: CaseObservation) -> Hashable:
    """The family of the task (``damaged_item`` of ``damaged_item/17``)."""
    return obs.task_id.split("/", 1)[0]


def metadata_key(obs: CaseObservation) -> Hashable:
    """(family, difficulty, step budget): everything public a first observation carries
    besides the case's own text."""
    return (family_key(obs), obs.difficulty, obs.remaining_steps)


def play_plan(
    scenario: Scenario,
    policy: Callable[[CaseObservation], CaseAction],
    reward_mode: RewardMode = "dense",
) -> tuple[float, list[Event]]:
    """Play ``policy`` on ``scenario`` to the end through the pure engine (no store).

    Returns:
        ``(final score, events)``: the grade of the whole log in [0, 1] (the same in
        either reward mode) and the stream.
    """
    started, record = start_episode(scenario, f"attack-{scenario.task_id}", reward_mode)
    history: list[Event] = [started]
    obs = observe(scenario, record)
    tally = None
    while not record.done:
        out = apply_step(scenario, record, history, policy(obs), tally)
        history.extend(out.events)
        record, tally = out.record, out.tally
        obs = observe(scenario, record, float(out.reward))
    return float(record.score), history


def scripted(plan: Plan) -> Callable[[CaseObservation], CaseAction]:
    """A policy that plays ``plan`` in order, then submits."""
    queue = list(plan)

    def policy(obs: CaseObservation) -> CaseAction:
        return queue.pop(0) if queue else CaseAction(action_type="submit")

    return policy


def _with_all_evidence(scenario: Scenario, plan: Plan) -> Plan:
    """``plan`` with its evidence steps replaced by inspecting every artifact and
    searching every policy topic the case lists (ids only: no text is read)."""
    kept = [a for a in plan if a.action_type not in ("inspect_artifact", "search_policy")]
    gather = [CaseAction(action_type="inspect_artifact", artifact_id=a) for a in scenario.artifacts]
    for topic in scenario.policies:
        query = topic.replace("_", " ")
        if match_policy(scenario, query) != topic:
            query = topic
        gather.append(CaseAction(action_type="search_policy", query=query))
    at = next((i for i, a in enumerate(kept) if a.action_type == "classify"), 0) + 1
    return (*kept[:at], *gather, *kept[at:])


def _plan_key(plan: Plan) -> str:
    return canonical_json([a.payload() for a in plan])


def candidate_plans(cases: Sequence[Scenario], limit: int) -> list[Plan]:
    """Distinct solutions of the first train ``cases`` (each also with all evidence),
    at most ``limit`` of them, in the order met."""
    seen: set[str] = set()
    out: list[Plan] = []
    for s in cases:
        base = tuple(oracle_actions(s))
        for plan in (base, _with_all_evidence(s, base)):
            key = _plan_key(plan)
            if key not in seen:
                seen.add(key)
                out.append(plan)
            if len(out) >= limit:
                return out
    return out


def _first_observation(scenario: Scenario) -> CaseObservation:
    _, record = start_episode(scenario, "attack-key")
    return observe(scenario, record)


def learn_constant(
    train: Iterable[Scenario],
    key: KeyFn = family_key,
    candidates: int = 16,
    sample: int = 24,
) -> dict[Hashable, Plan]:
    """One plan per key, learned from train cases by their final scores alone.

    Args:
        train: train-split cases.
        key: what the policy reads of the first observation (:func:`family_key`,
            :func:`metadata_key`).
        candidates: candidate plans tried per key (solutions of that key's first train
            cases, see :func:`candidate_plans`).
        sample: train cases per key each candidate is scored on.

    Returns:
        key -> the candidate with the best mean score (the first on ties).
    """
    by_key: dict[Hashable, list[Scenario]] = defaultdict(list)
    for s in train:
        by_key[key(_first_observation(s))].append(s)
    plans: dict[Hashable, Plan] = {}
    for k, cases in by_key.items():
        pool = candidate_plans(cases, candidates)
        scored = cases[-sample:]
        best, best_mean = pool[0], -1.0
        for plan in pool:
            mean = sum(play_plan(s, scripted(plan), "terminal")[0] for s in scored) / len(scored)
            if mean > best_mean:
                best, best_mean = plan, mean
        plans[k] = best
    return plans


@dataclass
class ConstantPolicy:
    """Plays ``plans[key(first observation)]``; a key never seen in train submits at once
    (what a policy that cannot read does with a family it has never met)."""

    plans: dict[Hashable, Plan]
    key: KeyFn = family_key

    def for_case(self, scenario: Scenario) -> Callable[[CaseObservation], CaseAction]:
        """A fresh policy for one episode of ``scenario``."""
        plan = self.plans.get(self.key(_first_observation(scenario)), ())
        return scripted(plan)


@dataclass
class RewardProber:
    """The family's constant plan, searching classifications and replies by the running
    score in the steps the budget leaves spare (dense reward mode only: the terminal mode
    shows no running score, and the prober then plays its plan as it is).

    ``replies`` are candidate reply texts per family (from train solutions).
    """

    plans: dict[Hashable, Plan]
    replies: dict[Hashable, list[str]] = field(default_factory=dict)

    @classmethod
    def learn(cls, train: Sequence[Scenario], plans: dict[Hashable, Plan]) -> RewardProber:
        """The prober over ``plans`` with each family's distinct train replies."""
        replies: dict[Hashable, list[str]] = defaultdict(list)
        for s in train:
            for a in oracle_actions(s):
                fam = s.task_id.split("/", 1)[0]
                if a.action_type == "draft_reply" and a.message not in replies[fam]:
                    replies[fam].append(a.message or "")
        return cls(plans, dict(replies))

    def for_case(self, scenario: Scenario) -> Callable[[CaseObservation], CaseAction]:
        """A fresh probing policy for one episode of ``scenario``."""
        first = _first_observation(scenario)
        fam = family_key(first)
        plan = list(self.plans.get(fam, ()))
        spare = max(0, first.remaining_steps - len(plan) - 1)
        return _Probe(plan, spare, self.replies.get(fam, [])).act


def _alternatives(action: CaseAction) -> list[CaseAction]:
    """Classifications one field away from ``action``: priorities, then issue types,
    then queues (the order a prober with few steps tries them)."""
    out = [action.model_copy(update={"priority": p}) for p in PRIORITIES if p != action.priority]
    out += [action.model_copy(update={"issue_type": i}) for i in ISSUE_TYPES]
    out += [action.model_copy(update={"queue": q}) for q in QUEUES if q != action.queue]
    return [a for a in out if a.payload() != action.payload()]


class _Probe:
    """The state of one probing episode (see :class:`RewardProber`)."""

    def __init__(self, plan: list[CaseAction], spare: int, replies: list[str]) -> None:
        self.plan = plan
        self.spare = spare
        self.replies = replies
        self.pending: list[CaseAction] = []
        self.probing: str | None = None
        self.best: tuple[float, CaseAction] | None = None
        self.tries: list[CaseAction] = []
        self.last: CaseAction | None = None

    def act(self, obs: CaseObservation) -> CaseAction:
        score = obs.current_score
        seen = self.probing is not None and self.last is not None and score is not None
        if seen and (self.best is None or score > self.best[0]):  # type: ignore[operator]
            self.best = (score, self.last)  # type: ignore[assignment]
        if self.probing is not None and (not self.tries or self.spare <= 1):
            # done probing: go back to the best one found unless it is the current one
            self.probing = None
            best = self.best
            self.best, self.tries = None, []
            if best is not None and self.last is not None and best[1] is not self.last:
                return self._do(best[1])
        if self.probing is not None and self.tries:
            self.spare -= 1
            return self._do(self.tries.pop(0))
        if not self.plan:
            return self._do(CaseAction(action_type="submit"))
        action = self.plan.pop(0)
        if score is not None and self.spare > 1:
            if action.action_type == "classify":
                self.probing, self.tries = "classify", _alternatives(action)
            elif action.action_type == "draft_reply":
                others = [m for m in self.replies if m != action.message]
                self.probing = "reply"
                self.tries = [CaseAction(action_type="draft_reply", message=m) for m in others]
        return self._do(action)

    def _do(self, action: CaseAction) -> CaseAction:
        self.last = action
        return action


def split_seeds(family: str, split: str, n: int) -> list[int]:
    """The first ``n`` seeds of ``family`` in ``split`` (``caseops.cases.generator``'s
    split rule), in order."""
    out: list[int] = []
    seed = 0
    while len(out) < n:
        if split_of(family, seed) == split:
            out.append(seed)
        seed += 1
    return out


@dataclass(frozen=True)
class IntegrityRow:
    """Mean final scores of one family's cases: each non-reading policy (terminal and
    dense reward mode) and the oracle. ``split`` is where the cases came from."""

    family: str
    split: str
    cases: int
    constant: float
    metadata_keyed: float
    prober_terminal: float
    prober_dense: float
    oracle: float


def integrity_rows(
    eval_split: str = "validation", per_family: int = 200, train_per_family: int = 60
) -> list[IntegrityRow]:
    """The family self-check's attack table (see the module docstring).

    The policies learn from ``train_per_family`` train cases per family and are scored
    on ``per_family`` cases of ``eval_split`` per family; a family held out for the test
    split is scored on its test cases (it has no other), where a policy learned on train
    has never met it.
    """
    train = [
        generate(f, s)
        for f in FAMILY_NAMES
        if f not in TEST_ONLY
        for s in split_seeds(f, "train", train_per_family)
    ]
    constant = ConstantPolicy(learn_constant(train, family_key))
    keyed = ConstantPolicy(learn_constant(train, metadata_key), metadata_key)
    prober = RewardProber.learn(train, constant.plans)
    rows: list[IntegrityRow] = []
    for f in FAMILY_NAMES:
        split = "test" if f in TEST_ONLY else eval_split
        cases = [generate(f, s) for s in split_seeds(f, split, per_family)]
        const, keyed_scores, probe_t, probe_d, oracle = [], [], [], [], []
        for c in cases:
            plan = constant.plans.get(family_key(_first_observation(c)), ())
            score = play_plan(c, scripted(plan), "terminal")[0]
            const.append(score)
            keyed_plan = keyed.plans.get(metadata_key(_first_observation(c)), ())
            # the same plan plays the same episode: its score is not computed twice
            same = keyed_plan == plan
            keyed_scores.append(score if same else play_plan(c, scripted(keyed_plan))[0])
            # with no running score (terminal mode) the prober cannot probe: it plays its
            # family's constant plan, step for step
            probe_t.append(score)
            probe_d.append(play_plan(c, prober.for_case(c), "dense")[0])
            oracle.append(play_plan(c, scripted(tuple(oracle_actions(c))), "dense")[0])
        n = len(cases)
        rows.append(
            IntegrityRow(
                family=f,
                split=split,
                cases=n,
                constant=sum(const) / n,
                metadata_keyed=sum(keyed_scores) / n,
                prober_terminal=sum(probe_t) / n,
                prober_dense=sum(probe_d) / n,
                oracle=sum(oracle) / n,
            )
        )
    return rows
