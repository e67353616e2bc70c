"""The partner-city register as engine commands: read by the FAO's staff, kept by its clerks, and
filled by an approved `sister_city` case inside that case's own command (`from_case`).

Every change is one transaction with one event on the system audit chain; bad input is refused
with field messages in Chinese and English before anything changes. Authorization is checked
here, not only in the web page that calls it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit import chain
from engine.errors import Forbidden, InvalidInput, Message, NotFound
from engine.partners.anniversary import next_anniversary
from engine.places.options import territory_options
from engine.runtime.actors import SYSTEM, load_actor, load_reader
from engine.storage.db import Database
from engine.storage.partner_models import PartnerCity

KINDS: dict[str, Message] = {
    "sister_city": Message("友好城市", "Sister city"),
    "friendship_exchange": Message("友好交流城市", "Friendship-exchange city"),
}
READ_ROLES = frozenset({"fao_clerk", "section_chief", "fao_director", "auditor"})
EDIT_ROLES = frozenset({"fao_clerk"})
FIELDS = ("kind", "name_zh", "name_foreign", "country", "since", "agreement_on_file", "agreement_ref", "note")


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Partner:
    id: int
    kind: str
    name_zh: str
    name_foreign: str
    country: str
    since: date
    agreement_on_file: bool
    agreement_ref: str
    note: str
    case_id: int | None
    updated_at: datetime
    updated_by: str

    def next_anniversary(self, today: date) -> date:
        return next_anniversary(self.since, today)

    def kind_label(self, lang: str = "zh") -> str:
        return KINDS[self.kind].text(lang) if self.kind in KINDS else self.kind

    @classmethod
    def of(cls, row: PartnerCity) -> Partner:
        return cls(row.id, row.kind, row.name_zh, row.name_foreign, row.country, row.since,
                   row.agreement_on_file, row.agreement_ref, row.note, row.case_id, row.updated_at,
                   row.updated_by)


# -- authorization ------------------------------------------------------------------------------


def require_reader(session: Session, username: str) -> None:
    if username == SYSTEM:
        return
    if not load_reader(session, username).roles & READ_ROLES:
        raise Forbidden("只有外办工作人员可以查看友好城市名录",
                        "Only the Foreign Affairs Office's staff may view the partner-city register")


def require_editor(session: Session, username: str) -> None:
    if username == SYSTEM:
        return
    if not load_actor(session, username).roles & EDIT_ROLES:
        raise Forbidden("只有外办经办人可以修改友好城市名录",
                        "Only an FAO clerk may change the partner-city register")


# -- reading ------------------------------------------------------------------------------------


def list_partners(db: Database, username: str, *, kind: str | None = None) -> list[Partner]:
    with db.read() as session:
        require_reader(session, username)
        stmt = select(PartnerCity).order_by(PartnerCity.kind.desc(), PartnerCity.since, PartnerCity.id)
        if kind:
            stmt = stmt.where(PartnerCity.kind == kind)
        return [Partner.of(r) for r in session.scalars(stmt)]


def get_partner(db: Database, username: str, partner_id: int) -> Partner:
    with db.read() as session:
        require_reader(session, username)
        row = session.get(PartnerCity, partner_id)
        if row is None:
            raise NotFound(f"友好城市记录 {partner_id} 不存在", f"Partner-city record {partner_id} does not exist")
        return Partner.of(row)


# -- changing -----------------------------------------------------------------------------------


def create_partner(db: Database, actor: str, values: dict[str, Any], *, at: datetime | None = None) -> int:
    at = at or utcnow()
    with db.transaction() as session:
        require_editor(session, actor)
        clean = _checked(session, values, None, at.date())
        row = _insert(session, clean, actor, at, case_id=None)
        chain.append_system(session, at=at, actor=actor, command="partner_create",
                            payload={"id": row.id, **_payload(clean)})
        return row.id


def update_partner(db: Database, actor: str, partner_id: int, values: dict[str, Any], *,
                   at: datetime | None = None) -> None:
    at = at or utcnow()
    with db.transaction() as session:
        require_editor(session, actor)
        row = session.get(PartnerCity, partner_id)
        if row is None:
            raise NotFound(f"友好城市记录 {partner_id} 不存在", f"Partner-city record {partner_id} does not exist")
        clean = _checked(session, values, partner_id, at.date())
        for key, value in clean.items():
            setattr(row, key, value)
        row.updated_at, row.updated_by = at, actor
        chain.append_system(session, at=at, actor=actor, command="partner_update",
                            payload={"id": partner_id, **_payload(clean)})


def from_case(session: Session, case_id: int, values: dict[str, Any], actor: str, at: datetime) -> int:
    """The register row of an approved `sister_city` case, written in the case's own transaction
    (called by the diagram's `register_partner(...)`). The case's event records the call, so no
    system event is needed. A city already in the register (one-to-one principle) is updated."""
    existing = session.scalar(select(PartnerCity).where(
        PartnerCity.country == str(values.get("country") or "").strip().upper(),
        PartnerCity.name_foreign == str(values.get("name_foreign") or "").strip()))
    try:
        clean = _checked(session, values, existing.id if existing is not None else None, at.date())
    except InvalidInput as err:
        # Raised inside a diagram script, only the message reaches the person: name every problem in it.
        zh = "；".join(m.zh for m in err.field_errors.values())
        en = "; ".join(m.en for m in err.field_errors.values())
        raise InvalidInput(f"无法登入友好城市名录：{zh}", f"Cannot enter the partner in the register: {en}",
                           field_errors=err.field_errors) from err
    if existing is None:
        return _insert(session, clean, actor, at, case_id=case_id).id
    for key, value in clean.items():
        setattr(existing, key, value)
    existing.case_id, existing.updated_at, existing.updated_by = case_id, at, actor
    return existing.id


def _insert(session: Session, clean: dict[str, Any], actor: str, at: datetime, *, case_id: int | None) -> PartnerCity:
    row = PartnerCity(**clean, case_id=case_id, created_at=at, updated_at=at, updated_by=actor)
    session.add(row)
    session.flush()
    return row


def _payload(clean: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in clean.items()}


def _checked(session: Session, values: dict[str, Any], partner_id: int | None, today: date) -> dict[str, Any]:
    """The values as stored, or InvalidInput naming every wrong field (nothing is changed)."""
    errors: dict[str, Message] = {}
    kind = str(values.get("kind") or "").strip()
    if kind not in KINDS:
        errors["kind"] = Message("请选择关系类别（友好城市或友好交流城市）",
                                 "Choose the kind of relationship (sister city or friendship-exchange city)")
    name_zh = str(values.get("name_zh") or "").strip()
    name_foreign = str(values.get("name_foreign") or "").strip()
    for key, value, zh, en in (("name_zh", name_zh, "中文名称", "Chinese name"),
                               ("name_foreign", name_foreign, "外文名称", "Foreign name")):
        if not value:
            errors[key] = Message(f"请填写{zh}", f"{en} is required")
        elif len(value) > 200:
            errors[key] = Message(f"{zh}不能超过 200 个字符", f"{en}: at most 200 characters")
    country = str(values.get("country") or "").strip().upper()
    if country not in _foreign_territories():
        errors["country"] = Message("请从列表中选择国家（地区）", "Country: choose one from the list")
    since = _date(values.get("since"))
    if since is None:
        errors["since"] = Message("结好日期须为有效日期（年-月-日）", "Since: a valid date (YYYY-MM-DD)")
    elif since > today:
        errors["since"] = Message("结好日期不能晚于今天", "Since cannot be in the future")
    agreement_ref = str(values.get("agreement_ref") or "").strip()
    if len(agreement_ref) > 200:
        errors["agreement_ref"] = Message("协议书存档编号不能超过 200 个字符",
                                          "Agreement reference: at most 200 characters")
    on_file = bool(values.get("agreement_on_file"))
    if on_file and not agreement_ref:
        errors["agreement_ref"] = Message("协议书已存档时请填写存档编号",
                                          "Give the archive reference of the agreement on file")
    note = str(values.get("note") or "").strip()
    if len(note) > 2000:
        errors["note"] = Message("备注不能超过 2000 个字符", "Note: at most 2000 characters")
    if "country" not in errors and "name_foreign" not in errors:
        clash = session.scalar(select(PartnerCity.id).where(
            PartnerCity.country == country, PartnerCity.name_foreign == name_foreign))
        if clash is not None and clash != partner_id:
            # One-to-one principle [S49]: one relationship per foreign city.
            errors["name_foreign"] = Message(f"{name_foreign}（{country}）已在名录中（记录 {clash}）",
                                             f"{name_foreign} ({country}) is in the register already (record {clash})")
    if errors:
        raise InvalidInput("友好城市记录有误，未保存", "The partner-city record has errors and was not saved",
                           field_errors=errors)
    return {"kind": kind, "name_zh": name_zh, "name_foreign": name_foreign, "country": country, "since": since,
            "agreement_on_file": on_file, "agreement_ref": agreement_ref, "note": note}


@cache
def _foreign_territories() -> frozenset[str]:
    return frozenset(o["value"] for o in territory_options(False))


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip()[:10])
    except ValueError:
        return None
