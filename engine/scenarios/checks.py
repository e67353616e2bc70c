"""The checks at the end of a scenario (`[expect]`) and between steps (`expect_open`)."""

from __future__ import annotations

import json
from typing import Any

from engine.errors import Message
from engine.scenarios.case_view import CaseState
from engine.scenarios.model import Expect


def same(expected: Any, actual: Any) -> bool:
    """Equality as a reader of the file means it: `false` is not `0`, `1` equals `1.0`."""
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


def final_mismatches(expect: Expect, case: CaseState, roles: list[str], opened: list[str]) -> list[Message]:
    """Every field of `[expect]` that differs, each naming the field."""
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
        if key not in case.data:
            out.append(Message(f"[expect.data] {key}：案件数据中没有此项（应为 {show(wanted)}）",
                               f"[expect.data] {key}: missing from the case data (expected {show(wanted)})"))
        elif not same(wanted, case.data[key]):
            out.append(Message(f"[expect.data] {key}：应为 {show(wanted)}，实际为 {show(case.data[key])}",
                               f"[expect.data] {key}: expected {show(wanted)}, got {show(case.data[key])}"))
    return out
