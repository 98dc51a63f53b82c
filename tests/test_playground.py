"""The /web playground in a real browser: Playwright for Python driving Debian's Chromium.

Plays a whole seed case through the page (the task picker, one form per action, a
rejection, an invalid action, the multi-select of requested fields), then checks the grade
report table, the event timeline, the state diagram, the per-tab episode and the replay
view of a sealed server. Screenshots go to ``build/screenshots/`` (test artifacts).

Skipped, with the reason, when Playwright or a Chromium binary is missing (``.ci/run``
installs both; ``playwright install`` is never used: it downloads a browser).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import LiveServer, action_json, oracle_actions, sqlite_url

from caseops.cases.catalog import get_scenario
from caseops.domain.actions import CaseAction

SCREENSHOTS = Path(__file__).resolve().parent.parent / "build" / "screenshots"
TASK = "account_takeover_medium"  # classify, escalate, request_info (several fields), submit
TOKEN = "playground-admin-token"


def _chromium() -> str | None:
    """Chromium's path: ``CASEOPS_CHROMIUM``, else the first of the usual names on PATH."""
    given = os.environ.get("CASEOPS_CHROMIUM")
    if given:
        return given if Path(given).is_file() else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (it is in the dev dependency group)")
    path = _chromium()
    if path is None:
        reason = "no Chromium found (apt-get install -y chromium, or set CASEOPS_CHROMIUM)"
        print(f"SKIP browser tests: {reason}")
        pytest.skip(reason)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=["--no-sandbox"])
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    srv = LiveServer(sqlite_url(tmp_path, "web.db"), tmp_path, ENABLE_WEB_INTERFACE="true")
    try:
        srv.wait_healthy()
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def sealed_server(tmp_path: Path) -> Iterator[LiveServer]:
    srv = LiveServer(
        sqlite_url(tmp_path, "sealed.db"),
        tmp_path,
        ENABLE_WEB_INTERFACE="true",
        CASEOPS_ADMIN_TOKEN=TOKEN,
    )
    try:
        srv.wait_healthy()
        yield srv
    finally:
        srv.stop()


def _page(browser: Any, base_url: str) -> tuple[Any, list[str]]:
    """A new tab (its own sessionStorage) on /web, ready; and the page's errors."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    # console errors other than the browser's own log of a refused request (a 401, 409 or
    # 422 the page asked for and shows itself)
    page.on(
        "console",
        lambda m: (
            problems.append(f"console {m.type}: {m.text}")
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.goto(f"{base_url}/web")
    page.wait_for_selector("body[data-ready=true]")
    return page, problems


def _step_no(page: Any) -> int:
    return int(page.text_content("#ep-facts dd:nth-of-type(3)"))


def _send(page: Any, action: CaseAction) -> None:
    """Fill the action's form as a person would and send it; waits for the next step."""
    before = _step_no(page)
    page.click(f'#action-tabs [data-action="{action.action_type}"]')
    page.wait_for_selector(f'#action-form[data-action="{action.action_type}"]')
    for name, value in action.payload().items():
        if name == "action_type":
            continue
        if name == "requested_fields":
            for f in value:
                page.check(f'input[name="requested_fields"][value="{f}"]')
        elif name in ("message", "note", "query"):
            page.fill(f"#f-{name}", value)
        else:
            page.select_option(f"#f-{name}", value)
    page.click("#send")
    page.wait_for_function(
        f"Number(document.querySelector('#ep-facts dd:nth-of-type(3)').textContent) > {before}"
    )


def _current_state(page: Any) -> str:
    return str(page.get_attribute("#state-svg g.state.current", "data-state"))


def test_a_whole_seed_case_played_through_the_page(browser: Any, server: LiveServer) -> None:
    page, problems = _page(browser, server.base_url)
    scenario = get_scenario(TASK)

    # the task picker: a seed task, dense rewards
    page.select_option("#pick-split", "seed")
    page.select_option("#pick-task", TASK)
    page.select_option("#pick-reward-mode", "dense")
    page.click("#start")
    page.wait_for_selector("#episode:not([hidden])")
    assert page.text_content("#ep-title") == TASK
    assert scenario.ticket.subject in page.text_content("#ticket-body")
    assert page.text_content("#case-status") == "new"
    assert _current_state(page) == "new"
    legal = page.text_content("#legal-actions")
    assert "Classify the case" in legal and "Resolve" not in legal
    episode_id = page.text_content("#ep-id")
    assert page.evaluate("JSON.parse(sessionStorage.getItem('caseops.playground.v1')).episodeId")
    assert (
        page.evaluate("JSON.parse(sessionStorage.getItem('caseops.playground.v1')).episodeId")
        == episode_id
    )
    page.screenshot(path=str(SCREENSHOTS / "01-case-started.png"), full_page=True)

    # a rejected action: shown as an error with the state machine's reason
    _send(page, CaseAction(action_type="resolve", resolution_code="request_verification"))
    message = page.text_content("#message")
    assert message.startswith("Rejected:") and "not allowed while the case is new" in message
    assert page.locator("#timeline li.ev-rejected").count() == 1
    page.screenshot(path=str(SCREENSHOTS / "02-rejected-action.png"), full_page=True)

    # an invalid action (a 422 naming the field): nothing is recorded
    page.click('#action-tabs [data-action="search_policy"]')
    page.fill("#f-query", "x" * 250)
    page.click("#send")
    page.wait_for_function("document.querySelector('#message').textContent.includes('Invalid')")
    assert "action.query" in page.text_content("#message")
    assert _step_no(page) == 1

    # the rest: the full-score plan, through the forms
    for action in oracle_actions(scenario):
        _send(page, action)
        assert not page.text_content("#message"), page.text_content("#message")
        if action.action_type == "classify":
            assert page.text_content("#case-queue") == "trust and safety"
            assert page.text_content("#case-priority") == "high"
            assert page.text_content("#case-issue-type") == "account security"
            assert _current_state(page) == "triaged"
            assert "login activity" in page.text_content("#evidence-body")
            page.screenshot(path=str(SCREENSHOTS / "03-classified.png"), full_page=True)
        if action.action_type == "request_info":
            requested = page.text_content("#case-requested")
            assert "identity verification" in requested and "recent devices" in requested
            # this customer has not answered yet: the case waits on them
            assert page.text_content("#case-status") == "waiting on customer"
            assert _current_state(page) == "waiting_on_customer"
    # the end: the grade report and the stored event log
    page.wait_for_selector("#report:not([hidden]) table.grade")
    assert page.text_content("#ep-title").endswith("ended")
    report = httpx.get(f"{server.base_url}/episodes/{episode_id}/replay").json()["grade"]
    assert report["score"] > 0.9  # the plan's score less the rejected step's cost
    summary = page.text_content("#report-summary")
    assert summary.startswith(f"Score {report['score']:.3f}") and report["outcome"] in summary
    rows = page.locator("table.grade tbody tr")
    assert rows.count() == len(report["components"]) > 5
    first = report["components"][0]
    cells = rows.nth(0).locator("td").all_text_contents()
    assert cells[0] == first["name"].replace("_", " ")
    assert cells[1] == f"{first['weight']:.3f}" and cells[4] == first["detail"]
    assert cells[5].startswith("#")  # which event: its version and type
    page.wait_for_selector("#timeline li.ev-end")
    assert "EpisodeStarted" in page.text_content("#timeline")
    assert "TransitionRejected" in page.text_content("#timeline")
    assert page.locator("#action-form *").count() == 0  # nothing left to send
    page.screenshot(path=str(SCREENSHOTS / "04-graded.png"), full_page=True)

    # the episode belongs to this tab: a reload keeps it, another tab starts blank
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    assert page.text_content("#ep-id") == episode_id
    other, other_problems = _page(browser, server.base_url)
    assert other.is_hidden("#episode")
    assert problems == [] and other_problems == []


def test_the_replay_view_asks_a_sealed_server_for_the_token(
    browser: Any, sealed_server: LiveServer
) -> None:
    base = sealed_server.base_url
    scenario = get_scenario("damaged_mug_replacement")
    with httpx.Client(base_url=base, timeout=30) as c:
        obs = c.post("/reset", json={"task_id": scenario.task_id}).json()["observation"]
        episode_id = obs["episode_id"]
        for action in oracle_actions(scenario):
            c.post("/step", json={"action": action_json(action), "episode_id": episode_id})
    page, problems = _page(browser, base)
    page.click("#tab-replay")
    page.fill("#replay-id", episode_id)
    page.click("#replay-load")
    page.wait_for_selector("#token-label:not([hidden])")
    assert "sealed" in page.text_content("#replay-message")
    assert page.is_hidden("#replay-out")
    page.fill("#replay-token", TOKEN)
    page.click("#replay-load")
    page.wait_for_selector("#replay-out:not([hidden]) table.grade")
    assert "matches the log" in page.text_content("#replay-summary")
    assert page.locator("#replay-timeline li").count() == len(oracle_actions(scenario)) + 2
    page.screenshot(path=str(SCREENSHOTS / "05-replay-sealed.png"), full_page=True)
    assert problems == []
