"""The auditor's service layer: search, replay, verify, heatmap and exports, each checked in the
engine (only holders of `auditor` use it, and nothing here changes a case) and each recorded on the
system chain — who looked at what, when — in its own transaction, like any other command."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.audit import chain, pathindex
from engine.audit.heatmap import Heatmap, HeatmapFilter, heatmap
from engine.audit.search import SearchFilter, search, search_all
from engine.audit.stepper import CaseReplay, ReplayCache
from engine.audit.verify import VerifyReport, events_of, verify
from engine.definitions.cache import SpecCache
from engine.errors import Forbidden
from engine.queries.cases import CaseHeader, CasePage, case_header
from engine.runtime.actors import Actor, load_reader
from engine.storage.db import Database
from engine.storage.models import AuditEvent

AUDITOR = "auditor"
ACCESS_PREFIX = "audit_"
LOG_PAGE = 100


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class AccessEntry:
    seq: int
    at: datetime
    actor: str
    command: str
    payload: dict[str, Any]


class AuditService:
    """Thread-safe; one per app or CLI. Holds the cache of re-executed cases."""

    def __init__(self, db: Database, specs: SpecCache | None = None, *, replays: ReplayCache | None = None,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.specs = specs or SpecCache()
        self.replays = replays or ReplayCache()
        self.clock = clock

    # -- reading ----------------------------------------------------------------------------

    def search(self, username: str, flt: SearchFilter) -> CasePage:
        with self.db.read() as session:
            self._auditor(session, username)
            page = search(session, flt)
        self.record(username, "search", {"criteria": flt.as_record(), "total": page.total})
        return page

    def case(self, username: str, case_id: int) -> CaseHeader:
        with self.db.read() as session:
            actor = self._auditor(session, username)
            return case_header(session, actor, case_id)

    def replay(self, username: str, case_id: int, *, step: int | None = None,
               record: bool = True) -> tuple[CaseHeader, CaseReplay]:
        """The re-executed case (cached per last event hash). Opening it is recorded; stepping
        through the steps already fetched is not another look at anything new."""
        with self.db.read() as session:
            actor = self._auditor(session, username)
            header = case_header(session, actor, case_id)
            replayed = self.replays.get(session, self.specs, case_id)
        if record:
            self.record(username, "replay", {"case_id": case_id, **({"step": step} if step else {})})
        return header, replayed

    def verify_case(self, username: str, case_id: int) -> VerifyReport:
        with self.db.read() as session:
            case_header(session, self._auditor(session, username), case_id)
        report = verify(self.db, case_id, specs=self.specs)
        self.record(username, "verify", {"case_id": case_id, "ok": report.ok, "findings": len(report.findings),
                                         "events": report.checked_events})
        return report

    def heatmap(self, username: str, flt: HeatmapFilter, *, record: bool = True) -> Heatmap:
        with self.db.read() as session:
            self._auditor(session, username)
        pathindex.catch_up(self.db)  # the figures include the last command, not just the worker's last pass
        with self.db.read() as session:
            result = heatmap(session, flt)
        if record:
                self.record(username, "heatmap", {"version_id": flt.version_id, "unit": flt.unit_code,
                                              "from": _iso(flt.started_from), "to": _iso(flt.started_to)})
        return result

    def access_log(self, username: str, *, page: int = 1, only_audit: bool = True) -> tuple[list[AccessEntry], int]:
        """The system chain's record of what auditors looked at (newest first), or the whole
        system chain. Nobody can edit it: it is the append-only, hash-chained event table."""
        with self.db.read() as session:
            self._auditor(session, username)
            where = [AuditEvent.chain == chain.SYSTEM_CHAIN]
            if only_audit:
                where.append(AuditEvent.command.like(f"{ACCESS_PREFIX}%"))
            total = session.scalar(select(func.count()).select_from(AuditEvent).where(*where)) or 0
            rows = session.execute(
                select(AuditEvent.seq, AuditEvent.at, AuditEvent.actor, AuditEvent.command, AuditEvent.payload)
                .where(*where).order_by(AuditEvent.seq.desc()).limit(LOG_PAGE)
                .offset((max(page, 1) - 1) * LOG_PAGE)).all()
        self.record(username, "log", {"page": page, "only_audit": only_audit})
        return [AccessEntry(r.seq, r.at, r.actor, r.command, dict(r.payload or {})) for r in rows], total

    def seals(self, username: str) -> list[dict[str, Any]]:
        """Every seal, newest first, with whether a trusted key is configured here."""
        from engine.audit import seal

        with self.db.read() as session:
            self._auditor(session, username)
            rows = seal.seal_summary(session)
        self.record(username, "seals", {})
        return sorted(rows, key=lambda r: r["id"], reverse=True)

    def seal(self, username: str, seal_id: int) -> dict[str, Any]:
        """One seal with its chain heads and public key, to print or keep."""
        from engine.audit import seal

        with self.db.read() as session:
            self._auditor(session, username)
            exported = seal.export_seal(session, seal_id)
        self.record(username, "export", {"what": "seal", "seal_id": seal_id})
        return exported

    # -- exports ----------------------------------------------------------------------------

    def search_csv(self, username: str, flt: SearchFilter) -> str:
        with self.db.read() as session:
            self._auditor(session, username)
            rows = search_all(session, flt)
        self.record(username, "export", {"what": "search", "format": "csv", "criteria": flt.as_record(),
                                         "rows": len(rows)})
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["case", "process", "version", "status", "unit", "title", "started_by", "started_at",
                         "ended_at"])
        for r in rows:
            writer.writerow([r.id, r.process_id, r.version, r.status, r.unit_code or "", _cell(r.title), r.started_by,
                             r.started_at.isoformat(), r.ended_at.isoformat() if r.ended_at else ""])
        return out.getvalue()

    def events(self, username: str, case_id: int, fmt: str) -> str:
        """The case's events as CSV or JSON, with every field the hash covers, so anyone can
        recompute the chain outside Waishi (docs/audit.md shows how)."""
        with self.db.read() as session:
            actor = self._auditor(session, username)
            case_header(session, actor, case_id)
            events = [event_record(ev) for ev in events_of(session, chain.case_chain(case_id))]
        self.record(username, "export", {"what": "events", "format": fmt, "case_id": case_id})
        if fmt == "json":
            return json.dumps({"case_id": case_id, "chain": chain.case_chain(case_id), "genesis": chain.GENESIS,
                               "events": events}, ensure_ascii=False, indent=2)
        out = io.StringIO()
        writer = csv.writer(out)
        columns = ["seq", "at", "actor", "command", "task_id", "task_spec", "payload", "diff", "state_hash",
                   "prev_hash", "hash", "note"]
        writer.writerow(columns)
        for ev in events:
            writer.writerow([_cell(json.dumps(ev[c], ensure_ascii=False, sort_keys=True))
                             if c in ("payload", "diff") else _cell(ev[c]) for c in columns])
        return out.getvalue()

    # -- internals --------------------------------------------------------------------------

    def record(self, username: str, what: str, payload: dict[str, Any]) -> None:
        """One event on the system chain for one look (`audit_<what>`)."""
        with self.db.transaction() as session:
            chain.append_system(session, at=self.clock(), actor=username, command=f"{ACCESS_PREFIX}{what}",
                                payload=payload)

    @staticmethod
    def _auditor(session: Session, username: str) -> Actor:
        actor = load_reader(session, username)
        if AUDITOR not in actor.roles:
            raise Forbidden("只有审计人员可以使用审计工作台", "Only auditors may use the audit workspace")
        return actor


def event_record(ev: AuditEvent) -> dict[str, Any]:
    """An event as exported: exactly the fields its hash covers, plus the hash."""
    return {"chain": ev.chain, "seq": ev.seq, "at": ev.at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor": ev.actor, "command": ev.command, "task_id": ev.task_id, "task_spec": ev.task_spec,
            "payload": ev.payload or {}, "diff": ev.diff or {}, "state_hash": ev.state_hash,
            "prev_hash": ev.prev_hash, "note": ev.note or "", "hash": ev.hash}


def _cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _iso(value) -> str | None:
    return value.isoformat() if value else None
