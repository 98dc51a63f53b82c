"""The reply/note judge: the issue's examples, the corpus agreement, recorded verdicts and
grader-version handling (issue 18)."""

from __future__ import annotations

import pytest

from caseops.domain.canonical import sha256_hex
from caseops.domain.claims import claim, point
from caseops.domain.events import JudgeVerdict
from caseops.domain.grader import GRADER_VERSION, grade
from caseops.domain.judge import judge_text
from caseops.domain.judge.evaluate import agreement, load
from caseops.domain.scenarios import SEED_SCENARIOS
from caseops.statemachine.agents import oracle_actions
from caseops.statemachine.engine import apply_step, fold, start_episode
from caseops.statemachine.replay import replay

MUG = SEED_SCENARIOS["damaged-mug-replacement"]
POINTS = (point("apology"), point("replacement"), point("return", negated=True, name="no_return"))
CLAIMS = (claim("refund"), claim("locked"), claim("escalated"))


def _judge(text: str) -> tuple[set[str], dict[str, str]]:
    v = judge_text(text, POINTS, CLAIMS)
    return set(v.made), {f.name: f.status for f in v.claims}


def test_issue_examples() -> None:
    made, _ = _judge("Sorry, we cannot replace the mug and there is no return possible.")
    assert made == {"apology", "no_return"}  # the replacement is negated
    made, claims = _judge(
        "Sorry to hear that! Rather than a refund, we're sending a replacement mug, and you "
        "don't have to return anything."
    )
    assert made == {"apology", "replacement", "no_return"}
    assert claims["refund"] == "contrasted"
    made, _ = _judge(
        "We regret that your order was damaged in shipping. We'll send another mug right "
        "away; please don't bother returning the cracked one."
    )
    assert made == {"apology", "replacement", "no_return"}
    _, claims = _judge("Until the review is complete we can't promise a refund.")
    assert claims["refund"] in ("negated", "conditional")
    _, claims = _judge("If the review confirms it, we will refund you.")
    assert claims["refund"] == "conditional"
    _, claims = _judge("We will NOT do this: refund.")
    assert claims["refund"] == "negated"
    made, claims = _judge("We have refunded the mug.")
    assert claims["refund"] == "asserted"


def test_negated_points_do_not_pay() -> None:
    pts = (point("duplicate"), point("refund"))
    v = judge_text(
        "Sorry, we see no duplicate charge on your account, so we will not refund anything.",
        pts,
    )
    assert v.made == ()


def test_contradiction_and_keyword_runs_do_not_pay() -> None:
    v = judge_text("We will refund you. We will not refund you.", (point("refund"),))
    assert v.made == ()
    run = "refund replacement sorry duplicate charge business days receipt locked escalated"
    assert judge_text(run, (point("refund"), point("apology"))).made == ()


def test_findings_name_the_sentence() -> None:
    v = judge_text("Hello. Sorry about that. We refunded it.", (point("refund"),))
    assert v.points[0].sentence == 2 and v.points[0].text == "We refunded it."


def test_facts_are_matched_by_value() -> None:
    pts = (point("refund", facts=("$1,204.50",)),)
    assert judge_text("We refunded 1204.50 USD.", pts).made == ("refund",)
    assert judge_text("We refunded 1204.05 USD.", pts).made == ()


def test_corpus_agreement_on_the_test_part() -> None:
    a = agreement(load("test"), judge_text)
    assert a.rows >= 300
    # measured 0.920 (replies) and 0.971 (notes); floors a little below
    assert a.acceptable["reply"].balanced_accuracy >= 0.88
    assert a.acceptable["note"].balanced_accuracy >= 0.9


def test_corpus_size() -> None:
    rows = load()
    assert sum(r["kind"] == "reply" for r in rows) >= 300
    assert sum(r["kind"] == "note" for r in rows) >= 100


def _play(scenario, verdict_for_reply=None):
    started, record = start_episode(scenario, "ep-j")
    history = [started]
    for act in oracle_actions(scenario):
        v = verdict_for_reply if act.action_type == "draft_reply" else None
        out = apply_step(scenario, record, history, act, None, v)
        history += out.events
        record = out.record
        if record.done:
            break
    return history


def test_a_recorded_verdict_is_used_and_replayed() -> None:
    reply = next(a.message for a in oracle_actions(MUG) if a.action_type == "draft_reply")
    verdict = JudgeVerdict(
        step=0,
        target="reply",
        text_sha256=sha256_hex(reply),
        judge="model:fake",
        prompt_sha256="0" * 64,
        points=[{"name": p.name, "ok": False, "status": "absent"} for p in MUG.gold.reply_points],
        claims=[
            {"name": c.name, "ok": False, "status": "absent"} for c in MUG.gold.forbidden_claims
        ],
    )
    history = _play(MUG, verdict)
    assert any(isinstance(e, JudgeVerdict) for e in history)
    rep = grade(MUG, history)
    comp = next(c for c in rep.components if c.name == "reply")
    assert comp.earned == 0 and comp.judge == "model:fake"  # the model said nothing was made
    assert replay(history).matches
    plain = grade(MUG, _play(MUG))
    assert next(c for c in plain.components if c.name == "reply").earned == 1


def test_report_names_the_sentence_of_each_point() -> None:
    rep = grade(MUG, _play(MUG))
    comp = next(c for c in rep.components if c.name == "reply")
    assert {r["name"] for r in comp.judged_points if r["ok"]} == {
        "apology",
        "replacement",
        "no_return",
    }
    assert all(r["text"] and r["event_id"] for r in comp.judged_points)


def test_replay_of_an_older_grader_says_so() -> None:
    history = _play(MUG)
    started = history[0].model_copy(update={"grader_version": "1.0.0"})
    step = next(i for i, e in enumerate(history) if getattr(e, "reward", None) not in (None, "0"))
    bumped = history[step].model_copy(update={"reward": "0.5", "score": "0.5"})
    old = [started, *history[1:step], bumped, *history[step + 1 :]]
    rep = replay(old)
    assert rep.matches and rep.grader_changed
    assert "1.0.0" in rep.notes[0] and GRADER_VERSION in rep.notes[0]
    fold(old)  # an old log still folds


@pytest.mark.parametrize("scenario", list(SEED_SCENARIOS.values()), ids=lambda s: s.task_id)
def test_oracle_reply_and_note_make_every_point(scenario) -> None:
    rep = grade(scenario, _play(scenario))
    for name in ("reply", "internal_note"):
        c = next(c for c in rep.components if c.name == name)
        assert c.earned == 1, (name, c.detail)


def test_the_keyword_stuffer_earns_no_reply_credit() -> None:
    from caseops.domain.generator import FAMILY_NAMES, generate
    from caseops.domain.grader import _reply_credit
    from caseops.statemachine.agents import stuffing_reply

    cases = [*SEED_SCENARIOS.values(), *(generate(f, s) for f in FAMILY_NAMES for s in range(3))]
    text = stuffing_reply(cases)
    assert max(_reply_credit(s.gold, text, 1)[0] for s in cases) == 0
