"""The one place where errors become HTTP responses.

``CaseOpsError`` subclasses carry their status (``http_status``); a 503 adds
``Retry-After``. Request validation errors become 422 naming the field (``loc``) without
echoing the offending input back (a 1 MB string stays on the client).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from caseops.domain.errors import CaseOpsError


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
        headers = {"Retry-After": "2"} if exc.http_status == 503 else None
        return JSONResponse(error_body(exc), status_code=exc.http_status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _request_invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _clean(list(exc.errors()))}, status_code=422)

    @app.exception_handler(ValidationError)
    async def _model_invalid(_: Request, exc: ValidationError) -> JSONResponse:
        return JSONResponse({"detail": _clean(list(exc.errors()))}, status_code=422)
