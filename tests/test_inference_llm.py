"""The baseline's model path end to end: ``inference.py`` against a scripted
OpenAI-compatible server (``scripted_llm``), in-process and over HTTP against a live
CaseOps server. Asserts the request shapes (system prompt first, the task statement
next, strict alternation, the history budget), the protocol lines, the scores and the
fallback accounting on stderr."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from typing import Any

import pytest
from conftest import LiveServer, clean_env, sqlite_url
from scripted_llm import Recorded, ScriptedLLM, serve
from test_inference import blocks

from caseops.api.service import EpisodeService
from caseops.cases.catalog import get_scenario, list_scenarios
from caseops.eventstore import EventStore
from caseops.inference import (
    FAILURES_BEFORE_FALLBACK,
    PARSE_RETRY_PROMPT,
    SYSTEM_PROMPT,
    Conversation,
    LocalEnv,
    ModelConfig,
    OpenAIChat,
    render_task,
    run,
    size,
)
from caseops.statemachine.agents import oracle_actions

SEED = [s.task_id for s in list_scenarios("seed")]
#: The history budget of the runs here: small enough that long cases drop turns.
BUDGET = 6000
TIMEOUT_S = 0.5
RETRIES = 1
STATS = re.compile(r"^\[stats\] task=(\S+) (.*)$", re.M)
RETRY_MARK = PARSE_RETRY_PROMPT.split("{", 1)[0]


@dataclass
class Run:
    """One in-process run of the baseline: its output and the requests it sent."""

    model: str
    tasks: list[str]
    stdout: str
    stderr: str
    scores: list[float]
    requests: list[Recorded]

    def stats(self) -> dict[str, dict[str, str]]:
        """Each task's ``[stats]`` line as a dict."""
        out = {}
        for task, rest in STATS.findall(self.stderr):
            out[task] = dict(kv.split("=", 1) for kv in rest.split())
        return out

    def steps(self) -> dict[str, int]:
        """Each task's steps, from its ``[END]`` line."""
        return {b["task"]: int(b["end"].group(2)) for b in blocks(self.stdout)}

    def end_scores(self) -> dict[str, str]:
        return {b["task"]: b["end"].group(3) for b in blocks(self.stdout)}


@pytest.fixture(scope="module")
def llm() -> Iterator[tuple[ScriptedLLM, str]]:
    scripted = ScriptedLLM()
    with serve(scripted) as url:
        yield scripted, url


def play_inprocess(
    llm: tuple[ScriptedLLM, str],
    model: str | None,
    tasks: list[str],
    **overrides: Any,
) -> Run:
    """Run the baseline in this process on an in-memory store, with ``model`` on the
    scripted server (``None``: no model, the fallback alone)."""
    scripted, url = llm
    before = len(scripted.of(model or ""))
    config = None
    chat = None
    if model is not None:
        settings = {
            "timeout_s": TIMEOUT_S,
            "max_retries": RETRIES,
            "history_chars": BUDGET,
            **overrides,
        }
        config = ModelConfig(base_url=url, model=model, api_key="test-key", **settings)
        chat = OpenAIChat(config)
    store = EventStore("sqlite://")
    out, err = io.StringIO(), io.StringIO()
    try:
        with redirect_stdout(out), redirect_stderr(err):
            scores = run(LocalEnv(EpisodeService(store)), tasks, chat, config)
    finally:
        store.dispose()
        if chat is not None:
            chat.close()
    requests = scripted.of(model)[before:] if model else []
    return Run(model or "fallback", tasks, out.getvalue(), err.getvalue(), scores, requests)


MODELS = {
    "good": SEED,
    "broken": SEED,
    "fixes-on-retry": SEED,
    "invalid": SEED,
    "ratelimit": SEED[:2],
    "hang": SEED[:2],
}


@pytest.fixture(scope="module")
def runs(llm: tuple[ScriptedLLM, str]) -> dict[str, Run]:
    out = {model: play_inprocess(llm, model, tasks) for model, tasks in MODELS.items()}
    out["fallback"] = play_inprocess(llm, None, SEED)
    return out


def oracle_score(task_id: str) -> str:
    """The oracle's score on ``task_id``, as ``[END]`` prints it."""
    store = EventStore("sqlite://")
    try:
        svc = EpisodeService(store)
        _, obs = svc.start(task_id=task_id)
        for action in oracle_actions(get_scenario(task_id)):
            _, obs = svc.step(obs.episode_id, action)
        return f"{svc.state(obs.episode_id).score:.3f}"
    finally:
        store.dispose()


# ------------------------------------------------------------------------------------
# Request shapes
# ------------------------------------------------------------------------------------
def assert_well_formed(req: Recorded, budget: int) -> None:
    msgs = req.messages
    roles = [m["role"] for m in msgs]
    assert msgs[0] == {"role": "system", "content": SYSTEM_PROMPT}
    assert roles[1] == "user" and msgs[1]["content"].startswith("TASK task=")
    assert roles[1:] == ["user", "assistant"] * ((len(roles) - 2) // 2) + ["user"], roles
    assert all(isinstance(m["content"], str) and m["content"] for m in msgs)
    if msgs[-1]["content"].startswith(RETRY_MARK):
        msgs = msgs[:-2]  # a parse retry: the request before it, the reply, the error
    # within the budget, unless only what is never dropped is left (system, task, newest)
    assert size(msgs) <= budget or len(msgs) <= 4, (size(msgs), len(msgs))


@pytest.mark.parametrize("model", list(MODELS))
def test_every_request_is_well_formed(runs: dict[str, Run], model: str) -> None:
    run_ = runs[model]
    assert run_.requests
    for req in run_.requests:
        assert_well_formed(req, BUDGET)
    # each task's requests share the same task statement, which no cut removes
    for task in run_.tasks:
        own = [r for r in run_.requests if r.messages[1]["content"].startswith(f"TASK task={task}")]
        assert own, task
        statement = render_task(_first_observation(task))
        assert all(r.messages[1]["content"].startswith(statement) for r in own)


def _first_observation(task_id: str) -> dict[str, Any]:
    store = EventStore("sqlite://")
    try:
        _, obs = EpisodeService(store).start(task_id=task_id)
        return obs.model_dump(mode="json")
    finally:
        store.dispose()


def test_the_history_is_cut_to_the_budget_oldest_turns_first(runs: dict[str, Run]) -> None:
    reqs = runs["good"].requests
    cut = [
        r
        for r in reqs
        if "are left out to keep this conversation short" in r.messages[1]["content"]
    ]
    assert cut, "no request of the good model needed a cut at this budget"
    for r in cut:
        # a cut keeps the newest turns: the step numbers left out run from 1 and end
        # just before the first step still shown
        first = r.messages[1]["content"]
        m = re.search(r"\[Steps (\d+)-(\d+) are left out", first)
        assert m and m.group(1) == "1"
        shown = re.findall(
            r"OBSERVATION step=(\d+)", "\n".join(x["content"] for x in r.messages[3::2])
        )
        assert int(shown[0]) == int(m.group(2)) + 1
    # not every request is the bare minimum: the budget keeps what fits
    assert any(len(r.messages) > 4 for r in reqs)
    # only the newest user turn has the case file; older ones are one line each
    for r in reqs:
        users = [x["content"] for x in r.messages if x["role"] == "user"]
        assert all("CASE FILE" not in u for u in users[1:-1])


def test_the_newest_turn_carries_the_case_file(runs: dict[str, Run]) -> None:
    reqs = runs["good"].requests
    late = [r for r in reqs if "CASE FILE (" in r.messages[-1]["content"]]
    assert late
    with_artifact = [r for r in late if "[artifact:" in r.messages[-1]["content"]]
    assert with_artifact
    # the content of an inspected artifact is there, word for word
    task = re.match(r"TASK task=(\S+)", with_artifact[-1].messages[1]["content"])
    assert task
    scenario = get_scenario(task.group(1))
    text = with_artifact[-1].messages[-1]["content"]
    shown = re.findall(r"^\[artifact:([^\]]+)\]", text, re.M)
    assert shown
    for art in shown:
        assert scenario.artifacts[art].content in text


# ------------------------------------------------------------------------------------
# Protocol lines, scores, accounting
# ------------------------------------------------------------------------------------
@pytest.mark.parametrize("model", [*MODELS, "fallback"])
def test_protocol_lines_and_one_stats_line_per_task(runs: dict[str, Run], model: str) -> None:
    run_ = runs[model]
    bs = blocks(run_.stdout)
    assert [b["task"] for b in bs] == run_.tasks
    assert all(b["model"] == model for b in bs)
    for b in bs:
        end = b["end"]
        assert end is not None and int(end.group(2)) == len(b["steps"])
        assert b["steps"][-1].group(4) == "true"
    assert list(run_.stats()) == run_.tasks
    assert "[stats] total " in run_.stderr


def test_scores_of_the_scripted_models(runs: dict[str, Run]) -> None:
    fallback = runs["fallback"].end_scores()
    oracle = {t: oracle_score(t) for t in SEED}
    for model in ("good", "fixes-on-retry", "ratelimit"):
        got = runs[model].end_scores()
        assert got == {t: oracle[t] for t in got}, model
    for model in ("broken", "invalid", "hang"):
        got = runs[model].end_scores()
        assert got == {t: fallback[t] for t in got}, model


def test_accounting_good(runs: dict[str, Run]) -> None:
    r = runs["good"]
    for task, s in r.stats().items():
        n = r.steps()[task]
        assert s["model_calls"] == s["http_requests"] == str(n)
        assert s["parse_failures"] == s["fallback_steps"] == s["invalid_actions"] == "0"
        assert s["prompt_tokens"] == str(100 * n)  # the server reports 100 per call
        assert int(s["completion_tokens"]) > 0
    assert len(r.requests) == sum(r.steps().values())


def test_accounting_broken_json_is_retried_once_then_the_fallback_plays(
    runs: dict[str, Run],
) -> None:
    r = runs["broken"]
    for task, s in r.stats().items():
        n = r.steps()[task]
        assert s["model_calls"] == s["parse_failures"] == str(2 * n)
        assert s["fallback_steps"] == str(n)
        assert s["prompt_tokens"] == s["completion_tokens"] == "n/a"  # no usage reported
    retries = [q for q in r.requests if q.messages[-1]["content"].startswith(RETRY_MARK)]
    assert len(retries) == len(r.requests) // 2
    for q in retries:  # the retry shows the reply and why it failed
        assert q.messages[-2]["role"] == "assistant"
        assert "no JSON object with an action_type" in q.messages[-1]["content"]
    # the next turn tells the model who chose the action played
    later = [q.messages[3]["content"] for q in r.requests if len(q.messages) > 3]
    assert any("the fallback policy chose this action" in c for c in later)


def test_accounting_fixes_on_retry(runs: dict[str, Run]) -> None:
    r = runs["fixes-on-retry"]
    for task, s in r.stats().items():
        n = r.steps()[task]
        assert (s["model_calls"], s["parse_failures"]) == (str(2 * n), str(n))
        assert s["fallback_steps"] == "0"


def test_accounting_invalid_actions(runs: dict[str, Run]) -> None:
    r = runs["invalid"]
    for task, s in r.stats().items():
        n = r.steps()[task]
        assert s["invalid_actions"] == s["fallback_steps"] == s["model_calls"] == str(n)
    # the refused action played no step: the [STEP] lines show the fallback's
    for b in blocks(r.stdout):
        assert all("fly_to_the_moon" not in m.group(2) for m in b["steps"])
    later = [q.messages[-1]["content"] for q in r.requests if len(q.messages) > 2]
    assert any("was refused" in c for c in later)


def test_accounting_rate_limits_are_retried_after_the_wait_asked(runs: dict[str, Run]) -> None:
    r = runs["ratelimit"]
    for task, s in r.stats().items():
        n = r.steps()[task]
        assert s["model_calls"] == str(n)
        assert s["http_requests"] == str(2 * n)  # each call refused once, then answered
        assert s["call_failures"] == s["fallback_steps"] == "0"
    statuses = [q.status for q in r.requests]
    assert statuses.count(429) + statuses.count(503) == statuses.count(200)
    assert 503 in statuses
    # the retry of a 429 with ``Retry-After: 1`` came no sooner than a second later
    for i, q in enumerate(r.requests):
        if q.status == 429 and "OBSERVATION step=0" in q.messages[-1]["content"]:
            again = next(x for x in r.requests[i + 1 :] if x.messages == q.messages)
            assert again.status == 200
            assert again.at - q.at >= 0.95


def test_accounting_a_hanging_model_times_out_and_the_fallback_plays(
    runs: dict[str, Run],
) -> None:
    r = runs["hang"]
    for task, s in r.stats().items():
        n = r.steps()[task]
        assert s["model_calls"] == s["call_failures"] == str(FAILURES_BEFORE_FALLBACK)
        assert s["http_requests"] == str(FAILURES_BEFORE_FALLBACK * (1 + RETRIES))
        assert s["fallback_steps"] == str(n)
    assert "Timeout" in r.stderr
    assert len(r.requests) == len(r.tasks) * FAILURES_BEFORE_FALLBACK * (1 + RETRIES)


def test_total_line_sums_the_tasks(runs: dict[str, Run]) -> None:
    r = runs["broken"]
    total = re.search(r"^\[stats\] total (.*)$", r.stderr, re.M)
    assert total
    t = dict(kv.split("=", 1) for kv in total.group(1).split())
    per = r.stats().values()
    for key in ("model_calls", "parse_failures", "fallback_steps"):
        assert int(t[key]) == sum(int(s[key]) for s in per)


def test_the_run_cap_bounds_model_calls(llm: tuple[ScriptedLLM, str]) -> None:
    r = play_inprocess(llm, "good", SEED[:2], max_calls=5)
    assert len(r.requests) == 5
    stats = r.stats()
    assert sum(int(s["model_calls"]) for s in stats.values()) == 5
    first, second = SEED[:2]
    assert stats[second]["model_calls"] == "0"
    assert stats[second]["fallback_steps"] == str(r.steps()[second])
    assert int(stats[first]["fallback_steps"]) == r.steps()[first] - 5
    assert "cap reached" in r.stderr


def test_a_score_the_observation_leaves_out_is_read_from_the_grade_report() -> None:
    """A reward mode that scores only at the end shows ``current_score`` as None."""

    class Terminal(LocalEnv):
        @staticmethod
        def _wrap(obs: Any) -> dict[str, Any]:
            data = LocalEnv._wrap(obs)
            data["observation"]["current_score"] = None
            return data

    store = EventStore("sqlite://")
    out, err = io.StringIO(), io.StringIO()
    try:
        with redirect_stdout(out), redirect_stderr(err):
            scores = run(Terminal(EpisodeService(store)), SEED[:1], None, None)
    finally:
        store.dispose()
    (b,) = blocks(out.getvalue())
    assert b["end"].group(3) == runs_fallback_score(SEED[0]) == f"{scores[0]:.3f}"


def runs_fallback_score(task: str) -> str:
    store = EventStore("sqlite://")
    out = io.StringIO()
    try:
        with redirect_stdout(out), redirect_stderr(io.StringIO()):
            run(LocalEnv(EpisodeService(store)), [task], None, None)
    finally:
        store.dispose()
    return blocks(out.getvalue())[0]["end"].group(3)


# ------------------------------------------------------------------------------------
# Over HTTP: inference.py as a process against a live CaseOps server
# ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    workdir = tmp_path_factory.mktemp("live")
    server = LiveServer(sqlite_url(workdir, "http.db"), workdir)
    try:
        server.wait_healthy()
        yield server
    finally:
        server.stop()


@pytest.mark.parametrize("model", ["good", "broken"])
def test_over_http_against_a_live_server(
    llm: tuple[ScriptedLLM, str],
    runs: dict[str, Run],
    live: LiveServer,
    tmp_path: Any,
    model: str,
) -> None:
    scripted, url = llm
    before = len(scripted.of(model))
    server = live
    store = EventStore(server.db_url)
    try:
        known = set(store.stream_ids())
    finally:
        store.dispose()
    proc = subprocess.run(
        [sys.executable, "-m", "caseops.inference", "--limit", "2"],
        env=clean_env(
            ENV_BASE_URL=server.base_url,
            API_BASE_URL=url,
            MODEL_NAME=model,
            OPENAI_API_KEY="test-key",
            CASEOPS_HISTORY_CHARS=str(BUDGET),
            CASEOPS_MODEL_TIMEOUT="10",
        ),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    bs = blocks(proc.stdout)
    assert [b["task"] for b in bs] == SEED[:2]
    assert all(b["model"] == model for b in bs)
    # the same scores, steps and accounting as in-process
    inproc = runs[model]
    assert {b["task"]: b["end"].group(3) for b in bs} == {
        t: inproc.end_scores()[t] for t in SEED[:2]
    }
    http_stats = {
        t: dict(kv.split("=", 1) for kv in rest.split()) for t, rest in STATS.findall(proc.stderr)
    }
    assert http_stats == {t: inproc.stats()[t] for t in SEED[:2]}
    sent = scripted.of(model)[before:]
    assert len(sent) == sum(int(s["http_requests"]) for s in http_stats.values())
    for req in sent:
        assert_well_formed(req, BUDGET)
    # every episode it played is in the server's log and replays
    store = EventStore(server.db_url)
    try:
        svc = EpisodeService(store)
        reps = [svc.replay(eid) for eid in set(store.stream_ids()) - known]
        assert len(reps) == 2 and all(r.matches and r.done for r in reps)
    finally:
        store.dispose()


# ------------------------------------------------------------------------------------
# Pieces
# ------------------------------------------------------------------------------------
def _obs(step: int, case_file_chars: int = 0) -> dict[str, Any]:
    return {
        "task_id": "t",
        "objective": "do it",
        "step": step,
        "remaining_steps": 20 - step,
        "case": {"status": "triaged"},
        "legal_actions": ["classify", "submit"],
        "last_tool_result": f"result of step {step} " + "x" * 400,
        "case_file": [{"evidence_id": "ticket", "title": "T", "content": "c" * case_file_chars}],
    }


@pytest.mark.parametrize("budget", [1, 3000, 6000, 100_000])
def test_conversation_shape_and_budget(budget: int) -> None:
    conv = Conversation(render_task(_obs(0)), _obs(0), budget)
    for step in range(1, 30):
        msgs = conv.request()
        roles = [m["role"] for m in msgs]
        assert roles[:2] == ["system", "user"] and msgs[0]["content"] == SYSTEM_PROMPT
        assert msgs[1]["content"].startswith("TASK task=t")
        assert roles[1:] == ["user", "assistant"] * ((len(roles) - 2) // 2) + ["user"]
        assert size(msgs) <= budget or len(msgs) <= 4
        assert f"OBSERVATION step={step - 1}" in msgs[-1]["content"]
        conv.add({"action_type": "submit"}, _obs(step, 2000), None)
    if budget >= 100_000:
        assert len(conv.request()) == 2 + 2 * 29  # nothing dropped
    else:
        assert "are left out" in conv.request()[1]["content"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CASEOPS_MODEL_TIMEOUT", "soon"),
        ("CASEOPS_MODEL_TIMEOUT", "0"),
        ("CASEOPS_MODEL_RETRIES", "-1"),
        ("CASEOPS_MAX_MODEL_CALLS", "1.5"),
        ("CASEOPS_HISTORY_CHARS", "0"),
    ],
)
def test_bad_settings_name_the_variable(name: str, value: str) -> None:
    env = {"MODEL_NAME": "m", "OPENAI_API_KEY": "k", name: value}
    with pytest.raises(ValueError, match=name):
        ModelConfig.from_env(env)


def test_settings_from_the_environment() -> None:
    assert ModelConfig.from_env({}) is None
    assert ModelConfig.from_env({"MODEL_NAME": "m"}) is None  # no key: the fallback plays
    c = ModelConfig.from_env(
        {
            "MODEL_NAME": "m",
            "HF_TOKEN": "k",
            "API_BASE_URL": "http://127.0.0.1:8080/v1",
            "CASEOPS_MODEL_TIMEOUT": "2.5",
            "CASEOPS_MAX_MODEL_CALLS": "7",
        }
    )
    assert c is not None
    assert (c.base_url, c.model, c.api_key, c.timeout_s, c.max_calls) == (
        "http://127.0.0.1:8080/v1",
        "m",
        "k",
        2.5,
        7,
    )
