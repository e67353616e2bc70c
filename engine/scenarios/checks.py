"""The checks at the end of a scenario (`[expect]`) and between steps (`expect_open`,
`expect_notifications`)."""

from __future__ import annotations

import json
from typing import Any

from engine.errors import Message
from engine.scenarios.case_view import CaseState, NotificationRow
from engine.scenarios.model import ABSENT, NULL, Expect, NotificationPattern


def same(expected: Any, actual: Any) -> bool:
    """Equality as a reader of the file means it: `false` is not `0`, `1` equals `1.0`; inside a
    list or table, "<null>" stands for a null value (TOML has none)."""
    if expected == NULL and not isinstance(actual, str):
        return actual is None
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, dict) and isinstance(actual, dict):
        return expected.keys() == actual.keys() and all(same(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(same(e, a) for e, a in zip(expected, actual, strict=True))
    return expected == actual


def show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def open_mismatch(where: str, expected: tuple[str, ...], actual: list[str]) -> Message | None:
    if sorted(expected) == sorted(actual):
        return None
    return Message(f"{where}：待办任务应为 {show(sorted(expected))}，实际为 {show(sorted(actual))}",
                   f"{where}: open tasks expected {show(sorted(expected))}, got {show(sorted(actual))}")


def matches(pattern: NotificationPattern, row: NotificationRow) -> bool:
    return ((pattern.kind is None or pattern.kind == row.kind)
            and (pattern.role is None or pattern.role == row.role)
            and (pattern.username is None or pattern.username == row.username)
            and (pattern.contains is None or pattern.contains in row.text_zh or pattern.contains in row.text_en))


def notification_mismatches(where: str, patterns: tuple[NotificationPattern, ...],
                            rows: list[NotificationRow]) -> list[Message]:
    """One message per pattern that no notification of the case matches; an empty list of
    patterns means the case has no notification besides the automatic new-task notices (kind
    `task`, one per work item opened — those are checked by naming them)."""
    if not any(p.kind == "task" for p in patterns):
        shown = [r for r in rows if r.kind != "task"]  # the automatic new-task notices are noise here
    else:
        shown = rows
    zh = "；".join(r.describe("zh") for r in shown) or "—"
    en = "; ".join(r.describe("en") for r in shown) or "—"
    if not patterns:
        rows = shown
        if not rows:
            return []
        return [Message(f"{where}：应没有通知，实际有 {len(rows)} 条：{zh}",
                        f"{where}: expected no notifications, got {len(rows)}: {en}")]
    return [Message(f"{where}：没有通知符合 {p.describe()}（本案件的通知：{zh}）",
                    f"{where}: no notification matches {p.describe()} (the case's notifications: {en})")
            for p in patterns if not any(matches(p, r) for r in rows)]


def data_mismatch(key: str, wanted: Any, data: dict[str, Any]) -> Message | None:
    """`[expect.data]` for one key. "<absent>": the key is missing; "<null>": missing or null."""
    where = f"[expect.data] {key}"
    if wanted in (ABSENT, NULL):
        if key not in data or (wanted == NULL and data[key] is None):
            return None
        if wanted == ABSENT:
            zh, en = "不应有此项", "expected absent"
        else:
            zh, en = "应无此项或为 null", "expected absent or null"
        return Message(f"{where}：{zh}，实际为 {show(data[key])}", f"{where}: {en}, got {show(data[key])}")
    if key not in data:
        return Message(f"{where}：案件数据中没有此项（应为 {show(wanted)}）",
                       f"{where}: missing from the case data (expected {show(wanted)})")
    if not same(wanted, data[key]):
        return Message(f"{where}：应为 {show(wanted)}，实际为 {show(data[key])}",
                       f"{where}: expected {show(wanted)}, got {show(data[key])}")
    return None


def final_mismatches(expect: Expect, case: CaseState, roles: list[str], opened: list[str], *,
                     notifications: list[NotificationRow] | None = None, unit: str | None = None,
                     unit_held: bool | None = None) -> list[Message]:
    """Every field of `[expect]` that differs, each naming the field. `notifications` are the
    case's, `unit_held` whether the scenario's `unit` is on hold (each read only when expected)."""
    out: list[Message] = []
    if expect.status is not None and expect.status != case.status:
        out.append(Message(f"[expect] status：应为 {expect.status}，实际为 {case.status}",
                           f"[expect] status: expected {expect.status}, got {case.status}"))
    if expect.roles is not None and list(expect.roles) != roles:
        out.append(Message(f"[expect] roles：应为 {show(list(expect.roles))}，实际为 {show(roles)}",
                           f"[expect] roles: expected {show(list(expect.roles))}, got {show(roles)}"))
    if expect.open is not None:
        found = open_mismatch("[expect] open", expect.open, opened)
        if found:
            out.append(found)
    for key, wanted in expect.data.items():
        found = data_mismatch(key, wanted, case.data)
        if found:
            out.append(found)
    if expect.notifications is not None:
        out.extend(notification_mismatches("[expect] notifications", expect.notifications, notifications or []))
    if expect.unit_held is not None and expect.unit_held != unit_held:
        out.append(Message(f"[expect] unit_held：单位 {unit} 应为 {show(expect.unit_held)}，实际为 {show(unit_held)}",
                           f"[expect] unit_held: expected {show(expect.unit_held)} for unit {unit}, "
                           f"got {show(unit_held)}"))
    return out
