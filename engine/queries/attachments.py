"""A case's attachments: the list on the case and task pages, and one attachment for download
(only for whoever may read the case: the engine's own `require_view`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import NotFound
from engine.queries.cases import case_header
from engine.runtime.actors import Actor
from engine.storage.models import Attachment, User, WorkItem


@dataclass(frozen=True)
class AttachmentView:
    id: int
    case_id: int
    task_id: str | None
    task_name: str | None
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_by_name: str | None
    uploaded_at: datetime


def _select():
    return (select(Attachment.id, Attachment.case_id, Attachment.task_id, WorkItem.name.label("task_name"),
                   Attachment.filename, Attachment.content_type, Attachment.size, Attachment.sha256,
                   Attachment.uploaded_by, User.display_name.label("uploaded_by_name"), Attachment.uploaded_at)
            .outerjoin(User, User.username == Attachment.uploaded_by)
            .outerjoin(WorkItem, (WorkItem.case_id == Attachment.case_id) & (WorkItem.task_id == Attachment.task_id)))


def case_attachments(session: Session, case_id: int) -> list[AttachmentView]:
    """Every attachment of the case, oldest first. Check the viewer may read the case first."""
    rows = session.execute(_select().where(Attachment.case_id == case_id).order_by(Attachment.uploaded_at,
                                                                                   Attachment.id))
    return [AttachmentView(**r._mapping) for r in rows]


def attachment(session: Session, actor: Actor, case_id: int, attachment_id: int) -> AttachmentView:
    """One attachment of a case: `Forbidden` unless the actor may read the case, `NotFound` if
    the case has no such attachment."""
    case_header(session, actor, case_id)
    row = session.execute(_select().where(Attachment.case_id == case_id, Attachment.id == attachment_id)).first()
    if row is None:
        raise NotFound("附件不存在", "The attachment does not exist")
    return AttachmentView(**row._mapping)
