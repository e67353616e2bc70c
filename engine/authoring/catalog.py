"""What the analyst's workspace lists: every process with its versions (number, content hash, who
deployed it, when, and from where), how many cases run and finished on each, and each version's
files — to look at, or download one by one or as one zip. Reads only."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.authoring.compare_dmn import Decision, decisions
from engine.authoring.compare_forms import Form, load_form
from engine.errors import NotFound
from engine.storage.models import AuditEvent, Case, DefinitionBlob, DefinitionFile, DefinitionVersion


@dataclass(frozen=True)
class VersionRow:
    id: int
    process_id: str
    name: str
    version: int
    content_hash: str
    deployed_by: str
    deployed_at: datetime
    source: str  # "draft" (deployed from the analyst's workspace) or "files" (waishi deploy, make run)
    running: int
    finished: int


@dataclass(frozen=True)
class VersionFile:
    kind: str
    name: str
    sha256: str
    size: int


def versions(session: Session) -> dict[str, list[VersionRow]]:
    """process id → its versions, newest first; processes in id order."""
    counts: dict[tuple[int, str], int] = {(v, s): n for v, s, n in session.execute(
        select(Case.version_id, Case.status, func.count()).group_by(Case.version_id, Case.status))}
    from_drafts = _deployed_from_drafts(session)
    out: dict[str, list[VersionRow]] = {}
    for v in session.scalars(select(DefinitionVersion).order_by(DefinitionVersion.process_id,
                                                                DefinitionVersion.version.desc())):
        out.setdefault(v.process_id, []).append(VersionRow(
            v.id, v.process_id, v.name or v.process_id, v.version, v.content_hash, v.deployed_by, v.deployed_at,
            "draft" if (v.process_id, v.version) in from_drafts else "files",
            counts.get((v.id, "running"), 0), counts.get((v.id, "completed"), 0) + counts.get((v.id, "cancelled"), 0)))
    return out


def version(session: Session, version_id: int) -> VersionRow:
    row = session.get(DefinitionVersion, version_id)
    if row is None:
        raise NotFound(f"流程版本 {version_id} 不存在", f"Process version {version_id} does not exist")
    for v in versions(session).get(row.process_id, []):
        if v.id == version_id:
            return v
    raise NotFound(f"流程版本 {version_id} 不存在", f"Process version {version_id} does not exist")


def files(session: Session, version_id: int) -> list[VersionFile]:
    rows = session.execute(select(DefinitionFile.kind, DefinitionFile.name, DefinitionFile.sha256,
                                  func.length(DefinitionBlob.content))
                           .join(DefinitionBlob, DefinitionBlob.sha256 == DefinitionFile.sha256)
                           .where(DefinitionFile.version_id == version_id)
                           .order_by(DefinitionFile.kind, DefinitionFile.name)).all()
    return [VersionFile(k, n, s, int(size or 0)) for k, n, s, size in rows]


def file_content(session: Session, version_id: int, kind: str, name: str) -> bytes:
    content = session.scalar(select(DefinitionBlob.content)
                             .join(DefinitionFile, DefinitionFile.sha256 == DefinitionBlob.sha256)
                             .where(DefinitionFile.version_id == version_id, DefinitionFile.kind == kind,
                                    DefinitionFile.name == name))
    if content is None:
        raise NotFound(f"版本中没有文件 {name}", f"The version has no file {name}")
    return content


def rule_tables(session: Session, version_id: int) -> list[tuple[str, Decision]]:
    """(file, decision) of every decision table in the version, to read on its page: columns,
    rows and each row's description (its source and date)."""
    return [(f.name, d) for f in files(session, version_id) if f.kind == "dmn"
            for d in decisions(file_content(session, version_id, f.kind, f.name), f.name).values()]


def forms(session: Session, version_id: int) -> list[tuple[str, Form]]:
    """(file, form) of every form in the version, with its fields as the comparison reads them."""
    return [(f.name, load_form(file_content(session, version_id, f.kind, f.name), f.name))
            for f in files(session, version_id) if f.kind == "form"]


def version_zip(session: Session, version_id: int) -> bytes:
    """Every file of the version, in the folders `waishi deploy` reads (processes/, forms/)."""
    row = version(session, version_id)
    buffer = io.BytesIO()
    folder = f"{row.process_id}-v{row.version}"
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for f in files(session, version_id):
            sub = "forms" if f.kind == "form" else "processes"
            info = zipfile.ZipInfo(f"{folder}/{sub}/{f.name}", date_time=row.deployed_at.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, file_content(session, version_id, f.kind, f.name))
    return buffer.getvalue()


def _deployed_from_drafts(session: Session) -> set[tuple[str, int]]:
    out = set()
    for (payload,) in session.execute(select(AuditEvent.payload).where(AuditEvent.chain == "system",
                                                                      AuditEvent.command == "deploy_draft")):
        for process_id, number in ((payload or {}).get("versions") or {}).items():
            out.add((process_id, int(number)))
    return out
