"""Who is acting: loaded from the users table inside the command's transaction, so a role
change takes effect on the very next command."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine.errors import Forbidden
from engine.storage.models import User, UserRole

SYSTEM = "system"

# Roles whose holders may change nothing anywhere (separation of duties: whoever audits the record
# takes no part in it). An account holding one of them is read-only even if it holds other roles.
READ_ONLY_ROLES: frozenset[str] = frozenset({"auditor"})


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
    """Who runs a command that changes something: every command loads its actor here, so this is
    the one place read-only roles are refused, whatever route or entry point the command came by."""
    actor = load_reader(session, username)
    require_may_change(actor)
    return actor


def load_reader(session: Session, username: str) -> Actor:
    """Who reads (searches, views, exports): an existing, active user."""
    if username == SYSTEM:
        return SYSTEM_ACTOR
    return reader_of(username, session.execute(_ACTOR, {"u": username}).all())


def reader_of(username: str, rows) -> Actor:
    """The actor from rows of (unit_code, active, role), one per role (a command's lock statement
    reads them together with the case: engine.runtime.case_store.lock_task)."""
    if not rows or not rows[0].active:
        raise Forbidden(f"用户 {username} 不存在或已停用", f"User {username} does not exist or is disabled")
    return Actor(username, frozenset(r.role for r in rows if r.role), rows[0].unit_code)


def require_may_change(actor: Actor) -> None:
    if actor.roles & READ_ONLY_ROLES:
        raise Forbidden("审计人员只能查看，不能更改任何内容",
                        "Auditors may look at everything and change nothing")


# A Core statement on the tables: every command runs it, and the ORM's compile path costs more
# than the query itself.
_USERS, _ROLES = User.__table__, UserRole.__table__
_ACTOR = (select(_USERS.c.unit_code, _USERS.c.active, _ROLES.c.role)
          .select_from(_USERS.outerjoin(_ROLES, _ROLES.c.user_id == _USERS.c.id))
          .where(_USERS.c.username == bindparam("u")))
