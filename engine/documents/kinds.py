"""The kinds of official documents and how each one's field snapshot is made from case data.

A document's number is never drawn here: the process draws it (`issue_number(...)` in a script
task) and keeps it in the case data; a document of a kind is due once its number field is there.
The snapshot holds exactly what the PDF prints, in printed words (see `wording`), plus
`title_line` — the one line the public verification page may show (no personal data).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine.documents import filing, wording
from engine.documents.values import as_dict as _dict
from engine.documents.values import as_list as _list
from engine.documents.values import as_text as _text

ISSUER = "兰州市人民政府外事办公室"


@dataclass(frozen=True)
class Kind:
    code: str
    name_zh: str
    name_en: str
    number_field: str  # the case-data field in which the process left the number
    template: str
    build: Callable[..., dict[str, Any]]  # (data) -> snapshot; per-member kinds: (data, subject)
    # One document per member (subject "1", "2", …) instead of one per case (subject "").
    per_member: Callable[[dict[str, Any]], dict[str, str]] | None = None

    def number_in(self, data: dict[str, Any]) -> str | None:
        value = data.get(self.number_field)
        return str(value).strip() if isinstance(value, str) and value.strip() else None

    def numbers_in(self, data: dict[str, Any]) -> dict[str, str]:
        """Subject -> number of every document of this kind the case data has a number for."""
        if self.per_member is not None:
            return self.per_member(data)
        number = self.number_in(data)
        return {"": number} if number else {}

    def snapshot(self, data: dict[str, Any], subject: str = "") -> dict[str, Any]:
        return self.build(data, subject) if self.per_member is not None else self.build(data)


# -- 出国（境）任务批件 (FAO-DOMAIN §5.1) -------------------------------------------------------------

def trip_batch(data: dict[str, Any]) -> dict[str, Any]:
    """From `trip_batch_document` (kept by trip_staff's issuing script), falling back to the
    contract fields of the trip application for anything it lacks."""
    doc = _dict(data.get("trip_batch_document"))
    inviter = doc.get("inviter")
    if not inviter:
        raw = _dict(data.get("inviter"))
        inviter = " / ".join(x for x in (_text(raw.get("name_zh")), _text(raw.get("name_foreign"))) if x)
    countries_src = _list(doc.get("countries")) or _list(data.get("itinerary"))
    countries = [{"code": _text(c.get("country")), "name": wording.country(c.get("country")),
                  "days": c.get("days"), "transit": bool(c.get("transit"))}
                 for c in countries_src if isinstance(c, dict)]
    members_src = _list(doc.get("members")) or _list(data.get("members"))
    members = [{"name": _text(m.get("name")), "sex": wording.word(wording.SEX, m.get("sex")),
                "birth_date": _text(m.get("birth_date")), "unit": _text(m.get("unit")),
                "post": _text(m.get("post"))}
               for m in members_src if isinstance(m, dict)]
    head = _text(doc.get("head")) or next(
        (_text(m.get("name")) for m in members_src if isinstance(m, dict) and m.get("role_in_delegation") == "head"),
        "")
    copies = [_text(c) for c in _list(doc.get("copies"))] or ["甘肃省人民政府外事办公室（备案）",
                                                                 _text(data.get("applicant_unit"))]
    delegation = _text(doc.get("delegation_name") or data.get("delegation_name"))
    return {
        "title": _text(doc.get("title")) or "出国（境）任务批件",
        "number": _text(data.get("batch_number")),
        "delegation_name": delegation,
        "head": head,
        "task": _text(doc.get("task") or data.get("trip_purpose")),
        "countries": countries,
        "days_abroad": doc.get("days_abroad", data.get("days_abroad")),
        "stay_note": _text(doc.get("stay_note")) or "停留时间包含抵离境当日",
        "inviter": _text(inviter),
        "funding_source": _text(doc.get("funding_source") or data.get("funding_source")),
        "members": members,
        "list_end": _text(doc.get("list_end")) or "以下空白",
        "departure_date": _text(doc.get("departure_date") or data.get("departure_date")),
        "return_date": _text(doc.get("return_date") or data.get("return_date")),
        "approving_body": _text(doc.get("approving_body")) or ISSUER,
        "approved_by": _text(doc.get("approved_by")),
        "seal": _text(doc.get("seal")) or "出国任务审批专用章",
        "issued_on": _text(doc.get("issued_on") or data.get("approved_on")),
        "copies": [c for c in copies if c],
        "central_approval_no": _text(doc.get("central_approval_no")),
        "title_line": delegation,
    }


# -- 签证通知函 / 签证通知电 (FAO-DOMAIN §5.2) ---------------------------------------------------------

def _cost_statement(bearer: str, inviting_unit: str) -> str:
    host = inviting_unit or "邀请单位"
    if bearer == "inviter":
        return f"被邀请人在华期间的费用（含医疗费用）由{host}负担。"
    if bearer == "invitee":
        return "被邀请人在华期间的费用（含医疗费用）自理。"
    if bearer == "shared":
        return f"被邀请人在华期间的费用（含医疗费用）由{host}与被邀请人分担。"
    return f"被邀请人在华期间的费用由{bearer}负担。" if bearer else ""


def visa_notice(data: dict[str, Any]) -> dict[str, Any]:
    """From `visa_notice` (kept by invitation_official's issuing script)."""
    doc = _dict(data.get("visa_notice"))
    invitees_src = _list(doc.get("invitees")) or _list(data.get("invitees"))
    invitees = []
    for p in invitees_src:
        if not isinstance(p, dict):
            continue
        invitees.append({
            "name": _text(p.get("name")), "sex": wording.word(wording.SEX, p.get("sex")),
            "birth_date": _text(p.get("birth_date")), "nationality": wording.country(p.get("nationality")),
            "passport_type": wording.word(wording.PASSPORT_TYPES, p.get("passport_type")),
            "passport_no": _text(p.get("passport_no")), "title": _text(p.get("title")),
            "visa_apply_at": _text(p.get("visa_apply_at") or doc.get("visa_apply_at") or data.get("visa_apply_at")),
        })
    nationalities: list[str] = []
    for p in invitees:
        if p["nationality"] and p["nationality"] not in nationalities:
            nationalities.append(p["nationality"])
    inviting_unit = _text(doc.get("inviting_unit") or data.get("inviting_unit"))
    cities = doc.get("cities", data.get("cities"))
    cities_text = wording.joined([_text(c) for c in cities]) if isinstance(cities, list) else _text(cities)
    purpose = _text(doc.get("purpose") or data.get("purpose")).rstrip("。；;.")
    visa = wording.word(wording.VISA_TYPES, doc.get("visa_type", data.get("visa_type")))
    entries = wording.word(wording.ENTRIES, doc.get("entries", data.get("entries")))
    months = doc.get("validity_months", data.get("visa_validity_months"))
    per_entry = doc.get("stay_per_entry_days", data.get("visa_stay_per_entry_days"))
    stay = doc.get("stay_days", data.get("stay_days"))
    entry_date = wording.cn_date(doc.get("entry_date") or data.get("entry_date"))
    body = (f"应{inviting_unit}邀请，下列{wording.joined(nationalities) or '外国'}人员拟于{entry_date}前后来华"
            f"（{cities_text or '兰州'}），事由：{purpose}，在华停留{_text(stay)}天。"
            f"请予办理{visa}签证，{entries}入境")
    if months not in (None, ""):
        body += f"，有效期{_text(months)}个月"
    if per_entry not in (None, ""):
        body += f"，每次停留{_text(per_entry)}天"
    body += "。"
    channel = _text(doc.get("channel") or data.get("visa_notice_channel"))
    addressee = _text(doc.get("addressee") or data.get("visa_notice_addressee"))
    return {
        "title": "签证通知电" if channel == "cable" else "签证通知函",
        "number": _text(data.get("visa_notice_number")),
        "date": _text(doc.get("date") or data.get("visa_notice_date")),
        "addressee": addressee,
        "body": body,
        "courtesy": bool(doc.get("courtesy_requested", data.get("courtesy_requested"))),
        "invitees": invitees,
        "list_end": "以下空白",
        "cost_statement": _cost_statement(_text(doc.get("cost_bearer") or data.get("cost_bearer")), inviting_unit),
        "host_contact": _text(doc.get("host_contact")),
        "fao_contact": _text(doc.get("fao_contact")),
        "issuer": ISSUER,
        "seal": "签证通知专用章",
        "copy_to": _text(doc.get("copy_to")) or inviting_unit,
        "title_line": addressee,
    }


# -- 关于建立友好城市关系的请示 (FAO-DOMAIN §1(g) step 2) -------------------------------------------

_RELATIONSHIP = {"sister_city": "友好城市", "friendship_exchange": "友好交流城市"}


def sister_city_request(data: dict[str, Any]) -> dict[str, Any]:
    """From `sister_city_request` (kept by sister_city's issuing script): the FAO's request to the
    municipal government, with the dossier the rules ask for [S49]."""
    doc = _dict(data.get("sister_city_request"))
    kind = _RELATIONSHIP.get(_text(doc.get("kind") or data.get("relationship_kind")), "友好城市")
    name = _text(doc.get("partner_name_zh") or data.get("partner_name_zh"))
    foreign = _text(doc.get("partner_name_foreign") or data.get("partner_name_foreign"))
    country = wording.country(doc.get("partner_country") or data.get("partner_country"))
    return {
        "title": f"关于与{country}{name}建立{kind}关系的请示",
        "number": _text(data.get("request_number")),
        "date": _text(doc.get("date") or data.get("request_date")),
        "addressee": "兰州市人民政府",
        "partner": f"{country}{name}（{foreign}）",
        "kind": kind,
        "profile": _text(doc.get("partner_profile") or data.get("partner_profile")),
        "exchanges": _text(doc.get("exchange_record") or data.get("exchange_record")),
        "intent_letter_date": _text(doc.get("intent_letter_date") or data.get("intent_letter_date")),
        "consent_proof": _text(doc.get("consent_proof") or data.get("consent_proof")),
        "precondition_rule": _text(doc.get("precondition_rule") or data.get("precondition_rule")),
        "one_to_one_downgrade": _text(doc.get("precondition_rule") or data.get("precondition_rule")).startswith("SC03"),
        "issuer": ISSUER,
        "seal": "兰州市人民政府外事办公室",
        "title_line": f"与{country}{name}建立{kind}关系",
    }


# -- 境外非政府组织临时活动协调意见函 (FAO-DOMAIN §1(g), additional functions) -----------------------

_OPINION = {"no_objection": "经征求有关部门意见，我办对该临时活动无异议。",
            "with_advice": "经征求有关部门意见，我办提出以下意见建议，请中方合作单位认真落实。"}


def ngo_opinion(data: dict[str, Any]) -> dict[str, Any]:
    """From `ngo_opinion` (kept by ngo_activity's issuing script): the FAO's coordination opinion to
    the Chinese partner unit. It is an opinion, not an approval: the filing is with public security."""
    doc = _dict(data.get("ngo_opinion"))
    unit = _text(doc.get("partner_unit") or data.get("partner_unit"))
    ngo = _text(doc.get("ngo_name_zh") or data.get("ngo_name_zh"))
    foreign = _text(doc.get("ngo_name_foreign") or data.get("ngo_name_foreign"))
    country = wording.country(doc.get("ngo_country") or data.get("ngo_country"))
    activity = _text(doc.get("activity_name") or data.get("activity_name"))
    start = wording.cn_date(doc.get("start_date") or data.get("start_date"))
    end = wording.cn_date(doc.get("end_date") or data.get("end_date"))
    place = _text(doc.get("activity_place") or data.get("activity_place"))
    return {
        "title": "关于境外非政府组织临时活动的协调意见函",
        "number": _text(data.get("ngo_opinion_number")),
        "date": _text(doc.get("date") or data.get("ngo_opinion_date")),
        "addressee": unit,
        "body": (f"你单位关于与{country}{ngo}（{foreign}）合作于{start}至{end}在{place}开展“{activity}”"
                 "临时活动的来函收悉。"),
        "opinion": _OPINION.get(_text(doc.get("opinion") or data.get("consultation_opinion")), ""),
        "opinion_text": _text(doc.get("opinion_text") or data.get("opinion_text")),
        "filing_note": "请你单位按照《中华人民共和国境外非政府组织境内活动管理法》的规定，于临时活动开始 15 日前"
                       "（应急救援的及时）向甘肃省公安厅境外非政府组织管理办公室备案。本函不代替备案。",
        "issuer": ISSUER,
        "seal": "兰州市人民政府外事办公室",
        "title_line": f"{ngo}：{activity}",
    }


KINDS: dict[str, Kind] = {
    "trip_batch": Kind("trip_batch", "出国（境）任务批件", "Overseas trip authorisation", "batch_number",
                       "trip_batch.html", trip_batch),
    "visa_notice": Kind("visa_notice", "签证通知函", "Visa notification letter", "visa_notice_number",
                        "visa_notice.html", visa_notice),
    "sister_city_request": Kind("sister_city_request", "结好请示", "Sister-city request to the municipal government",
                                "request_number", "sister_city_request.html", sister_city_request),
    "ngo_opinion": Kind("ngo_opinion", "境外NGO临时活动协调意见函", "Coordination opinion on an overseas NGO activity",
                        "ngo_opinion_number", "ngo_opinion.html", ngo_opinion),
    "personnel_filing": Kind("personnel_filing", "因公临时出国人员备案表", "Personnel filing form (per member)",
                             "personnel_filing_document", "personnel_filing.html", filing.personnel_filing,
                             per_member=filing.entries),
}


def due_kinds(data: dict[str, Any]) -> list[Kind]:
    """The kinds whose number the case data holds (issued or not)."""
    return [k for k in KINDS.values() if k.numbers_in(data)]
