"""The CaseOps error hierarchy.

``CaseOpsError`` is the root of every error CaseOps raises on purpose. Each layer adds a
few subclasses (the event store's live in :mod:`caseops.eventstore.errors`); the HTTP layer
maps them to statuses in exactly one handler (:mod:`caseops.api.errors`).
"""

from __future__ import annotations


class CaseOpsError(Exception):
    """Root of all CaseOps errors. ``http_status`` is the status the API answers with."""

    http_status: int = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnknownTask(CaseOpsError):
    """A task id (or split) that names no scenario. HTTP 404."""

    http_status = 404


class EpisodeNotFound(CaseOpsError):
    """An episode id with no stream in the store. HTTP 404."""

    http_status = 404


class EpisodeAlreadyEnded(CaseOpsError):
    """A step sent after the episode ended; nothing is appended. HTTP 409."""

    http_status = 409


class NoActiveEpisode(CaseOpsError):
    """``/step`` or ``/state`` without an episode id before any ``/reset``. HTTP 409."""

    http_status = 409


class ScenarioError(CaseOpsError):
    """A scenario whose gold refers to something the case does not have."""

    http_status = 500


class InvalidRequest(CaseOpsError):
    """A request parameter that is well-typed but unusable (say a malformed custom
    episode id). HTTP 422."""

    http_status = 422


class EpisodeStillRunning(CaseOpsError):
    """A route that would reveal the grade asked of an episode that has not ended. HTTP 409."""

    http_status = 409


class Unauthorized(CaseOpsError):
    """A cross-episode route without the admin bearer token. HTTP 401."""

    http_status = 401
