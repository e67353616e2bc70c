"""Read a scenario file (TOML) into a `Scenario`, refusing anything the format does not define.

Every problem is collected before raising, so a writer fixes a file in one pass. Unknown keys
are errors rather than ignored: a misspelt `expect_eror` must not silently turn a check off."""

from __future__ import annotations

import tomllib
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from engine.errors import InvalidInput
from engine.office.admin import parse_setting
from engine.roles import ROLES
from engine.scenarios.durations import DurationError, parse_duration
from engine.scenarios.errors import ScenarioInvalid, ScenarioProblem
from engine.scenarios.model import (
    CHINA,
    DEFAULT_AFTER,
    DEFAULT_START,
    DEFAULT_UNIT,
    STATUSES,
    CompleteTask,
    DeliverMessage,
    Expect,
    ExpectNotifications,
    ExpectOpen,
    ExtraUser,
    FireTimers,
    NotificationPattern,
    Scenario,
    StartOther,
    Step,
)

TOP_KEYS = ("name", "process", "start_at", "unit", "start_as", "start_user", "start_data", "users", "steps",
            "expect", "given_prior_trips", "settings")
# Keys of one [[given_prior_trips]] table: a trip entered in the person register before the case starts.
PRIOR_TRIP_KEYS = ("id_card_no", "name", "unit", "post", "rank", "unit_leader", "countries", "departure_date",
                   "return_date", "passport_due", "passport_returned_on", "process")
STEP_KEYS = ("role", "user", "task", "after", "expect_error", "data", "fire_timers", "message", "payload",
             "expect_open", "start_other", "unit", "expect_notifications")
EXPECT_KEYS = ("status", "roles", "open", "data", "notifications", "unit_held")
USER_KEYS = ("username", "unit", "roles")
NOTIFICATION_KEYS = ("kind", "role", "username", "contains")
# Each action names the keys that may accompany it (besides `after`). On a start_other step,
# role/user say who starts the other case rather than being actions of their own.
ACTIONS = {
    "role": ("task", "data", "expect_error"),
    "user": ("task", "data", "expect_error"),
    "fire_timers": (),
    "message": ("payload", "expect_error"),
    "start_other": ("role", "user", "unit", "data", "expect_error"),
    "expect_open": (),
    "expect_notifications": (),
}


def load_scenario(path: str | Path) -> Scenario:
    """Read and check one scenario file. Raises ScenarioInvalid listing every problem."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioInvalid(str(path), [ScenarioProblem("TOML", f"不是有效的 TOML：{exc}",
                                                          f"not valid TOML: {exc}")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioInvalid(str(path), [ScenarioProblem("file", f"无法读取：{exc}",
                                                          f"cannot be read: {exc}")]) from None
    return parse_scenario(raw, source=path)


def parse_scenario(raw: dict[str, Any], source: Path | None = None) -> Scenario:
    """Check an already-decoded scenario table. Raises ScenarioInvalid listing every problem."""
    r = _Reader()
    r.unknown_keys("file", raw, TOP_KEYS)
    name = r.text("name", raw.get("name"), required=True)
    process = r.text("process", raw.get("process"), required=True)
    start_at = r.instant("start_at", raw.get("start_at"))
    unit = r.text("unit", raw.get("unit")) or DEFAULT_UNIT
    start_as = r.role("start_as", raw.get("start_as"))
    start_user = r.text("start_user", raw.get("start_user"))
    if "start_as" in raw and "start_user" in raw:
        r.problem("file", "start_as 与 start_user 只能写一个", "give start_as or start_user, not both")
    elif "start_as" not in raw and "start_user" not in raw:
        r.problem("file", "须写 start_as（角色）或 start_user（用户名）之一",
                  "give one of start_as (a role code) or start_user (a username)")
    start_data = r.table("start_data", raw.get("start_data"))
    users = tuple(u for u in (_user(r, i, t) for i, t in enumerate(r.tables("users", raw.get("users")), 1)) if u)
    steps = tuple(s for s in (_step(r, i, t) for i, t in enumerate(r.tables("steps", raw.get("steps")), 1)) if s)
    expect = _expect(r, raw.get("expect"))
    prior_trips = tuple(r.tables("given_prior_trips", raw.get("given_prior_trips")))
    for i, trip in enumerate(prior_trips, 1):
        r.unknown_keys(f"[[given_prior_trips]] {i}", trip, PRIOR_TRIP_KEYS)
    given_settings = _settings(r, raw.get("settings"))
    if r.problems:
        raise ScenarioInvalid(str(source) if source else (name or "scenario"), r.problems)
    return Scenario(name=name or "", process=process or "", start_at=start_at, unit=unit, start_as=start_as,
                    start_user=start_user, start_data=start_data, steps=steps, expect=expect, users=users,
                    prior_trips=prior_trips, settings=given_settings, source=source)


def _settings(r: _Reader, raw: Any) -> dict[str, str]:
    """[settings]: office settings in force while the scenario runs, each checked as the settings
    page checks it (engine/office.parse_setting), kept as the text that page would submit."""
    table = r.table("settings", raw)
    given: dict[str, str] = {}
    for key, value in table.items():
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        try:
            parse_setting(key, text)
        except InvalidInput as exc:
            r.problem(f"settings.{key}", exc.message.zh, exc.message.en)
            continue
        given[key] = text
    return given


def _step(r: _Reader, number: int, raw: dict[str, Any]) -> Step | None:
    where = f"step {number}"
    before = len(r.problems)
    r.unknown_keys(where, raw, STEP_KEYS)
    actions = [k for k in ACTIONS if k in raw]
    if "start_other" in raw:
        actions = [k for k in actions if k not in ("role", "user")]
    if not actions:
        r.problem(where, "步骤须有一个动作：role/user、fire_timers、message、start_other、expect_open 或 "
                         "expect_notifications",
                  "a step needs one action: role/user, fire_timers, message, start_other, expect_open or "
                  "expect_notifications")
        return None
    if len(actions) > 1:
        shown = ", ".join(actions)
        r.problem(where, f"一个步骤只能有一个动作，此处有 {len(actions)} 个（{shown}），请拆成多个步骤",
                  f"a step has exactly one action, this one has {len(actions)} ({shown}); split it")
        return None
    action = actions[0]
    for key in raw:
        if key in STEP_KEYS and key not in (action, "after", *ACTIONS[action]):
            r.problem(where, f"“{key}”不能用于 {action} 步骤", f"'{key}' does not belong on a {action} step")
    after = r.duration(f"{where}.after", raw.get("after"))
    expect_error = r.text(f"{where}.expect_error", raw.get("expect_error"))
    built: Any
    if action in ("role", "user"):
        role = r.role(f"{where}.role", raw.get("role"))
        user = r.text(f"{where}.user", raw.get("user"), required=action == "user")
        built = CompleteTask(role=role, user=user, task=r.text(f"{where}.task", raw.get("task")),
                             data=r.table(f"{where}.data", raw.get("data")), expect_error=expect_error)
    elif action == "fire_timers":
        if raw["fire_timers"] is not True:
            r.problem(where, "fire_timers 只能写 true", "fire_timers must be true")
        built = FireTimers()
    elif action == "message":
        built = DeliverMessage(message=r.text(f"{where}.message", raw.get("message"), required=True) or "",
                               payload=r.table(f"{where}.payload", raw.get("payload")), expect_error=expect_error)
    elif action == "start_other":
        if "role" in raw and "user" in raw:
            r.problem(where, "start_other 步骤的 role 与 user 只能写一个",
                      "give role or user on a start_other step, not both")
        built = StartOther(process=r.text(f"{where}.start_other", raw.get("start_other"), required=True) or "",
                           role=r.role(f"{where}.role", raw.get("role")),
                           user=r.text(f"{where}.user", raw.get("user")),
                           unit=r.text(f"{where}.unit", raw.get("unit")),
                           data=r.table(f"{where}.data", raw.get("data")), expect_error=expect_error)
    elif action == "expect_notifications":
        built = ExpectNotifications(_notifications(r, f"{where}.expect_notifications",
                                                   raw.get("expect_notifications")) or ())
    else:
        built = ExpectOpen(tuple(r.strings(f"{where}.expect_open", raw.get("expect_open")) or ()))
    return Step(number, after, built) if len(r.problems) == before else None


def _expect(r: _Reader, raw: Any) -> Expect:
    if raw is None:
        return Expect()
    if not isinstance(raw, dict):
        r.problem("[expect]", "须是表（[expect]）", "must be a table ([expect])")
        return Expect()
    r.unknown_keys("[expect]", raw, EXPECT_KEYS)
    status = r.text("[expect] status", raw.get("status"))
    if status is not None and status not in STATUSES:
        r.problem("[expect] status", f"“{status}”不是 {' | '.join(STATUSES)} 之一",
                  f"'{status}' is not one of {' | '.join(STATUSES)}")
    roles = r.strings("[expect] roles", raw.get("roles"))
    for role in roles or ():
        r.role("[expect] roles", role)
    opened = r.strings("[expect] open", raw.get("open"))
    held = raw.get("unit_held")
    if held is not None and not isinstance(held, bool):
        r.problem("[expect] unit_held", "只能写 true 或 false", "must be true or false")
        held = None
    return Expect(status=status, roles=tuple(roles) if roles is not None else None,
                  open=tuple(opened) if opened is not None else None, data=r.table("[expect] data", raw.get("data")),
                  notifications=_notifications(r, "[expect] notifications", raw.get("notifications")),
                  unit_held=held)


def _notifications(r: _Reader, where: str, raw: Any) -> tuple[NotificationPattern, ...] | None:
    """A list of tables, each with at least one of kind/role/username/contains (strings)."""
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(isinstance(v, dict) for v in raw):
        r.problem(where, "须是表的列表，如 [{ kind = \"reminder\", role = \"section_chief\" }]",
                  "must be a list of tables such as [{ kind = \"reminder\", role = \"section_chief\" }]")
        return None
    patterns = []
    for number, table in enumerate(raw, 1):
        here = f"{where} {number}"
        r.unknown_keys(here, table, NOTIFICATION_KEYS)
        if not any(k in table for k in NOTIFICATION_KEYS):
            r.problem(here, "须至少写 kind、role、username、contains 之一",
                      "needs at least one of kind, role, username, contains")
        patterns.append(NotificationPattern(
            kind=r.text(f"{here}.kind", table.get("kind")), role=r.role(f"{here}.role", table.get("role")),
            username=r.text(f"{here}.username", table.get("username")),
            contains=r.text(f"{here}.contains", table.get("contains"))))
    return tuple(patterns)


def _user(r: _Reader, number: int, raw: dict[str, Any]) -> ExtraUser | None:
    where = f"[[users]] {number}"
    r.unknown_keys(where, raw, USER_KEYS)
    username = r.text(f"{where}.username", raw.get("username"), required=True)
    unit = r.text(f"{where}.unit", raw.get("unit"))
    roles = r.strings(f"{where}.roles", raw.get("roles"))
    if not roles:
        r.problem(where, "须列出至少一个角色（roles）", "needs at least one role (roles)")
    for role in roles or ():
        r.role(f"{where}.roles", role)
    return ExtraUser(username, unit, tuple(roles or ())) if username else None


class _Reader:
    """Typed getters that record a problem instead of raising, so all problems surface at once."""

    def __init__(self) -> None:
        self.problems: list[ScenarioProblem] = []

    def problem(self, where: str, zh: str, en: str) -> None:
        self.problems.append(ScenarioProblem(where, zh, en))

    def unknown_keys(self, where: str, raw: dict[str, Any], allowed: tuple[str, ...]) -> None:
        for key in raw:
            if key not in allowed:
                self.problem(where, f"未知的键“{key}”（可用：{', '.join(allowed)}）",
                             f"unknown key '{key}' (allowed: {', '.join(allowed)})")

    def text(self, where: str, value: Any, *, required: bool = False) -> str | None:
        if value is None:
            if required:
                self.problem(where, "必填", "is required")
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(where, "须是非空字符串", "must be a non-empty string")
            return None
        return value

    def role(self, where: str, value: Any) -> str | None:
        code = self.text(where, value)
        if code is not None and code not in ROLES:
            self.problem(where, f"未知角色“{code}”（可用：{', '.join(ROLES)}）",
                         f"unknown role '{code}' (known: {', '.join(ROLES)})")
            return None
        return code

    def strings(self, where: str, value: Any) -> list[str] | None:
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(where, "须是字符串列表", "must be a list of strings")
            return None
        return value

    def table(self, where: str, value: Any) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(where, "须是表（键 = 值）", "must be a table (key = value)")
            return {}
        return _plain(value)

    def tables(self, where: str, value: Any) -> list[dict[str, Any]]:
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.problem(where, f"须写成 [[{where}]] 表数组", f"must be an array of tables ([[{where}]])")
            return []
        return value

    def duration(self, where: str, value: Any):
        if value is None:
            return DEFAULT_AFTER
        if not isinstance(value, str):
            self.problem(where, "须是 ISO 8601 时长字符串（如 \"PT2H\"）",
                         "must be an ISO 8601 duration string (\"PT2H\")")
            return DEFAULT_AFTER
        try:
            return parse_duration(value)
        except DurationError as exc:
            self.problem(where, exc.zh, exc.en)
            return DEFAULT_AFTER

    def instant(self, where: str, value: Any) -> datetime:
        if value is None:
            return DEFAULT_START
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                value = None
        if not isinstance(value, datetime):
            self.problem(where, "须是日期时间，如 \"2026-03-02T09:00:00+08:00\"",
                         "must be a date and time such as \"2026-03-02T09:00:00+08:00\"")
            return DEFAULT_START
        # Without an offset, the office's own time zone is meant.
        return value if value.tzinfo else value.replace(tzinfo=CHINA)


def _plain(value: Any) -> Any:
    """TOML dates and times become ISO strings: case data is JSON, so that is how they compare."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value
