"""SQLAlchemy 2 typed models. The workflow state is one JSON column on `cases`; everything that
lists and reports query (status, role, unit, due dates, process) is an indexed column."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from engine.storage.types import UTCDateTime


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON}


class Unit(Base):
    __tablename__ = "units"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    # Set when the unit is overdue returning passports; its new applications are held.
    held: Mapped[bool] = mapped_column(Boolean, default=False)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    unit_code: Mapped[str | None] = mapped_column(ForeignKey("units.code"), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def role_codes(self) -> frozenset[str]:
        return frozenset(r.role for r in self.roles)


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(32), primary_key=True)
    user: Mapped[User] = relationship(back_populates="roles")


class DefinitionBlob(Base):
    """Content-addressed file content shared by every version that uses the same bytes."""

    __tablename__ = "definition_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class DefinitionVersion(Base):
    """An immutable deployment of one process: same content hash, same version."""

    __tablename__ = "definition_versions"
    __table_args__ = (
        UniqueConstraint("process_id", "version"),
        UniqueConstraint("process_id", "content_hash"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[str] = mapped_column(String(128), index=True)
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    flavour: Mapped[str] = mapped_column(String(16))  # "camunda" or "spiff": which parser reads it
    name: Mapped[str] = mapped_column(String(200), default="")
    deployed_at: Mapped[datetime]
    deployed_by: Mapped[str] = mapped_column(String(64))
    files: Mapped[list[DefinitionFile]] = relationship(
        back_populates="version", lazy="select", order_by="DefinitionFile.name"
    )


class DefinitionFile(Base):
    __tablename__ = "definition_files"

    version_id: Mapped[int] = mapped_column(ForeignKey("definition_versions.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)  # bpmn | dmn | form
    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("definition_blobs.sha256"))
    version: Mapped[DefinitionVersion] = relationship(back_populates="files")
    blob: Mapped[DefinitionBlob] = relationship(lazy="select")


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_status_unit", "status", "unit_code"),
        Index("ix_cases_next_timer", "status", "next_timer_at"),
        Index("ix_cases_started_at", "started_at"),
        Index("ix_cases_version", "version_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[str] = mapped_column(String(128), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("definition_versions.id"))
    status: Mapped[str] = mapped_column(String(16))  # running | completed | cancelled
    unit_code: Mapped[str | None] = mapped_column(ForeignKey("units.code"), nullable=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    started_by: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    ended_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # Number of events in the case's chain; also the optimistic version of the whole case.
    seq: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default="")
    state_hash: Mapped[str] = mapped_column(String(64), default="")
    # Canonical JSON of the workflow without its spec; `state_hash` is its sha256.
    state: Mapped[str] = mapped_column(Text, default="")
    # The data at the case's current tokens, kept for summaries so pages never load the workflow.
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    next_timer_at: Mapped[datetime | None] = mapped_column(nullable=True)
    version: Mapped[DefinitionVersion] = relationship(lazy="select")


class WorkItem(Base):
    """Projection of a user task, so that inboxes are one indexed query and never a workflow load."""

    __tablename__ = "work_items"
    __table_args__ = (
        UniqueConstraint("case_id", "task_id"),
        Index("ix_work_items_inbox", "state", "role", "unit_code"),
        Index("ix_work_items_assignee", "assignee", "state"),
        # Time per step in the report: an index-only read of the period's finished items.
        Index("ix_work_items_report", "submitted_on", "process_id", "spec_name", "name", "duration_s",
              sqlite_where=text("duration_s IS NOT NULL"), postgresql_where=text("duration_s IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))
    spec_name: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(300), default="")
    form_key: Mapped[str | None] = mapped_column(String(128), nullable=True)
    role: Mapped[str] = mapped_column(String(32))
    unit_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    state: Mapped[str] = mapped_column(String(16))  # open | completed | cancelled
    assignee: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Bumped whenever the item changes; the client echoes it back to detect stale submits.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime]
    due_at: Mapped[datetime | None] = mapped_column(nullable=True, index=True)
    completed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    completed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Set when an overdue approval was escalated: holders of this role may act on it too.
    escalated_role: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    # The case's process and submission day (Asia/Shanghai), copied so that the report's time per
    # step reads the period's items through ix_work_items_report instead of joining every item.
    process_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    submitted_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    duration_s: Mapped[int | None] = mapped_column(Integer, nullable=True)  # opened → completed, whole seconds


class MessageSubscription(Base):
    """Which running cases wait for which message name, rewritten by every command of the case."""

    __tablename__ = "message_subscriptions"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    message_name: Mapped[str] = mapped_column(String(200), primary_key=True, index=True)


class AuditEvent(Base):
    """One append-only, hash-chained event per command. Triggers refuse UPDATE and DELETE."""

    __tablename__ = "audit_events"
    __table_args__ = (UniqueConstraint("chain", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chain: Mapped[str] = mapped_column(String(32))  # "case:<id>" or "system"
    case_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64), index=True)
    command: Mapped[str] = mapped_column(String(32))
    task_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    task_spec: Mapped[str | None] = mapped_column(String(128), nullable=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    diff: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state_hash: Mapped[str] = mapped_column(String(64), default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")


class NumberSeries(Base):
    """Gapless document numbers: one counter per kind and year, advanced inside the command."""

    __tablename__ = "number_series"

    kind: Mapped[str] = mapped_column(String(64), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Setting(Base):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class Holiday(Base):
    """Admin-maintained calendar for years the official calendar package does not know yet."""

    __tablename__ = "holidays"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_holiday: Mapped[bool] = mapped_column(Boolean)  # False: a make-up working day (调休上班)
    note: Mapped[str] = mapped_column(String(200), default="")


class Notification(Base):
    """In-app notifications (the bell): to one user, or to every holder of a role (in a unit)."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_role", "role", "unit_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    role: Mapped[str | None] = mapped_column(String(32), nullable=True)
    unit_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(32))  # task | returned | reminder | escalation | info
    text_zh: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class NotificationRead(Base):
    """Who has read which notification (a role notification is read per person)."""

    __tablename__ = "notification_reads"

    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id"), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    read_at: Mapped[datetime]


class TaskDraft(Base):
    """A task form's unsubmitted values, per work item and person (暂存). Not case data, not audited."""

    __tablename__ = "task_drafts"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    saved_at: Mapped[datetime]


class Attachment(Base):
    """A file attached to a case (optionally from one of its tasks). The bytes live outside the
    database, under `<data dir>/attachments/<case>/<sha256>`; the `attach` audit event records
    the same metadata."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    task_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime]


class Document(Base):
    """An official document issued from a case (任务批件, 签证通知函): its number comes from the case
    data (the process drew it), the PDF is rendered from `snapshot` and kept outside the web root
    (`file_path`, relative to the data directory). `code` is the public verification code printed
    on the PDF; `sha256` the hash of the PDF as issued (`earlier_sha256`: renderings superseded by
    a regeneration that produced different bytes, still genuine)."""

    __tablename__ = "documents"
    __table_args__ = (
        # One document per case, kind and subject: `subject` is '' for a case's document (任务批件) and the
        # member's position ('1', '2', …) for a document about one person (备案表).
        UniqueConstraint("case_id", "kind", "subject", name="uq_documents_case_kind_subject"),
        UniqueConstraint("code", name="uq_documents_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # a code of engine.documents.kinds.KINDS
    subject: Mapped[str] = mapped_column(String(32), default="", server_default="")
    number: Mapped[str] = mapped_column(String(100), index=True)
    code: Mapped[str] = mapped_column(String(16))
    issued_at: Mapped[datetime]
    issued_by: Mapped[str] = mapped_column(String(64))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    verify_url: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    earlier_sha256: Mapped[list[str]] = mapped_column(JSON, default=list)
    file_path: Mapped[str] = mapped_column(String(500))
    regenerated_at: Mapped[datetime | None] = mapped_column(nullable=True)


class UnitHold(Base):
    """A case holding its unit (e.g. passports overdue): the unit's new applications are refused
    while any hold stands. One row per (unit, case), so one case's release leaves another's."""

    __tablename__ = "unit_holds"

    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    since: Mapped[datetime]


class CasePath(Base):
    """What each command of a case passed through on its diagram: the elements it completed and
    the sequence flows it took (top-level process only), indexed from the `path` each event
    records (`engine.audit.pathindex`); read by the auditor's heatmap."""

    __tablename__ = "case_path"
    __table_args__ = (Index("ix_case_path_version", "version_id", "kind", "element_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("definition_versions.id"))
    seq: Mapped[int] = mapped_column(Integer)
    event_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(8))  # element | flow
    element_id: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime]


class PathIndex(Base):
    """How far `case_path` has been indexed from the audit events (one row)."""

    __tablename__ = "path_index"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_event_id: Mapped[int] = mapped_column(Integer, default=0)


class CaseTerm(Base):
    """Search terms of a case that live inside its data (people by name and ID or passport
    number, destination countries, document numbers), so the auditor's search is an indexed
    query and never a workflow load. Rewritten by a command only when the terms change."""

    __tablename__ = "case_terms"
    __table_args__ = (Index("ix_case_terms_term", "kind", "term"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # person | id_number | country | document
    term: Mapped[str] = mapped_column(String(200), primary_key=True)


class AuditSeal(Base):
    """A signed digest of every chain's head at one instant (Ed25519; the private key lives
    outside the database). Verification checks every event up to a seal against it, so even a
    consistent rewrite of a chain, or a deleted case, is caught."""

    __tablename__ = "audit_seals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sealed_at: Mapped[datetime] = mapped_column(index=True)
    key_id: Mapped[str] = mapped_column(String(64))  # sha256 of the raw public key, hex (first 16)
    public_key: Mapped[str] = mapped_column(String(100))  # raw public key, base64 (informative only)
    chain_count: Mapped[int] = mapped_column(Integer)
    event_count: Mapped[int] = mapped_column(Integer)
    heads: Mapped[dict[str, Any]] = mapped_column(JSON)  # chain -> [seq, hash]
    prev_digest: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(200))  # base64


class AuthoringDraft(Base):
    """An analyst's unsaved-to-production edit of a process: the files of the version it started
    from (BPMN, DMN, forms — the rules and forms travel with the diagram that uses them) and the
    scenarios they wrote, as text. Per analyst and process; kept until deployed or discarded."""

    __tablename__ = "authoring_drafts"
    __table_args__ = (UniqueConstraint("process_id", "analyst"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[str] = mapped_column(String(128))
    analyst: Mapped[str] = mapped_column(String(64), index=True)
    base_version_id: Mapped[int | None] = mapped_column(ForeignKey("definition_versions.id"), nullable=True)
    files: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # "bpmn:name" -> text
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


from engine.storage import ops_models as _ops_models  # noqa: E402,F401  (their tables join Base.metadata)
from engine.storage import partner_models as _partner_models  # noqa: E402,F401  (their table joins Base.metadata)
from engine.storage import person_models as _person_models  # noqa: E402,F401  (their table joins Base.metadata)
from engine.storage import report_models as _report_models  # noqa: E402,F401  (their tables join Base.metadata)
