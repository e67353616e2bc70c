"""The notification bell: unread count and the list, for one person (their own notifications
and those to a role they hold, scoped to their unit for unit roles)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from engine.queries.scope import addressed_notifications
from engine.runtime.actors import Actor
from engine.storage.models import Notification, NotificationRead


@dataclass(frozen=True)
class NotificationView:
    id: int
    case_id: int | None
    kind: str
    text_zh: str
    text_en: str
    created_at: datetime
    read_at: datetime | None
    to_role: str | None

    @property
    def unread(self) -> bool:
        return self.read_at is None

    def text(self, lang: str) -> str:
        return self.text_en if lang.startswith("en") else self.text_zh


def _read_join(actor: Actor):
    return and_(NotificationRead.notification_id == Notification.id, NotificationRead.username == actor.username)


def unread_query(actor: Actor) -> Select:
    return (select(func.count()).select_from(Notification).outerjoin(NotificationRead, _read_join(actor))
            .where(addressed_notifications(actor), NotificationRead.read_at.is_(None)))


def notifications_for(session: Session, actor: Actor, *, unread_only: bool = False,
                      limit: int = 100) -> list[NotificationView]:
    query = (select(Notification.id, Notification.case_id, Notification.kind, Notification.text_zh,
                    Notification.text_en, Notification.created_at, NotificationRead.read_at, Notification.role)
             .outerjoin(NotificationRead, _read_join(actor))
             .where(addressed_notifications(actor)))
    if unread_only:
        query = query.where(NotificationRead.read_at.is_(None))
    query = query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
    return [NotificationView(*r) for r in session.execute(query)]


def addressed_ids(session: Session, actor: Actor, ids: list[int] | None = None, *,
                  unread_only: bool = True) -> list[int]:
    """Ids of notifications addressed to the actor (of `ids`, when given)."""
    query = (select(Notification.id).outerjoin(NotificationRead, _read_join(actor))
             .where(addressed_notifications(actor)))
    if ids is not None:
        query = query.where(Notification.id.in_(ids))
    if unread_only:
        query = query.where(NotificationRead.read_at.is_(None))
    return list(session.scalars(query))
