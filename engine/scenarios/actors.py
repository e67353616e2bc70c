"""Who acts in a scenario: the demo user holding a role (in the case's unit for unit roles), and
the extra users a scenario declares with `[[users]]`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from engine.audit import chain
from engine.demo import USERS as DEMO_USERS
from engine.roles import UNIT_SCOPED
from engine.scenarios.model import ExtraUser
from engine.scenarios.result import StepFailed
from engine.storage.db import Database
from engine.storage.models import Unit, User, UserRole

_DEMO_ORDER = {username: i for i, (username, *_rest) in enumerate(DEMO_USERS)}


def user_for_role(db: Database, role: str, unit: str | None) -> str:
    """The user who acts for `role`: a demo user when one fits, else the first other holder by name
    (a database given with `--db` may have its own users)."""
    query = (select(User.username).join(UserRole, UserRole.user_id == User.id)
             .where(UserRole.role == role, User.active.is_(True)))
    if role in UNIT_SCOPED:
        query = query.where(User.unit_code == unit)
    with db.read() as session:
        names = list(session.scalars(query))
    if not names:
        where = f"（单位 {unit}）" if role in UNIT_SCOPED else ""
        where_en = f" in unit {unit}" if role in UNIT_SCOPED else ""
        raise StepFailed(f"没有持有角色 {role}{where} 的在职用户", f"no active user holds role {role}{where_en}")
    return min(names, key=lambda n: (_DEMO_ORDER.get(n, len(_DEMO_ORDER)), n))


def require_unit(db: Database, code: str) -> None:
    with db.read() as session:
        if session.get(Unit, code) is None:
            raise StepFailed(f"单位 {code} 不存在", f"unit {code} does not exist")


def roles_of(db: Database, username: str) -> frozenset[str]:
    with db.read() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise StepFailed(f"没有用户 {username}", f"no user named {username}")
        return user.role_codes


def ensure_users(db: Database, users: tuple[ExtraUser, ...], at: datetime) -> None:
    """Create the scenario's extra users that do not exist yet; an existing one must match."""
    if not users:
        return
    created = []
    with db.transaction() as session:
        for extra in users:
            if extra.unit is not None and session.get(Unit, extra.unit) is None:
                raise StepFailed(f"[[users]] {extra.username}：单位 {extra.unit} 不存在",
                                 f"[[users]] {extra.username}: unit {extra.unit} does not exist")
            existing = session.scalar(select(User).where(User.username == extra.username))
            if existing is not None:
                if existing.unit_code != extra.unit or existing.role_codes != frozenset(extra.roles):
                    raise StepFailed(
                        f"[[users]] {extra.username} 已存在，但单位或角色不同（{existing.unit_code}，"
                        f"{sorted(existing.role_codes)}）",
                        f"[[users]] {extra.username} exists with another unit or roles ({existing.unit_code}, "
                        f"{sorted(existing.role_codes)})")
                continue
            user = User(username=extra.username, display_name=extra.username, unit_code=extra.unit,
                        password_hash="")
            user.roles = [UserRole(role=r) for r in extra.roles]
            session.add(user)
            created.append(extra)
        if created:
            # Users are organisation changes, which the system chain records like every other.
            chain.append_system(session, at=at, actor="system", command="scenario_users", payload={
                "users": [u.username for u in created], "roles": {u.username: list(u.roles) for u in created}})
