"""A person's browser, minimally, over real HTTP: one keep-alive connection to 127.0.0.1, the
session cookie, CSRF tokens from the pages, redirects seen (not followed) unless asked."""

from __future__ import annotations

import http.client
import re
import urllib.parse
from dataclasses import dataclass

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str

    @property
    def location(self) -> str:
        return self.headers.get("location", "")

    def csrf(self) -> str:
        found = CSRF_RE.search(self.body)
        assert found, f"no CSRF token in a {self.status} page"
        return found.group(1)


class HttpUser:
    def __init__(self, port: int, timeout: float = 60.0) -> None:
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self._conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            self._conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        return self._conn

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Response:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request(method, path, body=body, headers=headers)
                raw = conn.getresponse()
                data = raw.read().decode("utf-8", "replace")
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A keep-alive connection the server closed meanwhile: retry once on a new one
                # (only requests that never reached the application end up here).
                self.close()
                if attempt == 2 or method != "GET":
                    raise
        for name, value in raw.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
            if name.lower() == "connection" and value.lower() == "close":
                self.close()
        return Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, data)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, form: dict[str, str]) -> Response:
        return self.request("POST", path, form)

    def follow(self, response: Response) -> Response:
        location = response.location
        assert location, f"no redirect from a {response.status}"
        return self.get(urllib.parse.urlsplit(location)._replace(scheme="", netloc="").geturl())

    def sign_in(self, username: str, password: str) -> Response:
        token = self.get("/login").csrf()
        response = self.post("/login", {"username": username, "password": password, "csrf_token": token})
        assert response.status == 302, f"sign-in of {username}: {response.status}"
        return response

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


# The approval of bench/engine.py's test process as people do it over HTTP: who acts for each role
# and the path of tasks with what each submits (bench/http.py, tests/web/test_statement_counts.py).
USERS = {"unit_clerk": "clerk_commerce", "unit_head": "head_commerce", "fao_clerk": "fao_clerk",
         "section_chief": "section_chief", "fao_director": "fao_director"}
APPLY = {"applicant": "张三", "days": "8", "countries": "2"}
PATH = [("ut_apply", APPLY), ("ut_head", {"decision": "return", "comment": "补充"}), ("ut_apply", APPLY),
        ("ut_head", {"decision": "approve", "comment": ""}), ("ut_review", {"decision": "approve", "comment": ""}),
        ("ut_budget", {"budget_ok": "ok"}), ("ut_director", {"decision": "approve", "comment": ""})]

TASK_FORM_RE = re.compile(r'(?s)<form[^>]*data-testid="task-form".*?</form>')
VERSION_RE = re.compile(r'name="expected_version" value="(\d+)"')
ROW_RE = re.compile(r'data-case="(\d+)" data-task="([^"]+)"')


def inbox_rows(page: str) -> list[tuple[int, str]]:
    """(case id, task id) of every task row on an inbox page."""
    return [(int(c), t) for c, t in ROW_RE.findall(page)]


def complete_task(user: HttpUser, case_id: int, task_id: str, data: dict[str, str]) -> Response:
    """As a person does: open the task page, post its form (CSRF token and the version it was
    rendered with), follow the redirect to the inbox. Returns the POST's response (303: done;
    409: someone else completed it first; 200/400: the page came back with errors)."""
    page = user.get(f"/cases/{case_id}/tasks/{task_id}")
    if page.status != 200:
        return page
    form = TASK_FORM_RE.search(page.body)
    if form is None:  # already completed: the page shows what was submitted
        return Response(409, page.headers, page.body)
    version = VERSION_RE.search(form.group(0))
    assert version, "no expected_version on the task form"
    posted = user.post(f"/cases/{case_id}/tasks/{task_id}", {**data, "csrf_token": page.csrf(),
                                                              "expected_version": version.group(1),
                                                              "_action": "submit"})
    if posted.status == 303:
        landing = user.follow(posted)
        assert landing.status == 200, f"inbox after completing: {landing.status}"
    return posted
