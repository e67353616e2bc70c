"""Office settings that analysts and admins may change without touching a diagram: document
number formats, deadlines, escalation delays. Defaults live here; the `settings` table overrides."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.storage.models import Setting

DEFAULTS: dict[str, Any] = {
    # Document numbers: {year} and {n} are replaced; one gapless series per kind and year.
    "number_format.trip_batch": "兰外出任〔{year}〕{n}号",
    "number_format.visa_notice": "兰外签通〔{year}〕第{n}号",
    "number_format.invitation_letter": "兰外邀〔{year}〕{n}号",
    "number_format.sister_city_request": "兰外请〔{year}〕{n}号",
    "number_format.ngo_opinion": "兰外函〔{year}〕{n}号",
    "number_format.personnel_filing": "兰外备〔{year}〕{n}号",  # 因公临时出国人员备案表, one per member [A]
    # Deadlines (days) and escalation delays (ISO 8601 durations, read by diagram timers).
    "passport_return_days": 7,
    "passport_overdue_hold_days": 30,
    "trip_report_days": 30,
    "post_notice_days": 30,
    "approval_remind_after": "P3D",
    "approval_escalate_after": "P5D",
    "province_reply_remind_after": "P14D",
    "province_reply_reminders_max": 12,  # then the reminders stop and the section chief is told
    "invitation_checkout_days": 30,
    "invitation_checkout_remind_days_before": 7,  # 销签 reminder this many days before it is due
    "public_notice_min_working_days": 5,
    "correction_rounds_max": 5,
    # Overseas NGO temporary activities (FAO-DOMAIN §1(g)): working days the FAO gives itself to
    # answer a consultation [A]; at the deadline the task is escalated to the section chief.
    "ngo_consultation_working_days": 5,
    # Person rules of DMN trip_person_limits whose source is unverified for Lanzhou (FAO-DOMAIN §2.3):
    # off until the office confirms them; the table reads them as an on/off input column.
    "person_rule.county_frequency": False,  # 处级: ≤ 1 trip per 2 years [S22][U]
    "person_rule.same_country_6m": False,  # same-unit leaders, same country within 6 months [S11][U]
    "person_rule.leaders_abroad": False,  # ≤ 2 municipal leaders abroad at the same time [S13][U]
}


def get(session: Session, key: str) -> Any:
    row = session.scalar(select(Setting.value).where(Setting.key == key))
    if row is not None:
        return row
    if key not in DEFAULTS:
        raise KeyError(key)
    return DEFAULTS[key]


def put(session: Session, key: str, value: Any) -> None:
    existing = session.get(Setting, key)
    if existing is None:
        session.add(Setting(key=key, value=value))
    else:
        existing.value = value
