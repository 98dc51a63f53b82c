"""Requirement 6: hostile input.

``test_rel_schemathesis.py`` runs schemathesis over the live server's OpenAPI document;
here every operation of that document is also fuzzed with hand-written hypothesis
strategies, in process and on PostgreSQL too: random JSON bodies (and bodies shaped like
the declared request, with random values), random query and path parameters. No answer may
be a 5xx, and every 2xx must validate (jsonschema) against the response schema the
document declares. Bodies over ``CASEOPS_MAX_BODY_BYTES`` are 413, with or without a
``Content-Length``. A hypothesis fuzz of WebSocket messages on one ``/ws`` session never
disturbs a neighbouring session, which finishes its episode. Prints the fuzz case counts.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import jsonschema
import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from rel_support import ServerPool, empty_database, fuzz_settings, oracle_wire
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from caseops.api.app import create_caseops_app
from caseops.api.settings import Settings
from caseops.domain.vocab import (
    ACTION_TYPES,
    ISSUE_TYPES,
    PRIORITIES,
    QUEUES,
    REQUESTABLE_FIELDS,
    RESOLUTION_CODES,
)

TASK = "damaged_mug_replacement"
FUZZ_COUNTS: dict[str, int] = {}
STATUS_TALLY: dict[str, int] = {}
MAX_ERROR_BODY = 64 * 1024  # a 4xx never echoes a large input back


def _count(kind: str, n: int = 1) -> None:
    FUZZ_COUNTS[kind] = FUZZ_COUNTS.get(kind, 0) + n


@pytest.fixture(scope="module", autouse=True)
def _print_fuzz_counts() -> Iterator[None]:
    yield
    total = sum(FUZZ_COUNTS.values())
    detail = ", ".join(f"{k} {v}" for k, v in sorted(FUZZ_COUNTS.items()))
    statuses = ", ".join(f"{k} {v}" for k, v in sorted(STATUS_TALLY.items()))
    print(f"\n[hostile] fuzz cases run: {total} ({detail}); HTTP answers: {statuses}")


# ------------------------------------------------------------------------------------
# OpenAPI fuzz (in process)
# ------------------------------------------------------------------------------------
_json_leaf = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
    | st.sampled_from(
        ["", "\x00", "'; DROP TABLE caseops_events; --", "../../etc/passwd", "é" * 300]
    )
)
JSON = st.recursive(
    _json_leaf,
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=20,
)
HUGE_TEXT = st.integers(min_value=4001, max_value=200_000).map(lambda n: "x" * n)
ODD_TEXT = st.sampled_from(["", " ", "\x00", "%", "..", "💥", "\u202e", "a" * 65])
TEXTISH = st.text(max_size=80) | HUGE_TEXT | ODD_TEXT
#: for URLs (query and path): long, but within what an HTTP client will send
URL_TEXT = (
    st.text(max_size=80)
    | st.integers(min_value=65, max_value=6000).map(lambda n: "y" * n)
    | ODD_TEXT
)


#: free text an agent may legitimately send, hostile in content but within the limits
AGENT_TEXT = (
    st.text(max_size=300)
    | ODD_TEXT
    | st.sampled_from(
        ["'; DROP TABLE caseops_events; --", "<script>alert(1)</script>", "{{7*7}}", "é" * 4000]
    )
)


def _valid_action() -> st.SearchStrategy[dict[str, Any]]:
    """Actions that pass the schema (so they reach the state machine and the store)."""
    return st.fixed_dictionaries(
        {"action_type": st.sampled_from(ACTION_TYPES)},
        optional={
            "artifact_id": st.sampled_from(["order", "shipment", "payment", "x"]) | ODD_TEXT,
            "query": AGENT_TEXT.map(lambda t: t[:200]),
            "message": AGENT_TEXT,
            "note": AGENT_TEXT,
            "queue": st.sampled_from(QUEUES),
            "priority": st.sampled_from(PRIORITIES),
            "issue_type": st.sampled_from(ISSUE_TYPES),
            "requested_fields": st.lists(st.sampled_from(REQUESTABLE_FIELDS), max_size=10),
            "resolution_code": st.sampled_from(RESOLUTION_CODES),
            "metadata": st.dictionaries(st.text(max_size=8), _json_leaf, max_size=3),
        },
    )


def _hostile_action() -> st.SearchStrategy[dict[str, Any]]:
    fields = {
        "action_type": st.sampled_from(ACTION_TYPES) | TEXTISH | JSON,
        "artifact_id": TEXTISH | st.sampled_from(["order", "shipment", "payment"]),
        "query": TEXTISH,
        "message": TEXTISH,
        "note": TEXTISH,
        "queue": st.sampled_from(QUEUES) | TEXTISH,
        "priority": st.sampled_from(PRIORITIES) | TEXTISH,
        "issue_type": st.sampled_from(ISSUE_TYPES) | TEXTISH,
        "requested_fields": st.lists(st.sampled_from(REQUESTABLE_FIELDS) | TEXTISH, max_size=12)
        | JSON,
        "resolution_code": st.sampled_from(RESOLUTION_CODES) | TEXTISH,
        "metadata": JSON,
        "extra_field": JSON,
    }
    return st.fixed_dictionaries(
        {"action_type": fields.pop("action_type")},
        optional=fields,  # type: ignore[arg-type]
    )


def _action() -> st.SearchStrategy[dict[str, Any]]:
    return _valid_action() | _hostile_action()


_SHAPED_BODIES: dict[str, st.SearchStrategy[Any]] = {
    "/reset": st.fixed_dictionaries(
        {},
        optional={
            "seed": st.integers(min_value=-(2**70), max_value=2**70) | JSON,
            "episode_id": TEXTISH,
            "task_id": st.sampled_from([TASK, "train/0", "nope"]) | TEXTISH,
            "split": st.sampled_from(["seed", "train", "validation", "test"]) | TEXTISH,
            "junk": JSON,
        },
    ),
    "/step": st.fixed_dictionaries(
        {"action": _action() | JSON},
        optional={
            "episode_id": st.just("@live") | TEXTISH,
            "timeout_s": st.floats(allow_nan=False, allow_infinity=False) | JSON,
            "request_id": TEXTISH,
            "junk": JSON,
        },
    ),
    "/mcp": st.fixed_dictionaries(
        {
            "jsonrpc": st.just("2.0") | JSON,
            "method": TEXTISH | st.sampled_from(["tools/list", "tools/call"]),
        },
        optional={"id": JSON, "params": JSON},
    ),
}


class Fuzzer:
    """The app on one store, its OpenAPI document and one live episode id."""

    def __init__(self, url: str, backend: str) -> None:
        self.url = url
        self.backend = backend
        self.app = create_caseops_app(settings=Settings(database_url=self.url))
        self.client = TestClient(self.app, raise_server_exceptions=False)
        self.doc = self.client.get("/openapi.json").json()
        self.episode = self.new_episode()

    def new_episode(self) -> str:
        r = self.client.post("/reset", json={"task_id": TASK})
        assert r.status_code == 200
        return str(r.json()["observation"]["episode_id"])

    def response_schema(self, path: str, method: str, status: int) -> dict[str, Any] | None:
        responses = self.doc["paths"][path][method].get("responses", {})
        entry = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX")
        if entry is None:
            return None
        schema = entry.get("content", {}).get("application/json", {}).get("schema")
        if not schema:
            return None
        return {**schema, "components": self.doc.get("components", {})}

    def check(self, path: str, method: str, r: httpx.Response, sent: Any) -> None:
        assert r.status_code < 500, (method, path, sent, r.status_code, r.text[:500])
        if 200 <= r.status_code < 300:
            schema = self.response_schema(path, method, r.status_code)
            if schema is not None:
                try:
                    jsonschema.validate(r.json(), schema, cls=jsonschema.Draft202012Validator)
                except jsonschema.ValidationError as e:
                    raise AssertionError(f"{method} {path} -> {r.status_code}: {e.message}") from e
        elif 400 <= r.status_code < 500:
            assert len(r.content) <= MAX_ERROR_BODY, (method, path, len(r.content))

    def close(self) -> None:
        self.client.close()
        self.app.state.service.store.dispose()


def _query_strategy(params: list[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for p in params:
        if p.get("in") != "query":
            continue
        typ = p.get("schema", {}).get("type")
        values: st.SearchStrategy[Any] = URL_TEXT | st.integers(min_value=-(2**64), max_value=2**64)
        if typ == "integer":
            values = st.integers(min_value=-(2**64), max_value=2**64) | values
        if p["name"] == "episode_id":
            values = st.just("@live") | values
        optional[p["name"]] = values
    optional["unexpected"] = URL_TEXT
    return st.fixed_dictionaries({}, optional=optional)


def fuzz_operation(fuzzer: Fuzzer, path: str, method: str, examples: int) -> None:
    """Fuzz one operation of the document: no 5xx; 2xx bodies match their schema."""
    op = fuzzer.doc["paths"][path][method]
    params = op.get("parameters", [])
    path_params = [p["name"] for p in params if p.get("in") == "path"]
    has_body = "requestBody" in op
    body_strategy: st.SearchStrategy[Any] = st.none()
    if has_body:
        body_strategy = _SHAPED_BODIES.get(path, st.nothing()) | JSON
    path_value = st.just("@live") | URL_TEXT.filter(bool)
    label = f"{fuzzer.backend} {method.upper()} {path}"

    @fuzz_settings(examples)
    @given(
        query=_query_strategy(params),
        path_values=st.fixed_dictionaries({n: path_value for n in path_params}),
        body=body_strategy,
        raw=st.integers(min_value=0, max_value=9).map(lambda n: n == 0),
    )
    def run(query: dict[str, Any], path_values: dict[str, str], body: Any, raw: bool) -> None:
        _count(label)
        url = path
        for name, value in path_values.items():
            value = fuzzer.episode if value == "@live" else value
            url = url.replace("{" + name + "}", quote(value, safe=""))
        if isinstance(body, dict) and body.get("episode_id") == "@live":
            body = {**body, "episode_id": fuzzer.episode}
        if query.get("episode_id") == "@live":
            query["episode_id"] = fuzzer.episode
        kwargs: dict[str, Any] = {"params": {k: str(v) for k, v in query.items()}}
        if has_body:
            if raw:  # not JSON: bytes as a broken or hostile client sends them
                kwargs["content"] = json.dumps(body)[:-1].encode() if body else b"\xff\xfe{"
                kwargs["headers"] = {"content-type": "application/json"}
            else:
                kwargs["json"] = body
        r = fuzzer.client.request(method.upper(), url, **kwargs)
        fuzzer.check(path, method, r, body)
        STATUS_TALLY[f"{r.status_code // 100}xx"] = (
            STATUS_TALLY.get(f"{r.status_code // 100}xx", 0) + 1
        )
        if r.status_code == 409 and r.json().get("error") == "EpisodeAlreadyEnded":
            fuzzer.episode = fuzzer.new_episode()

    run()


def _operations() -> list[tuple[str, str]]:
    app = create_caseops_app(settings=Settings(database_url="sqlite://"))
    try:
        doc = app.openapi()
        return [(p, m) for p, item in doc["paths"].items() for m in item]
    finally:
        app.state.service.store.dispose()


OPERATIONS = _operations()
EXAMPLES = {"/step": 400, "/reset": 120}
#: the operations that take caller strings to the database, fuzzed on PostgreSQL too
DB_OPERATIONS = [
    (p, m)
    for p, m in OPERATIONS
    if p in ("/reset", "/step", "/state") or p.startswith("/episodes/{")
]


@pytest.fixture(scope="module")
def fuzzer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzer]:
    f = Fuzzer(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.db'}", "sqlite")
    with f.client:
        yield f
    f.close()


@pytest.fixture(scope="module")
def pg_fuzzer(reliability_pg: str) -> Iterator[Fuzzer]:
    empty_database(reliability_pg)
    f = Fuzzer(reliability_pg, "postgresql")
    with f.client:
        yield f
    f.close()


def test_openapi_document_lists_the_routes() -> None:
    paths = {p for p, _ in OPERATIONS}
    assert {"/reset", "/step", "/state", "/tasks", "/episodes", "/audit/rejections"} <= paths
    assert len(OPERATIONS) >= 14


@pytest.mark.parametrize(
    ("path", "method"), OPERATIONS, ids=[f"{m.upper()} {p}" for p, m in OPERATIONS]
)
def test_fuzz_openapi_operation(fuzzer: Fuzzer, path: str, method: str) -> None:
    fuzz_operation(fuzzer, path, method, EXAMPLES.get(path, 60))


@pytest.mark.parametrize(
    ("path", "method"), DB_OPERATIONS, ids=[f"{m.upper()} {p}" for p, m in DB_OPERATIONS]
)
def test_fuzz_openapi_operation_postgresql(pg_fuzzer: Fuzzer, path: str, method: str) -> None:
    fuzz_operation(pg_fuzzer, path, method, EXAMPLES.get(path, 40) // 2)


# ------------------------------------------------------------------------------------
# Body size limit
# ------------------------------------------------------------------------------------
def test_bodies_over_the_limit_are_413_with_content_length(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'limit.db'}"
    for limit in (1_048_576, 4096):
        app = create_caseops_app(settings=Settings(database_url=url, max_body_bytes=limit))
        with TestClient(app, raise_server_exceptions=False) as c:
            for path in ("/reset", "/step", "/mcp"):
                over = b'{"junk": "' + b"x" * limit + b'"}'
                r = c.post(path, content=over, headers={"content-type": "application/json"})
                assert r.status_code == 413, (limit, path, r.status_code)
                assert "exceeds" in r.json()["detail"]
            # at the limit is not refused for its size
            eid = c.post("/reset", json={"task_id": TASK}).json()["observation"]["episode_id"]
            body = {"episode_id": eid, "action": {"action_type": "review_ticket"}, "request_id": ""}
            pad = limit - len(json.dumps(body).encode())
            body["request_id"] = "r" * min(pad, 255)
            raw = json.dumps(body).encode()
            raw = raw[:-1] + b" " * (limit - len(raw)) + b"}"
            assert len(raw) == limit
            r = c.post("/step", content=raw, headers={"content-type": "application/json"})
            assert r.status_code == 200, r.text[:300]
        app.state.service.store.dispose()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One live SQLite server shared by the tests below."""
    d = tmp_path_factory.mktemp("hostile-live")
    pool = ServerPool(d)
    try:
        yield pool.one(f"sqlite:///{d / 'live.db'}")
    finally:
        pool.close()


def test_body_over_the_limit_is_413_on_a_live_server(live: Any) -> None:
    over = b'{"junk": "' + b"x" * 1_048_576 + b'"}'
    with httpx.Client(timeout=30) as c:
        for path in ("/reset", "/step", "/mcp"):
            r = c.post(
                f"{live.base_url}{path}", content=over, headers={"content-type": "application/json"}
            )
            assert r.status_code == 413, (path, r.status_code)
        assert c.get(f"{live.base_url}/health").status_code == 200


def test_chunked_body_over_the_limit_is_413(live: Any) -> None:
    """A body sent without Content-Length (chunked) is held to the same limit."""
    chunk = b"x" * 65536
    sent = {"bytes": 0}

    def body() -> Iterator[bytes]:
        yield b'{"junk": "'
        for _ in range(32):  # 2 MiB, twice the default limit
            sent["bytes"] += len(chunk)
            yield chunk
        yield b'"}'

    with httpx.Client(timeout=30) as c:
        r = c.post(
            f"{live.base_url}/step", content=body(), headers={"content-type": "application/json"}
        )
    assert "content-length" not in {k.lower() for k in r.request.headers}
    assert r.status_code == 413, (
        f"a {sent['bytes']} byte chunked body was read whole and answered "
        f"{r.status_code}: {r.text[:200]}"
    )


# ------------------------------------------------------------------------------------
# WebSocket fuzz
# ------------------------------------------------------------------------------------
def _ws(base_url: str) -> ClientConnection:
    return connect(
        base_url.replace("http://", "ws://") + "/ws",
        open_timeout=10,
        close_timeout=2,
        max_size=None,
    )


def _call(ws: ClientConnection, msg: dict[str, Any], timeout: float = 15) -> dict[str, Any]:
    ws.send(json.dumps(msg))
    return dict(json.loads(ws.recv(timeout=timeout)))


WS_MESSAGES = (
    JSON.map(json.dumps)
    | st.fixed_dictionaries(
        {"type": st.sampled_from(["reset", "step", "state", "mcp", "close", "nope"]) | JSON},
        optional={"data": JSON | _action() | _SHAPED_BODIES["/reset"]},
    ).map(json.dumps)
    | st.text(max_size=200)
    | st.integers(min_value=10_000, max_value=1_500_000).map(
        lambda n: json.dumps(
            {"type": "step", "data": {"action_type": "add_internal_note", "note": "n" * n}}
        )
    )
    | st.binary(max_size=300)
)


def test_websocket_fuzz_never_disturbs_a_neighbour_session(live: Any) -> None:
    base = live.base_url
    actions = oracle_wire(TASK)
    neighbour = _ws(base)
    fuzzed: dict[str, Any] = {"ws": _ws(base), "reconnects": 0}
    lock = threading.Lock()
    try:
        first = _call(neighbour, {"type": "reset", "data": {"task_id": TASK}})
        assert first["type"] == "observation", first
        eid = first["data"]["observation"]["episode_id"]
        progress = {"k": 0}

        def neighbour_step() -> None:
            k = progress["k"]
            if k >= len(actions) - 1:  # keep the last step for the end
                got = _call(neighbour, {"type": "state"})
                assert got["type"] == "state" and got["data"]["episode_id"] == eid, got
                return
            got = _call(neighbour, {"type": "step", "data": actions[k]})
            assert got["type"] == "observation", got
            assert got["data"]["observation"]["step"] == k + 1, got
            assert got["data"]["observation"]["episode_id"] == eid
            progress["k"] = k + 1

        @fuzz_settings(150)
        @given(msg=WS_MESSAGES)
        def run(msg: str | bytes) -> None:
            _count("ws message")
            with lock:
                ws: ClientConnection = fuzzed["ws"]
                try:
                    ws.send(msg)
                    answer = json.loads(ws.recv(timeout=10))
                    assert answer.get("type") in ("observation", "state", "error", "mcp"), answer
                except ConnectionClosed:
                    # this session may die of its own input (close, binary, too big); a
                    # message left unanswered (TimeoutError) fails the test
                    ws.close()
                    fuzzed["ws"] = _ws(base)
                    fuzzed["reconnects"] += 1
                neighbour_step()

        run()
        while progress["k"] < len(actions) - 1:
            neighbour_step()
        last = _call(neighbour, {"type": "step", "data": actions[-1]})
        assert last["type"] == "observation" and last["data"]["done"] is True, last
        with httpx.Client(timeout=30) as c:
            rep = c.get(f"{base}/episodes/{eid}/replay")
            assert rep.status_code == 200 and rep.json()["matches"] is True
            assert c.get(f"{base}/health").status_code == 200
        print(f"\n[hostile] ws fuzz session reconnected {fuzzed['reconnects']} times")
    finally:
        neighbour.close()
        fuzzed["ws"].close()


def test_two_ws_sessions_cannot_share_an_episode(live: Any) -> None:
    """Each WebSocket session owns its episode: a second session cannot start (take over)
    an episode id that exists, and its steps never land in the first session's stream."""
    base = live.base_url
    actions = oracle_wire(TASK)
    first, second = _ws(base), _ws(base)
    try:
        a = _call(first, {"type": "reset", "data": {"task_id": TASK}})
        eid = a["data"]["observation"]["episode_id"]
        taken = _call(second, {"type": "reset", "data": {"episode_id": eid, "task_id": TASK}})
        assert taken["type"] == "error", taken
        b = _call(second, {"type": "reset", "data": {"task_id": TASK}})
        other = b["data"]["observation"]["episode_id"]
        assert other != eid
        for k in range(3):
            got_a = _call(first, {"type": "step", "data": actions[k]})
            got_b = _call(second, {"type": "step", "data": actions[k]})
            assert got_a["data"]["observation"]["episode_id"] == eid
            assert got_b["data"]["observation"]["episode_id"] == other
            assert got_a["data"]["observation"]["step"] == k + 1
            assert got_b["data"]["observation"]["step"] == k + 1
        with httpx.Client(timeout=30) as c:
            for e in (eid, other):
                events = c.get(f"{base}/episodes/{e}/events").json()["events"]
                assert [ev["version"] for ev in events] == list(range(1, len(events) + 1))
                assert (
                    sum(1 for ev in events if "step" in ev["payload"] and "action" in ev["payload"])
                    == 3
                )
    finally:
        first.close()
        second.close()
