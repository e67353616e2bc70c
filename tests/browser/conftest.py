"""Browser tests: the real web app served over HTTP and driven by Debian's Chromium with Playwright.

- `live_server` (per test): a fresh database — a copy of a session template that is migrated, has
  the demo users and `processes/` + `forms/` deployed; with DATABASE_URL set, a throwaway
  PostgreSQL database created from a template database and dropped afterwards, as tests/conftest.py
  does — and the Flask app on it, served by werkzeug's `make_server` in a thread on 127.0.0.1 with
  a free port. No timer worker: a test that needs a timer fires it through the engine
  (`live_server.cases.fire_timers`). Errors the app logs (an unhandled exception, a failed
  document) fail the test.
- Playwright (pip `playwright`, `pytest-playwright`) drives /usr/bin/chromium (Debian's package,
  installed by scripts/system-deps.sh); no browser is ever downloaded. Without it every browser test
  FAILS, saying what to run: a skipped browser suite would look green while testing nothing.
- `sign_in(username)`: a new browser context (its own cookies, as a separate person) signed in
  through the sign-in page; returns its page.
- `engine`: prepare cases through the engine (`engine.start`, `engine.complete`) at the wall
  clock, so the pages and the commands agree on "now".

Scenario data (processes/scenarios/*.toml) is the source of every field value: `scenario_step()`
reads one step's data, shifted to today's calendar where a form refuses past dates.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import threading
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select
from werkzeug.serving import WSGIRequestHandler, make_server

from engine.definitions.deploy import deploy_paths
from engine.demo import DEMO_PASSWORD
from engine.runtime.service import CaseService
from engine.storage.db import Database
from engine.storage.models import Case, WorkItem
from tests.conftest import built_template, copy_of_template, migrated_with_demo
from tests.helpers import to_this_week

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = REPO / "processes" / "scenarios"
# The README's screenshots are refreshed only on request (WAISHI_SCREENSHOTS=1 make test), so an
# ordinary test run leaves the committed PNGs alone.
SCREENSHOTS = (REPO / "docs" / "screenshots" if os.environ.get("WAISHI_SCREENSHOTS") == "1"
               else Path(tempfile.gettempdir()) / "waishi-screenshots")
CHROMIUM = Path(os.environ.get("WAISHI_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
DESKTOP = {"width": 1280, "height": 900}
TASK_DONE = "任务已办理。"  # the flash after a completed task
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


# -- Chromium ------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's launch arguments, pointed at Debian's Chromium (`playwright install`
    cannot download a browser here, and CI must not depend on it)."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"Chromium not found at {CHROMIUM}: the browser tests need Debian's chromium package. "
                    "Run `sudo bash scripts/system-deps.sh` (or `make install` as root), then run the tests again.",
                    pytrace=False)
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "headless": True, "args": CHROMIUM_ARGS}


# -- the database and the server -----------------------------------------------------------------

@pytest.fixture(scope="session")
def browser_db_template(tmp_path_factory):
    """A database every browser test copies: migrated, demo users, processes/ and forms/ deployed."""
    def prepare(db: Database) -> None:
        migrated_with_demo(db)
        deploy_paths(db, [REPO / "processes", REPO / "forms"])

    with built_template(tmp_path_factory.mktemp("browser-tpl"), "waishi_btpl", prepare) as template:
        yield template


@pytest.fixture
def browser_db_url(browser_db_template, tmp_path) -> Iterator[str]:
    with copy_of_template(*browser_db_template, tmp_path, "waishi_b") as url:
        yield url


class _ErrorLog(logging.Handler):
    """Collects what the app logs at ERROR or above (Flask logs every unhandled exception)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class _QuietHandler(WSGIRequestHandler):
    """No line per request in a failed test's log (the pages' own errors are still logged)."""

    def log_request(self, code="-", size="-") -> None:
        pass


@dataclass
class LiveServer:
    url: str
    app: Any
    db: Database
    cases: CaseService
    data_dir: Path
    errors: list[logging.LogRecord] = field(default_factory=list)

    def case(self, case_id: int) -> Case:
        with self.db.read() as s:
            return s.get(Case, case_id)

    def open_item(self, case_id: int, spec_name: str) -> WorkItem:
        with self.db.read() as s:
            item = s.scalar(select(WorkItem).where(WorkItem.case_id == case_id, WorkItem.spec_name == spec_name,
                                                   WorkItem.state == "open"))
        assert item is not None, f"no open {spec_name} in case {case_id}: {self.open_items(case_id)}"
        return item

    def open_items(self, case_id: int) -> list[str]:
        with self.db.read() as s:
            return sorted(s.scalars(select(WorkItem.spec_name).where(WorkItem.case_id == case_id,
                                                                      WorkItem.state == "open")))

    def task_url(self, case_id: int, spec_name: str) -> str:
        return f"{self.url}/cases/{case_id}/tasks/{self.open_item(case_id, spec_name).task_id}"


@pytest.fixture
def live_server(browser_db_url, tmp_path) -> Iterator[LiveServer]:
    from webapp import create_app

    data_dir = tmp_path / "data"
    app = create_app({"DATABASE_URL": browser_db_url, "SECRET_KEY": "browser-test-secret-key",
                      "WAISHI_DATA_DIR": str(data_dir)})
    waishi = app.extensions["waishi"]
    errors = _ErrorLog()
    watched = [app.logger, logging.getLogger("waishi")]
    for logger in watched:
        logger.addHandler(errors)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="live-server",
                              daemon=True)
    thread.start()
    live = LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app, db=waishi.db, cases=waishi.cases,
                      data_dir=data_dir, errors=errors.records)
    try:
        yield live
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()
        for logger in watched:
            logger.removeHandler(errors)
        waishi.db.dispose()
    if errors.records:
        shown = "\n".join(f"{r.name}: {r.getMessage()}" for r in errors.records)
        pytest.fail(f"the app logged errors during the test:\n{shown}", pytrace=False)


# -- people in browsers --------------------------------------------------------------------------

@pytest.fixture
def sign_in(browser, live_server):
    """`sign_in("clerk_commerce")` → a page of a fresh context (a separate person), signed in
    (`sign_in(None)`: not signed in). `lang="en"` switches to English with the header's button;
    `viewport=` sets the window size; other keywords go to `browser.new_context`."""
    contexts = []

    def open_as(username: str | None, *, lang: str | None = None, viewport: dict[str, int] | None = None,
                **options: Any):
        context = browser.new_context(base_url=live_server.url, viewport=viewport or DESKTOP, locale="zh-CN",
                                      timezone_id="Asia/Shanghai", accept_downloads=True, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.goto("/login")
        if username is not None:
            page.fill("#username", username)
            page.fill("#password", DEMO_PASSWORD)
            with page.expect_navigation():
                page.click("form.stack button[type=submit]")
            assert "/login" not in page.url, f"{username} could not sign in"
        if lang == "en":
            with page.expect_navigation():
                page.click(".lang-switch button[value=en]")
        return page

    yield open_as
    for context in contexts:
        context.close()


# -- scenario data and the engine ----------------------------------------------------------------



def scenario_steps(name: str) -> list[dict[str, Any]]:
    raw = tomllib.loads((SCENARIOS / f"{name}.toml").read_text(encoding="utf-8"))
    return raw["steps"]


def scenario_step(name: str, index: int, *, to_today: bool = True) -> dict[str, Any]:
    """The `data` of step `index` (0-based) of processes/scenarios/<name>.toml. `to_today` (the
    default, since the browser tests run at the wall clock and the forms refuse a departure in the
    past): every date moved by whole weeks so that the scenarios' first day (2026-03-02) falls in
    the coming seven days (weekdays stay the same)."""
    data = scenario_steps(name)[index].get("data", {})
    return to_this_week(data) if to_today else data


class Engine:
    """Prepares cases through the engine's commands, at the wall clock."""

    def __init__(self, live: LiveServer) -> None:
        self.live = live

    def start(self, process_id: str, username: str = "clerk_commerce") -> int:
        return self.live.cases.start_case(username, process_id, at=datetime.now(UTC))

    def complete(self, case_id: int, spec_name: str, username: str, data: dict[str, Any]) -> None:
        item = self.live.open_item(case_id, spec_name)
        self.live.cases.complete_task(username, case_id, item.task_id, data, expected_version=item.version,
                                      at=datetime.now(UTC))


@pytest.fixture
def engine(live_server) -> Engine:
    return Engine(live_server)


# -- filling a task form like a person -----------------------------------------------------------

def _html_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def fill_form(page, data: dict[str, Any]) -> None:
    """Fill the task form with `data` (a scenario step's data) as a person would: rows of dynamic
    lists added with the form's own "add a row" buttons first (each one a round trip), then every
    field typed, chosen or ticked. A value whose field the form lacks is an error."""
    _add_rows(page, data, "")
    _fill(page, data, "")


def _add_rows(page, data: dict[str, Any], prefix: str) -> None:
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            _add_rows(page, value, f"{name}.")
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            rows = page.locator(f'fieldset[data-list="{name}"] > fieldset.form-row')
            for _ in range(abs(rows.count() - len(value))):
                with page.expect_navigation():
                    if rows.count() < len(value):
                        page.click(f'button[name="_action"][value="add:{name}"]')
                    else:
                        rows.last.locator('button[name="_action"][value^="remove:"]').click()
            assert rows.count() == len(value), f"{name}: {rows.count()} rows, not {len(value)}"
            for i, row in enumerate(value):
                _add_rows(page, row, f"{name}[{i}].")


def _fill(page, data: dict[str, Any], prefix: str) -> None:
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            _fill(page, value, f"{name}.")
            continue
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for i, row in enumerate(value):
                _fill(page, row, f"{name}[{i}].")
            continue
        inputs = page.locator(f'form[data-testid="task-form"] [name="{name}"]')
        count = inputs.count()
        assert count, f"the form has no field named {name!r}"
        first = inputs.first
        tag = first.evaluate("e => e.tagName.toLowerCase()")
        kind = (first.get_attribute("type") or "").lower()
        if tag == "select":
            first.select_option(_html_value(value))
        elif kind == "radio":
            page.check(f'form[data-testid="task-form"] input[name="{name}"][value="{_html_value(value)}"]')
        elif kind == "checkbox" and isinstance(value, list):  # a checklist
            wanted = {_html_value(v) for v in value}
            for i in range(count):
                box = inputs.nth(i)
                box.set_checked(box.get_attribute("value") in wanted)
        elif kind == "checkbox":
            first.set_checked(bool(value))
        else:
            first.fill(_html_value(value))


def submit_task(page) -> None:
    """Press the form's Submit button and wait for the page it leads to."""
    with page.expect_navigation():
        page.click('form[data-testid="task-form"] .form-actions button[value="submit"]')


def open_task_from_inbox(page, case_id: int, task_name: str) -> None:
    """From the inbox, follow the link of the case's task named `task_name` (in either list)."""
    for tab in ("mine", "claimable"):
        page.goto(f"/?tab={tab}")
        link = page.locator(f'tr[data-case="{case_id}"] td a[href*="/tasks/"]', has_text=task_name)
        if link.count():
            break
    assert link.count() == 1, f"{task_name} of case {case_id} is not in the inbox of {page.url}"
    with page.expect_navigation():
        link.click()
    assert page.locator("h1").inner_text().startswith(task_name)


def act(page, case_id: int, task_name: str, data: dict[str, Any], *, screenshot: str | None = None) -> list[str]:
    """Open the task from the inbox, fill it with `data`, submit; the flashes of the inbox landed on."""
    open_task_from_inbox(page, case_id, task_name)
    fill_form(page, data)
    if screenshot:
        save_screenshot(page, screenshot)
    submit_task(page)
    flashes = flash_texts(page)
    assert urlsplit(page.url).path == "/", \
        f"{task_name}: not back in the inbox: {page.url} {flashes} {form_errors(page)}"
    assert TASK_DONE in flashes, flashes
    return flashes


def form_errors(page) -> list[str]:
    return page.locator('[data-testid="error-summary"] li').all_inner_texts()


def start_case(page, process_id: str) -> int:
    """Start an application of `process_id` from the start page; lands on its first task. The case id."""
    page.goto("/start")
    with page.expect_navigation():
        page.click(f'form:has(input[name="process_id"][value="{process_id}"]) button[type=submit]')
    found = re.search(r"/cases/(\d+)/tasks/", page.url)
    assert found, f"starting {process_id} did not lead to its first task: {page.url} {flash_texts(page)}"
    return int(found.group(1))


def flash_texts(page) -> list[str]:
    return [t.strip() for t in page.locator(".flash").all_inner_texts()]


def save_screenshot(page, name: str) -> Path:
    """docs/screenshots/<name>.png, as the README shows it: the top of the page, one window high,
    no focus ring."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    page.screenshot(path=str(path), animations="disabled", caret="hide")
    return path
