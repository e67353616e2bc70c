"""Who is acting: loaded from the users table inside the command's transaction, so a role
change takes effect on the very next command."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine.errors import Forbidden
from engine.storage.models import User, UserRole

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
    rows = session.execute(_ACTOR, {"u": username}).all()
    if not rows or not rows[0].active:
        raise Forbidden(f"用户 {username} 不存在或已停用", f"User {username} does not exist or is disabled")
    return Actor(username, frozenset(r.role for r in rows if r.role), rows[0].unit_code)


# A Core statement on the tables: every command runs it, and the ORM's compile path costs more
# than the query itself.
_USERS, _ROLES = User.__table__, UserRole.__table__
_ACTOR = (select(_USERS.c.unit_code, _USERS.c.active, _ROLES.c.role)
          .select_from(_USERS.outerjoin(_ROLES, _ROLES.c.user_id == _USERS.c.id))
          .where(_USERS.c.username == bindparam("u")))
