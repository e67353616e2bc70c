"""Every piece of BPMN code SpiffWorkflow evaluates, compiled in our sandbox at upload time.

SpiffWorkflow itself only finds a broken condition, script or timer when a case reaches it, and
even then only as a Python error; here each one is compiled exactly as the sandbox will run it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from types import CodeType

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition as Timer

from engine.definitions import flavour, namespaces
from engine.definitions.context import Context
from engine.definitions.problems import EXPRESSION, clip, line_of, problem
from engine.errors import Problem, SandboxViolation
from engine.sandbox.compiler import compile_expression, compile_script

Compiler = Callable[[str], CodeType]

_ISO_DURATION = re.compile(
    r"^P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+([.,]\d+)?S)?)?$", re.I
)
_ISO_CYCLE = re.compile(r"^R\d*/", re.I)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\S*)?$")
_JUEL = re.compile(r"^\s*[$#]\{")
_CRON = re.compile(r"^\s*[\w*?/,#-]+(\s+[\w*?/,#-]+){4,6}\s*$")
_PY_SCRIPT_FORMATS = {"", "python", "python3", "py", "text/python", "text/x-python", "spiff", "spiffworkflow"}

# SpiffWorkflow resolves month lengths one month at a time; a "P99999999Y" timer would loop for
# minutes at run time, so statically readable timers are capped here.
MAX_TIMER_MONTHS = 12 * 100


def check_expressions(ctx: Context) -> Iterator[Problem]:
    for check in (_conditions, _scripts, _timers, _loops, _messages):
        yield from check(ctx)


def compile_problem(src: str | None, compiler: Compiler, *, file: str, el: etree._Element, what_zh: str,
                    what_en: str, at: etree._Element | None = None) -> Problem | None:
    """A Problem if `src` does not compile in the sandbox (or is empty), else None."""
    if src is None or not src.strip():
        return problem(EXPRESSION, f"{what_zh}为空", f"{what_en} is empty", file=file, el=el,
                       line=line_of(at if at is not None else el))
    try:
        compiler(src)
    except SandboxViolation as exc:
        hint_zh, hint_en = _hint(src)
        return problem(
            EXPRESSION,
            f"{what_zh} “{clip(src)}” 无效：{exc.message.zh}{hint_zh}",
            f"{what_en} '{clip(src)}' is invalid: {exc.message.en}{hint_en}",
            file=file, el=el, line=line_of(at if at is not None else el), source=src,
        )
    return None


def _hint(src: str) -> tuple[str, str]:
    if _JUEL.match(src):
        return ("。不支持 Camunda JUEL（${…}/#{…}），请写 Python 表达式，例如 approved == True",
                ". Camunda JUEL (${…}/#{…}) is not supported; write a Python expression, "
                "e.g. approved == True")
    if src.strip().startswith("="):
        return ("。不支持 Zeebe FEEL（以 = 开头），请写 Python 表达式",
                ". Zeebe FEEL (starting with '=') is not supported; write a Python expression")
    return "", ""


def _conditions(ctx: Context) -> Iterator[Problem]:
    for info, flow in ctx.elements("sequenceFlow"):
        cond = flow.find(namespaces.tag("conditionExpression"))
        if cond is not None:
            found = compile_problem(cond.text, compile_expression, file=info.file, el=flow, at=cond,
                                    what_zh="顺序流条件", what_en="sequence flow condition")
            if found:
                yield found
    for info, event_def in ctx.elements("conditionalEventDefinition"):
        event = event_def.getparent()
        cond = event_def.find(namespaces.tag("condition"))
        found = compile_problem(cond.text if cond is not None else None, compile_expression,
                                file=info.file, el=event, at=cond,
                                what_zh="条件事件的条件", what_en="conditional event condition")
        if found:
            yield found


def _scripts(ctx: Context) -> Iterator[Problem]:
    for info, task in ctx.elements("scriptTask"):
        fmt = (task.get("scriptFormat") or "").strip().lower()
        if fmt not in _PY_SCRIPT_FORMATS:
            # SpiffWorkflow never reads scriptFormat: a Groovy or JavaScript script would be run as Python.
            yield problem(
                EXPRESSION,
                f"脚本语言 “{task.get('scriptFormat')}” 不受支持：脚本一律按 Python 执行",
                f"script format '{task.get('scriptFormat')}' is not supported: scripts always run as Python",
                file=info.file, el=task,
            )
            continue
        script = task.find(namespaces.tag("script"))
        found = compile_problem(script.text if script is not None else None, compile_script, file=info.file,
                                el=task, at=script, what_zh="脚本任务的脚本", what_en="script task script")
        if found:
            yield found
    if ctx.flavour == flavour.SPIFF:
        yield from _spiff_pre_post_scripts(ctx)


def _spiff_pre_post_scripts(ctx: Context) -> Iterator[Problem]:
    for info in ctx.executable:
        for local, zh, en in (("preScript", "前置脚本", "pre-script"),
                              ("postScript", "后置脚本", "post-script")):
            for node in info.element.iter(namespaces.tag(local, namespaces.SPIFF)):
                owner = _owner(node)
                found = compile_problem(node.text, compile_script, file=info.file, el=owner, at=node,
                                        what_zh=zh, what_en=en)
                if found:
                    yield found


def _owner(node: etree._Element) -> etree._Element:
    """The flow element an extension element belongs to (extensionElements' parent)."""
    parent = node.getparent()
    while parent is not None and parent.get("id") is None:
        parent = parent.getparent()
    return parent if parent is not None else node


def _timers(ctx: Context) -> Iterator[Problem]:
    for info, timer in ctx.elements("timerEventDefinition"):
        event = timer.getparent()
        specs = [c for c in timer if c.tag in (namespaces.tag("timeDate"), namespaces.tag("timeDuration"),
                                               namespaces.tag("timeCycle"))]
        if not specs:
            yield problem(EXPRESSION, "定时器事件没有 timeDate/timeDuration/timeCycle 表达式",
                          "the timer event has no timeDate/timeDuration/timeCycle expression",
                          file=info.file, el=event)
            continue
        # SpiffWorkflow reads only the first of them, in this order.
        for local in ("timeDate", "timeDuration", "timeCycle"):
            spec = timer.find(namespaces.tag(local))
            if spec is not None:
                found = timer_problem(local, spec.text, file=info.file, event=event, at=spec)
                if found:
                    yield found
                break


def timer_problem(kind: str, src: str | None, *, file: str, event: etree._Element,
                  at: etree._Element | None = None) -> Problem | None:
    """Timer expressions are Python in SpiffWorkflow: an ISO value must be a quoted string."""
    text = (src or "").strip()
    if text and (_ISO_DURATION.match(text) or _ISO_CYCLE.match(text) or _ISO_DATE.match(text)):
        # `PT48H` even compiles (it is a valid name) and only fails with NameError when the timer starts.
        return problem(
            EXPRESSION,
            f"{kind} 定时器表达式 {text} 未加引号：SpiffWorkflow 把它当作 Python 表达式求值，"
            f"请写成带引号的字符串 \"{text}\"",
            f"{kind} timer expression {text} is not quoted: SpiffWorkflow evaluates it as Python, "
            f"so write it as a quoted string: \"{text}\"",
            file=file, el=event, line=line_of(at), source=src, hint=f'"{text}"',
        )
    found = compile_problem(src, compile_expression, file=file, el=event, at=at,
                            what_zh=f"{kind} 定时器表达式", what_en=f"{kind} timer expression")
    if found and _CRON.match(text):
        return problem(
            EXPRESSION,
            f"{kind} 定时器表达式 “{clip(text)}” 像 cron 表达式，不受支持；"
            "请用带引号的 ISO 8601 值，例如 \"R3/PT1H\"",
            f"{kind} timer expression '{clip(text)}' looks like a cron expression, which is not supported; "
            "use a quoted ISO 8601 value such as \"R3/PT1H\"",
            file=file, el=event, line=line_of(at), source=src,
        )
    if found:
        return found
    return _constant_timer_problem(kind, text, file=file, event=event, at=at)


def _constant_timer_problem(kind: str, text: str, *, file: str, event: etree._Element,
                            at: etree._Element | None) -> Problem | None:
    """A literal timer value is checked with SpiffWorkflow's own ISO readers now, not when it fires."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None  # not a constant: it depends on case data, checked when the timer starts
    if not isinstance(value, str):
        reason = f"value is {type(value).__name__}, not a string"
    else:
        reason = _iso_timer_error(kind, value)
    if reason is None:
        return None
    return problem(
        EXPRESSION,
        f"{kind} 定时器的值 {text} 无法被 SpiffWorkflow 识别：{reason}",
        f"SpiffWorkflow cannot read the {kind} timer value {text}: {reason}",
        file=file, el=event, line=line_of(at), source=text,
    )


def _iso_timer_error(kind: str, value: str) -> str | None:
    try:
        if kind == "timeDuration":
            return _too_long(Timer.parse_iso_duration(value))
        if kind == "timeDate":
            parsed = Timer.parse_time_or_duration(value)
            return None if isinstance(parsed, datetime) else "timeDate needs a date and time, not a duration"
        # Mirrors parse_iso_recurring_interval without its month-by-month arithmetic (see MAX_TIMER_MONTHS).
        parts = value.upper().replace("--", "/").strip("R").split("/")
        if len(parts) not in (2, 3):
            return "a cycle looks like R<n>/<duration>, R<n>/<start>/<duration> or R<n>/<duration>/<end>"
        if parts[0]:
            int(parts[0])  # the repeat count; SpiffWorkflow's int() would fail the same way
        for part in parts[1:]:
            parsed = Timer.parse_time_or_duration(part)
            if isinstance(parsed, dict) and _too_long(parsed):
                return _too_long(parsed)
    except Exception as exc:  # SpiffWorkflow's readers raise bare Exception, ValueError, AttributeError …
        return f"{type(exc).__name__}: {exc}"
    return None


def _too_long(parsed: dict) -> str | None:
    months = parsed.get("years", 0) * 12 + parsed.get("months", 0)
    if months > MAX_TIMER_MONTHS:
        return f"longer than {MAX_TIMER_MONTHS // 12} years"
    return None


def _loops(ctx: Context) -> Iterator[Problem]:
    for info, loop in ctx.elements("multiInstanceLoopCharacteristics"):
        task = loop.getparent()
        for local, zh, en in (
            ("loopCardinality", "多实例基数", "multi-instance cardinality"),
            ("completionCondition", "多实例完成条件", "multi-instance completion condition"),
        ):
            node = loop.find(namespaces.tag(local))
            if node is not None:
                found = compile_problem(node.text, compile_expression, file=info.file, el=task, at=node,
                                        what_zh=zh, what_en=en)
                if found:
                    yield found
        if ctx.flavour == flavour.CAMUNDA:
            yield from _camunda_mi_names(info.file, task, loop)
    for info, loop in ctx.elements("standardLoopCharacteristics"):
        node = loop.find(namespaces.tag("loopCondition"))
        if node is not None:
            found = compile_problem(node.text, compile_expression, file=info.file, el=loop.getparent(),
                                    at=node, what_zh="循环条件", what_en="loop condition")
            if found:
                yield found


def _camunda_mi_names(file: str, task: etree._Element, loop: etree._Element) -> Iterator[Problem]:
    # CamundaParser uses these as task data keys, not expressions: "${items}" would never match.
    for attr in ("collection", "elementVariable"):
        value = loop.get(f"{{{namespaces.CAMUNDA}}}{attr}")
        if value is not None and not value.isidentifier():
            yield problem(
                EXPRESSION,
                f"camunda:{attr}=“{clip(value)}” 必须是变量名（任务数据的键），不能是表达式",
                f"camunda:{attr}='{clip(value)}' must be a variable name (a task data key), "
                "not an expression",
                file=file, el=task, line=line_of(loop),
            )


def _messages(ctx: Context) -> Iterator[Problem]:
    if ctx.flavour != flavour.SPIFF:
        return
    for info in ctx.executable:
        for local, zh, en in (("messagePayload", "消息负载表达式", "message payload expression"),
                              ("expression", "消息关联表达式", "message correlation expression")):
            for node in info.element.iter(namespaces.tag(local, namespaces.SPIFF)):
                found = compile_problem(node.text, compile_expression, file=info.file, el=_owner(node),
                                        at=node, what_zh=zh, what_en=en)
                if found:
                    yield found
