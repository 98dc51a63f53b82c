"""The CaseOps playground at ``/web``: one static page (HTML, vanilla JavaScript and CSS,
nothing fetched from the network) that plays a case through the server's own HTTP
routes, in the browser.

It replaces openenv's generic Gradio playground (which knows nothing of tasks, vocabularies
or grade reports): a task picker (split, family, seed or task id, reward mode); one
episode per browser tab (its id kept in the tab's ``sessionStorage``, sent with every
``/step``, never a process-wide "last episode"); the ticket, the evidence found so far, the
case card and the legal actions in words; one form per action with the observation's
vocabularies; rejections and invalid actions as errors with their reason; the state
machine (``GET /statemachine``) drawn as SVG with the current state highlighted; the grade
report and the event log at the end; and a replay view of any stored episode
(``/episodes/{id}/events`` and ``/episodes/{id}/replay``, with the admin token on a sealed
server).

Served when ``ENABLE_WEB_INTERFACE=true`` or ``caseops serve --web``; see
:func:`install`.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel

#: The page's files: index.html, playground.js, playground.css
STATIC = Path(__file__).with_name("static")

router = APIRouter(include_in_schema=False)


class Catalog(BaseModel):
    """What the task picker offers: the splits, the generated families (a generated task
    id is ``<family>/<seed>``) and the reward modes. Public facts only."""

    splits: list[str]
    families: list[str]
    reward_modes: list[str]


@router.get("/web")
def page() -> FileResponse:
    """The playground page."""
    return FileResponse(STATIC / "index.html", media_type="text/html")


@router.get("/web/")
def page_slash() -> RedirectResponse:
    """``/web/`` -> ``/web``."""
    return RedirectResponse("/web")


@router.get("/web/catalog", response_model=Catalog)
def catalog() -> Catalog:
    """The splits, families and reward modes for the task picker."""
    from caseops.cases.generator import FAMILY_NAMES, SPLITS
    from caseops.domain.reward import REWARD_MODES

    return Catalog(
        splits=["seed", *SPLITS],
        families=list(FAMILY_NAMES),
        reward_modes=list(REWARD_MODES),
    )


def install(app: FastAPI) -> None:
    """Serve the playground on ``app``: ``/web`` (the page), ``/web/catalog`` and the
    page's files under ``/web/static``."""
    app.include_router(router)
    app.mount("/web/static", StaticFiles(directory=STATIC), name="playground-static")
