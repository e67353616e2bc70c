"""Deploying definitions: validate strictly, then store each executable process as an immutable,
content-addressed version (same content → same version; changed content → next number)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.audit import chain
from engine.definitions.bundle import DefinitionBundle
from engine.definitions.closure import closure
from engine.definitions.validation import validate
from engine.errors import DefinitionInvalid, Problem
from engine.storage.db import Database
from engine.storage.models import DefinitionBlob, DefinitionFile, DefinitionVersion


@dataclass
class Deployed:
    process_id: str
    version: int
    content_hash: str
    created: bool


@dataclass
class DeployResult:
    deployed: list[Deployed] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def deploy_paths(db: Database, paths: list[str | Path], actor: str = "system",
                 at: datetime | None = None) -> DeployResult:
    return deploy_bundle(db, DefinitionBundle.from_paths(paths), actor, at)


def deploy_bundle(db: Database, bundle: DefinitionBundle, actor: str = "system",
                  at: datetime | None = None) -> DeployResult:
    report = validate(bundle)
    if not report.ok:
        raise DefinitionInvalid(report.problems + report.warnings)
    at = at or datetime.now(UTC)
    result = DeployResult(warnings=list(report.warnings))
    with db.transaction() as session:
        for process_id in sorted(report.process_ids):
            part = closure(bundle, process_id)
            name = report.names.get(process_id, "")
            result.deployed.append(_store_version(session, process_id, part, actor, at, name))
    return result


def _store_version(session: Session, process_id: str, part: DefinitionBundle, actor: str, at: datetime,
                   name: str) -> Deployed:
    digest = part.content_hash()
    existing = session.scalar(select(DefinitionVersion).where(
        DefinitionVersion.process_id == process_id, DefinitionVersion.content_hash == digest))
    if existing is not None:
        return Deployed(process_id, existing.version, digest, created=False)
    number = (session.scalar(select(func.max(DefinitionVersion.version))
                             .where(DefinitionVersion.process_id == process_id)) or 0) + 1
    version = DefinitionVersion(process_id=process_id, version=number, content_hash=digest,
                                flavour=part.flavour(), name=name, deployed_at=at, deployed_by=actor)
    session.add(version)
    session.flush()
    files = {}
    for kind, mapping in (("bpmn", part.bpmn), ("dmn", part.dmn), ("form", part.forms)):
        for fname, content in sorted(mapping.items()):
            sha = hashlib.sha256(content).hexdigest()
            if session.get(DefinitionBlob, sha) is None:
                session.add(DefinitionBlob(sha256=sha, content=content))
                session.flush()
            session.add(DefinitionFile(version_id=version.id, kind=kind, name=fname, sha256=sha))
            files[f"{kind}:{fname}"] = sha
    chain.append_system(session, at=at, actor=actor, command="deploy", payload={
        "process_id": process_id, "version": number, "content_hash": digest, "files": files,
    })
    return Deployed(process_id, number, digest, created=True)
