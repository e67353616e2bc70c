"""The diagram-code sandbox: every known escape and denial of service is refused, both when called
directly and when run by a real SpiffWorkflow workflow; ordinary code and the date helpers work."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from xml.sax.saxutils import escape

import chinese_calendar
import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.parser import CamundaParser
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from engine.determinism import command_context
from engine.errors import SandboxViolation
from engine.office import workdays
from engine.sandbox import (
    RestrictedEnvironment,
    compile_expression,
    compile_script,
    cpu_budget,
    find_violation,
    make_script_engine,
)
from engine.sandbox import budget as budget_module

SHORT = 0.2  # CPU seconds for the tests that must hit the budget

# Expressions (gateway conditions) that must be refused.
BAD_EXPRESSIONS = {
    "dunder import": "__import__('os')",
    "open": "open('/etc/hostname')",
    "subclasses": "().__class__.__base__.__subclasses__()",
    "getattr": "getattr(x, '__class__')",
    "type": "type(x)",
    "lambda globals": "(lambda: 0).__globals__",
    "str.format field": "'{0.__class__}'.format(1)",
    "str.format unbound": "str.format('{0.__class__}', 1)",
    "format_map": "'{x.__class__}'.format_map({'x': 1})",
    "huge pow": "10**10**10",
    "huge pow builtin": "pow(10, 10**10)",
    "huge str repeat": "'x' * 10**10",
    "huge list repeat": "[0]*(10**9)",
    "huge range": "sum(range(10**12))",
    "huge shift": "1 << 10**9",
    "huge center": "'x'.center(10**9)",
    "huge zfill unbound": "str.zfill('1', 10**9)",
    "huge expandtabs": "('\\t' * 1000).expandtabs(10**6)",
    "huge replace": "('x' * 1000).replace('x', 'y' * 10000)",
    "huge join": "('x' * 10000).join(['a'] * 10000)",
    "huge f-string width": "f'{1:>999999999}'",
    "huge f-string nested width": "f'{1:>{10**9}}'",
    "huge percent width": "'%999999999d' % 1",
    "percent star width": "'%*d' % (10**9, 1)",
    "sum of lists": "sum([[0] * 1000] * 1000, [])",
    "bytes": "bytes(10**10)",
    "huge to_bytes": "(1).to_bytes(10**9, 'big')",
    "long strftime": "today().strftime('%Y' * 1000)",
    "syntax error": "x ==",
}

# Statements (script tasks) that must be refused.
BAD_SCRIPTS = {
    "import": "import os",
    "from import": "from os import system",
    "generator frame": "def g():\n    yield 1\nr = g().gi_frame.f_globals",
    "generator frame via local": "def g():\n    yield 1\nit = g()\nr = it.gi_frame",
    "class": "class A:\n    pass",
    "print": "print('hi')",
    "deep recursion": "def f(n):\n    return f(n + 1)\nr = f(0)",
    "syntax error": "x = = 1",
    "return outside function": "return 1",
    "match statement": "match x:\n    case 1:\n        pass",
    "async": "async def f():\n    pass",
}

# Code that must be stopped by the CPU budget.
SLOW_SCRIPTS = {
    "while true": "while True:\n    pass",
    "exponential recursion": "def f(n):\n    return f(n - 1) + f(n - 1) if n else 1\nr = f(60)",
    "lambda recursion": "f = lambda n: f(n - 1) + f(n - 1) if n else 1\nr = f(60)",
    "swallowed timeout": (
        "while True:\n    try:\n        while True:\n            pass\n    except Exception:\n        pass"
    ),
    "comprehension": "r = sum(1 for a in range(10**6) for b in range(10**6))",
    "lazy builtins": "r = len(list(zip(*[range(10**6)] * 50)))",
}


@pytest.fixture
def env():
    return RestrictedEnvironment()


# --- direct ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("src", BAD_EXPRESSIONS.values(), ids=BAD_EXPRESSIONS.keys())
def test_bad_expression_refused(env, src):
    with pytest.raises(SandboxViolation) as info:
        env.evaluate(src, {"x": 1})
    assert info.value.message.zh and info.value.message.en


@pytest.mark.parametrize("src", BAD_SCRIPTS.values(), ids=BAD_SCRIPTS.keys())
def test_bad_script_refused(env, src):
    with pytest.raises(SandboxViolation):
        env.execute(src, {"x": 1})


@pytest.mark.parametrize("src", SLOW_SCRIPTS.values(), ids=SLOW_SCRIPTS.keys())
def test_cpu_budget_stops_code(env, src):
    with cpu_budget(SHORT), pytest.raises(SandboxViolation) as info:
        env.execute(src, {})
    assert "CPU" in info.value.message.en


def test_budget_is_opened_when_none_is_active(env, monkeypatch):
    monkeypatch.setattr(budget_module, "DEFAULT_SECONDS", SHORT)
    with pytest.raises(SandboxViolation):
        env.execute("while True:\n    pass", {})


def test_memory_growth_is_bounded(env, monkeypatch):
    monkeypatch.setattr(budget_module, "MAX_MEMORY_GROWTH", 64 * 2**20)
    with cpu_budget(5), pytest.raises(SandboxViolation) as info:
        env.execute("keep = []\nwhile True:\n    keep.append([0] * 10**6)", {})
    assert "memory" in info.value.message.en


def test_refusal_cannot_be_swallowed(env):
    with pytest.raises(SandboxViolation):
        env.execute("try:\n    type(1)\nexcept Exception:\n    pass\nok = 1", {})
    with pytest.raises(SandboxViolation):
        env.execute("try:\n    r = 10**10**10\nexcept Exception:\n    r = 0", {})


def test_compile_errors_are_violations_not_syntax_errors():
    for bad in ("x ==", "\x00", "(" * 300 + ")" * 300):
        with pytest.raises(SandboxViolation) as info:
            compile_expression(bad)
        assert not isinstance(info.value, SyntaxError)
    with pytest.raises(SandboxViolation) as info:
        compile_script("x = = 1")
    assert "SyntaxError" in info.value.message.en and "SyntaxError" in info.value.message.zh


def test_task_data_cannot_replace_guards(env):
    data = {"_getattr_": getattr, "__builtins__": __builtins__, "x": 1}
    with pytest.raises(SandboxViolation):
        env.evaluate("x.real.numerator.__class__", data)
    with pytest.raises(SandboxViolation):
        env.evaluate("open('/etc/hostname')", data)


def test_attributes_of_functions_are_refused(env):
    with pytest.raises(SandboxViolation):
        env.execute("def f():\n    pass\nr = f.anything", {})
    with pytest.raises(SandboxViolation):
        env.evaluate("today.anything", {})


def test_service_tasks_are_refused(env):
    with pytest.raises(SandboxViolation):
        env.call_service({}, operation_name="x")


# --- benign code ----------------------------------------------------------------------------------

def test_benign_expressions(env):
    data = {"amount": 1200, "people": ["a", "b"], "kind": "visit"}
    assert env.evaluate("  amount > 1000 and len(people) == 2\n  ", data) is True
    assert env.evaluate("[p.upper() for p in people]", data) == ["A", "B"]
    assert env.evaluate("{k: v * 2 for k, v in {'a': 1}.items()}", data) == {"a": 2}
    assert env.evaluate("f'{kind}-{amount:>6}-{amount!r}-{3.14159:.2f}'", data) == "visit-  1200-1200-3.14"
    assert env.evaluate("'%05d|%-4s|' % (42, 'ab')", data) == "00042|ab  |"
    assert env.evaluate("sum(x * x for x in range(10)) + max(1, 2) + 2 ** 10", data) == 285 + 2 + 1024
    assert env.evaluate("sorted(reversed(list(enumerate(zip('ab', 'cd')))))", data) == [
        (0, ("a", "c")), (1, ("b", "d"))
    ]
    assert env.evaluate("'-'.join(map(str, filter(lambda v: v % 2, range(6)))).zfill(7)", data) == "001-3-5"
    assert env.evaluate("isinstance(amount, int) and round(abs(-2.5)) == 2", data) is True


def test_script_copies_back_data_only_and_honours_del(env):
    data = {"a": 1, "b": [1, 2], "gone": 3, "_private": "kept"}
    env.execute(
        "c = a + sum(b)\n"
        "del gone\n"
        "b.append(3)\n"
        "total = 0\n"
        "for i in range(5):\n"
        "    total += i\n"
        "s = {1, 2}\n"
        "def helper():\n"
        "    return 1\n"
        "h = helper()\n"
        "d = {'k': [1, {'z': None}], 'when': date(2026, 1, 2)}\n",
        data,
    )
    assert data == {
        "a": 1, "b": [1, 2, 3], "c": 4, "total": 10, "i": 4, "h": 1, "_private": "kept",
        "d": {"k": [1, {"z": None}], "when": date(2026, 1, 2)},
    }


def test_data_wins_over_helper_names(env):
    assert env.evaluate("date == 'tomorrow'", {"date": "tomorrow"}) is True
    data = {"date": "x"}
    env.execute("y = 1", data)
    assert data == {"date": "x", "y": 1}


def test_huge_shared_data_is_refused(env):
    # Cheap to build, but 2**40 values to encode: it must never reach the state serializer.
    with pytest.raises(SandboxViolation):
        env.execute("l = []\nfor i in range(40):\n    l = [l, l]", {})
    with pytest.raises(SandboxViolation):
        env.evaluate("[l.append([l[-1], l[-1]]) for i in range(40)]", {"l": [1]})
    with pytest.raises(SandboxViolation):
        env.execute("l = []\nfor i in range(200):\n    l = [l]", {})


# --- helpers --------------------------------------------------------------------------------------

def test_days_between_is_inclusive(env):
    assert env.evaluate("days_between('2026-01-01', '2026-01-05')", {}) == 5
    assert env.evaluate("days_between(date(2026, 1, 1), '2026-01-01')", {}) == 1
    assert env.evaluate("add_days(' 2026-01-31 ', 1)", {}) == date(2026, 2, 1)


def test_working_days_across_spring_festival_2026(env):
    start, end = date(2026, 2, 9), date(2026, 2, 28)
    official = len(chinese_calendar.get_workdays(start, end))
    assert env.evaluate("working_days_between('2026-02-09', '2026-02-28')", {}) == official == 11
    # Friday 13 Feb; Saturday 14 Feb is a make-up workday; 15-23 Feb are the holiday.
    assert env.evaluate("add_working_days('2026-02-13', 1)", {}) == date(2026, 2, 14)
    assert env.evaluate("add_working_days('2026-02-13', 2)", {}) == date(2026, 2, 24)
    assert env.evaluate("add_working_days('2026-02-24', -1)", {}) == date(2026, 2, 14)
    assert env.evaluate("is_working_day('2026-02-16')", {}) is False
    assert env.evaluate("calendar_source('2026-02-16')", {}) == "official"
    day = start
    while day <= end:
        assert workdays.is_working_day(day) == chinese_calendar.is_workday(day)
        day += timedelta(days=1)


def test_fallback_calendar_is_reported(env):
    saved = workdays.fallback_holidays()
    try:
        workdays.set_fallback_holidays({date(2099, 1, 1): True, date(2099, 1, 3): False})
        assert workdays.calendar_source(2099) == "fallback"
        assert env.evaluate("calendar_source(2099)", {}) == "fallback"
        assert workdays.is_working_day(date(2099, 1, 1)) is False  # a Thursday, registered holiday
        assert workdays.is_working_day(date(2099, 1, 3)) is True  # a Saturday, registered make-up day
        assert workdays.is_working_day(date(2099, 1, 4)) is False  # an ordinary Sunday
        assert env.evaluate("working_days_between('2098-12-31', '2099-01-05')", {}) == 4
    finally:
        workdays.set_fallback_holidays(saved)


def test_helpers_read_the_command_clock(env):
    at = datetime(2026, 2, 16, 17, 30, tzinfo=UTC)  # 01:30 on 17 Feb in Beijing
    with command_context("case-1", 1, at):
        assert env.evaluate("today()", {}) == date(2026, 2, 17)
        assert env.evaluate("now()", {}) == at
        assert env.evaluate("now().hour", {}) == 1
        assert env.evaluate("is_working_day(today())", {}) is False


def test_bad_dates_give_a_clear_error(env):
    with pytest.raises(Exception) as info:
        env.evaluate("days_between('2026-01-05', '2026-01-01')", {})
    assert "before" in str(info.value)
    with pytest.raises(Exception) as info:
        env.evaluate("parse_date('next tuesday')", {})
    assert "YYYY-MM-DD" in str(info.value)


# --- through a real workflow ----------------------------------------------------------------------

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs" targetNamespace="http://waishi.test">
  <bpmn:process id="proc" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="script" />
    <bpmn:scriptTask id="script" scriptFormat="python">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>{script}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="script" targetRef="gw" />
    <bpmn:exclusiveGateway id="gw" default="f_no">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f_yes</bpmn:outgoing><bpmn:outgoing>f_no</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="f_yes" sourceRef="gw" targetRef="end_yes">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">
        {condition}
      </bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_no" sourceRef="gw" targetRef="end_no" />
    <bpmn:endEvent id="end_yes"><bpmn:incoming>f_yes</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="end_no"><bpmn:incoming>f_no</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


def run_workflow(script: str = "pass", condition: str = "False", data: dict | None = None) -> BpmnWorkflow:
    # Indented like a diagram editor writes it: the sandbox must cope with that.
    indented = "\n".join("        " + line for line in script.splitlines())
    xml = BPMN.format(script=escape("\n" + indented + "\n      "), condition=escape(condition))
    parser = CamundaParser()
    parser.add_bpmn_str(xml.encode())
    wf = BpmnWorkflow(parser.get_spec("proc"), parser.get_subprocess_specs("proc"),
                      script_engine=make_script_engine())
    wf.get_tasks(spec_name="start")[0].data.update(data or {})
    wf.do_engine_steps()
    return wf


def ended_at(wf: BpmnWorkflow) -> str:
    assert wf.is_completed()
    return next(t.task_spec.name for t in wf.get_tasks(state=TaskState.COMPLETED)
                if t.task_spec.name in ("end_yes", "end_no"))


def assert_refused_in_workflow(**kwargs) -> SandboxViolation:
    with pytest.raises(SpiffWorkflowException) as info:
        run_workflow(**kwargs)
    violation = find_violation(info.value)
    assert violation is not None, f"no SandboxViolation behind {info.value!r}"
    assert info.value.__context__ is violation or info.value is violation
    return violation


@pytest.mark.parametrize("src", BAD_EXPRESSIONS.values(), ids=BAD_EXPRESSIONS.keys())
def test_bad_condition_refused_in_workflow(src):
    assert_refused_in_workflow(condition=src, data={"x": 1})


@pytest.mark.parametrize("src", BAD_SCRIPTS.values(), ids=BAD_SCRIPTS.keys())
def test_bad_script_refused_in_workflow(src):
    assert_refused_in_workflow(script=src, data={"x": 1})


@pytest.mark.parametrize("src", list(SLOW_SCRIPTS.values())[:3], ids=list(SLOW_SCRIPTS)[:3])
def test_cpu_budget_in_workflow(src):
    with cpu_budget(SHORT):
        violation = assert_refused_in_workflow(script=src)
    assert "CPU" in violation.message.en


def test_benign_workflow():
    script = (
        "trip_days = days_between(departure, back)\n"
        "names = [p['name'].title() for p in people if p['name']]\n"
        "summary = f'{len(names)} people, {trip_days} days'\n"
        "deadline = add_working_days(departure, -3)\n"
        "budget = {'total': sum(p['cost'] for p in people), 'per_day': round(1000 / trip_days, 2)}\n"
    )
    data = {"departure": "2026-02-24", "back": "2026-03-02",
            "people": [{"name": "li lei", "cost": 300}, {"name": "han mei", "cost": 500}]}
    wf = run_workflow(script=script, condition="trip_days > 5 and budget['total'] < 1000", data=data)
    assert ended_at(wf) == "end_yes"
    assert wf.data["summary"] == "2 people, 7 days"
    assert wf.data["names"] == ["Li Lei", "Han Mei"]
    # 24 Feb back three working days, over the 15-23 Feb holiday: 14 (a make-up Saturday), 13, 12.
    assert wf.data["deadline"] == date(2026, 2, 12)
    assert wf.data["budget"] == {"total": 800, "per_day": 142.86}

    assert ended_at(run_workflow(condition="x > 5", data={"x": 1})) == "end_no"


def test_workflow_reads_the_command_clock():
    with command_context("case-2", 3, datetime(2026, 2, 13, 16, 30, tzinfo=UTC)):  # Sat 14 Feb 00:30 CST
        wf = run_workflow(script="d = today()", condition="is_working_day(d)")
    assert wf.data["d"] == date(2026, 2, 14)
    assert ended_at(wf) == "end_yes"


def test_runtime_guards_hold_without_the_compiler():
    # Compile-time checks come first; these run-time checks stand even if one were missed.
    from engine.sandbox.guards import guarded_getattr

    def gen():
        yield 1

    for obj, name in ((1, "__class__"), (gen(), "gi_frame"), (gen(), "gi_running"), (len, "x"),
                      (lambda: 0, "x"), ("{}", "format"), (str, "format_map"), (int, "mro")):
        with cpu_budget(), pytest.raises(SandboxViolation):
            guarded_getattr(obj, name)


def test_inplace_operators_keep_python_semantics(env):
    data: dict = {}
    env.execute("a = [1]\nb = a\na += [2]\nn = 2\nn **= 10\ns = 'ab'\ns *= 2", data)
    assert data == {"a": [1, 2], "b": [1, 2], "n": 1024, "s": "abab"}
    with pytest.raises(SandboxViolation):
        env.execute("s = 'x'\ns *= 10**9", {})


def test_error_line_is_reported_in_workflow():
    with pytest.raises(SpiffWorkflowException) as info:
        run_workflow(script="x = 1\ny = missing_name")
    assert info.value.line_number == 3  # the script text starts with a newline, as editors write it
    assert "missing_name" in info.value.error_line
