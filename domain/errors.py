"""The domain's errors, below :class:`~caseops.errors.CaseOpsError` (the root of the one
hierarchy; the event store's errors live in :mod:`caseops.eventstore.errors`). The HTTP
layer maps them to statuses in exactly one table (:data:`caseops.api.errors.HTTP_STATUS`).
"""

from __future__ import annotations

from caseops.errors import CaseOpsError


class UnknownTask(CaseOpsError):
    """A task id (or split) that names no scenario."""


class EpisodeNotFound(CaseOpsError):
    """An episode id with no stream in the store."""


class EpisodeAlreadyEnded(CaseOpsError):
    """A step sent after the episode ended; nothing is appended."""


class NoActiveEpisode(CaseOpsError):
    """A step or state asked of an environment that has started no episode and was
    given no episode id."""


class ScenarioError(CaseOpsError):
    """A scenario whose gold refers to something the case does not have."""


class InvalidRequest(CaseOpsError):
    """A request parameter that is well-typed but unusable (say a malformed custom
    episode id)."""


class EpisodeStillRunning(CaseOpsError):
    """A route that would reveal the grade asked of an episode that has not ended."""


class Unauthorized(CaseOpsError):
    """A cross-episode route without the admin bearer token."""
