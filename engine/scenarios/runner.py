"""Run one scenario against a ready database (schema, users and definitions in place) with the
real `CaseService`, on the scenario's own clock, and check what it expects.

The clock starts at `start_at`; each step first advances it by its `after`, then passes it as
`at=` to its command, so timer due dates — and so the whole run — are the same every time."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from engine.audit.verify import verify
from engine.definitions.cache import SpecCache
from engine.errors import Message, WaishiError
from engine.office import admin as office
from engine.office import settings
from engine.runtime.service import CaseService
from engine.scenarios import actors, case_view, checks
from engine.scenarios.model import (
    CompleteTask,
    DeliverMessage,
    ExpectNotifications,
    ExpectOpen,
    FireTimers,
    Scenario,
    StartOther,
    Step,
)
from engine.scenarios.result import ScenarioResult, StepFailed
from engine.scenarios.tasks import choose_item
from engine.storage.db import Database

Echo = Callable[[str], None]
_STATUS_ZH = {"completed": "已完成", "cancelled": "已撤销"}


def run_scenario(scenario: Scenario, db: Database, *, specs: SpecCache | None = None, echo: Echo | None = None,
                 lang: str = "zh") -> ScenarioResult:
    """Run `scenario` in `db`; never raises for a scenario that fails — the result
    says what differed. `echo` receives each printed line as it happens."""
    return _Run(scenario, db, specs or SpecCache(), echo, lang).execute()


class _Run:
    def __init__(self, scenario: Scenario, db: Database, specs: SpecCache, echo: Echo | None, lang: str) -> None:
        self.scenario = scenario
        self.db = db
        self.specs = specs
        self.echo = echo
        self.lang = lang
        self.clock: datetime = scenario.start_at
        self.service = CaseService(db, specs, clock=self._at)
        self.result = ScenarioResult(scenario.name, scenario.source)
        self.case_id: int | None = None
        self.unit: str | None = scenario.unit
        self.others: list[int] = []  # cases started by start_other steps, replayed at the end too

    def execute(self) -> ScenarioResult:
        began = time.perf_counter()
        if self.echo:
            self.echo(f"== {self.scenario.label}: {self.scenario.name}")
        where = Message("开始", "start")
        restore = self._apply_settings()
        try:
            self._start()
            for step in self.scenario.steps:
                where = Message(f"第 {step.number} 步", f"step {step.number}")
                self.clock += step.after
                self._step(step)
            where = Message("结束时", "at the end")
            self._check_end()
        except StepFailed as exc:
            self._fail(where, exc.message)
        except WaishiError as exc:
            said = _described(exc)
            self._fail(where, Message(f"意外错误 {exc.code}：{said.zh}", f"unexpected error {exc.code}: {said.en}"))
        except Exception as exc:  # an engine bug must fail this scenario, not the whole run
            self.result.exception = exc
            self._fail(where, Message(f"程序异常 {type(exc).__name__}：{exc}",
                                      f"unexpected exception {type(exc).__name__}: {exc}"))
        if self.case_id is not None:
            self._verify()
        self._restore_settings(restore)
        self.result.seconds = time.perf_counter() - began
        if self.echo:
            self.echo(self.result.verdict(self.lang))
        return self.result

    # -- the office's settings --------------------------------------------------------------

    def _apply_settings(self) -> dict[str, str]:
        """Put the scenario's [settings] in force as an administrator would (each a put_setting
        event); returns the earlier values, so a run against a real database (`--db`) leaves the
        office's settings as it found them."""
        if not self.scenario.settings:
            return {}
        admin = actors.user_for_role(self.db, "admin", None)
        with self.db.read() as session:
            before = {key: _as_text(settings.get(session, key)) for key in self.scenario.settings}
        for key, text in self.scenario.settings.items():
            office.put_setting(self.db, admin, key, text, at=self._at())
        return before

    def _restore_settings(self, before: dict[str, str]) -> None:
        if before:
            admin = actors.user_for_role(self.db, "admin", None)
            for key, text in before.items():
                office.put_setting(self.db, admin, key, text, at=self._at())

    # -- the case ---------------------------------------------------------------------------

    def _start(self) -> None:
        s = self.scenario
        actors.require_unit(self.db, s.unit)
        actors.ensure_users(self.db, s.users, self._at())
        if s.prior_trips:
            from engine.persons.register import add_prior_trip  # the register imports the runtime's actors

            with self.db.transaction() as session:
                for trip in s.prior_trips:
                    add_prior_trip(session, {"unit_code": s.unit, **trip}, self._at(), note="场景预置记录")
        username = s.start_user or actors.user_for_role(self.db, s.start_as or "", s.unit)
        self.case_id = self.service.start_case(username, s.process, s.start_data, unit_code=s.unit, at=self._at())
        self.result.case_id = self.case_id
        self.unit = case_view.case_state(self.db, self.case_id).unit_code
        self._line(None, username, Message(f"发起 {s.process} → 案件 {self.case_id}",
                                           f"start {s.process} → case {self.case_id}"))

    def _step(self, step: Step) -> None:
        action = step.action
        n = str(step.number)
        if isinstance(action, CompleteTask):
            self._complete(n, action)
        elif isinstance(action, FireTimers):
            self._fire(n)
        elif isinstance(action, DeliverMessage):
            self._message(n, action)
        elif isinstance(action, ExpectOpen):
            found = checks.open_mismatch("expect_open", action.tasks, self._open_names())
            if found:
                raise StepFailed(found.zh, found.en)
            shown = ", ".join(sorted(action.tasks)) or "—"
            self._line(n, "-", Message(f"核对待办 {shown} ✓", f"expect_open {shown} ✓"))
        elif isinstance(action, ExpectNotifications):
            found = checks.notification_mismatches("expect_notifications", action.patterns,
                                                   case_view.notifications(self.db, self.case_id))
            if found:
                raise StepFailed("；".join(m.zh for m in found), "; ".join(m.en for m in found))
            shown = ", ".join(p.describe() for p in action.patterns)
            self._line(n, "-", Message(f"核对通知 {shown or '无'} ✓", f"expect_notifications {shown or 'none'} ✓"))
        elif isinstance(action, StartOther):
            self._start_other(n, action)

    def _complete(self, n: str, step: CompleteTask) -> None:
        items = case_view.open_items(self.db, self.case_id)
        if step.user:
            roles = actors.roles_of(self.db, step.user)
            who = step.user
        else:
            roles = frozenset({step.role or ""})
            who = step.role or ""
        item = choose_item(step, items, roles, who)
        acting = step.role or next((r for r in (item.role, item.escalated_role) if r in roles), item.role)
        username = step.user or actors.user_for_role(self.db, acting, self.unit)
        what = f"{acting:<14} {item.spec_name} {item.name}"

        def run() -> None:
            self.service.complete_task(username, self.case_id, item.task_id, step.data,
                                       expected_version=item.version, at=self._at())

        if step.expect_error:
            self._refused(n, username, what, step.expect_error, run)
            return
        run()
        self._line(n, username, self._after(what))

    def _start_other(self, n: str, step: StartOther) -> None:
        """Start another case; the scenario's own case stays the subject of every other step."""
        s = self.scenario
        unit = step.unit or s.unit
        actors.require_unit(self.db, unit)
        if step.user:
            username = step.user
        elif step.role or s.start_as:
            username = actors.user_for_role(self.db, step.role or s.start_as or "", unit)
        else:
            username = s.start_user or ""
        what = Message(f"发起另一案件 {step.process}（单位 {unit}）", f"start_other {step.process} (unit {unit})")
        started: list[int] = []

        def run() -> None:
            started.append(self.service.start_case(username, step.process, step.data, unit_code=unit,
                                                   at=self._at()))

        if step.expect_error:
            self._refused(n, username, what, step.expect_error, run)
            return
        run()
        self.others.extend(started)
        self._line(n, username, Message(f"{what.zh} → 案件 {started[0]}（不再处理）",
                                        f"{what.en} → case {started[0]} (left alone)"))

    def _fire(self, n: str) -> None:
        if not self.service.fire_timers(self.case_id, at=self._at()):
            state = case_view.case_state(self.db, self.case_id)
            if state.status != "running":
                raise StepFailed(f"案件已结束（{state.status}），没有计时器可触发",
                                 f"the case is {state.status}; no timer can fire")
            due = self._time(state.next_timer_at) if state.next_timer_at else "—"
            raise StepFailed(f"{self._time(self.clock)} 没有到期的计时器（下一个：{due}）",
                             f"no timer was due at {self._time(self.clock)} (next timer: {due})")
        fired = ", ".join(case_view.last_event_payload(self.db, self.case_id).get("fired", [])) or "?"
        self._line(n, "system", self._after(Message(f"计时器触发：{fired}", f"timers fired: {fired}")))

    def _message(self, n: str, step: DeliverMessage) -> None:
        username = actors.user_for_role(self.db, "fao_clerk", self.unit)

        def run() -> None:
            self.service.deliver_message(username, step.message, step.payload, case_id=self.case_id, at=self._at())

        what = Message(f"消息 {step.message} 已送达", f"message {step.message} delivered")
        if step.expect_error:
            self._refused(n, username, Message(f"消息 {step.message}", f"message {step.message}"),
                          step.expect_error, run)
            return
        run()
        self._line(n, username, self._after(what))

    def _refused(self, n: str, username: str, what: str | Message, code: str, run: Callable[[], None]) -> None:
        """Run a command that must fail with `code` and leave the case exactly as it was."""
        before = case_view.fingerprint(self.db, self.case_id)
        try:
            run()
        except WaishiError as exc:
            said = _described(exc)
            if exc.code != code:
                raise StepFailed(f"应报错 {code}，实际报错 {exc.code}：{said.zh}",
                                 f"expected error {code}, got {exc.code}: {said.en}") from None
            if case_view.fingerprint(self.db, self.case_id) != before:
                raise StepFailed("命令报错了，但案件已被改变", "the command failed but the case changed") from None
            zh, en = (what.zh, what.en) if isinstance(what, Message) else (what, what)
            self._line(n, username, Message(f"{zh} 按预期被拒绝：{code} — {said.zh}",
                                            f"{en} refused as expected: {code} — {said.en}"))
            return
        raise StepFailed(f"应报错 {code}，但该步骤成功了", f"expected error {code}, but the step succeeded")

    def _check_end(self) -> None:
        state = case_view.case_state(self.db, self.case_id)
        expect = self.scenario.expect
        unit = self.scenario.unit
        mismatches = checks.final_mismatches(
            expect, state, case_view.completed_roles(self.db, self.case_id), self._open_names(),
            notifications=case_view.notifications(self.db, self.case_id) if expect.notifications is not None else None,
            unit=unit, unit_held=case_view.unit_held(self.db, unit) if expect.unit_held is not None else None)
        for m in mismatches:
            self._fail(None, m)

    def _verify(self) -> None:
        for case_id in (self.case_id, *self.others):
            report = verify(self.db, case_id, system=False, specs=self.specs)
            for f in report.findings:
                self._fail(Message("回放校验", "verify"), Message(f"{f.chain} seq={f.seq}：{f.message}",
                                                                f"{f.chain} seq={f.seq}: {f.message}"))

    # -- output -----------------------------------------------------------------------------

    def _open_names(self) -> list[str]:
        return [i.spec_name for i in case_view.open_items(self.db, self.case_id)]

    def _after(self, what: str | Message) -> Message:
        """What a step did, followed by where the case now stands."""
        zh, en = (what.zh, what.en) if isinstance(what, Message) else (what, what)
        state = case_view.case_state(self.db, self.case_id)
        if state.status != "running":
            return Message(f"{zh} → 案件{_STATUS_ZH.get(state.status, state.status)}", f"{en} → case {state.status}")
        names = ", ".join(self._open_names()) or "—"
        return Message(f"{zh} → 待办：{names}", f"{en} → open: {names}")

    def _line(self, number: str | None, who: str, what: str | Message) -> None:
        """One line of the path: step number (None: the start), clock, acting user, what happened."""
        zh, en = (what.zh, what.en) if isinstance(what, Message) else (what, what)
        stamp = self._time(self.clock)
        # "开始" is two full-width characters: one space pads it to the five columns of the others.
        label_zh, label_en = (" 开始", "start") if number is None else (f"{number:>5}", f"{number:>5}")
        self._say(Message(f"{label_zh}  {stamp}  {who:<15} {zh}", f"{label_en}  {stamp}  {who:<15} {en}"))

    def _at(self) -> datetime:
        # Commands get UTC: the audit chain hashes `at` as given but stores it as UTC, so an
        # instant with another offset would read back as a different hash (verify: "edited").
        return self.clock.astimezone(UTC)

    def _time(self, instant: datetime) -> str:
        return f"{instant.astimezone(self.scenario.start_at.tzinfo):%Y-%m-%d %H:%M}"

    def _say(self, line: Message) -> None:
        self.result.lines.append(line)
        if self.echo:
            self.echo(line.text(self.lang))

    def _fail(self, where: Message | None, what: Message) -> None:
        if where is not None:
            what = Message(f"{where.zh}：{what.zh}", f"{where.en}: {what.en}")
        self.result.failures.append(what)


def _as_text(value: object) -> str:
    """A setting's value as the settings page would submit it."""
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _described(exc: WaishiError) -> Message:
    """The error's message, with the form's field errors when there are any: a scenario writer
    needs to know which field of `data` was wrong."""
    fields = getattr(exc, "field_errors", None) or {}
    if not fields:
        return exc.message
    return Message(exc.text("zh") + "（" + "；".join(f"{k}：{m.text('zh')}" for k, m in fields.items()) + "）",
                   exc.text("en") + " (" + "; ".join(f"{k}: {m.text('en')}" for k, m in fields.items()) + ")")
