"""User administration as engine commands, and signing in.

Every change — create a user, edit name/unit/roles, deactivate or reactivate, reset a password —
runs in one transaction that checks the acting administrator, applies the change and appends
exactly one event to the system audit chain (passwords and their hashes never go into events).
Bad input raises `InvalidInput` with a message per field in Chinese and English, and changes
nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit import chain
from engine.errors import Forbidden, InvalidInput, Message, NotFound
from engine.passwords import check_password, hash_password
from engine.roles import ROLES, UNIT_SCOPED
from engine.runtime.actors import SYSTEM, load_actor
from engine.storage.db import Database
from engine.storage.models import Unit, User, UserRole

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,63}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 256
# scrypt of a password nobody has: checked when the username is unknown, so that a wrong
# username takes as long as a wrong password and does not reveal which usernames exist.
_DUMMY_HASH = hash_password("waishi-no-such-user")


class _Unset:
    pass


UNSET: Any = _Unset()


def utcnow() -> datetime:
    return datetime.now(UTC)


# -- signing in -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SignIn:
    """The outcome of `authenticate`: `ok`, `bad` (unknown user or wrong password) or `inactive`."""

    status: str
    user_id: int | None = None
    username: str | None = None
    password_hash: str = ""


def authenticate(db: Database, username: str, password: str) -> SignIn:
    """Check a username and password. An inactive user is refused even with the right password
    (but only told so when the password is right)."""
    username = (username or "").strip().lower()
    if not username or not password or len(password) > MAX_PASSWORD:
        check_password(_DUMMY_HASH, "x")
        return SignIn("bad")
    with db.read() as session:
        user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.password_hash:
        check_password(_DUMMY_HASH, password)
        return SignIn("bad")
    if not check_password(user.password_hash, password):
        return SignIn("bad")
    if not user.active:
        return SignIn("inactive", user.id, user.username)
    return SignIn("ok", user.id, user.username, user.password_hash)


# -- administration commands ------------------------------------------------------------------


def require_admin(session: Session, actor: str) -> None:
    """Only holders of `admin` (or the system itself, e.g. the CLI) administer users and units."""
    if actor == SYSTEM:
        return
    if "admin" not in load_actor(session, actor).roles:
        raise Forbidden("只有系统管理员可以进行此操作", "Only an administrator may do this")


def create_user(db: Database, actor: str, *, username: str, display_name: str, password: str,
                unit_code: str | None = None, roles: Iterable[str] = (), at: datetime | None = None) -> int:
    at = at or utcnow()
    username = (username or "").strip().lower()
    display_name = (display_name or "").strip()
    unit_code = unit_code or None
    role_list = sorted(set(roles))
    with db.transaction() as session:
        require_admin(session, actor)
        errors: dict[str, Message] = {}
        if not USERNAME_RE.match(username):
            errors["username"] = Message("用户名须为 2–64 位小写字母、数字或 _ . -，以字母或数字开头",
                                         "Username: 2–64 lowercase letters, digits or _ . -, starting with a "
                                         "letter or digit")
        elif username == SYSTEM or session.scalar(select(User.id).where(User.username == username)) is not None:
            errors["username"] = Message(f"用户名 {username} 已被使用", f"The username {username} is taken")
        _check_display_name(display_name, errors)
        _check_password(password, username, errors)
        _check_unit_and_roles(session, unit_code, role_list, errors)
        _raise_if(errors)
        user = User(username=username, display_name=display_name, unit_code=unit_code,
                    password_hash=hash_password(password), active=True)
        user.roles = [UserRole(role=r) for r in role_list]
        session.add(user)
        session.flush()
        chain.append_system(session, at=at, actor=actor, command="create_user", payload={
            "username": username, "display_name": display_name, "unit_code": unit_code, "roles": role_list,
        })
        return user.id


def update_user(db: Database, actor: str, username: str, *, display_name: str | Any = UNSET,
                unit_code: str | None | Any = UNSET, roles: Iterable[str] | Any = UNSET,
                at: datetime | None = None) -> dict[str, list[Any]]:
    """Change any of display name, unit and roles in one command (one event listing what changed,
    each as [before, after]). Returns the changes; nothing is written when nothing changed."""
    at = at or utcnow()
    with db.transaction() as session:
        require_admin(session, actor)
        user = _user(session, username)
        before = {"display_name": user.display_name, "unit_code": user.unit_code,
                  "roles": sorted(user.role_codes)}
        after = dict(before)
        if display_name is not UNSET:
            after["display_name"] = (display_name or "").strip()
        if unit_code is not UNSET:
            after["unit_code"] = unit_code or None
        if roles is not UNSET:
            after["roles"] = sorted(set(roles))
        errors: dict[str, Message] = {}
        _check_display_name(after["display_name"], errors)
        _check_unit_and_roles(session, after["unit_code"], after["roles"], errors)
        if actor == user.username and "admin" in before["roles"] and "admin" not in after["roles"]:
            errors["roles"] = Message("不能取消自己的系统管理员角色", "You cannot remove your own administrator role")
        _raise_if(errors)
        changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
        if not changes:
            return {}
        user.display_name, user.unit_code = after["display_name"], after["unit_code"]
        if "roles" in changes:
            user.roles = [UserRole(role=r) for r in after["roles"]]
        session.flush()
        chain.append_system(session, at=at, actor=actor, command="update_user",
                            payload={"username": user.username, "changes": changes})
        return changes


def set_roles(db: Database, actor: str, username: str, roles: Iterable[str], *,
              at: datetime | None = None) -> dict[str, list[Any]]:
    return update_user(db, actor, username, roles=roles, at=at)


def set_unit(db: Database, actor: str, username: str, unit_code: str | None, *,
             at: datetime | None = None) -> dict[str, list[Any]]:
    return update_user(db, actor, username, unit_code=unit_code, at=at)


def set_display_name(db: Database, actor: str, username: str, display_name: str, *,
                     at: datetime | None = None) -> dict[str, list[Any]]:
    return update_user(db, actor, username, display_name=display_name, at=at)


def deactivate(db: Database, actor: str, username: str, *, at: datetime | None = None) -> None:
    """The user can no longer sign in; open sessions end on their next request."""
    _set_active(db, actor, username, False, at)


def reactivate(db: Database, actor: str, username: str, *, at: datetime | None = None) -> None:
    _set_active(db, actor, username, True, at)


def reset_password(db: Database, actor: str, username: str, new_password: str, *,
                   at: datetime | None = None) -> None:
    """Set a new password. The user's open sessions end (they carry a fingerprint of the hash)."""
    at = at or utcnow()
    with db.transaction() as session:
        require_admin(session, actor)
        user = _user(session, username)
        errors: dict[str, Message] = {}
        _check_password(new_password, user.username, errors)
        _raise_if(errors)
        user.password_hash = hash_password(new_password)
        chain.append_system(session, at=at, actor=actor, command="reset_password",
                            payload={"username": user.username})


# -- internals --------------------------------------------------------------------------------


def _set_active(db: Database, actor: str, username: str, active: bool, at: datetime | None) -> None:
    at = at or utcnow()
    with db.transaction() as session:
        require_admin(session, actor)
        user = _user(session, username)
        if not active and user.username == actor:
            raise InvalidInput("不能停用自己的账号", "You cannot deactivate your own account")
        if user.active == active:
            return
        user.active = active
        chain.append_system(session, at=at, actor=actor, command="activate_user" if active else "deactivate_user",
                            payload={"username": user.username})


def _user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == (username or "").strip().lower()))
    if user is None:
        raise NotFound(f"用户 {username} 不存在", f"User {username} does not exist")
    return user


def _check_display_name(name: str, errors: dict[str, Message]) -> None:
    if not name:
        errors["display_name"] = Message("请填写姓名", "Enter a display name")
    elif len(name) > 200:
        errors["display_name"] = Message("姓名不能超过 200 个字符", "The display name may have at most 200 characters")


def _check_password(password: str, username: str, errors: dict[str, Message]) -> None:
    password = password or ""
    if len(password) < MIN_PASSWORD:
        errors["password"] = Message(f"密码至少 {MIN_PASSWORD} 位",
                                     f"The password needs at least {MIN_PASSWORD} characters")
    elif len(password) > MAX_PASSWORD:
        errors["password"] = Message(f"密码不能超过 {MAX_PASSWORD} 位",
                                     f"The password may have at most {MAX_PASSWORD} characters")
    elif password.lower() == username:
        errors["password"] = Message("密码不能与用户名相同", "The password must differ from the username")


def _check_unit_and_roles(session: Session, unit_code: str | None, roles: list[str],
                          errors: dict[str, Message]) -> None:
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        errors["roles"] = Message(f"未知的角色：{', '.join(unknown)}", f"Unknown role(s): {', '.join(unknown)}")
    if unit_code is not None and session.get(Unit, unit_code) is None:
        errors["unit_code"] = Message(f"单位 {unit_code} 不存在", f"The unit {unit_code} does not exist")
    elif unit_code is None and set(roles) & UNIT_SCOPED:
        errors["unit_code"] = Message("申请单位的角色须指定所属单位", "Unit roles need a unit")


def _raise_if(errors: dict[str, Message]) -> None:
    if errors:
        first = next(iter(errors.values()))
        raise InvalidInput(first.zh, first.en, field_errors=errors)
