"""The event-store contract: one suite, run on SQLite and on PostgreSQL
(docs/architecture.md, "Events and the store")."""

from __future__ import annotations

import itertools
import json
import threading
import uuid
from typing import Any

import pytest
from conftest import oracle_actions, pg_url_or_skip, reset_pg, sqlite_url
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from caseops.api.service import EpisodeService
from caseops.canonical import canonical_json
from caseops.cases.catalog import get_scenario
from caseops.domain.actions import CaseAction
from caseops.eventstore import (
    ConcurrencyError,
    DataError,
    EventStore,
    IntegrityError,
    NewEvent,
    OperationalError,
    StreamNotFound,
)


def ev(kind: str = "Thing", **payload: Any) -> NewEvent:
    return NewEvent(str(uuid.uuid4()), kind, payload or {"n": 1})


def sid() -> str:
    return str(uuid.uuid4())


def count_rows(store: EventStore) -> int:
    with store.engine.connect() as c:
        return int(c.execute(text("SELECT count(*) FROM caseops_events")).scalar_one())


def all_ids(store: EventStore) -> list[str]:
    return [r.event_id for r in store.read_all(limit=100_000)]


# JSON values the store must round-trip: unicode everywhere, ints beyond 64 bits.
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**200), max_value=2**200),
    st.text(max_size=40),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=15,
)


class TestEventStoreContract:
    """Every backend must pass every test here."""

    def test_append_read_round_trip_versions(self, store: EventStore) -> None:
        s = sid()
        batch = [ev("A", i=i) for i in range(3)]
        rec = store.append(s, 0, batch)
        assert [r.version for r in rec] == [1, 2, 3]
        assert [r.event_id for r in rec] == [e.event_id for e in batch]
        assert store.version(s) == 3
        more = [ev("B", i=i) for i in range(2)]
        rec2 = store.append(s, 3, more)
        assert [r.version for r in rec2] == [4, 5]
        got = store.read(s)
        assert [r.version for r in got] == [1, 2, 3, 4, 5]
        assert [r.event_id for r in got] == [e.event_id for e in batch + more]
        assert [r.type for r in got] == ["A", "A", "A", "B", "B"]
        assert [r.payload for r in got] == [e.payload for e in batch + more]
        assert all(r.stream_id == s for r in got)
        # what append returned is what read returns
        for a, b in zip(rec + rec2, got, strict=True):
            assert (a.position, a.version, a.hash, a.prev_hash, a.payload_json) == (
                b.position,
                b.version,
                b.hash,
                b.prev_hash,
                b.payload_json,
            )
        assert [r.version for r in store.read(s, from_version=4)] == [4, 5]
        assert store.verify(s) == []

    def test_empty_append_is_refused(self, store: EventStore) -> None:
        with pytest.raises(ValueError):
            store.append(sid(), 0, [])

    @pytest.mark.parametrize("wrong", [0, 1, 3, 99])
    def test_wrong_expected_version_raises_and_writes_nothing(
        self, store: EventStore, wrong: int
    ) -> None:
        s = sid()
        store.append(s, 0, [ev(), ev()])
        before_rows, before_ids = count_rows(store), all_ids(store)
        intruder = ev("Intruder")
        with pytest.raises(ConcurrencyError):
            store.append(s, wrong, [intruder, ev("Intruder")])
        assert store.version(s) == 2
        assert count_rows(store) == before_rows
        assert all_ids(store) == before_ids
        assert intruder.event_id not in [r.event_id for r in store.read(s)]
        assert store.verify(s) == []

    def test_new_stream_requires_expected_version_zero(self, store: EventStore) -> None:
        s = sid()
        with pytest.raises(ConcurrencyError):
            store.append(s, 1, [ev()])
        assert store.version(s) == 0
        with pytest.raises(StreamNotFound):
            store.read(s)
        assert count_rows(store) == 0

    def test_idempotent_retry_returns_stored_positions(self, store: EventStore) -> None:
        s = sid()
        batch = [ev("A", i=1), ev("B", i=2)]
        first = store.append(s, 0, batch)
        rows = count_rows(store)
        # a client retrying after a lost response sends the same ids again
        again = store.append(s, 0, batch)
        assert [(r.position, r.version, r.event_id, r.hash) for r in again] == [
            (r.position, r.version, r.event_id, r.hash) for r in first
        ]
        assert count_rows(store) == rows
        assert store.version(s) == 2
        # and even once the stream has moved on, the retry is recognised, not re-stored
        store.append(s, 2, [ev("C")])
        third = store.append(s, 0, batch)
        assert [r.position for r in third] == [r.position for r in first]
        assert count_rows(store) == rows + 1
        assert store.verify(s) == []

    def test_partially_reused_ids_raise_integrity_error_and_write_nothing(
        self, store: EventStore
    ) -> None:
        s = sid()
        old = ev("A")
        store.append(s, 0, [old])
        fresh = ev("B")
        with pytest.raises(IntegrityError):
            store.append(s, 1, [old, fresh])
        with pytest.raises(IntegrityError):
            store.append(s, 1, [fresh, old])
        assert store.version(s) == 1
        assert fresh.event_id not in all_ids(store)
        assert count_rows(store) == 1

    def test_event_id_reused_in_another_stream_is_integrity_error(self, store: EventStore) -> None:
        a, b = sid(), sid()
        shared = ev("A")
        store.append(a, 0, [shared])
        with pytest.raises(IntegrityError):
            store.append(b, 0, [NewEvent(shared.event_id, "A", {"n": 1})])
        assert store.version(b) == 0
        assert count_rows(store) == 1

    def test_duplicate_id_inside_one_batch_writes_nothing(self, store: EventStore) -> None:
        s = sid()
        e1 = ev("A")
        dup = NewEvent(e1.event_id, "B", {"n": 2})
        with pytest.raises(IntegrityError):
            store.append(s, 0, [ev("Z"), e1, dup])
        assert store.version(s) == 0
        assert count_rows(store) == 0

    def test_nul_in_ids_is_refused_alike_and_never_found(self, store: EventStore) -> None:
        """Every backend refuses NUL in stream and event ids (PostgreSQL cannot store it),
        and a lookup by such an id is "not found", never a database error."""
        with pytest.raises(DataError):
            store.append("a\x00b", 0, [ev("A")])
        with pytest.raises(DataError):
            store.append(sid(), 0, [NewEvent("e\x00", "A", {"n": 1})])
        assert count_rows(store) == 0
        with pytest.raises(StreamNotFound):
            store.read("a\x00b")
        with pytest.raises(StreamNotFound):
            store.summary("a\x00b")
        assert store.version("a\x00b") == 0
        assert store.find("e\x00") is None
        assert store.verify("a\x00b")

    def test_float_payload_is_refused_and_writes_nothing(self, store: EventStore) -> None:
        s = sid()
        with pytest.raises(TypeError):
            store.append(s, 0, [ev("A"), NewEvent(str(uuid.uuid4()), "B", {"x": 0.5})])
        assert store.version(s) == 0
        assert count_rows(store) == 0

    @pytest.mark.parametrize("existing", [False, True])
    def test_failure_after_the_event_insert_rolls_everything_back(
        self, store: EventStore, existing: bool, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A failure inside the transaction, after the events were inserted but before
        the stream row was written, must leave no trace (nothing half-written)."""
        s = sid()
        if existing:
            store.append(s, 0, [ev("Seed")])
        before = count_rows(store)
        # Inject the failure into the stream-row statement: the recorders run the
        # append's SQL on the driver's cursor, so the statements themselves are replaced.
        broken = "UPDATE caseops_no_such_table SET x = 1"
        for attr in ("new_stream", "move"):
            monkeypatch.setattr(store.recorder.sql, attr, broken)
        batch = [ev("A"), ev("B"), ev("C")]
        with pytest.raises(OperationalError):
            store.append(s, 1 if existing else 0, batch)
        monkeypatch.undo()
        assert count_rows(store) == before
        assert not set(all_ids(store)) & {e.event_id for e in batch}
        assert store.version(s) == (1 if existing else 0)
        # the store still works and the stream is intact
        store.append(s, 1 if existing else 0, [ev("After")])
        assert store.verify(s) == []

    def test_global_positions_follow_append_order_across_streams(self, store: EventStore) -> None:
        a, b, c = sid(), sid(), sid()
        order: list[str] = []
        versions = {a: 0, b: 0, c: 0}
        for stream in [a, b, a, c, b, a, c]:
            batch = [ev("T", s=stream[:4]), ev("U")]
            store.append(stream, versions[stream], batch)
            versions[stream] += 2
            order += [e.event_id for e in batch]
        everything = store.read_all()
        positions = [r.position for r in everything]
        assert positions == sorted(positions) and len(set(positions)) == len(positions)
        assert [r.event_id for r in everything] == order
        # paging by position
        cut = everything[5].position
        assert [r.event_id for r in store.read_all(after_position=cut)] == order[6:]
        assert [r.event_id for r in store.read_all(limit=3)] == order[:3]
        only_u = store.read_all(types=["U"])
        assert [r.event_id for r in only_u] == order[1::2]
        # per stream, versions are contiguous
        for stream, n in versions.items():
            assert [r.version for r in store.read(stream)] == list(range(1, n + 1))

    def test_hash_chain_verifies(self, store: EventStore) -> None:
        s = sid()
        store.append(s, 0, [ev("A"), ev("B")])
        store.append(s, 2, [ev("C")])
        recs = store.read(s)
        assert recs[0].prev_hash == "0" * 64
        for prev, cur in itertools.pairwise(recs):
            assert cur.prev_hash == prev.hash
        assert len({r.hash for r in recs}) == 3
        assert store.verify(s) == []

    def test_tampered_payload_is_reported(self, store: EventStore) -> None:
        s = sid()
        batch = [ev("A", reward="0.100000000000"), ev("B", reward="0.200000000000")]
        store.append(s, 0, batch)
        forged = canonical_json({"reward": "0.900000000000"})  # still canonical JSON
        with store.engine.begin() as c:
            c.execute(
                text("UPDATE caseops_events SET payload = :p WHERE event_id = :e"),
                {"p": forged, "e": batch[0].event_id},
            )
        problems = store.verify(s)
        assert problems, "an edited payload must break the chain"
        assert any("v1" in p for p in problems)

    def test_deleted_middle_event_is_reported(self, store: EventStore) -> None:
        s = sid()
        batch = [ev("A"), ev("B"), ev("C")]
        store.append(s, 0, batch)
        with store.engine.begin() as c:
            c.execute(
                text("DELETE FROM caseops_events WHERE event_id = :e"), {"e": batch[1].event_id}
            )
        assert store.verify(s)

    def test_deleted_last_event_is_reported(self, store: EventStore) -> None:
        s = sid()
        batch = [ev("A"), ev("B"), ev("C")]
        store.append(s, 0, batch)
        with store.engine.begin() as c:
            c.execute(
                text("DELETE FROM caseops_events WHERE event_id = :e"), {"e": batch[2].event_id}
            )
        assert store.verify(s)

    def test_verify_of_unknown_stream_reports_it(self, store: EventStore) -> None:
        assert store.verify(sid())

    def test_a_stream_moved_by_another_store_is_a_conflict_not_a_fork(
        self, store: EventStore
    ) -> None:
        """Two stores on one database (two processes): the first remembers the head it
        wrote; after the second moves the stream, the first's append at its old head is
        a ConcurrencyError that writes nothing, and at the new version it chains on."""
        other = EventStore(store.url)
        try:
            s = sid()
            store.append(s, 0, [ev()], meta={"n": 0})
            store.append(s, 1, [ev()], meta={"n": 1})  # the head this store knows: v2
            other.append(s, 2, [ev(), ev()], meta={"n": 2})
            rows = count_rows(store)
            with pytest.raises(ConcurrencyError):
                store.append(s, 2, [ev()], meta={"n": 3})
            assert count_rows(store) == rows
            late = ev()
            stored = store.append(s, 4, [late], meta={"n": 4})
            assert [r.version for r in stored] == [5]
            assert store.append(s, 4, [late], meta={"n": 4}) == stored  # a retry
            other.append(s, 5, [ev()], meta={"n": 5})
            assert [r.version for r in store.read(s)] == [1, 2, 3, 4, 5, 6]
            assert store.verify(s) == [] and other.verify(s) == []
            assert store.summary(s).meta == {"n": 5}
        finally:
            other.dispose()

    def test_concurrent_appends_with_same_expected_version_one_wins(
        self, store: EventStore
    ) -> None:
        s = sid()
        store.append(s, 0, [ev("Start")])
        n = 8
        barrier = threading.Barrier(n)
        wins: list[str] = []
        conflicts: list[str] = []
        others: list[BaseException] = []

        def worker(k: int) -> None:
            e = ev("Step", k=k)
            barrier.wait()
            try:
                store.append(s, 1, [e, ev("After", k=k)])
                wins.append(e.event_id)
            except ConcurrencyError:
                conflicts.append(e.event_id)
            except BaseException as x:
                others.append(x)

        threads = [threading.Thread(target=worker, args=(k,)) for k in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not others, others
        assert len(wins) == 1 and len(conflicts) == n - 1
        recs = store.read(s)
        assert [r.version for r in recs] == [1, 2, 3]
        assert recs[1].event_id == wins[0]
        assert store.version(s) == 3
        assert store.verify(s) == []

    def test_concurrent_writers_with_retry_never_lose_or_fork(self, store: EventStore) -> None:
        s = sid()
        n_threads, per_thread = 4, 5
        errors: list[BaseException] = []

        def worker(k: int) -> None:
            try:
                for i in range(per_thread):
                    while True:
                        v = store.version(s)
                        try:
                            store.append(s, v, [ev("W", k=k, i=i)])
                            break
                        except ConcurrencyError:
                            continue
            except BaseException as x:
                errors.append(x)

        threads = [threading.Thread(target=worker, args=(k,)) for k in range(n_threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert not errors, errors
        recs = store.read(s)
        assert [r.version for r in recs] == list(range(1, n_threads * per_thread + 1))
        got = sorted((r.payload["k"], r.payload["i"]) for r in recs)
        assert got == sorted((k, i) for k in range(n_threads) for i in range(per_thread))
        assert store.verify(s) == []
        pos = [r.position for r in store.read_all()]
        assert pos == sorted(pos)

    def test_payloads_round_trip_byte_identical(self, store: EventStore) -> None:
        payload = {
            "text": 'Grüße — 日本語 — עברית — 🧯🔥 — e\u0301 — \u0000nul\ttab\nnl "q" \\',
            "big": 2**63,
            "bigger": 2**100,
            "neg": -(2**70),
            "zero": 0,
            "nested": {"b": [1, {"z": None, "a": True}], "a": []},
            "empty": "",
            "decimal": "0.123456789012",
        }
        s = sid()
        e = NewEvent(str(uuid.uuid4()), "Unicode", payload)
        rec = store.append(s, 0, [e])[0]
        got = store.read(s)[0]
        assert got.payload == payload
        assert got.payload_json == canonical_json(payload) == rec.payload_json
        assert json.loads(got.payload_json) == payload
        assert store.verify(s) == []

    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(payload=st.dictionaries(st.text(max_size=12), json_values, max_size=6))
    def test_any_json_payload_round_trips(self, store: EventStore, payload: dict) -> None:
        s = sid()
        store.append(s, 0, [NewEvent(str(uuid.uuid4()), "P", payload)])
        got = store.read(s)[0]
        assert got.payload == payload
        assert got.payload_json == canonical_json(payload)

    def test_unknown_stream(self, store: EventStore) -> None:
        with pytest.raises(StreamNotFound, match="no stream 'no-such-stream'"):
            store.read("no-such-stream")
        with pytest.raises(StreamNotFound):
            store.summary("no-such-stream")
        assert store.version("no-such-stream") == 0

    def test_stream_meta_and_listing(self, store: EventStore) -> None:
        a, b = sid(), sid()
        store.append(a, 0, [ev()], meta={"task_id": "x", "n": 1})
        store.append(b, 0, [ev()])
        store.append(a, 1, [ev()], meta={"task_id": "x", "n": 2})
        store.append(a, 2, [ev()])  # no meta: keeps the last one
        sa = store.summary(a)
        assert sa.version == 3 and sa.meta == {"task_id": "x", "n": 2}
        assert store.summary(b).meta == {}
        total, page = store.list_streams()
        assert total == 2 and {p.stream_id for p in page} == {a, b}
        assert set(store.stream_ids()) == {a, b}

    def test_read_payloads_in_bulk_keeps_order_and_batches(self, store: EventStore) -> None:
        """Bulk read: streams in the order asked (across batches), each stream's events
        in version order as stored text; unknown and NUL ids give empty lists."""
        streams = [sid() for _ in range(5)]
        for k, s in enumerate(streams):
            for v in range(k % 3 + 1):
                store.append(s, v, [ev(n=v, s=s)])
        asked = [streams[3], "no-such-stream", streams[0], "nul\x00id", *streams[4:], streams[1]]
        got = list(store.read_payloads(asked, batch=2))
        assert [g[0] for g in got] == asked
        for stream_id, rows in got:
            if stream_id not in streams:
                assert rows == []
                continue
            stored = store.read(stream_id)
            assert rows == [(r.event_id, r.type, r.payload_json) for r in stored]

    def test_newer_schema_is_refused(self, store: EventStore) -> None:
        """A database migrated by a newer CaseOps (an unknown schema revision) is refused
        at store creation, and left as it was."""
        with store.engine.begin() as c:
            c.execute(text("UPDATE alembic_version SET version_num = 'ffff_from_the_future'"))
        with pytest.raises(OperationalError):
            EventStore(store.url)
        with store.engine.connect() as c:
            assert c.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == (
                "ffff_from_the_future"
            )


def _play(service: EpisodeService, episode_id: str) -> list[tuple[str, str]]:
    s = get_scenario("api_incident_hard")
    service.start(task_id=s.task_id, episode_id=episode_id)
    extra = [
        CaseAction(action_type="resolve", resolution_code="open_incident"),  # rejected
        CaseAction(action_type="inspect_artifact", artifact_id="nope"),  # invalid
        CaseAction(action_type="draft_reply", message="Ünïcödé 🚀 reply, big 10**30"),
    ]
    for a in [*extra, *oracle_actions(s)]:
        service.step(episode_id, a)
    return [(r.type, r.payload_json) for r in service.store.read(episode_id)]


def test_same_episode_is_byte_identical_on_sqlite_and_postgresql(tmp_path) -> None:
    pg = pg_url_or_skip()
    reset_pg(pg)
    lite = EventStore(sqlite_url(tmp_path))
    post = EventStore(pg)
    try:
        a = _play(EpisodeService(lite), "cross-backend-1")
        b = _play(EpisodeService(post), "cross-backend-1")
    finally:
        lite.dispose()
        post.dispose()
    assert len(a) > 10
    assert a == b


@pytest.mark.parametrize("shared_cache", [True, False], ids=["one_process", "many_processes"])
def test_concurrent_steps_through_the_service_never_fork_the_episode(
    store: EventStore, service: EpisodeService, shared_cache: bool
) -> None:
    """Threads stepping one episode at once (through one service, or through one service
    each, like separate server processes): every step is either applied once or refused
    with a ConcurrencyError; the log stays a single contiguous, replayable history."""
    from caseops.domain.errors import EpisodeAlreadyEnded

    base = service
    eid = f"race-{uuid.uuid4()}"
    base.start(task_id="api_incident_hard", episode_id=eid)
    n_threads, per_thread = 4, 3
    applied: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(n_threads)

    def worker(k: int) -> None:
        svc = base if shared_cache else EpisodeService(store)
        barrier.wait()
        try:
            for i in range(per_thread):
                action = CaseAction(action_type="add_internal_note", note=f"thread {k} note {i}")
                while True:
                    try:
                        _, obs = svc.step(eid, action)
                        applied.append(obs.step)
                        break
                    except ConcurrencyError:
                        continue
        except EpisodeAlreadyEnded:
            pass
        except BaseException as x:
            errors.append(x)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert sorted(applied) == list(range(1, n_threads * per_thread + 1))
    recs = store.read(eid)
    assert [r.version for r in recs] == list(range(1, len(recs) + 1))
    notes = [r.payload["note"] for r in recs if r.type == "InternalNoteAdded"]
    assert sorted(notes) == sorted(
        f"thread {k} note {i}" for k in range(n_threads) for i in range(per_thread)
    )
    assert store.verify(eid) == []
    rep = EpisodeService(store, cache_size=0).replay(eid)
    assert rep.matches, rep.mismatches
    for svc in (base, EpisodeService(store, cache_size=0)):
        assert svc.state(eid).step_count == n_threads * per_thread


def test_sqlite_writer_connection_that_broke_is_replaced(tmp_path) -> None:
    """SQLite appends share one held writer connection: when it breaks, that append
    fails with OperationalError and writes nothing, and the next one reconnects."""
    store = EventStore(sqlite_url(tmp_path))
    try:
        s = sid()
        store.append(s, 0, [ev("A")])
        broken = store.recorder._writer
        assert broken is not None
        broken.driver_connection.close()  # type: ignore[union-attr]
        with pytest.raises(OperationalError):
            store.append(s, 1, [ev("B")])
        assert store.version(s) == 1
        store.append(s, 1, [ev("C")])
        assert store.recorder._writer is not broken
        assert [r.type for r in store.read(s)] == ["A", "C"]
        assert store.verify(s) == []
    finally:
        store.dispose()


def test_sqlite_writer_connection_is_not_shared_with_a_forked_child(tmp_path) -> None:
    """A process forked after appending opens its own writer connection (a SQLite
    handle must not cross fork); the appends of both processes land in one chain."""
    import os

    store = EventStore(sqlite_url(tmp_path))
    try:
        s = sid()
        store.append(s, 0, [ev("Parent")])
        pid = os.fork()
        if pid == 0:  # the child: append once through the inherited store, then leave
            code = 0
            try:
                inherited = store.recorder._writer
                store.append(s, 1, [ev("Child")])
                code = 0 if store.recorder._writer is not inherited else 3
            except BaseException:
                code = 4
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        # the parent's own connection still works; its cached head is stale, so the
        # append at version 1 is a conflict and version 2 succeeds
        with pytest.raises(ConcurrencyError):
            store.append(s, 1, [ev("Late")])
        store.append(s, 2, [ev("Parent again")])
        assert [r.type for r in store.read(s)] == ["Parent", "Child", "Parent again"]
        assert store.verify(s) == []
    finally:
        store.dispose()


def test_generated_ids_are_uuid7_ordered_by_creation(store: EventStore) -> None:
    """Episode and event ids the service makes are RFC 9562 version 7 UUIDs: one made
    in a later millisecond sorts after, so the store's id indexes grow at their end."""
    import time

    from caseops.api.ids import uuid7

    first = uuid7()
    time.sleep(0.002)
    second = uuid7()
    assert first < second
    for made in (first, second):
        u = uuid.UUID(made)
        assert (u.version, u.variant) == (7, uuid.RFC_4122)
        assert abs((u.int >> 80) - time.time_ns() // 1_000_000) < 60_000
    service = EpisodeService(store)
    loaded, _ = service.start(task_id="api_incident_hard")
    episode = loaded.record.episode_id
    service.step(episode, CaseAction(action_type="review_ticket"))
    ids = [r.event_id for r in store.read(episode)]
    assert all(uuid.UUID(i).version == 7 for i in [episode, *ids])
    assert ids == sorted(ids)


def test_uuid7_is_monotonic_within_a_process_even_in_one_millisecond() -> None:
    from caseops.api.ids import uuid7

    ids = [uuid7() for _ in range(5000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert {uuid.UUID(i).version for i in ids} == {7}


def test_sqlite_checkpoints_run_off_the_append_path(tmp_path) -> None:
    """A file store checkpoints its WAL on a background thread every ``every`` appends
    (the writer keeps SQLite's automatic checkpoint only as a backstop), and stops the
    thread on dispose; an in-memory store has no WAL and no thread."""
    import time

    assert EventStore("sqlite://").recorder.checkpointer is None
    store = EventStore(sqlite_url(tmp_path))
    try:
        ck = store.recorder.checkpointer
        assert ck is not None
        ck.every = 20
        s = sid()
        for v in range(100):
            store.append(s, v, [ev("A", n=v)])
        deadline = time.monotonic() + 10
        while ck.checkpoints < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert ck.checkpoints >= 1 and ck.failures == 0
        writer = store.recorder._writer
        assert writer is not None
        backstop = writer.driver_connection.execute("PRAGMA wal_autocheckpoint").fetchone()  # type: ignore[union-attr]
        assert backstop == (ck.backstop_pages,)
        thread = ck._thread
        assert thread is not None and thread.is_alive()
    finally:
        store.dispose()
    assert not thread.is_alive()
    again = EventStore(sqlite_url(tmp_path))
    try:
        assert again.version(s) == 100 and again.verify(s) == []
    finally:
        again.dispose()


def _terminate_other_backends(url: str) -> int:
    """End every other session of this database (as a server restart would) and return
    how many were ended."""
    from sqlalchemy import create_engine

    admin = create_engine(url)
    try:
        with admin.begin() as c:
            return len(
                c.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                ).all()
            )
    finally:
        admin.dispose()


def test_postgresql_append_survives_dead_pooled_connections() -> None:
    """The append pool pings no connection on check-out: when the server ended the idle
    pooled connections, the first append after that still succeeds (the dead connection
    fails its first round trip, which cannot have committed, and the transaction starts
    again on a fresh one), each event is stored once, and the chain stays intact."""
    url = pg_url_or_skip()
    reset_pg(url)
    store = EventStore(url)
    try:
        s = sid()
        # several pooled connections, all idle afterwards
        threads = [
            threading.Thread(target=store.append, args=(sid(), 0, [ev("Warm")])) for _ in range(4)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        store.append(s, 0, [ev("A")])
        for _round in range(2):
            assert _terminate_other_backends(url) >= 1
            version = store.version(s)
            store.append(s, version, [ev("B"), ev("C")])
        records = store.read(s)
        assert [r.type for r in records] == ["A", "B", "C", "B", "C"]
        assert [r.version for r in records] == [1, 2, 3, 4, 5]
        assert store.verify(s) == []
        # a genuine conflict is still a conflict, not retried into a fork
        with pytest.raises(ConcurrencyError):
            store.append(s, 1, [ev("D")])
        assert store.version(s) == 5
    finally:
        store.dispose()


@given(st.integers(min_value=0, max_value=253_402_300_799_999_999))  # to 9999-12-31
def test_recorded_at_text_is_the_iso_utc_instant_to_the_microsecond(us: int) -> None:
    """``timestamp`` writes what datetime writes for the instant."""
    from datetime import UTC, datetime, timedelta

    from caseops.eventstore.mapper import timestamp

    expected = (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)).strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ"
    )
    assert timestamp(us) == expected


def test_recorded_at_follows_the_clock(store: EventStore) -> None:
    from datetime import UTC, datetime

    before = datetime.now(UTC)
    s = sid()
    store.append(s, 0, [ev("A")])
    store.append(s, 1, [ev("B")])
    after = datetime.now(UTC)
    stamps = [
        datetime.strptime(r.recorded_at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        for r in store.read(s)
    ]
    assert before <= stamps[0] <= stamps[1] <= after


def test_sqlite_failed_commit_rolls_back_and_frees_the_writer(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A COMMIT that fails leaves nothing written and the write mutex free: the next
    append (on this thread or another) goes through."""
    import sqlite3

    store = EventStore(sqlite_url(tmp_path))
    try:
        s = sid()
        store.append(s, 0, [ev("A")])
        raw = store.recorder._writer.driver_connection  # type: ignore[union-attr]

        class Failing:
            def __init__(self, inner: sqlite3.Connection) -> None:
                self.inner = inner

            def execute(self, sql: str, *args: Any) -> Any:
                if sql == "COMMIT":
                    raise sqlite3.OperationalError("disk I/O error (injected)")
                return self.inner.execute(sql, *args)

            def __getattr__(self, name: str) -> Any:
                return getattr(self.inner, name)

        monkeypatch.setattr(store.recorder, "_writer_connection", lambda: Failing(raw))
        with pytest.raises(OperationalError, match="injected"):
            store.append(s, 1, [ev("B")])
        monkeypatch.undo()
        assert store.version(s) == 1
        done = threading.Event()
        threading.Thread(target=lambda: (store.append(s, 1, [ev("C")]), done.set())).start()
        assert done.wait(10), "the write mutex was left held"
        assert [r.type for r in store.read(s)] == ["A", "C"]
        assert store.verify(s) == []
    finally:
        store.dispose()


def test_uuid7_random_bits_are_not_shared_with_a_forked_child() -> None:
    """Ids draw ``os.urandom`` in blocks: a child forked with part of a block left must
    not make its parent's next ids (their random tails would repeat)."""
    import os

    from caseops.api.ids import uuid7

    uuid7()  # the parent now holds a block with bytes left
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        os.write(write, " ".join(uuid7() for _ in range(5)).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        child = pipe.read().split()
    os.waitpid(pid, 0)
    parent = [uuid7() for _ in range(5)]
    assert len(child) == 5
    assert not {i[-12:] for i in child} & {i[-12:] for i in parent}


@given(
    st.text(min_size=1, max_size=20),
    st.integers(min_value=1, max_value=2**40),
    st.text(max_size=20),
    st.text(max_size=60),
    st.integers(min_value=1, max_value=9),
)
def test_chain_hash_is_sha256_of_the_previous_hash_and_the_canonical_record(
    stream: str, version: int, kind: str, payload_json: str, schema_version: int
) -> None:
    """The definition (docs/architecture.md, "Events and the store"): sha256 over the
    previous hash followed by the canonical JSON (sorted keys, the standard encoder) of the
    record's content."""
    import hashlib

    from caseops.canonical import reference_canonical_json
    from caseops.eventstore import GENESIS_HASH, chain_hash

    event = NewEvent("id-" + kind, kind, {}, schema_version)
    content = {
        "stream_id": stream,
        "version": version,
        "event_id": event.event_id,
        "type": kind,
        "schema_version": schema_version,
        "payload": payload_json,
        "recorded_at": "2026-12-03T12:00:00.000000Z",
    }
    text = GENESIS_HASH + reference_canonical_json(content)
    expected = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    got = chain_hash(GENESIS_HASH, stream, version, event, payload_json, content["recorded_at"])
    assert got == expected


def test_one_factory_picks_the_recorder_by_url() -> None:
    """SQLite and PostgreSQL URLs (the plain PostgreSQL forms meaning psycopg 3) get their
    dialect's recorder; any other database or driver is refused before connecting."""
    from caseops.eventstore import BadDatabaseURL
    from caseops.eventstore.factory import open_recorder
    from caseops.eventstore.postgres import PostgresRecorder
    from caseops.eventstore.sqlite import SqliteRecorder

    lite = open_recorder("sqlite://")
    post = open_recorder("postgres://u@127.0.0.1:1/db")  # engines connect lazily
    try:
        assert isinstance(lite, SqliteRecorder) and lite.dialect == "sqlite"
        assert isinstance(post, PostgresRecorder) and post.dialect == "postgresql"
        assert post.url == "postgresql+psycopg://u@127.0.0.1:1/db"
    finally:
        lite.dispose()
        post.dispose()
    for url in ("mysql://u@h/db", "postgresql+psycopg2://u@h/db", "not a url", "bogus://x"):
        with pytest.raises(BadDatabaseURL):
            open_recorder(url)
