"""因公临时出国人员备案表 (FAO-DOMAIN §4.3): one filing form per member, issued with the 任务批件.

trip_staff's issuing step keeps `personnel_filing_document` in the case data: the delegation's
facts once (organising unit, dates, countries, task, approving body and batch number) and
`filings`, one entry per member — the member's row of the application with its own number
(`issue_number('personnel_filing')`) and the member's last official trip from the person register
(`person_last_trips`). The document of member k (1-based) has the subject "k".

The snapshot prints words, not codes. Its `title_line` — all the public verification page shows
besides the number — is the delegation's name and the form's position ("第2份，共3份"), never the
member's name: the public page of a 备案表 tells no more than a 任务批件's does.
"""

from __future__ import annotations

from typing import Any

from engine.documents import wording
from engine.documents.values import as_dict as _dict
from engine.documents.values import as_list as _list
from engine.documents.values import as_text as _text

TITLE = "因公临时出国人员备案表"
FOOTER = "本表由出国人员所在单位填写，按照干部管理权限，报组织人事部门备案，并抄报外事审批部门。"

POLITICAL_STATUS = {"cpc_member": "中共党员", "cpc_probationary": "中共预备党员", "cyl_member": "共青团员",
                    "democratic_party": "民主党派成员", "non_party": "无党派人士", "masses": "群众"}
CLASSIFIED_LEVEL = {"core": "核心", "important": "重要", "general": "一般"}
ROLE = {"head": "团长", "deputy_head": "副团长", "member": "团员"}
FOREIGN_STATUS = {"none": "否", "foreign_nationality": "已取得外国国籍", "permanent_residence": "已取得境外永久居留权",
                  "long_term_residence": "已取得境外长期居留许可"}


def _yes(value: Any) -> str:
    return "是" if value is True else "否"


def month(value: Any) -> str:
    """"1975-06-12" or "1975-06" → "1975年6月"; anything else is printed as given."""
    text = _text(value)
    parts = text[:10].split("-")
    if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
        return f"{int(parts[0])}年{int(parts[1])}月"
    return text


def entries(data: dict[str, Any]) -> dict[str, str]:
    """Subject ("1", "2", …) → number, for every member entry the process gave a number."""
    out: dict[str, str] = {}
    for k, entry in enumerate(_list(_dict(data.get("personnel_filing_document")).get("filings")), start=1):
        number = entry.get("number") if isinstance(entry, dict) else None
        if isinstance(number, str) and number.strip():
            out[str(k)] = number.strip()
    return out


def _family(rows: Any) -> list[dict[str, str]]:
    out = []
    for f in _list(rows):
        if not isinstance(f, dict):
            continue
        out.append({"relation": _text(f.get("relation")), "name": _text(f.get("name")),
                    "age": _text(f.get("age")),
                    "political_status": wording.word(POLITICAL_STATUS, f.get("political_status")),
                    "employer_post": _text(f.get("employer_post")), "residence": _text(f.get("residence")),
                    "abroad": _yes(f.get("abroad")),
                    "foreign_status": wording.word(FOREIGN_STATUS, f.get("foreign_status") or "none")})
    return out


def _last_trip(trip: Any) -> str:
    trip = _dict(trip)
    if not trip.get("departure_date"):
        return "无"
    where = wording.joined([wording.country(c) for c in _list(trip.get("countries"))]) or "—"
    return f"{wording.cn_date(trip.get('departure_date'))}，{where}，{_text(trip.get('task')) or '—'}"


def _trip_sentence(doc: dict[str, Any]) -> str:
    countries = wording.joined([wording.country(c.get("country")) for c in _list(doc.get("countries"))
                                if isinstance(c, dict) and not c.get("transit")])
    return (f"于{wording.cn_date(doc.get('departure_date'))}至{wording.cn_date(doc.get('return_date'))}"
            f"赴{countries or '—'}停留{_text(doc.get('days_abroad'))}天开展{_text(doc.get('task')).rstrip('。')}")


def personnel_filing(data: dict[str, Any], subject: str) -> dict[str, Any]:
    """The snapshot of member `subject`'s 备案表 (subject "1" is the first member)."""
    doc = _dict(data.get("personnel_filing_document"))
    filings = _list(doc.get("filings"))
    index = int(subject) - 1 if subject.isdigit() else -1
    m = _dict(filings[index]) if 0 <= index < len(filings) else {}
    classified = m.get("classified") is True
    level = _text(m.get("classified_level")) if classified else ""
    delegation = _text(doc.get("delegation_name") or data.get("delegation_name"))
    return {
        "title": TITLE,
        "number": _text(m.get("number")),
        "name": _text(m.get("name")),
        "sex": wording.word(wording.SEX, m.get("sex")),
        "birth_month": month(m.get("birth_date")),
        "political_status": wording.word(POLITICAL_STATUS, m.get("political_status")),
        "unit": _text(m.get("unit")),
        "post": _text(m.get("post")),
        "health": _text(m.get("health")),
        "classified": _yes(classified),
        "classified_level": wording.word(CLASSIFIED_LEVEL, level) if level else "—",
        # The annual review concerns core classified personnel only (核心涉密人员年审).
        "annual_review": _yes(m.get("classified_annual_review")) if level == "core" else "—",
        "declassified_level": wording.word(CLASSIFIED_LEVEL, m.get("declassified_level")) or "—",
        "declassified_until": month(m.get("declassified_until")) or "—",
        "family": _family(m.get("family_members")),
        "organising_unit": _text(doc.get("organising_unit")),
        "role": wording.word(ROLE, m.get("role_in_delegation")),
        "trip_sentence": _trip_sentence(doc),
        "approving_body": _text(doc.get("approving_body")),
        "batch_number": _text(doc.get("batch_number") or data.get("batch_number")),
        "last_trip": _last_trip(m.get("last_trip")),
        "opinion_line": "负责人签字：　　　　　　（盖章）　　　　年　　月　　日",
        "footer": FOOTER,
        "issued_on": _text(doc.get("issued_on") or data.get("approved_on")),
        "title_line": f"{delegation}（第{subject}份，共{len(filings)}份）",
    }
