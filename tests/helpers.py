"""Small helpers shared by the engine tests: find an open work item, walk the test process."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select, text

from engine.storage.models import AuditEvent, Case, User, UserRole, WorkItem


def open_item(db, case_id: int, spec_name: str) -> WorkItem:
    with db.read() as s:
        item = s.scalar(select(WorkItem).where(WorkItem.case_id == case_id, WorkItem.spec_name == spec_name,
                                               WorkItem.state == "open"))
    assert item is not None, f"no open {spec_name} in case {case_id}: {open_items(db, case_id)}"
    return item


def open_items(db, case_id: int) -> list[str]:
    with db.read() as s:
        return sorted(s.scalars(select(WorkItem.spec_name).where(WorkItem.case_id == case_id,
                                                                  WorkItem.state == "open")))


def get_case(db, case_id: int) -> Case:
    with db.read() as s:
        return s.get(Case, case_id)


def events(db, case_id: int) -> list[AuditEvent]:
    with db.read() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(AuditEvent.seq)))


class Walker:
    """Drives a test_approval case, one user per role, advancing the clock a minute a step."""

    USERS = {"unit_clerk": "clerk_commerce", "unit_head": "head_commerce", "fao_clerk": "fao_clerk",
             "section_chief": "section_chief", "fao_director": "fao_director"}

    def __init__(self, service, t0):
        self.service = service
        self.db = service.db
        self.now = t0
        self.case_id: int | None = None

    def tick(self, delta: timedelta = timedelta(minutes=1)):
        self.now += delta
        return self.now

    def start(self, data=None):
        self.case_id = self.service.start_case("clerk_commerce", "test_approval", data, at=self.tick())
        return self.case_id

    def complete(self, spec_name: str, **data):
        item = open_item(self.db, self.case_id, spec_name)
        self.service.complete_task(self.USERS[item.role], self.case_id, item.task_id, data,
                                   expected_version=item.version, at=self.tick())
        return item

    def apply(self, days=8, countries=2):
        return self.complete("ut_apply", applicant="张三", days=days, countries=countries)


def add_user(db, username: str, unit: str | None, roles: list[str]) -> None:
    with db.transaction() as s:
        user = User(username=username, display_name=username, unit_code=unit, password_hash="")
        user.roles = [UserRole(role=r) for r in roles]
        s.add(user)


def _bypass_triggers(db, sql: str, params: dict) -> None:
    """What an attacker with database access would do: drop the guard, edit, put it back."""
    with db.transaction() as s:
        if db.is_postgres:
            s.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
            s.execute(text(sql), params)
            s.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
        else:
            s.execute(text("DROP TRIGGER audit_events_no_update"))
            s.execute(text("DROP TRIGGER audit_events_no_delete"))
            s.execute(text(sql), params)
            s.execute(text("""CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
                              BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"""))
            s.execute(text("""CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
                              BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"""))


def _bypass_triggers_for_cli(db, case_id: int) -> None:
    _bypass_triggers(db, "UPDATE audit_events SET actor = 'mallory' WHERE case_id = :c AND seq = 1", {"c": case_id})


SCENARIO_EPOCH = date(2026, 3, 2)  # the scenarios' default clock (docs/scenarios.md)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def shift_dates(value: Any, delta: timedelta) -> Any:
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return (date.fromisoformat(value) + delta).isoformat()
    if isinstance(value, dict):
        return {k: shift_dates(v, delta) for k, v in value.items()}
    if isinstance(value, list):
        return [shift_dates(v, delta) for v in value]
    return value


def to_this_week(data: Any) -> Any:
    """Scenario data with every date moved by whole weeks so that the scenarios' first day falls in
    the coming seven days (weekdays stay the same): for tests at the wall clock, where the forms
    refuse a departure in the past."""
    weeks = (date.today() - SCENARIO_EPOCH).days // 7 + 1
    return shift_dates(data, timedelta(weeks=max(weeks, 0)))
