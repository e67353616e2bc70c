"""The auditor's case search: every unit, by number, unit, person (delegation member or invitee by
name or ID/passport number, or anyone who acted on the case), process and version, status,
destination country, document number and date range. Each criterion is an indexed column or an
indexed lookup (`case_terms`, `audit_events.actor`, `documents.number`); the workflow state is
never loaded."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

from babel import Locale
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from engine.audit.terms import normalise
from engine.queries.cases import CasePage, CaseRowView, row_fields, row_select
from engine.sandbox.helpers import CHINA_TZ
from engine.storage.models import AuditEvent, Case, CaseTerm, DefinitionVersion, Document, User

SORTS = {
    "started": Case.started_at,
    "updated": Case.updated_at,
    "id": Case.id,
    "status": Case.status,
    "process": Case.process_id,
}
PAGE_SIZE = 50
EXPORT_LIMIT = 20_000


@dataclass(frozen=True)
class SearchFilter:
    case_id: int | None = None
    unit_code: str | None = None
    person: str | None = None  # a name or an ID card / passport number, or a user who acted
    process_id: str | None = None
    version: int | None = None
    status: str | None = None
    country: str | None = None  # ISO code, or its name in Chinese or English
    document: str | None = None  # 任务批件 / 签证通知函 / 邀请函 number
    started_from: date | None = None  # dates in Asia/Shanghai, both ends included
    started_to: date | None = None
    sort: str = "started"
    descending: bool = True
    page: int = 1
    page_size: int = PAGE_SIZE

    def as_record(self) -> dict:
        """The criteria given, as recorded on the system chain for this search."""
        out = {}
        for key, value in self.__dict__.items():
            if value not in (None, "") and key not in ("page_size",):
                out[key] = value.isoformat() if isinstance(value, date) else value
        return out


def search(session: Session, flt: SearchFilter) -> CasePage:
    where = conditions(session, flt)
    total = session.scalar(select(func.count()).select_from(Case).where(*where)) or 0
    page = max(1, flt.page)
    rows = session.execute(_ordered(row_select().where(*where), flt)
                           .limit(flt.page_size).offset((page - 1) * flt.page_size))
    return CasePage([CaseRowView(**row_fields(r)) for r in rows], total, page, flt.page_size)


def search_all(session: Session, flt: SearchFilter, limit: int = EXPORT_LIMIT) -> list[CaseRowView]:
    """Every matching case (for the CSV export), up to `limit`."""
    return search(session, replace(flt, page=1, page_size=limit)).rows


def conditions(session: Session, flt: SearchFilter) -> list:
    where = []
    if flt.case_id is not None:
        where.append(Case.id == flt.case_id)
    if flt.unit_code:
        where.append(Case.unit_code == flt.unit_code)
    if flt.process_id:
        where.append(Case.process_id == flt.process_id)
    if flt.version is not None:
        where.append(Case.version_id.in_(select(DefinitionVersion.id).where(
            DefinitionVersion.version == flt.version,
            *([DefinitionVersion.process_id == flt.process_id] if flt.process_id else []))))
    if flt.status:
        where.append(Case.status == flt.status)
    if flt.person and normalise(flt.person):
        where.append(_person(flt.person))
    if flt.country and normalise(flt.country):
        where.append(_term("country", country_code(flt.country)))
    if flt.document and normalise(flt.document):
        where.append(or_(_term("document", normalise(flt.document)),
                         Case.id.in_(select(Document.case_id).where(Document.number == flt.document.strip()))))
    if flt.started_from:
        where.append(Case.started_at >= _day_start(flt.started_from))
    if flt.started_to:
        where.append(Case.started_at < _day_start(flt.started_to + timedelta(days=1)))
    return where


def _term(kind: str, term: str):
    return Case.id.in_(select(CaseTerm.case_id).where(CaseTerm.kind == kind, CaseTerm.term == term))


def _person(text: str):
    term = normalise(text)
    raw = text.strip()
    people = select(CaseTerm.case_id).where(CaseTerm.kind.in_(("person", "id_number")), CaseTerm.term == term)
    users = select(User.username).where(or_(User.username == raw, User.display_name == raw))
    actors = select(AuditEvent.case_id).where(AuditEvent.actor.in_(users), AuditEvent.case_id.is_not(None))
    starters = select(Case.id).where(Case.started_by.in_(users))
    return or_(Case.id.in_(people), Case.id.in_(actors), Case.id.in_(starters))


def _ordered(query: Select, flt: SearchFilter) -> Select:
    column = SORTS.get(flt.sort, Case.started_at)
    first = column.desc() if flt.descending else column.asc()
    return query.order_by(first, Case.id.desc() if flt.descending else Case.id.asc())


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=CHINA_TZ).astimezone(UTC)


@cache
def _country_names() -> dict[str, str]:
    """Country names in Chinese and English (case-folded) → ISO code, from Babel's CLDR data."""
    out: dict[str, str] = {}
    for locale in ("en", "zh_Hans_CN"):
        for code, name in Locale.parse(locale).territories.items():
            if len(code) == 2 and code.isalpha():
                out.setdefault(normalise(name), code.lower())
    return out


def country_code(text: str) -> str:
    """'DE', 'de', '德国' and 'Germany' all mean the stored term 'de'."""
    term = normalise(text)
    if len(term) == 2 and term.isascii() and term.isalpha():
        return term
    return _country_names().get(term, term)
