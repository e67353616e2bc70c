"""Issuing official documents from cases, regenerating them, and the public verification look-ups.

`issue` is a case command in the `CaseService` style: the case row is locked, one transaction
writes the `documents` row and one `document` event on the case's chain, and the workflow is not
touched (the event records the case's unchanged state hash, so `waishi audit verify` replays past
it: `document` is in `effects.NO_WORKFLOW_CHANGE`). The PDF is rendered *before* the transaction
— it takes a fifth of a second, and on SQLite the write lock is the whole database's — and its
file is removed again if the transaction does not commit.

The number is never drawn here: the process drew it into the case data; a document is due once
that number is there. The verification code is drawn once, at issue. Regenerating re-renders the
stored snapshot with the stored code and URL, so the number and the code never change; rendering
is deterministic, so normally neither does the hash. Should the bytes ever differ (a template was
changed), the new hash is recorded with a `document` event and the old one stays genuine.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit import chain
from engine.documents import codes
from engine.documents.files import DocumentFiles
from engine.documents.kinds import KINDS, Kind
from engine.documents.render import render_pdf
from engine.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.runtime import case_store
from engine.runtime.actors import SYSTEM, Actor, load_actor
from engine.runtime.authz import require_view
from engine.storage.db import Database
from engine.storage.models import Case, Document

COMMAND = "document"
ISSUER_ROLES = frozenset({"fao_clerk"})
DEFAULT_PUBLIC_URL = "http://localhost:5000"


def utcnow() -> datetime:
    return datetime.now(UTC)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class DocumentView:
    """A document as the case page and the download show it (people who may read the case)."""

    id: int
    case_id: int
    kind: str
    subject: str  # '' for a case's document; the member's position for a per-member one (备案表)
    number: str
    code: str
    issued_at: datetime
    issued_by: str
    sha256: str
    earlier_sha256: tuple[str, ...]
    title: str
    title_line: str
    verify_url: str
    regenerated_at: datetime | None

    @property
    def spec(self) -> Kind:
        return KINDS[self.kind]

    @property
    def filename(self) -> str:
        return f"{self.title}{self.number}.pdf"

    @classmethod
    def of(cls, row: Document) -> DocumentView:
        snap = row.snapshot or {}
        return cls(id=row.id, case_id=row.case_id, kind=row.kind, subject=row.subject or "", number=row.number,
                   code=row.code,
                   issued_at=row.issued_at, issued_by=row.issued_by, sha256=row.sha256,
                   earlier_sha256=tuple(row.earlier_sha256 or ()),
                   title=str(snap.get("title") or KINDS[row.kind].name_zh),
                   title_line=str(snap.get("title_line") or ""), verify_url=row.verify_url,
                   regenerated_at=row.regenerated_at)


@dataclass(frozen=True)
class PublicDocument:
    """What the public verification page may show: the document's identity, never its contents.
    No names of members or invitees, no dates of birth or passport numbers — only the document's
    title line (the delegation's name, or the mission a visa notice is addressed to)."""

    kind: str
    title: str
    number: str
    issued_at: datetime
    case_id: int
    title_line: str
    sha256: str
    code: str

    @property
    def spec(self) -> Kind:
        return KINDS[self.kind]


@dataclass(frozen=True)
class Issued:
    document: DocumentView
    created: bool  # False: it had been issued already (by someone else, or automatically)


@dataclass(frozen=True)
class Regenerated:
    document: DocumentView
    changed: bool  # the bytes differed from the recorded hash (the new hash is now recorded)


@dataclass(frozen=True)
class Verdict:
    document: PublicDocument
    sha256: str  # of the uploaded file
    outcome: str  # genuine | genuine_earlier | mismatch

    @property
    def genuine(self) -> bool:
        return self.outcome != "mismatch"


class DocumentService:
    """Thread-safe; holds no per-document state."""

    def __init__(self, db: Database, *, data_dir: str | os.PathLike[str] | None = None,
                 public_url: str | None = None, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.files = DocumentFiles(data_dir)
        self.public_url = public_url or os.environ.get("WAISHI_PUBLIC_URL") or None
        self.clock = clock

    # -- commands -------------------------------------------------------------------------

    def issue(self, case_id: int, kind: str, *, subject: str = "", username: str = SYSTEM,
              base_url: str | None = None, at: datetime | None = None) -> Issued:
        """Issue the case's document of `kind` (for a per-member kind: of member `subject`, "1"…)
        from the number the process left in the case data.
        Idempotent: a document already issued is returned as it is (`created` False)."""
        spec = KINDS.get(kind)
        if spec is None:
            raise InvalidInput(f"未知的公文类别：{kind}", f"Unknown document kind: {kind}")
        at = at or self.clock()
        with self.db.read() as session:
            actor = load_actor(session, username)
            _require_issuer(actor)
            case = session.get(Case, case_id)
            if case is None:
                raise NotFound(f"案件 {case_id} 不存在", f"Case {case_id} does not exist")
            existing = _existing(session, case_id, kind, subject)
            if existing is not None:
                return Issued(DocumentView.of(existing), created=False)
            data = dict(case.data or {})
        number = spec.numbers_in(data).get(subject)
        if number is None:
            raise Conflict(f"案件尚未生成{spec.name_zh}文号，暂不能签发",
                           f"The case has no {spec.name_en} number yet, so it cannot be issued")
        snapshot = spec.snapshot(data, subject)
        code = codes.new_code()
        verify_url = f"{self._base(base_url)}/verify/{code}"
        pdf = render_pdf(kind, snapshot, code, verify_url)
        relative = self.files.relative_path(case_id, kind, code)
        self.files.write(relative, pdf)
        view: DocumentView | None = None
        try:
            with self.db.transaction() as session:
                row = case_store.lock(session, case_id, postgres=self.db.is_postgres)
                existing = _existing(session, case_id, kind, subject)
                if existing is not None:  # issued by someone else while we were rendering
                    return Issued(DocumentView.of(existing), created=False)
                if spec.numbers_in(row.data or {}).get(subject) != number:
                    raise Conflict("签发过程中案件的文号发生了变化，请重试",
                                   "The case's number changed while the document was being made; try again")
                doc = Document(case_id=case_id, kind=kind, subject=subject, number=number, code=code, issued_at=at,
                               issued_by=actor.username, snapshot=snapshot, verify_url=verify_url,
                               sha256=sha256(pdf), earlier_sha256=[], file_path=relative)
                session.add(doc)
                session.flush()
                self._event(session, row, actor, at, {
                    "action": "issue", "trigger": "auto" if actor.is_system else "manual",
                    "document_id": doc.id, "kind": kind, "subject": subject, "number": number, "code": code,
                    "sha256": doc.sha256})
                view = DocumentView.of(doc)
        finally:
            if view is None:
                self.files.remove(relative)
        return Issued(view, created=True)

    def issue_due(self, case_id: int, *, username: str = SYSTEM, base_url: str | None = None,
                  at: datetime | None = None) -> list[Issued]:
        """Issue every document whose number the case data holds and which is not issued yet."""
        return [self.issue(case_id, kind, subject=subject, username=username, base_url=base_url, at=at)
                for kind, subject in self.due_documents(case_id)]

    def regenerate(self, document_id: int, *, username: str = SYSTEM, at: datetime | None = None) -> Regenerated:
        """Render the stored snapshot again (same number, same code, same URL) and store the file.
        Bytes equal to the recorded hash: nothing else happens. Different bytes: the new hash is
        recorded (the old one stays genuine) with a `document` event on the case's chain."""
        at = at or self.clock()
        with self.db.read() as session:
            actor = load_actor(session, username)
            _require_issuer(actor)
            row = session.get(Document, document_id)
            if row is None:
                raise NotFound(f"公文 {document_id} 不存在", f"Document {document_id} does not exist")
            kind, snapshot, code, url, path = row.kind, row.snapshot, row.code, row.verify_url, row.file_path
        pdf = render_pdf(kind, snapshot, code, url)
        digest = sha256(pdf)
        self.files.write(path, pdf)
        with self.db.transaction() as session:
            case = case_store.lock(session, _case_of(session, document_id), postgres=self.db.is_postgres)
            doc = session.get(Document, document_id)
            if digest == doc.sha256:
                return Regenerated(DocumentView.of(doc), changed=False)
            previous = doc.sha256
            doc.earlier_sha256 = [h for h in (doc.earlier_sha256 or []) if h != digest] + [previous]
            doc.sha256, doc.regenerated_at = digest, at
            session.flush()
            self._event(session, case, actor, at, {
                "action": "regenerate", "document_id": doc.id, "kind": doc.kind, "number": doc.number,
                "code": doc.code, "sha256": digest, "previous_sha256": previous})
            return Regenerated(DocumentView.of(doc), changed=True)

    # -- reading (people who may read the case) ---------------------------------------------

    def due(self, case_id: int, data: dict[str, Any] | None = None) -> list[str]:
        """Kinds with a document whose number the case data holds but which is not issued yet.
        `data`: the case data as the command that just committed returned it (saves reading it back)."""
        kinds: list[str] = []
        for kind, _subject in self.due_documents(case_id, data):
            if kind not in kinds:
                kinds.append(kind)
        return kinds

    def due_documents(self, case_id: int, data: dict[str, Any] | None = None) -> list[tuple[str, str]]:
        """(kind, subject) of every document whose number the case data holds, not issued yet.
        `data` given: nothing is read when it holds no number (most commands)."""
        numbered = None if data is None else _numbered(data)
        if numbered == []:
            return []
        with self.db.read() as session:
            if numbered is None:
                numbered = _numbered(session.scalar(select(Case.data).where(Case.id == case_id)) or {})
                if not numbered:
                    return []
            issued = set(session.execute(select(Document.kind, Document.subject)
                                         .where(Document.case_id == case_id)).all())
        return [d for d in numbered if d not in issued]

    def for_case(self, actor: Actor, case_id: int) -> list[DocumentView]:
        with self.db.read() as session:
            _require_case_view(session, actor, case_id)
            rows = session.scalars(select(Document).where(Document.case_id == case_id).order_by(Document.id))
            return [DocumentView.of(r) for r in rows]

    def get(self, actor: Actor, case_id: int, document_id: int) -> DocumentView:
        with self.db.read() as session:
            _require_case_view(session, actor, case_id)
            row = session.get(Document, document_id)
            if row is None or row.case_id != case_id:
                raise NotFound(f"案件 {case_id} 中没有公文 {document_id}",
                               f"Case {case_id} has no document {document_id}")
            return DocumentView.of(row)

    def pdf(self, actor: Actor, case_id: int, document_id: int) -> tuple[DocumentView, bytes]:
        """The PDF as issued. A missing or damaged file is rendered again from the snapshot."""
        view = self.get(actor, case_id, document_id)
        data = self.files.read(self.files.relative_path(case_id, view.kind, view.code))
        if data is None or sha256(data) != view.sha256:
            self.regenerate(document_id)
            view = self.get(actor, case_id, document_id)
            data = self.files.read(self.files.relative_path(case_id, view.kind, view.code)) or b""
        return view, data

    # -- public verification (no sign-in) ------------------------------------------------------

    def public(self, code: str | None) -> PublicDocument | None:
        normal = codes.normalise(code)
        if normal is None:
            return None
        with self.db.read() as session:
            row = session.scalar(select(Document).where(Document.code == normal))
            return _public(row) if row is not None else None

    def lookup(self, number: str | None, code: str | None) -> PublicDocument | None:
        """By number and code together: both must match one document."""
        found = self.public(code)
        if found is None or _squash(found.number) != _squash(number or ""):
            return None
        return found

    def check(self, code: str | None, pdf: bytes) -> Verdict | None:
        """Does `pdf` (an uploaded file) have the bytes of the document with this code?"""
        normal = codes.normalise(code)
        if normal is None:
            return None
        with self.db.read() as session:
            row = session.scalar(select(Document).where(Document.code == normal))
            if row is None:
                return None
            digest = sha256(pdf)
            outcome = ("genuine" if digest == row.sha256 else
                       "genuine_earlier" if digest in (row.earlier_sha256 or []) else "mismatch")
            return Verdict(_public(row), digest, outcome)

    # -- internals ------------------------------------------------------------------------

    def _base(self, base_url: str | None) -> str:
        return (self.public_url or base_url or DEFAULT_PUBLIC_URL).rstrip("/")

    @staticmethod
    def _event(session: Session, case: case_store.CaseRow, actor: Actor, at: datetime,
               payload: dict[str, Any]) -> None:
        seq = case.seq + 1
        case.last_hash = chain.append(
            session, chain=chain.case_chain(case.id), case_id=case.id, seq=seq, prev_hash=case.last_hash, at=at,
            actor=actor.username, command=COMMAND, payload=payload, state_hash=case.state_hash)
        case.seq, case.updated_at = seq, at
        case_store.save(session, case)


def _require_issuer(actor: Actor) -> None:
    if not (actor.is_system or actor.roles & ISSUER_ROLES):
        raise Forbidden("只有外办经办人可以签发或重新生成公文",
                        "Only an FAO clerk may issue or regenerate official documents")


def _require_case_view(session: Session, actor: Actor, case_id: int) -> None:
    unit = session.execute(select(Case.unit_code).where(Case.id == case_id)).first()
    if unit is None:
        raise NotFound(f"案件 {case_id} 不存在", f"Case {case_id} does not exist")
    require_view(actor, unit)


def _numbered(data: dict[str, Any]) -> list[tuple[str, str]]:
    return [(k.code, subject) for k in KINDS.values() for subject in k.numbers_in(data)]


def _existing(session: Session, case_id: int, kind: str, subject: str) -> Document | None:
    return session.scalar(select(Document).where(Document.case_id == case_id, Document.kind == kind,
                                                 Document.subject == subject))


def _case_of(session: Session, document_id: int) -> int:
    return session.scalar(select(Document.case_id).where(Document.id == document_id))


def _public(row: Document) -> PublicDocument:
    snap = row.snapshot or {}
    return PublicDocument(kind=row.kind, title=str(snap.get("title") or KINDS[row.kind].name_zh), number=row.number,
                          issued_at=row.issued_at, case_id=row.case_id, title_line=str(snap.get("title_line") or ""),
                          sha256=row.sha256, code=row.code)


def _squash(text: str) -> str:
    """Numbers as people type them: no spaces; ASCII brackets and full-width ones alike."""
    table = str.maketrans({"[": "〔", "]": "〕", "(": "〔", ")": "〕", "（": "〔", "）": "〕", "【": "〔", "】": "〕"})
    return "".join(text.split()).translate(table)
