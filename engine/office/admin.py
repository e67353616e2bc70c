"""The office's own tables that an administrator edits — units, the holiday table and office
settings — as engine commands: one transaction each, one event on the system audit chain, and
bad input refused with a message in Chinese and English before anything changes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, select

from engine.audit import chain
from engine.errors import InvalidInput, Message, NotFound
from engine.office import holidays, settings
from engine.storage.db import Database
from engine.storage.models import Holiday, Setting, Unit, UnitHold
from engine.users import require_admin

UNIT_CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
DURATION_RE = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$")


def utcnow() -> datetime:
    return datetime.now(UTC)


# -- units ------------------------------------------------------------------------------------


def create_unit(db: Database, actor: str, *, code: str, name_zh: str, name_en: str,
                at: datetime | None = None) -> None:
    at = at or utcnow()
    code, name_zh, name_en = (code or "").strip().lower(), (name_zh or "").strip(), (name_en or "").strip()
    with db.transaction() as session:
        require_admin(session, actor)
        errors: dict[str, Message] = {}
        if not UNIT_CODE_RE.match(code):
            errors["code"] = Message("单位代码须为 2–64 位小写字母、数字或下划线，以字母开头",
                                     "Unit code: 2–64 lowercase letters, digits or underscores, starting with a letter")
        elif session.get(Unit, code) is not None:
            errors["code"] = Message(f"单位代码 {code} 已存在", f"The unit code {code} exists already")
        _check_names(name_zh, name_en, errors)
        _raise_if(errors)
        session.add(Unit(code=code, name_zh=name_zh, name_en=name_en, held=False))
        session.flush()
        chain.append_system(session, at=at, actor=actor, command="create_unit",
                            payload={"code": code, "name_zh": name_zh, "name_en": name_en})


def update_unit(db: Database, actor: str, code: str, *, name_zh: str, name_en: str, held: bool,
                at: datetime | None = None) -> dict[str, list[Any]]:
    """Rename a unit, or lift (or set) its hold on new applications by hand."""
    at = at or utcnow()
    name_zh, name_en = (name_zh or "").strip(), (name_en or "").strip()
    with db.transaction() as session:
        require_admin(session, actor)
        unit = session.get(Unit, code)
        if unit is None:
            raise NotFound(f"单位 {code} 不存在", f"The unit {code} does not exist")
        errors: dict[str, Message] = {}
        _check_names(name_zh, name_en, errors)
        _raise_if(errors)
        case_holds = list(session.scalars(select(UnitHold.case_id).where(UnitHold.unit_code == code)))
        before = {"name_zh": unit.name_zh, "name_en": unit.name_en, "held": bool(unit.held) or bool(case_holds)}
        after = {"name_zh": name_zh, "name_en": name_en, "held": bool(held)}
        changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
        if not changes:
            return {}
        unit.name_zh, unit.name_en, unit.held = name_zh, name_en, bool(held)
        payload: dict[str, Any] = {"code": code, "changes": changes}
        if not held and case_holds:
            # Lifting by hand overrides the cases' holds too; the event names the cases released.
            session.execute(delete(UnitHold).where(UnitHold.unit_code == code))
            payload["released_case_holds"] = case_holds
        chain.append_system(session, at=at, actor=actor, command="update_unit", payload=payload)
        return changes


# -- holiday table ------------------------------------------------------------------------------


def put_holiday(db: Database, actor: str, day: date, is_holiday: bool, note: str = "", *,
                at: datetime | None = None) -> None:
    """Add or change one day of the fallback calendar (a holiday, or a make-up working day)."""
    at = at or utcnow()
    note = (note or "").strip()
    if len(note) > 200:
        raise InvalidInput("备注不能超过 200 个字符", "The note may have at most 200 characters",
                           field_errors={"note": Message("备注不能超过 200 个字符",
                                                         "The note may have at most 200 characters")})
    with db.transaction() as session:
        require_admin(session, actor)
        row = session.get(Holiday, day)
        if row is None:
            session.add(Holiday(day=day, is_holiday=bool(is_holiday), note=note))
        else:
            row.is_holiday, row.note = bool(is_holiday), note
        chain.append_system(session, at=at, actor=actor, command="put_holiday",
                            payload={"day": day.isoformat(), "is_holiday": bool(is_holiday), "note": note})
    holidays.load(db)


def delete_holiday(db: Database, actor: str, day: date, *, at: datetime | None = None) -> None:
    at = at or utcnow()
    with db.transaction() as session:
        require_admin(session, actor)
        row = session.get(Holiday, day)
        if row is None:
            raise NotFound(f"节假日表中没有 {day.isoformat()}", f"{day.isoformat()} is not in the holiday table")
        session.delete(row)
        chain.append_system(session, at=at, actor=actor, command="delete_holiday",
                            payload={"day": day.isoformat()})
    holidays.load(db)


# -- office settings ------------------------------------------------------------------------------


def parse_setting(key: str, raw: str) -> Any:
    """A submitted text turned into the setting's value, checked against what its default is."""
    if key not in settings.DEFAULTS:
        raise InvalidInput(f"未知的设置项：{key}", f"Unknown setting: {key}")
    default = settings.DEFAULTS[key]
    raw = (raw or "").strip()

    def bad(zh: str, en: str) -> InvalidInput:
        return InvalidInput(zh, en, field_errors={key: Message(zh, en)})

    if isinstance(default, bool):
        return raw.lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        if not re.fullmatch(r"\d{1,6}", raw):
            raise bad(f"“{key}”须为非负整数", f"'{key}' must be a whole number of at least 0")
        return int(raw)
    if not raw:
        raise bad(f"“{key}”不能为空", f"'{key}' cannot be empty")
    if len(raw) > 200:
        raise bad(f"“{key}”不能超过 200 个字符", f"'{key}' may have at most 200 characters")
    if key.startswith("number_format.") and "{n}" not in raw:
        raise bad("文号格式须包含 {n}（序号）", "A number format must contain {n} (the running number)")
    if isinstance(default, str) and DURATION_RE.match(default) and not DURATION_RE.match(raw):
        raise bad(f"“{key}”须为 ISO 8601 时长，例如 P3D", f"'{key}' must be an ISO 8601 duration such as P3D")
    return raw


def put_setting(db: Database, actor: str, key: str, raw: str, *, at: datetime | None = None) -> bool:
    """Set one office setting from its submitted text. A value equal to the default removes the
    override. Returns whether anything changed (an unchanged value writes no event)."""
    at = at or utcnow()
    value = parse_setting(key, raw)
    with db.transaction() as session:
        require_admin(session, actor)
        before = settings.get(session, key)
        if before == value:
            return False
        row = session.get(Setting, key)
        if value == settings.DEFAULTS[key]:
            if row is not None:
                session.delete(row)
        else:
            settings.put(session, key, value)
        chain.append_system(session, at=at, actor=actor, command="put_setting",
                            payload={"key": key, "before": before, "after": value})
        return True


def _check_names(name_zh: str, name_en: str, errors: dict[str, Message]) -> None:
    if not name_zh:
        errors["name_zh"] = Message("请填写中文名称", "Enter the Chinese name")
    elif len(name_zh) > 200:
        errors["name_zh"] = Message("名称不能超过 200 个字符", "A name may have at most 200 characters")
    if not name_en:
        errors["name_en"] = Message("请填写英文名称", "Enter the English name")
    elif len(name_en) > 200:
        errors["name_en"] = Message("名称不能超过 200 个字符", "A name may have at most 200 characters")


def _raise_if(errors: dict[str, Message]) -> None:
    if errors:
        first = next(iter(errors.values()))
        raise InvalidInput(first.zh, first.en, field_errors=errors)
