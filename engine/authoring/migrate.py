"""The migration commands: a dry run that says, for each running case of a version, whether it
can move to another version of the same process ("migrates" or "refused: <reason>"), and the
`migrate` command that moves one case — one transaction and one audit event each, replayed by
`waishi audit verify` (the event names both versions; replay switches spec at that event)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.authoring.migration import MigrationPlan, plan
from engine.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.runtime import effects, state
from engine.runtime.actors import Actor, load_actor, load_reader
from engine.runtime.service import CaseService
from engine.storage.models import AuditEvent, Case, DefinitionVersion

MIGRATORS = frozenset({"analyst", "admin"})


@dataclass(frozen=True)
class CaseCheck:
    case_id: int
    title: str
    plan: MigrationPlan

    @property
    def safe(self) -> bool:
        return self.plan.safe


def dry_run(cases: CaseService, username: str, from_version_id: int, to_version_id: int) -> list[CaseCheck]:
    """Every running case of `from_version_id`, checked against `to_version_id`. Changes nothing."""
    with cases.db.read() as session:
        _require_migrator(load_reader(session, username))
        old, new = _versions(session, from_version_id, to_version_id)
        old_spec = cases.specs.for_version_id(session, old.id)
        new_spec = cases.specs.for_version_id(session, new.id)
        rows = session.execute(select(Case.id, Case.title, Case.state)
                               .where(Case.version_id == old.id, Case.status == "running").order_by(Case.id)).all()
        out = []
        for case_id, title, text in rows:
            wf = state.load(text, old_spec.spec, old_spec.subprocess_specs, old_spec.flavour, cases.script_engine)
            out.append(CaseCheck(case_id, title, plan(wf, executed(session, case_id), old_spec, new_spec)))
        return out


def migrate_case(cases: CaseService, username: str, case_id: int, to_version_id: int, *,
                 at: datetime | None = None) -> None:
    """Move one running case to `to_version_id`, or `Conflict` naming why it is not safe."""
    at = at or cases.clock()
    with cases.db.transaction() as session:
        actor = load_actor(session, username)
        _require_migrator(actor)
        case = cases.lock_running(session, case_id)
        old, new = _versions(session, case.version_id, to_version_id)
        old_spec = cases.specs.for_version_id(session, old.id)
        new_spec = cases.specs.for_version_id(session, new.id)
        done = executed(session, case_id)
        payload = {"from_version_id": old.id, "from_version": old.version, "to_version_id": new.id,
                   "to_version": new.version, "to_content_hash": new.content_hash}

        def apply(wf):
            checked = plan(wf, done, old_spec, new_spec)
            if not checked.safe:
                raise Conflict("；".join(r.message_zh for r in checked.refusals),
                               "; ".join(r.message_en for r in checked.refusals))
            from engine.authoring.migration import migrate

            migrate(wf, new_spec)
            return effects.Outcome(wf)

        cases.apply_command(session, case, actor, "migrate", payload, at, apply)
        session.execute(update(Case).where(Case.id == case_id).values(version_id=new.id))


def executed(session: Session, case_id: int) -> set[str]:
    """The diagram elements the case's commands completed (pruning dropped their tasks), from the
    path each event recorded."""
    out: set[str] = set()
    for (payload,) in session.execute(select(AuditEvent.payload).where(AuditEvent.case_id == case_id)):
        out.update(((payload or {}).get("path") or {}).get("completed") or ())
    return out


def _versions(session: Session, from_id: int, to_id: int) -> tuple[DefinitionVersion, DefinitionVersion]:
    old, new = session.get(DefinitionVersion, from_id), session.get(DefinitionVersion, to_id)
    if old is None or new is None:
        raise NotFound("流程版本不存在", "No such process version")
    if old.process_id != new.process_id:
        raise InvalidInput("只能迁移到同一流程的其他版本", "A case can only move to another version of its own process")
    if old.id == new.id:
        raise InvalidInput("案件已在此版本上", "The case is on this version already")
    return old, new


def _require_migrator(actor: Actor) -> None:
    if not actor.roles & MIGRATORS:
        raise Forbidden("只有流程分析员可以迁移案件", "Only process analysts may migrate cases")
