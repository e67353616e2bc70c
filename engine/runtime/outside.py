"""The live side of `engine.side_effects`: what each outside call does in the command's
transaction. Replay never reaches this module."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import bindparam, delete, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from engine.errors import InvalidInput
from engine.office import settings, workdays
from engine.roles import ROLES
from engine.runtime.case_store import CaseRow
from engine.storage.models import Notification, NumberSeries, Unit, UnitHold, WorkItem

CHINA = timezone(timedelta(hours=8))
KINDS = ("trip_batch", "visa_notice", "invitation_letter", "sister_city_request", "ngo_opinion", "personnel_filing")


class LiveEffects:
    """Handles outside calls for one command on one case."""

    def __init__(self, session: Session, case: CaseRow, at: datetime, postgres: bool) -> None:
        self.session, self.case, self.at, self.postgres = session, case, at, postgres

    def __call__(self, op: str, args: dict[str, Any]) -> Any:
        handler = getattr(self, f"op_{op}", None)
        if handler is None:
            raise InvalidInput(f"未知的外部操作：{op}", f"Unknown outside operation: {op}")
        return handler(**args)

    def op_issue_number(self, kind: str) -> str:
        if kind not in KINDS:
            raise InvalidInput(f"未知的文号类别：{kind}", f"Unknown document number kind: {kind}")
        year = self.at.astimezone(CHINA).year
        ins = (pg_insert if self.postgres else sqlite_insert)(NumberSeries).values(kind=kind, year=year, last=1)
        # The upsert takes the counter row's lock until commit: concurrent commands queue here, and a
        # rolled-back command gives its number back, so the series has no gaps.
        stmt = ins.on_conflict_do_update(index_elements=["kind", "year"], set_={"last": NumberSeries.last + 1})
        n = self.session.execute(stmt.returning(NumberSeries.last)).scalar_one()
        fmt = settings.get(self.session, f"number_format.{kind}")
        return str(fmt).replace("{year}", str(year)).replace("{n}", str(n))

    def op_setting(self, name: str) -> Any:
        try:
            return settings.get(self.session, name)
        except KeyError as exc:
            raise InvalidInput(f"未知的设置项：{name}", f"Unknown setting: {name}") from exc

    def op_hold_unit(self, reason: str) -> None:
        if not self.case.unit_code:
            return
        holds = UnitHold.__table__
        exists = self.session.execute(select(holds.c.case_id).where(
            holds.c.unit_code == self.case.unit_code, holds.c.case_id == self.case.id)).first()
        if exists is None:
            self.session.execute(insert(holds).values(unit_code=self.case.unit_code, case_id=self.case.id,
                                                      reason=str(reason), since=self.at))
        self._notify(role="unit_clerk", unit=self.case.unit_code, kind="info",
                     zh=f"本单位新的出国申请已暂停受理：{reason}",
                     en=f"New applications of your unit are on hold: {reason}")

    def op_calendar(self, fn: str, a: str, b: Any) -> Any:
        day = date.fromisoformat(a)
        if fn == "is_working_day":
            return workdays.is_working_day(day)
        if fn == "add_working_days":
            return workdays.add_working_days(day, int(b)).isoformat()
        if fn == "working_days_between":
            return workdays.working_days_between(day, date.fromisoformat(b))
        raise InvalidInput(f"未知的日历函数：{fn}", f"Unknown calendar function: {fn}")

    def op_release_unit(self) -> None:
        """Lift this case's hold only: the unit stays held while another case still holds it."""
        holds = UnitHold.__table__
        self.session.execute(delete(holds).where(holds.c.unit_code == self.case.unit_code,
                                                 holds.c.case_id == self.case.id))

    def op_notify(self, role: str, zh: str, en: str, kind: str = "info") -> None:
        if role not in ROLES:
            raise InvalidInput(f"未知的角色：{role}", f"Unknown role: {role}")
        unit = self.case.unit_code if role in ("unit_clerk", "unit_head") else None
        self._notify(role=role, unit=unit, kind=kind, zh=zh, en=en)

    def op_notify_applicant(self, zh: str, en: str, kind: str = "info") -> None:
        self._notify(username=self.case.started_by, kind=kind, zh=zh, en=en)

    def op_register_partner(self, values: dict[str, Any]) -> int:
        from engine.partners.register import from_case  # the register imports the runtime's actors

        return from_case(self.session, self.case.id, values, self.case.started_by, self.at)

    def op_person_checks(self, values: dict[str, Any]) -> dict[str, Any]:
        from engine.persons.checks import person_checks  # the register imports the runtime's actors

        return person_checks(self.session, self.case.id, values, self.at.astimezone(CHINA).date(),
                             int(settings.get(self.session, "passport_return_days")))

    def op_register_trips(self, values: dict[str, Any]) -> int:
        from engine.persons.register import record_case_trips

        return record_case_trips(self.session, self.case.id, self.case.process_id, self.case.unit_code,
                                 values, self.at)

    def op_person_last_trips(self, members: list[dict[str, Any]], before: str) -> list[dict[str, Any] | None]:
        from engine.persons.register import last_trips

        return last_trips(self.session, [m for m in members if isinstance(m, dict)],
                          before=date.fromisoformat(str(before)), except_case=self.case.id)

    def op_cancel_trips(self) -> int:
        from engine.persons.register import cancel_case_trips

        return cancel_case_trips(self.session, self.case.id, self.at)

    def op_person_passports(self, due: Any, returned: Any) -> int:
        from engine.persons.register import record_passports

        return record_passports(self.session, self.case.id, due, returned, self.at)

    def op_escalate(self, task: str, role: str) -> int:
        if role not in ROLES:
            raise InvalidInput(f"未知的角色：{role}", f"Unknown role: {role}")
        items = WorkItem.__table__
        result = self.session.execute(
            update(items).where(items.c.case_id == self.case.id, items.c.spec_name == task, items.c.state == "open")
            .values(escalated_role=role, version=items.c.version + 1))
        if result.rowcount:
            self._notify(role=role, unit=None, kind="escalation",
                         zh=f"逾期待办已上报给您：案件 {self.case.id}（{self.case.title}）",
                         en=f"An overdue task was escalated to you: case {self.case.id} ({self.case.title})")
        return result.rowcount

    def _notify(self, *, kind: str, zh: str, en: str, role: str | None = None, unit: str | None = None,
                username: str | None = None) -> None:
        self.session.execute(insert(Notification.__table__).values(
            username=username, role=role, unit_code=unit, case_id=self.case.id, kind=kind,
            text_zh=str(zh), text_en=str(en), created_at=self.at))


def unit_held(session: Session, unit_code: str | None) -> bool:
    """Held by an administrator's hand (units.held) or by any case (unit_holds)."""
    if not unit_code:
        return False
    return bool(session.scalar(_HELD, {"u": unit_code}))


# Every start asks: one prebuilt statement for both holds.
_UNITS, _HOLDS = Unit.__table__, UnitHold.__table__
_HELD = select(or_(
    select(_UNITS.c.code).where(_UNITS.c.code == bindparam("u"), _UNITS.c.held.is_(True)).exists(),
    select(_HOLDS.c.case_id).where(_HOLDS.c.unit_code == bindparam("u")).exists()))
