"""The report's projection of a case: one `report_facts` row (and its `report_fact_items`) per
case, derived from the case data fields of DATA-CONTRACT.md. Every command calls `sync` in its
own transaction (engine/runtime/projection.py), so the report is SQL over indexed columns."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import bindparam, delete, insert, update
from sqlalchemy.orm import Session

from engine.places.names import continent_of
from engine.sandbox.helpers import CHINA_TZ
from engine.storage.report_models import ReportFact, ReportFactItem

OUTBOUND = ("trip_staff", "trip_leader")
INBOUND = ("invitation_official", "invitation_general")
APPROVED = ("approved", "completed", "issued")
WITHDRAWN = ("cancelled", "not_travelled")
REDIRECTED = ("wrong_route", "redirected")
NUMBER_KEYS = ("batch_number", "visa_notice_number", "invitation_letter_number")

_FACTS = ReportFact.__table__
_ITEMS = ReportFactItem.__table__
_UPDATE = update(_FACTS).where(_FACTS.c.case_id == bindparam("_case"))
_INSERT = insert(_FACTS)
_APPROVED = (update(_FACTS).where(_FACTS.c.case_id == bindparam("_case"), _FACTS.c.approved_at.is_(None))
             .values(approved_at=bindparam("approved_at"), to_approval_s=bindparam("to_approval_s")))
_ITEMS_INSERT = insert(_ITEMS)


@dataclass(frozen=True)
class Facts:
    process_id: str
    kind: str
    unit_code: str | None
    status: str
    outcome: str
    returned: bool
    document_number: str | None
    purpose: str | None
    rank: str | None
    persons: int
    days: int | None
    country_count: int | None
    over_limit: bool
    over_days: bool
    over_size: bool
    in_plan: bool | None
    budget_fen: int | None
    notice_on_time: bool | None
    passport_on_time: bool | None
    passport_overdue: bool
    report_on_time: bool | None
    unit_held: bool
    visa_notice: bool
    checkout_on_time: bool | None
    items: tuple[tuple[str, str, str, int], ...]  # (kind, code, continent, persons)


def kind_of(process_id: str) -> str:
    """outbound and inbound are counted as applications; a post_trip case started on its own (for
    a trip approved elsewhere) counts in compliance only; anything else is not in the report."""
    if process_id in OUTBOUND:
        return "outbound"
    if process_id in INBOUND:
        return "inbound"
    return "post_trip" if process_id == "post_trip" else "other"


def outcome_of(status: str, data: dict[str, Any]) -> str:
    """One outcome per case: withdrawn (cancelled, or the trip called off), approved (批件,
    签证通知函 or 邀请函 issued), rejected, other (sent to another route), pending."""
    outcome = data.get("outcome")
    if status == "cancelled" or outcome in WITHDRAWN or data.get("trip_status") == "cancelled":
        return "withdrawn"
    if outcome in APPROVED:
        return "approved"
    if outcome == "rejected":
        return "rejected"
    if outcome in REDIRECTED or status == "completed":
        return "other"
    return "pending"


def inbound_purpose(process_id: str, data: dict[str, Any]) -> str:
    """Invitation forms state the purpose as free text; the report's category comes from the
    route: journalists, foreign officials (official visits), everyone else (business and experts)."""
    if isinstance(data.get("purpose_category"), str):
        return data["purpose_category"]
    if data.get("guest_rank") == "journalist":
        return "journalism"
    return "official_visit" if process_id == "invitation_official" else "business_exchange"


def facts_of(process_id: str, unit_code: str | None, status: str, data: dict[str, Any]) -> Facts:
    kind = kind_of(process_id)
    codes = data.get("over_limit_codes") if isinstance(data.get("over_limit_codes"), list) else []
    if kind == "inbound":
        people = [p for p in data.get("invitees") or [] if isinstance(p, dict)]
        persons = _int(data.get("invitee_count")) or len(people)
        days = _int(data.get("stay_days"))
        nationality: dict[str, int] = {}
        for person in people:
            code = str(person.get("nationality") or "").strip().upper()
            if code:
                nationality[code] = nationality.get(code, 0) + 1
        items = tuple(("nationality", c, continent_of(c), n) for c, n in sorted(nationality.items()))
        purpose, rank = inbound_purpose(process_id, data), _str(data.get("guest_rank"))
    else:
        members = [m for m in data.get("members") or [] if isinstance(m, dict)]
        persons = _int(data.get("delegation_size")) or len(members)
        days = _int(data.get("days_abroad"))
        countries = []
        for stop in data.get("itinerary") or []:
            code = str(stop.get("country") or "").strip().upper() if isinstance(stop, dict) else ""
            if code and code not in countries:
                countries.append(code)
        items = tuple(("country", c, continent_of(c), persons) for c in sorted(countries)) if kind == "outbound" else ()
        purpose, rank = _str(data.get("purpose_category")), _str(data.get("head_rank"))
    notice = None
    if kind == "outbound":
        notice = False if "public_notice" in codes else (True if _int(data.get("public_notice_working_days"))
                                                         is not None else None)
    checkout_late = data.get("checkout_late")
    return Facts(
        process_id=process_id, kind=kind, unit_code=unit_code, status=status, outcome=outcome_of(status, data),
        returned=(_int(data.get("correction_round")) or 0) > 0,
        document_number=next((str(data[k])[:64] for k in NUMBER_KEYS if _str(data.get(k))), None),
        purpose=purpose, rank=rank, persons=persons, days=days,
        country_count=_int(data.get("country_count")) if kind == "outbound" else None,
        over_limit=data.get("over_limit") is True, over_days="days" in codes, over_size="delegation_size" in codes,
        in_plan=data["in_annual_plan"] if isinstance(data.get("in_annual_plan"), bool) else None,
        budget_fen=_fen(data.get("budget_total_cny")), notice_on_time=notice,
        passport_on_time=_bool(data.get("passports_returned_on_time")),
        passport_overdue=bool(_str(data.get("unit_held_on"))), report_on_time=_bool(data.get("report_on_time")),
        unit_held=bool(_str(data.get("unit_held_on"))) or data.get("unit_held") is True,
        visa_notice=bool(_str(data.get("visa_notice_number"))),
        checkout_on_time=None if not isinstance(checkout_late, bool) else not checkout_late,
        items=items,
    )


def sync(session: Session, case, before_data: dict[str, Any] | None, at: datetime, *, first: bool) -> None:
    """Bring the case's facts in line with its data after a command. Writes only when they
    changed (or the case ended); the moment a document number first appears is the approval."""
    new = facts_of(case.process_id, case.unit_code, case.status, case.data)
    old = None if first else facts_of(case.process_id, case.unit_code, "running", before_data or {})
    numbered = new.document_number is not None and (old is None or old.document_number is None)
    if old == new and case.status == "running" and not numbered:
        return
    values = _values(new)
    if first or session.execute(_UPDATE, {"_case": case.id, **values}).rowcount == 0:
        local = case.started_at.astimezone(CHINA_TZ)
        session.execute(_INSERT, {"case_id": case.id, "submitted_at": case.started_at, "submitted_on": local.date(),
                                  "submitted_month": local.strftime("%Y-%m"), "approved_at": None,
                                  "to_approval_s": None, **values})
    if numbered:  # the first time only: a number that leaves the data view and comes back is no new approval
        session.execute(_APPROVED, {"_case": case.id, "approved_at": at,
                                    "to_approval_s": max(0, int((at - case.started_at).total_seconds()))})
    if old is None or old.items != new.items:
        session.execute(delete(_ITEMS).where(_ITEMS.c.case_id == case.id))
        if new.items:
            session.execute(_ITEMS_INSERT, [{"case_id": case.id, "kind": k, "code": c, "continent": cont,
                                             "persons": n} for k, c, cont, n in new.items])


def _values(facts: Facts) -> dict[str, Any]:
    values = asdict(facts)
    values.pop("items")
    return values


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _str(value: Any) -> str | None:
    return value.strip()[:64] if isinstance(value, str) and value.strip() else None


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _fen(value: Any) -> int | None:
    try:
        amount = Decimal(str(value).strip()) if value not in (None, "") else None
    except InvalidOperation:
        return None
    return int((amount * 100).to_integral_value()) if amount is not None and amount.is_finite() else None
