"""Lists for the administration pages: users with their roles, units, the holiday table and the
office settings (defaults merged with the overrides in the `settings` table)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.office import settings
from engine.storage.models import Holiday, Setting, Unit, UnitHold, User, UserRole


@dataclass(frozen=True)
class UserView:
    id: int
    username: str
    display_name: str
    unit_code: str | None
    active: bool
    roles: tuple[str, ...]


@dataclass(frozen=True)
class UnitView:
    code: str
    name_zh: str
    name_en: str
    held: bool


@dataclass(frozen=True)
class SettingView:
    key: str
    value: Any
    default: Any

    @property
    def overridden(self) -> bool:
        return self.value != self.default


def users(session: Session, *, text: str | None = None, include_inactive: bool = True) -> list[UserView]:
    query = select(User.id, User.username, User.display_name, User.unit_code, User.active).order_by(User.username)
    if text:
        like = f"%{text.strip()}%"
        query = query.where(User.username.ilike(like) | User.display_name.ilike(like))
    if not include_inactive:
        query = query.where(User.active.is_(True))
    rows = session.execute(query).all()
    roles: dict[int, list[str]] = {}
    for user_id, role in session.execute(select(UserRole.user_id, UserRole.role).order_by(UserRole.role)):
        roles.setdefault(user_id, []).append(role)
    return [UserView(r.id, r.username, r.display_name, r.unit_code, bool(r.active), tuple(roles.get(r.id, ())))
            for r in rows]


def user(session: Session, username: str) -> UserView | None:
    row = session.execute(select(User.id, User.username, User.display_name, User.unit_code, User.active)
                          .where(User.username == username)).first()
    if row is None:
        return None
    roles = tuple(session.scalars(select(UserRole.role).where(UserRole.user_id == row.id).order_by(UserRole.role)))
    return UserView(row.id, row.username, row.display_name, row.unit_code, bool(row.active), roles)


def units(session: Session) -> list[UnitView]:
    held_by_cases = set(session.scalars(select(UnitHold.unit_code).distinct()))
    return [UnitView(u.code, u.name_zh, u.name_en, bool(u.held) or u.code in held_by_cases)
            for u in session.scalars(select(Unit).order_by(Unit.code))]


def holidays(session: Session, *, from_day: date | None = None) -> list[Holiday]:
    query = select(Holiday).order_by(Holiday.day)
    if from_day is not None:
        query = query.where(Holiday.day >= from_day)
    return list(session.scalars(query))


def office_settings(session: Session) -> list[SettingView]:
    overrides = {s.key: s.value for s in session.scalars(select(Setting))}
    return [SettingView(key, overrides.get(key, default), default) for key, default in settings.DEFAULTS.items()]
