"""The one place where errors become HTTP responses.

:data:`HTTP_STATUS` maps each ``CaseOpsError`` class to its status (the most specific
class listed in an error's ancestry wins); a 503 adds ``Retry-After``. Request
validation errors become 422 naming the field (``loc``) without echoing the offending
input back (a 1 MB string stays on the client).

:func:`error_responses` documents these answers in the OpenAPI document (the ``responses``
of a route), so that every status a route can give, and its body, is in the schema.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from caseops.domain.errors import (
    EpisodeAlreadyEnded,
    EpisodeNotFound,
    EpisodeStillRunning,
    InvalidRequest,
    NoActiveEpisode,
    ScenarioError,
    Unauthorized,
    UnknownTask,
)
from caseops.errors import CaseOpsError
from caseops.eventstore import (
    BadDatabaseURL,
    ConcurrencyError,
    DataError,
    IntegrityError,
    OperationalError,
    PersistenceError,
    StreamNotFound,
)

_log = logging.getLogger("caseops.api")


class UnknownEnvironment(CaseOpsError):
    """A Task API path naming another environment."""


class IndexOutOfRange(CaseOpsError):
    """A task index past the end of its split (openenv answers ``IndexError`` with 400)."""


#: The HTTP status of each error class. An error not listed takes the status of its
#: nearest listed ancestor (``CaseOpsError``: 400).
HTTP_STATUS: dict[type[CaseOpsError], int] = {
    CaseOpsError: 400,
    UnknownTask: 404,
    EpisodeNotFound: 404,
    EpisodeAlreadyEnded: 409,
    NoActiveEpisode: 409,
    ScenarioError: 500,
    InvalidRequest: 422,
    EpisodeStillRunning: 409,
    Unauthorized: 401,
    UnknownEnvironment: 404,
    IndexOutOfRange: 400,
    PersistenceError: 500,
    ConcurrencyError: 409,
    StreamNotFound: 404,
    OperationalError: 503,
    BadDatabaseURL: 500,
    IntegrityError: 409,
    DataError: 422,
}


def http_status(exc: CaseOpsError) -> int:
    """The status :data:`HTTP_STATUS` gives ``exc``'s class or its nearest listed
    ancestor."""
    for cls in type(exc).__mro__:
        status = HTTP_STATUS.get(cls)
        if status is not None:
            return status
    return 400


class ErrorBody(BaseModel):
    """A refused request (a ``CaseOpsError``): the message and the error's class name."""

    detail: str
    error: str


class PlainError(BaseModel):
    """A request refused before it reached CaseOps: an unreadable or oversized body."""

    detail: str


class ValidationIssue(BaseModel):
    """One invalid field: where (``loc``), what is wrong (``msg``) and its kind (``type``)."""

    loc: list[str]
    msg: str
    type: str


class ValidationErrorBody(BaseModel):
    """A request that does not match its schema (the offending input is not echoed)."""

    detail: list[ValidationIssue]


_DEFAULT_DESCRIPTIONS = {
    400: "Request body is not readable as JSON",
    401: "Missing or wrong `Authorization: Bearer <CASEOPS_ADMIN_TOKEN>` (when one is set)",
    404: "Not found",
    409: "Conflict",
    413: "Request body over `CASEOPS_MAX_BODY_BYTES`",
    422: "Invalid request",
    503: "Store unavailable; retry after `Retry-After` seconds",
}

_MODELS: dict[int, Any] = {
    400: PlainError,
    413: PlainError,
    422: ValidationErrorBody | ErrorBody,
}


def error_responses(*statuses: int, **descriptions: str) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` entry of a route for the error statuses it can answer with.

    ``descriptions`` override the default text of a status, keyed ``s<status>`` (for
    example ``s404="Unknown episode"``). A 422 is always included (the request schema's
    own errors, or a well-typed value CaseOps refuses); a 503 carries ``Retry-After``.
    """
    out: dict[int | str, dict[str, Any]] = {}
    for status in sorted({*statuses, 422}):
        entry: dict[str, Any] = {
            "model": _MODELS.get(status, ErrorBody),
            "description": descriptions.get(f"s{status}", _DEFAULT_DESCRIPTIONS[status]),
        }
        if status == 503:
            entry["headers"] = {
                "Retry-After": {
                    "description": "Seconds to wait before retrying.",
                    "schema": {"type": "string"},
                }
            }
        out[status] = entry
    return out


def _clean(errors: list[Any]) -> list[dict[str, Any]]:
    out = []
    for e in errors:
        out.append(
            {
                "loc": [str(p) for p in e.get("loc", ())],
                "msg": str(e.get("msg", "")),
                "type": str(e.get("type", "")),
            }
        )
    return out


def error_body(exc: CaseOpsError) -> dict[str, Any]:
    """The JSON body for a domain error: ``{"detail": message, "error": class name}``."""
    return {"detail": exc.message, "error": type(exc).__name__}


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    @app.exception_handler(CaseOpsError)
    async def _caseops(_: Request, exc: CaseOpsError) -> JSONResponse:
        status = http_status(exc)
        if status == 503:
            # The driver's message names the database host: it goes to the log, not out.
            _log.warning("store unavailable: %s", exc.message)
            body = {
                "detail": "the event store is unavailable; retry after 2 s",
                "error": type(exc).__name__,
            }
            return JSONResponse(body, status_code=503, headers={"Retry-After": "2"})
        return JSONResponse(error_body(exc), status_code=status)

    @app.exception_handler(RequestValidationError)
    async def _request_invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _clean(list(exc.errors()))}, status_code=422)

    @app.exception_handler(ValidationError)
    async def _model_invalid(_: Request, exc: ValidationError) -> JSONResponse:
        return JSONResponse({"detail": _clean(list(exc.errors()))}, status_code=422)
