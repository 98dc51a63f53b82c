"""The reply/note judge: the issue's examples, the corpus agreement, recorded verdicts and
grader-version handling (issue 18)."""

from __future__ import annotations

import pytest

from caseops.api.judge_eval import agreement, load
from caseops.canonical import sha256_hex
from caseops.cases.catalog import SEED_SCENARIOS
from caseops.domain.claims import claim, point
from caseops.domain.events import JudgeVerdict
from caseops.domain.grading import GRADER_VERSION, grade
from caseops.domain.judge import judge_text
from caseops.statemachine.agents import oracle_actions
from caseops.statemachine.engine import apply_step, fold, start_episode
from caseops.statemachine.replay import replay

MUG = SEED_SCENARIOS["damaged_mug_replacement"]
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
    a = agreement(load("test", part="composed"), judge_text)
    assert a.rows >= 300
    # measured 0.968 (replies) and 1.000 (notes) with rule-2; floors a little below
    assert a.acceptable["reply"].balanced_accuracy >= 0.93
    assert a.acceptable["note"].balanced_accuracy >= 0.95


def test_handwritten_agreement_on_the_test_part() -> None:
    """The hand-written corpus (written and labelled by reading, split fixed before the
    judge ran on it; the judge was tuned on its dev part only)."""
    a = agreement(load("test", part="handwritten"), judge_text)
    assert a.rows >= 160
    # measured with rule-2: 0.948 (replies) and 0.842 (notes); rule-1 had 0.811 and 0.763
    assert a.acceptable["reply"].balanced_accuracy >= 0.92
    assert a.acceptable["note"].balanced_accuracy >= 0.8
    # no acceptable text judged unacceptable by a forbidden claim it does not make
    assert a.claims["refund"].precision >= 0.85 and a.claims["refund"].recall >= 0.95


def test_corpus_size() -> None:
    rows = load()
    assert sum(r["kind"] == "reply" for r in rows) >= 300
    assert sum(r["kind"] == "note" for r in rows) >= 100
    hand = load(part="handwritten")
    assert sum(r["kind"] == "reply" for r in hand) >= 240
    assert sum(r["kind"] == "note" for r in hand) >= 80
    assert {r["split"] for r in hand} == {"dev", "test"}
    with pytest.raises(ValueError):
        load(part="other")


DUP = SEED_SCENARIOS["duplicate_charge_refund"]
FRAUD = SEED_SCENARIOS["account_takeover_fraud"]
ATM = SEED_SCENARIOS["account_takeover_medium"]


def _seed(sc, text: str, note: bool = False) -> tuple[set[str], set[str]]:
    pts = sc.gold.note_points if note else sc.gold.reply_points
    v = judge_text(text, pts, sc.gold.forbidden_claims)
    return set(v.made), set(v.asserted)


@pytest.mark.parametrize(
    ("text", "made", "asserted"),
    [
        # contrast: the refund is set aside, the replacement is promised
        (
            "Hi Priya, I know you'd like the mug rather than your money back, so we're "
            "sending a new one instead of a refund. Sorry - no need to return the cracked one.",
            {"apology", "replacement", "no_return"},
            set(),
        ),
        # conditional: nothing is promised yet
        (
            "Hi Priya, sorry about that. Once you return the broken mug, we can send you a "
            "replacement.",
            {"apology"},
            set(),
        ),
        # keeping the item is not returning it; a contrasted chargeback is no claim
        (
            "Hi Priya, so sorry. There's no need for a refund or a chargeback - we'll simply "
            "send a replacement mug, and you can keep the broken one.",
            {"apology", "replacement", "no_return"},
            set(),
        ),
        # a negated escalation before a colon does not reach the clause after it
        (
            "Hi Priya, sorry about the cracked mug. This doesn't need escalating: I've sent "
            "out a replacement myself, and you won't have to return anything.",
            {"apology", "replacement", "no_return"},
            set(),
        ),
        # a negation before a colon list carries over the whole list
        ("We will NOT do this: apology, replacement.", set(), set()),
        # passive and idiomatic replacements
        ("Hi Priya, my apologies. A fresh unit will be dispatched to you today.", None, None),
    ],
)
def test_tricky_mug_replies(text: str, made: set[str] | None, asserted: set[str] | None) -> None:
    got_made, got_asserted = _seed(MUG, text)
    if made is None:
        assert {"apology", "replacement"} <= got_made
        return
    assert got_made == made
    assert got_asserted == asserted


def test_tricky_refund_replies() -> None:
    # double negation that asserts: "nothing stopping us" is no negation
    made, asserted = _seed(
        DUP,
        "Hi Marcus, sorry about that - our payment system took your money twice. There's "
        "nothing stopping us from refunding the second charge: the extra $86.40 is already "
        "on its way back to you; banks usually take about a week or two to show it.",
    )
    assert made == {"apology", "duplicate", "refund", "timeline"}
    # money returned to the card is a refund, not a return of goods (a forbidden claim)
    made, asserted = _seed(
        DUP, "Sorry! The money is being returned to your card within 5-10 business days."
    )
    assert "refund" in made and "return" not in asserted
    # a hedge on the bank is no condition on the refund
    made, _ = _seed(
        DUP,
        "Sorry, we refunded the duplicate charge. Depending on your bank, it normally "
        "appears within 5-10 business days.",
    )
    assert "timeline" in made
    # asking the customer to send the shoes back is the forbidden return
    _, asserted = _seed(DUP, "Sorry! Please send the shoes back to us before we refund.")
    assert "return" in asserted


def test_quoted_and_conditional_claims_are_not_asserted() -> None:
    # the customer's demand, quoted, is no promise; the refusal is negated
    made, asserted = _seed(
        FRAUD,
        "Hi Dana, I understand you want your money back today. We can't promise a refund "
        "yet, but your account is locked, both orders are on hold, and our fraud team will "
        "contact you to verify your identity.",
    )
    assert made == {"account_locked", "fraud_team", "verify_identity", "orders_held"}
    assert asserted == set()
    # a conditional refund is no forbidden claim either
    _, asserted = _seed(
        FRAUD, "Your account is locked. If the fraud review clears you, we'll refund the orders."
    )
    assert "refund" not in asserted
    # "the customer wants a refund" in a note is reported, the refusal makes the point
    made, asserted = _seed(
        FRAUD,
        "Attacker changed email and password from a Tor IP and placed two orders. Customer "
        "wants a refund, but no refund or cancellation before the fraud review ends.",
        note=True,
    )
    assert made == {"takeover_signals", "no_refund_yet"} and asserted == set()
    # "not resolved" is no claim that it is resolved; "too early to say it's secure" is
    # no claim that the account is safe
    _, asserted = _seed(
        ATM,
        "Hi Rafael, nothing has been resolved yet and it's too early to say the account is "
        "secure. Our security team needs you to confirm your identity, your last login and "
        "devices.",
    )
    assert asserted == set()
    _, asserted = _seed(FRAUD, "Hi Dana, this isn't resolved yet. Your account is locked.")
    assert "resolved" not in asserted


def test_dense_prose_and_terse_notes_are_not_keyword_runs() -> None:
    made, _ = _seed(
        ATM,
        "Hi Rafael, sorry for the scare. Our security team will review the login; please "
        "verify your identity and send your last login and devices.",
    )
    assert made == {"security_team", "verification", "last_login", "devices"}
    made, _ = _seed(
        DUP, "Gateway retried after a timeout and took the $86.40 again on ORD-20931.", True
    )
    assert "same_order" in made
    # a stuffed run still states nothing
    run = " ".join(["refund duplicate sorry business days timeline receipt"] * 3)
    assert _seed(DUP, run) == (set(), set())


def test_a_multi_word_alternative_is_one_position() -> None:
    # "most+recent" in the lexicon: "last login" needs no "recent"
    made, _ = _seed(ATM, "Please tell us your last login and the devices you use.")
    assert {"last_login", "devices"} <= made


def test_facts_with_letters_are_text_not_amounts() -> None:
    api = SEED_SCENARIOS["api_incident_hard"]
    made, _ = _seed(api, "Cause looks like v4.18 on eu-west-2.", note=True)
    assert made == {"platform_cause"}  # "SOC 2" is not the amount 2 in "eu-west-2"


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
    from caseops.cases.generator import FAMILY_NAMES, generate
    from caseops.domain.grading.judged import reply_credit
    from caseops.statemachine.agents import stuffing_reply

    cases = [*SEED_SCENARIOS.values(), *(generate(f, s) for f in FAMILY_NAMES for s in range(3))]
    text = stuffing_reply(cases)
    assert max(reply_credit(s.gold, text, 1).earned for s in cases) == 0
