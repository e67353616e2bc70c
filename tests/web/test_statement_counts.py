"""The number of SQL statements of one HTTP completion (issue 10: at most 15, the page the user
lands on included; 16 on PostgreSQL, whose command locks before it reads): GET the task page,
POST its form, GET the inbox redirected to. Deterministic, so pinned: a change that adds a query
to the path shows here. SQLite's explicit BEGINs (engine/storage/db.py) are transaction control
and are counted apart, as transactions."""

from __future__ import annotations

import re

from sqlalchemy import event

from engine.runtime.service import CaseService
from engine.storage.db import Database
from tests.ops.http_user import PATH, TASK_FORM_RE, USERS, VERSION_RE

# (task page, POST, inbox) statements of each completion of PATH; the POST's include the command's
# one lock statement (case, work item and actor) and its writes.
EXPECTED = [(4, 8, 3), (4, 8, 3), (4, 8, 3), (4, 8, 3), (4, 6, 3), (4, 8, 3), (4, 7, 3)]
ROW_RE = re.compile(r'data-case="(\d+)" data-task="([^"]+)"')


class Counter:
    def __init__(self, engine) -> None:
        self.statements, self.transactions = 0, 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn, _cursor, statement, *_args) -> None:
        if statement.startswith("BEGIN"):
            self.transactions += 1
        else:
            self.statements += 1

    def take(self) -> tuple[int, int]:
        got = (self.statements, self.transactions)
        self.statements, self.transactions = 0, 0
        return got


def _open_task(db: Database, case_id: int, spec: str) -> tuple[str, str]:
    from sqlalchemy import select

    from engine.storage.models import WorkItem

    with db.read() as s:
        row = s.execute(select(WorkItem.task_id, WorkItem.role).where(
            WorkItem.case_id == case_id, WorkItem.spec_name == spec, WorkItem.state == "open")).one()
    return row.task_id, row.role


def test_one_http_completion_runs_at_most_15_statements_on_sqlite(app, make_web, db_url):
    people = {role: make_web(username) for role, username in USERS.items()}
    lookup = Database(db_url)
    starter = CaseService(lookup)
    counter = Counter(app.extensions["waishi"].db.engine)
    sqlite = app.extensions["waishi"].db.is_sqlite
    try:
        _walk(people, lookup, starter.start_case("clerk_commerce", "test_approval", {}), counter)  # warm caches
        seen = _walk(people, lookup, starter.start_case("clerk_commerce", "test_approval", {}), counter)
    finally:
        lookup.dispose()
    statements = [(p[0], q[0], i[0]) for p, q, i in seen]
    # PostgreSQL: the command locks the case row with a statement of its own before reading the work
    # item (engine/runtime/case_store.lock_task says why): one more there.
    expected = EXPECTED if sqlite else [(p, q + 1, i) for p, q, i in EXPECTED]
    assert statements == expected
    assert all(sum(s) <= (15 if sqlite else 16) for s in statements)
    if sqlite:  # one read transaction per page, the command's write transaction, the POST's user load
        assert [(p[1], q[1], i[1]) for p, q, i in seen] == [(1, 2, 1)] * len(PATH)
    # (PostgreSQL's driver issues its BEGINs itself: not seen by SQLAlchemy's events.)


def _walk(people, lookup: Database, case_id: int, counter: Counter) -> list:
    seen = []
    for spec, data in PATH:
        task_id, role = _open_task(lookup, case_id, spec)
        web = people[role]
        counter.take()
        page = web.get(f"/cases/{case_id}/tasks/{task_id}")
        assert page.status_code == 200
        body = page.get_data(as_text=True)
        form = TASK_FORM_RE.search(body).group(0)
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        got_page = counter.take()
        posted = web.post(f"/cases/{case_id}/tasks/{task_id}", {
            **data, "csrf_token": token, "expected_version": VERSION_RE.search(form).group(1),
            "_action": "submit"}, csrf=False)
        assert posted.status_code == 303, posted.get_data(as_text=True)[:500]
        got_post = counter.take()
        landing = web.get(posted.headers["Location"])
        assert landing.status_code == 200
        got_inbox = counter.take()
        seen.append((got_page, got_post, got_inbox))
    return seen
