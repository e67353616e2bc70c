"""The analyst's drafts: a process's files (BPMN, the DMN rules and forms it uses, and scenarios)
copied from a version, edited in the browser, validated with the full deploy validation, tested
on scenarios and deployed as the next version.

Saving a draft is not a change anyone else sees, so it is not on the audit chain (like a task
form's 暂存); running its tests and deploying it are, on the system chain. Deploying is refused
while validation fails, and while a scenario fails unless the analyst confirms with a reason,
which the deploy event records.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit import chain
from engine.definitions.bundle import DefinitionBundle
from engine.definitions.cache import SpecCache, bundle_of
from engine.definitions.deploy import DeployResult, deploy_bundle
from engine.definitions.validation import ValidationReport, validate
from engine.definitions.xmlsafe import parse_xml
from engine.errors import Conflict, DefinitionInvalid, Forbidden, InvalidInput, NotFound
from engine.runtime.actors import Actor, load_actor
from engine.storage.db import Database
from engine.storage.models import AuthoringDraft, DefinitionVersion

KINDS = {".bpmn": "bpmn", ".dmn": "dmn", ".form": "form", ".toml": "scenario"}
MAX_FILE = 2 * 2**20
# A draft holds a version's closure: trip_staff with its called processes, tables, forms and
# scenarios is about 75 files today; the bound only stops a runaway upload.
MAX_FILES = 250
AUTHORS = frozenset({"analyst"})


@dataclass(frozen=True)
class Draft:
    id: int
    process_id: str
    analyst: str
    base_version_id: int | None
    base_version: int | None
    files: dict[str, str]  # "kind:name" -> text
    updated_at: datetime

    def of_kind(self, kind: str) -> dict[str, str]:
        return files_of_kind(self.files, kind)

    def bundle(self) -> DefinitionBundle:
        bundle = DefinitionBundle(bpmn={}, dmn={}, forms={})
        for kind, target in (("bpmn", bundle.bpmn), ("dmn", bundle.dmn), ("form", bundle.forms)):
            for name, text in self.of_kind(kind).items():
                target[name] = text.encode()
        return bundle


def files_of_kind(files: Mapping[str, str], kind: str) -> dict[str, str]:
    """name → text of the files of one kind, from "kind:name" keys."""
    return {k.split(":", 1)[1]: v for k, v in sorted(files.items()) if k.startswith(kind + ":")}


def utcnow() -> datetime:
    return datetime.now(UTC)


class DraftService:
    def __init__(self, db: Database, specs: SpecCache | None = None) -> None:
        self.db = db
        self.specs = specs or SpecCache()

    def open(self, analyst: str, version_id: int, *, replace: bool = False, at: datetime | None = None) -> Draft:
        """The analyst's draft of the version's process: the existing one, or a new copy of the
        version's files. A draft from another version is replaced only when asked to."""
        at = at or utcnow()
        with self.db.transaction() as session:
            _require_author(load_actor(session, analyst))
            version = session.get(DefinitionVersion, version_id)
            if version is None:
                raise NotFound(f"流程版本 {version_id} 不存在", f"Process version {version_id} does not exist")
            row = _row(session, version.process_id, analyst)
            if row is not None and row.base_version_id != version_id and not replace:
                raise Conflict("您已有此流程基于其他版本的草稿；请先保存或放弃它",
                               "You have a draft of this process from another version; deploy or discard it first")
            if row is None or replace:
                files = files_of_version(version)
                from engine.authoring.testing import shipped_scenarios

                files.update({f"scenario:{p.name}": p.read_text() for p in shipped_scenarios(version.process_id)})
                if row is None:
                    row = AuthoringDraft(process_id=version.process_id, analyst=analyst, created_at=at)
                    session.add(row)
                row.base_version_id, row.files, row.updated_at = version_id, files, at
                session.flush()
            return _view(session, row)

    def get(self, analyst: str, process_id: str) -> Draft | None:
        with self.db.read() as session:
            row = _row(session, process_id, analyst)
            return _view(session, row) if row is not None else None

    def save_file(self, analyst: str, process_id: str, filename: str, content: str, *,
                  at: datetime | None = None) -> Draft:
        """Put one file into the draft (new or replacing one of the same name)."""
        kind, name = file_kind(filename)
        _check_content(kind, name, content)
        with self.db.transaction() as session:
            _require_author(load_actor(session, analyst))
            row = _existing(session, process_id, analyst)
            files = dict(row.files)
            files[f"{kind}:{name}"] = content
            if len(files) > MAX_FILES:
                raise InvalidInput(f"草稿最多 {MAX_FILES} 个文件", f"A draft holds at most {MAX_FILES} files")
            row.files, row.updated_at = files, at or utcnow()
            return _view(session, row)

    def remove_file(self, analyst: str, process_id: str, key: str) -> Draft:
        with self.db.transaction() as session:
            _require_author(load_actor(session, analyst))
            row = _existing(session, process_id, analyst)
            files = dict(row.files)
            files.pop(key, None)
            row.files, row.updated_at = files, utcnow()
            return _view(session, row)

    def discard(self, analyst: str, process_id: str) -> None:
        with self.db.transaction() as session:
            _require_author(load_actor(session, analyst))
            row = _row(session, process_id, analyst)
            if row is not None:
                session.delete(row)

    def validate(self, analyst: str, process_id: str) -> ValidationReport:
        draft = self._draft(analyst, process_id)
        return validate(draft.bundle())

    def deploy(self, analyst: str, process_id: str, *, failed_scenarios: list[str], reason: str = "",
               at: datetime | None = None) -> DeployResult:
        """Deploy the draft as the next version(s). `failed_scenarios` are the names of the
        scenarios that failed on this very draft (the caller ran them); with any, a reason is
        needed. Validation failures refuse the deploy whatever the reason."""
        at = at or utcnow()
        draft = self._draft(analyst, process_id)
        report = validate(draft.bundle())
        if not report.ok:
            raise DefinitionInvalid(report.problems + report.warnings)
        reason = (reason or "").strip()
        if failed_scenarios and not reason:
            raise Conflict(f"有 {len(failed_scenarios)} 个场景未通过；如仍要部署，请说明理由",
                           f"{len(failed_scenarios)} scenario(s) failed; give a reason to deploy anyway")
        result = deploy_bundle(self.db, draft.bundle(), actor=analyst, at=at)
        with self.db.transaction() as session:
            chain.append_system(session, at=at, actor=analyst, command="deploy_draft", payload={
                "process_id": process_id, "base_version_id": draft.base_version_id,
                "versions": {d.process_id: d.version for d in result.deployed if d.created},
                "unchanged": {d.process_id: d.version for d in result.deployed if not d.created},
                "failed_scenarios": failed_scenarios, "reason": reason})
            row = _row(session, process_id, analyst)
            if row is not None:
                session.delete(row)
        return result

    def record_test(self, analyst: str, process_id: str, passed: list[str], failed: list[str]) -> None:
        with self.db.transaction() as session:
            chain.append_system(session, at=utcnow(), actor=analyst, command="test_draft",
                                payload={"process_id": process_id, "passed": passed, "failed": failed})

    def get_own(self, analyst: str, process_id: str) -> Draft:
        """The analyst's draft, checking the role (`NotFound` when there is none)."""
        return self._draft(analyst, process_id)

    def _draft(self, analyst: str, process_id: str) -> Draft:
        with self.db.read() as session:
            _require_author(load_actor(session, analyst))
            return _view(session, _existing(session, process_id, analyst))


def files_of_version(version: DefinitionVersion) -> dict[str, str]:
    bundle = bundle_of(version)
    return {f"{kind}:{name}": content.decode() for kind, names in
            (("bpmn", bundle.bpmn), ("dmn", bundle.dmn), ("form", bundle.forms)) for name, content in names.items()}


def file_kind(filename: str) -> tuple[str, str]:
    """(kind, clean name) of an uploaded or edited file; only plain names with a known ending."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name
    suffix = PurePosixPath(name).suffix.lower()
    if not name or name.startswith(".") or suffix not in KINDS or len(name) > 120:
        raise InvalidInput("只能导入 .bpmn、.dmn、.form 或 .toml（场景）文件",
                           "Only .bpmn, .dmn, .form and .toml (scenario) files can be imported")
    return KINDS[suffix], name


def _check_content(kind: str, name: str, content: str) -> None:
    if len(content.encode()) > MAX_FILE:
        raise InvalidInput(f"{name} 超过 2 MB", f"{name} is larger than 2 MB")
    if kind in ("bpmn", "dmn"):
        parse_xml(content.encode(), name, kind=kind)  # hostile XML is refused before it is kept
    elif kind == "form":
        import json

        try:
            if not isinstance(json.loads(content), dict):
                raise ValueError("not an object")
        except ValueError as exc:
            raise InvalidInput(f"{name} 不是有效的表单 JSON", f"{name} is not a form (JSON object): {exc}") from exc
    elif kind == "scenario":
        import tomllib

        try:
            tomllib.loads(content)
        except tomllib.TOMLDecodeError as exc:
            raise InvalidInput(f"{name} 不是有效的 TOML：{exc}", f"{name} is not valid TOML: {exc}") from exc


def _require_author(actor: Actor) -> None:
    if not actor.roles & AUTHORS:
        raise Forbidden("只有流程分析员可以编辑流程", "Only process analysts may edit processes")


def _row(session: Session, process_id: str, analyst: str) -> AuthoringDraft | None:
    return session.scalar(select(AuthoringDraft).where(AuthoringDraft.process_id == process_id,
                                                       AuthoringDraft.analyst == analyst))


def _existing(session: Session, process_id: str, analyst: str) -> AuthoringDraft:
    row = _row(session, process_id, analyst)
    if row is None:
        raise NotFound("没有此流程的草稿", "There is no draft of this process")
    return row


def _view(session: Session, row: AuthoringDraft) -> Draft:
    base = session.get(DefinitionVersion, row.base_version_id) if row.base_version_id else None
    return Draft(row.id, row.process_id, row.analyst, row.base_version_id, base.version if base else None,
                 dict(row.files or {}), row.updated_at)
