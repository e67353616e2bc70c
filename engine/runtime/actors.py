"""Who is acting: loaded from the users table inside the command's transaction, so a role
change takes effect on the very next command."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import Forbidden
from engine.storage.models import User

SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    username: str
    roles: frozenset[str]
    unit_code: str | None

    @property
    def is_system(self) -> bool:
        return self.username == SYSTEM


SYSTEM_ACTOR = Actor(SYSTEM, frozenset(), None)


def load_actor(session: Session, username: str) -> Actor:
    if username == SYSTEM:
        return SYSTEM_ACTOR
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        raise Forbidden(f"用户 {username} 不存在或已停用", f"User {username} does not exist or is disabled")
    return Actor(user.username, user.role_codes, user.unit_code)
