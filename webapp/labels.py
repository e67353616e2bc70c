"""Names people read for the codes the engine stores: roles, statuses, commands, notification
kinds, case-data fields and values. Available in templates as globals (see `init_app`)."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l

from engine.queries.labels import FieldLabels
from engine.roles import ROLES
from webapp.i18n import lang

CASE_STATUSES = {
    "running": _l("In progress"),
    "completed": _l("Completed"),
    "cancelled": _l("Cancelled"),
}

ITEM_STATES = {
    "open": _l("Open"),
    "completed": _l("Done"),
    "cancelled": _l("Withdrawn"),
}

DUE_STATES = {
    "overdue": _l("Overdue"),
    "due_soon": _l("Due soon"),
    "later": _l("Not yet due"),
}

COMMANDS = {
    "start": _l("Started the case"),
    "claim": _l("Claimed the task"),
    "release": _l("Released the task"),
    "complete": _l("Completed the task"),
    "cancel": _l("Cancelled the case"),
    "fire_timers": _l("Deadline reached"),
    "deliver_message": _l("Recorded an outside reply"),
    "migrate": _l("Moved to a new version"),
    "document": _l("Issued an official document"),
    "comment": _l("Commented"),
    "attach": _l("Attached a file"),
}

# How far the case got at each element of its diagram (engine.queries.diagram).
ELEMENT_STATES = {
    "current": _l("Current step"),
    "completed": _l("Done"),
    "cancelled": _l("Withdrawn"),
}

NOTIFICATION_KINDS = {
    "task": _l("Task"),
    "returned": _l("Returned"),
    "reminder": _l("Reminder"),
    "escalation": _l("Escalation"),
    "info": _l("Information"),
}

SETTINGS = {
    "person_rule.county_frequency": _l("Person rule on: county-level staff at most 1 trip in 2 years [U]"),
    "person_rule.same_country_6m": _l("Person rule on: same-unit leaders to the same country within 6 months [U]"),
    "person_rule.leaders_abroad": _l("Person rule on: at most 2 municipal leaders abroad at once [U]"),
    "number_format.trip_batch": _l("Document number format: trip approval"),
    "number_format.visa_notice": _l("Document number format: visa notice letter"),
    "number_format.invitation_letter": _l("Document number format: invitation letter"),
    "passport_return_days": _l("Days to return passports after the trip"),
    "passport_overdue_hold_days": _l("Days overdue before a unit's applications are held"),
    "trip_report_days": _l("Days to hand in the trip report"),
    "post_notice_days": _l("Days to publish the post-trip notice"),
    "approval_remind_after": _l("Remind approvers after (ISO 8601 duration)"),
    "approval_escalate_after": _l("Escalate approvals after (ISO 8601 duration)"),
    "province_reply_remind_after": _l("Remind about the province's reply after (ISO 8601 duration)"),
    "invitation_checkout_days": _l("Days to close an invitation after the visit"),
    "public_notice_min_working_days": _l("Minimum working days of the pre-trip public notice"),
    "correction_rounds_max": _l("Maximum rounds of return for correction"),
}


_texts: dict[tuple[int, str, str], str] = {}


def _from(table: dict[str, Any], code: str | None) -> str:
    """The name of a code in the current language; names are translated once per language (the
    tables and catalogs are fixed for the life of the process)."""
    if code is None:
        return "—"
    if code not in table:
        return str(code)
    key = (id(table), code, lang())
    text = _texts.get(key)
    if text is None:
        text = _texts[key] = str(table[code])
    return text


def role_name(code: str | None) -> str:
    if not code:
        return "—"
    zh, en = ROLES.get(code, (code, code))
    return en if lang() == "en" else zh


def case_status(code: str | None) -> str:
    return _from(CASE_STATUSES, code)


def item_state(code: str | None) -> str:
    return _from(ITEM_STATES, code)


def due_label(code: str | None) -> str:
    return _from(DUE_STATES, code)


def command_name(code: str | None) -> str:
    return _from(COMMANDS, code)


def element_state(code: str | None) -> str:
    return _from(ELEMENT_STATES, code)


def file_size(size: int | None) -> str:
    """Bytes as people read them: 980 B, 12.3 KB, 4.5 MB."""
    if size is None:
        return "—"
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def notification_kind(code: str | None) -> str:
    return _from(NOTIFICATION_KINDS, code)


def setting_name(key: str) -> str:
    return _from(SETTINGS, key)


def humanize(key: str) -> str:
    text = key.replace("_", " ").replace(".", " ").strip()
    return text[:1].upper() + text[1:] if text else key


def field_label(labels: FieldLabels | None, key: str) -> str:
    """A case-data field's label from the forms of the case's version; in English, the form's
    `label_en` or else the field name made readable (the Chinese label is not English)."""
    label = (labels.fields.get(key) or labels.computed.get(key)) if labels else None
    text = label.text(lang()) if label else None
    if text:
        return text
    return humanize(key) if lang() == "en" or label is None else key


def option_label(labels: FieldLabels | None, key: str, value: Any) -> str | None:
    label = labels.options.get(key, {}).get(str(value)) if labels else None
    return label.text(lang()) if label else None


def show_scalar(labels: FieldLabels | None, key: str, value: Any) -> str:
    """One value as text: option labels where the form has them, yes/no, numbers, text."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_l("Yes") if value else _l("No"))
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return option_label(labels, key, value) or str(value)


def is_scalar(value: Any) -> bool:
    return not isinstance(value, (dict, list))


def ordered_items(labels: FieldLabels | None, data: dict[str, Any]) -> list[tuple[str, Any]]:
    """Case data in the order its forms ask for it; fields no form names follow, by name."""
    order = {key: i for i, key in enumerate(labels.fields)} if labels else {}
    return sorted(data.items(), key=lambda kv: (kv[0] not in order, order.get(kv[0], 0), kv[0]))


Items = list[tuple[str, Any]]


def data_sections(labels: FieldLabels | None, data: dict[str, Any]) -> tuple[Items, Items]:
    """(what the forms ask for, what the process computed) — the second shown folded away. A
    computed text kept in both languages shows only in the page's language."""
    items = ordered_items(labels, data)
    shown = set(in_page_language([k for k, _ in items], data))
    named = [kv for kv in items if labels and kv[0] in labels.fields and kv[0] in shown]
    return named, [kv for kv in items if kv[0] in shown and not (labels and kv[0] in labels.fields)]


def in_page_language(keys: list[str], present: Any) -> list[str]:
    """`keys` without the other language's copy of a text kept in both: `x_zh` / `x_en`, `x` (the
    Chinese) / `x_en`, and the `zh` / `en` of a reason or finding. `present` holds every key."""
    english = lang() == "en"

    def other_copy(key: str) -> bool:
        if key in ("zh", "en"):
            return key == ("zh" if english else "en") and ("en" if english else "zh") in present
        if key.endswith("_zh"):
            return english and key[:-3] + "_en" in present
        if key.endswith("_en"):
            base = key[:-3]
            return not english and (base in present or base + "_zh" in present)
        return english and key + "_en" in present

    return [k for k in keys if not other_copy(k)]


def changes_shown(changes: list[tuple[str, str, Any, Any]]) -> list[tuple[str, str, Any, Any]]:
    """A history event's changed fields in the page's language (the other copy of a bilingual text
    changed with it; the audit views keep every key)."""
    keys = {key for _kind, key, _before, _after in changes}
    kept = set(in_page_language(sorted(keys), keys))
    return [change for change in changes if change[1] in kept]


def shown_keys(mapping: dict[str, Any]) -> list[str]:
    """The keys of an object shown on a page, sorted, in the page's language."""
    return in_page_language(sorted(mapping), mapping)


def columns(rows: list[Any]) -> list[str]:
    """The keys of a list of objects, in order of first appearance (the columns of its table), in
    the page's language."""
    seen: dict[str, None] = {}
    for row in rows:
        if isinstance(row, dict):
            seen.update(dict.fromkeys(row))
    return in_page_language(list(seen), seen)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        role_name=role_name, case_status=case_status, item_state=item_state, due_label=due_label,
        command_name=command_name, notification_kind=notification_kind, element_state=element_state,
        file_size=file_size, setting_name=setting_name,
        field_label=field_label, show_scalar=show_scalar, is_scalar=is_scalar, columns=columns,
        ordered_items=ordered_items, data_sections=data_sections, shown_keys=shown_keys,
        changes_shown=changes_shown,
        ROLE_CODES=list(ROLES),
    )
