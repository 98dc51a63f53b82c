"""The read side of the episode service: listings, summaries, events, rejections, replay,
re-grading and hash-chain checks, all read from the event store.

:class:`EpisodeReader` is the base of :class:`~caseops.api.service.EpisodeService`; routes,
the CLI and the environment reach the store only through these methods (never through
``service.store``). A stream that does not exist becomes
:class:`~caseops.domain.errors.EpisodeNotFound` here, in :func:`episode_lookup`, the one
place where the store's "no stream" becomes the domain's "no episode".
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from caseops.domain.errors import EpisodeNotFound, EpisodeStillRunning
from caseops.domain.events import Event, event_from_payload
from caseops.domain.grading.regrade import Regrader, RegradeResult
from caseops.eventstore import EventStore, RecordedEvent, StreamNotFound, StreamSummary
from caseops.statemachine.replay import ReplayReport, replay

from .regrade_jobs import auto_jobs, can_fork, regrade_in_workers
from .views import EpisodePage, EpisodeSummary, EventList, Rejection, RejectionPage, StoredEvent

#: What an ``EpisodeStarted`` shows instead of its scenario while the episode runs.
HIDDEN = "hidden until the episode has ended"


@contextmanager
def episode_lookup(episode_id: str) -> Iterator[None]:
    """Inside the block, the store's :class:`StreamNotFound` is
    :class:`~caseops.domain.errors.EpisodeNotFound` for ``episode_id``."""
    try:
        yield
    except StreamNotFound:
        raise EpisodeNotFound(f"no episode {episode_id!r}") from None


def decode(records: Sequence[RecordedEvent]) -> list[Event]:
    """Stored records as domain events."""
    return [event_from_payload(r.type, r.payload) for r in records]


def summary_of(r: StreamSummary) -> EpisodeSummary:
    """A stream's row as an episode summary (no running score in the terminal reward
    mode, which is for evaluation)."""
    keys = EpisodeSummary.model_fields
    shown = {k: v for k, v in r.meta.items() if k in keys}
    if r.meta.get("reward_mode") == "terminal" and not r.meta.get("done"):
        shown["score"] = shown["total_reward"] = None
    return EpisodeSummary(
        episode_id=r.stream_id,
        version=r.version,
        created_at=r.created_at,
        updated_at=r.updated_at,
        **shown,
    )


def _served(r: RecordedEvent, redact: bool) -> StoredEvent:
    payload = r.payload
    if redact and r.type == "EpisodeStarted":
        payload = {k: v for k, v in payload.items() if k != "scenario"}
        payload["scenario"] = HIDDEN
    return StoredEvent(
        position=r.position,
        version=r.version,
        event_id=r.event_id,
        type=r.type,
        schema_version=r.schema_version,
        recorded_at=r.recorded_at,
        hash=r.hash,
        prev_hash=r.prev_hash,
        payload=payload,
    )


class EpisodeReader:
    """Read stored episodes from one :class:`EventStore` (see the module docstring)."""

    def __init__(self, store: EventStore) -> None:
        self.store = store

    def close(self) -> None:
        """Release the store's connections (the service is not used afterwards)."""
        self.store.dispose()

    @property
    def dialect(self) -> str:
        """The store's database dialect (``sqlite`` or ``postgresql``)."""
        return self.store.dialect

    def episode_ids(self) -> list[str]:
        """Every stored episode's id, oldest first."""
        return self.store.stream_ids()

    def list_episodes(self, limit: int = 50, offset: int = 0) -> EpisodePage:
        """Stored episodes, newest first: ``limit`` (1..1000) from ``offset``."""
        total, rows = self.store.list_streams(limit=limit, offset=offset)
        return EpisodePage(
            total=total, limit=limit, offset=offset, items=[summary_of(r) for r in rows]
        )

    def summary(self, episode_id: str) -> EpisodeSummary:
        """One episode's summary.

        Raises:
            EpisodeNotFound: no such episode.
        """
        with episode_lookup(episode_id):
            return summary_of(self.store.summary(episode_id))

    def _records(self, episode_id: str) -> list[RecordedEvent]:
        with episode_lookup(episode_id):
            return self.store.read(episode_id)

    def events(self, episode_id: str) -> EventList:
        """The episode's events in stream order, the scenario snapshot hidden while the
        episode runs.

        Raises:
            EpisodeNotFound: no such episode.
        """
        records = self._records(episode_id)
        done = any(r.type == "EpisodeEnded" for r in records)
        return EventList(
            episode_id=episode_id,
            done=done,
            redacted=not done,
            events=[_served(r, not done) for r in records],
        )

    def rejections(self, after: int = 0, limit: int = 100) -> RejectionPage:
        """Recorded ``TransitionRejected`` events of every episode after global position
        ``after``, at most ``limit``, in commit order."""
        rows = self.store.read_all(after_position=after, limit=limit, types=["TransitionRejected"])
        items = [
            Rejection(
                position=r.position,
                episode_id=r.stream_id,
                step=int(r.payload.get("step", 0)),
                action=r.payload.get("action", {}),
                from_state=str(r.payload.get("from_state", "")),
                reason=str(r.payload.get("reason", "")),
                legal_actions=list(r.payload.get("legal_actions", [])),
                recorded_at=r.recorded_at,
            )
            for r in rows
        ]
        return RejectionPage(
            items=items, next_after=items[-1].position if len(items) == limit else None
        )

    def chain_problems(self, episode_ids: Sequence[str] | None = None) -> list[str]:
        """Where the hash chains of ``episode_ids`` (default: every episode) break; empty
        when every chain holds."""
        ids = self.episode_ids() if episode_ids is None else episode_ids
        return [p for sid in ids for p in self.store.verify(sid)]

    def payloads(
        self, episode_ids: Sequence[str], batch: int = 200
    ) -> Iterator[tuple[str, list[tuple[str, str, str]]]]:
        """``(episode_id, [(event_id, type, payload_json), ...])`` per episode of
        ``episode_ids`` (an empty list for an unknown one), read ``batch`` episodes per
        query (see :meth:`EventStore.read_payloads`)."""
        return self.store.read_payloads(episode_ids, batch=batch)

    def replay(self, episode_id: str) -> ReplayReport:
        """Replay the episode from the stored log (bypassing any cache); the stream's hash
        chain is checked too (with the store's chain key), and a broken chain is a
        mismatch.

        Raises:
            EpisodeNotFound: no such episode.
        """
        records = self._records(episode_id)
        report = replay(decode(records), [r.event_id for r in records])
        broken = self.store.verify(episode_id)
        if not broken:
            return report
        return report.model_copy(
            update={"matches": False, "mismatches": [*report.mismatches, *broken]}
        )

    def ended_replay(self, episode_id: str) -> ReplayReport:
        """:meth:`replay` of an episode that has ended.

        Raises:
            EpisodeNotFound: no such episode.
            EpisodeStillRunning: the episode has not ended (its per-component grade would
                reveal the case's answers).
        """
        if not self.summary(episode_id).done:
            raise EpisodeStillRunning(
                f"episode {episode_id} is still running; its replay is available once it ends"
            )
        return self.replay(episode_id)

    def regrade(
        self, episode_ids: Sequence[str] | None = None, jobs: int = 1, rejudge: bool = False
    ) -> Iterator[RegradeResult]:
        """Re-grade stored episodes from their logs (every episode, oldest first, when
        ``episode_ids`` is ``None``), reading them in bulk; see
        :mod:`caseops.domain.grading.regrade`. An unknown id gives a result with
        ``problem="no events"``. Results come in the order of the ids.

        ``jobs``: worker processes to share the work (:mod:`caseops.api.regrade_jobs`);
        1 re-grades in this process, 0 chooses by the number of episodes
        (:func:`~caseops.api.regrade_jobs.auto_jobs`). ``rejudge``: set recorded judge
        verdicts aside and judge every reply and note again with the rule judge (in this
        process). Where workers cannot be forked
        (:func:`~caseops.api.regrade_jobs.can_fork`: not Linux, more than one thread
        running, or an in-memory store) it runs in this process.

        Raises:
            ValueError: ``jobs`` below 0 (at the call).
            OperationalError: the database is unavailable (while iterating).
            BrokenProcessPool: a worker process died (while iterating).
        """
        if jobs < 0:
            raise ValueError(f"jobs must be 0 (automatic) or more, not {jobs}")
        return self._regrade(episode_ids, jobs, rejudge)

    def _regrade(
        self, episode_ids: Sequence[str] | None, jobs: int, rejudge: bool = False
    ) -> Iterator[RegradeResult]:
        ids = self.episode_ids() if episode_ids is None else list(episode_ids)
        if jobs == 0:
            jobs = auto_jobs(len(ids))
        if jobs > 1 and can_fork(self.store.url) and not rejudge:
            for result in regrade_in_workers(self.store.url, ids, jobs):
                yield self._chain_checked(result)
            return
        regrader = Regrader(rejudge=rejudge)
        for sid, rows in self.store.read_payloads(ids):
            yield self._chain_checked(regrader.regrade(sid, rows))

    def _chain_checked(self, result: RegradeResult) -> RegradeResult:
        """``result``, marked as not matching when the store has a chain key and the
        episode's stream fails it (a re-grade of an edited or copied stream)."""
        if self.store.chain_key is None or not result.matches:
            return result
        broken = self.store.verify(result.episode_id)
        if not broken:
            return result
        return result.model_copy(update={"matches": False, "problem": broken[0]})
