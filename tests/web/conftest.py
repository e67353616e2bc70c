"""Fixtures for the web app: the app on the per-test database with the test process deployed,
and a `Web` client that signs in and sends the CSRF token like a browser would."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from engine.demo import DEMO_PASSWORD
from webapp import create_app

TRANSLATIONS = Path(__file__).resolve().parents[2] / "webapp" / "translations"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogs():
    """`make install` compiles the catalogs; this keeps a bare `pytest` run (or a .po edited since)
    from testing stale ones."""
    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as f:
                catalog = read_po(f)
            with mo.open("wb") as f:
                write_mo(f, catalog)


@pytest.fixture
def app(deployed, db_url, tmp_path):
    flask_app = create_app({"DATABASE_URL": db_url, "TESTING": True, "SECRET_KEY": "test-secret-key",
                            "WAISHI_DATA_DIR": str(tmp_path / "data")})
    yield flask_app
    flask_app.extensions["waishi"].db.dispose()


class Web:
    """A test client that behaves like a person's browser: follows the forms' CSRF tokens."""

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()
        self.username: str | None = None

    def get(self, path: str, **kwargs):
        return self.client.get(path, **kwargs)

    def token(self, path: str | None = None) -> str:
        page = self.client.get(path or ("/notifications" if self.username else "/login"), follow_redirects=True)
        found = CSRF_RE.search(page.get_data(as_text=True))
        assert found, f"no CSRF token on {path}"
        return found.group(1)

    def post(self, path: str, data: dict | None = None, *, csrf: bool = True, follow: bool = False, **kwargs):
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.token())
        return self.client.post(path, data=data, follow_redirects=follow, **kwargs)

    def login(self, username: str, password: str = DEMO_PASSWORD, **kwargs):
        response = self.post("/login", {"username": username, "password": password}, **kwargs)
        if response.status_code == 302:
            self.username = username
        return response

    def logout(self):
        response = self.post("/logout")
        self.username = None
        return response

    def english(self):
        self.post("/lang", {"lang": "en", "next": "/"})
        return self


def text_of(page: str) -> str:
    """The visible text of a page: no tags, scripts or styles; entities decoded."""
    page = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", page)
    page = re.sub(r"(?s)<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(page)).strip()


def scenario_task_page(db, make_web, name: str, task: str, role: str, *, steps: int | None = None) -> str:
    """Run the shipped scenario `name` (only its first `steps` steps, then expecting `task` open),
    and return the visible text of that task's page as `role` sees it."""
    import tomllib

    from engine.scenarios import default_definitions, deploy_definitions, parse_scenario, run_scenario
    from tests.conftest import TESTS
    from tests.helpers import open_item

    deploy_definitions(db, default_definitions())
    path = TESTS.parent / "processes" / "scenarios" / f"{name}.toml"
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    if steps is not None:
        raw["steps"] = raw["steps"][:steps]
        raw["expect"] = {"open": [task]}
    result = run_scenario(parse_scenario(raw, source=path), db, lang="en")
    assert result.ok, result.report("en")
    item = open_item(db, result.case_id, task)
    page = make_web(role).get(f"/cases/{result.case_id}/tasks/{item.task_id}")
    assert page.status_code == 200
    return text_of(page.get_data(as_text=True))


def flashes(page: str) -> list[str]:
    return [text_of(m) for m in re.findall(r'(?s)<p class="flash flash-\w+">(.*?)</p>', page)]


@pytest.fixture
def web(app):
    return Web(app)


@pytest.fixture
def make_web(app):
    """Several people at once: `make_web("clerk_commerce")` returns a signed-in client."""

    def make(username: str | None = None, password: str = DEMO_PASSWORD) -> Web:
        w = Web(app)
        if username:
            assert w.login(username, password).status_code == 302
        return w

    return make
