"""Episode routes: list, one, its events, and its replay (re-grade from the log).

On a sealed server (``CASEOPS_ADMIN_TOKEN`` set) every route here needs the token: an
episode's log holds its case's answers. On an open server (local development) they are
open, with the scenario snapshot hidden while the episode runs."""

from __future__ import annotations

from fastapi import APIRouter

from caseops.statemachine.replay import ReplayReport

from ..deps import AdminDep, Limit, Offset, ServiceDep
from ..errors import error_responses
from ..views import EpisodePage, EpisodeSummary, EventList

#: Every route here needs the admin token on a sealed server.
router = APIRouter(tags=["Episodes"], dependencies=[AdminDep])

#: What a route about one episode can answer besides its result.
_ONE_EPISODE = error_responses(401, 404, 503, s404="Unknown episode")


@router.get("/episodes", response_model=EpisodePage, responses=error_responses(401, 503))
def list_episodes(service: ServiceDep, limit: Limit = 50, offset: Offset = 0) -> EpisodePage:
    """Episodes in the store, newest first, paged."""
    return service.list_episodes(limit, offset)


@router.get("/episodes/{episode_id}", response_model=EpisodeSummary, responses=_ONE_EPISODE)
def get_episode(service: ServiceDep, episode_id: str) -> EpisodeSummary:
    """One episode's summary. 404 when unknown."""
    return service.summary(episode_id)


@router.get("/episodes/{episode_id}/events", response_model=EventList, responses=_ONE_EPISODE)
def episode_events(service: ServiceDep, episode_id: str) -> EventList:
    """The episode's events in stream order (the scenario snapshot hidden until the end)."""
    return service.events(episode_id)


@router.get(
    "/episodes/{episode_id}/replay",
    response_model=ReplayReport,
    responses=error_responses(
        401, 404, 409, 503, s404="Unknown episode", s409="Episode still running"
    ),
)
def episode_replay(service: ServiceDep, episode_id: str) -> ReplayReport:
    """Replay the episode from its log: the grade recomputed, and whether every event,
    reward and score equals what was recorded. Available once the episode has ended
    (409 before: the per-component grade would reveal the gold)."""
    return service.ended_replay(episode_id)
