"""DMN decision tables: every expression SpiffWorkflow's DMN engine will evaluate, compiled now.

Entries use SpiffWorkflow's dialect, not FEEL: `'x'` (equality is added), `> 3` (the input is
prepended), `1 <= ? <= 30` (`?` stands for the input), `-` or empty (ignored). `entry_expressions`
rebuilds exactly the text `DMNEngine.evaluate` hands to the script engine.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from lxml import etree

from engine.definitions.context import Context
from engine.definitions.expressions import compile_problem
from engine.definitions.problems import DECISION, EXPRESSION, clip, problem
from engine.errors import Problem
from engine.sandbox.compiler import compile_expression

# DMNEngine.evaluate: a `?` outside quotes becomes this name, bound to the evaluated input.
QUESTION_MARK = re.compile(r"(\?)(?=(?:[^'\"]|['\"][^'\"]*['\"])*$)")
INPUT_NAME = "dmninputexpr"
_FEEL_RANGE = re.compile(r"^\s*[\[\]()]\s*[^.]+\.\.[^.]+[\[\]()]\s*$")
# Stand-in for an input without an expression: SpiffWorkflow then pastes repr(data[label]).
_LABEL_FALLBACK = "None"


def entry_expressions(input_expr: str | None, text: str | None) -> list[str]:
    """The expressions SpiffWorkflow evaluates for one input entry (none for `-`/empty).

    Raises SyntaxError where DMNEngine would, i.e. when the entry is neither an expression nor
    an operator followed by an expression.
    """
    if text is None or text == "-":
        return []
    replaced = QUESTION_MARK.sub(INPUT_NAME, text)
    input_expr = input_expr if input_expr else _LABEL_FALLBACK
    if INPUT_NAME in replaced:
        return [input_expr, replaced]
    # DMNEngine.needs_eq: a complete expression is compared with ==, otherwise it is an operator
    # tail glued onto the input expression.
    try:
        ast.parse(text)
    except SyntaxError:
        ast.parse(f"v {text}")
        return [input_expr, input_expr + text]
    return [input_expr, f"({input_expr}) == ({text})"]


def check_dmn(ctx: Context) -> Iterator[Problem]:
    for file, tree in ctx.parsed.trees.dmn.items():
        root = tree.getroot()
        ns = etree.QName(root).namespace
        for decision in root.iterfind(f"{{{ns}}}decision"):
            tables = decision.findall(f"{{{ns}}}decisionTable")
            if not tables:
                yield problem(DECISION, "决策没有决策表（SpiffWorkflow 只支持决策表）",
                              "the decision has no decision table "
                              "(SpiffWorkflow supports decision tables only)", file=file, el=decision)
            for table in tables:
                yield from _table_problems(file, ns, table)


def _table_problems(file: str, ns: str, table: etree._Element) -> Iterator[Problem]:
    inputs = table.findall(f"{{{ns}}}input")
    outputs = table.findall(f"{{{ns}}}output")
    input_exprs = [_input_expression(ns, i) for i in inputs]
    for el, expr in zip(inputs, input_exprs, strict=True):
        if expr is None:
            yield problem(EXPRESSION,
                          "决策表输入缺少 inputExpression，SpiffWorkflow 将退而使用其标签作为数据键",
                          "the decision table input has no inputExpression; SpiffWorkflow falls back to "
                          "using its label as a data key", file=file, el=el, warning=True)
            continue
        found = compile_problem(expr, compile_expression, file=file, el=el, what_zh="决策表输入表达式",
                                what_en="decision table input expression")
        if found:
            yield found
    for row, rule in enumerate(table.findall(f"{{{ns}}}rule"), start=1):
        yield from _rule_problems(file, ns, rule, row, input_exprs, len(outputs))


def _input_expression(ns: str, input_el: etree._Element) -> str | None:
    text = input_el.find(f"{{{ns}}}inputExpression/{{{ns}}}text")
    return text.text if text is not None and text.text else None


def _rule_problems(file: str, ns: str, rule: etree._Element, row: int, input_exprs: list[str | None],
                   n_outputs: int) -> Iterator[Problem]:
    in_entries = rule.findall(f"{{{ns}}}inputEntry")
    out_entries = rule.findall(f"{{{ns}}}outputEntry")
    if len(in_entries) != len(input_exprs) or len(out_entries) != n_outputs:
        yield problem(
            DECISION,
            f"第 {row} 条规则有 {len(in_entries)} 个输入项、{len(out_entries)} 个输出项，"
            f"而表有 {len(input_exprs)} 个输入、{n_outputs} 个输出",
            f"rule {row} has {len(in_entries)} input and {len(out_entries)} output entries, "
            f"but the table has {len(input_exprs)} inputs and {n_outputs} outputs",
            file=file, el=rule,
        )
        return
    for entry, input_expr in zip(in_entries, input_exprs, strict=True):
        found = _input_entry_problem(file, ns, entry, row, input_expr)
        if found:
            yield found
    for entry in out_entries:
        text = _entry_text(ns, entry)
        if text:
            found = compile_problem(text, compile_expression, file=file, el=entry,
                                    what_zh=f"第 {row} 条规则的输出项", what_en=f"rule {row} output entry")
            if found:
                yield found


def _input_entry_problem(file: str, ns: str, entry: etree._Element, row: int,
                         input_expr: str | None) -> Problem | None:
    text = _entry_text(ns, entry)
    what_zh, what_en = f"第 {row} 条规则的输入项", f"rule {row} input entry"
    try:
        sources = entry_expressions(input_expr, text)
    except (SyntaxError, ValueError) as exc:
        hint_zh, hint_en = "", ""
        if _FEEL_RANGE.match(text or ""):
            hint_zh = "。不支持 FEEL 区间写法，请写成 5 <= ? <= 8"
            hint_en = "; FEEL ranges are not supported, write 5 <= ? <= 8"
        return problem(
            EXPRESSION,
            f"{what_zh} “{clip(text)}” 既不是表达式，也不是“运算符 + 表达式”（如 > 3）：{exc}{hint_zh}",
            f"{what_en} '{clip(text)}' is neither an expression nor an operator followed by one "
            f"(like > 3): {exc}{hint_en}",
            file=file, el=entry, source=text,
        )
    for src in sources[1:]:
        # sources[0] is the input expression itself, already checked once per column.
        found = compile_problem(src, compile_expression, file=file, el=entry,
                                what_zh=what_zh, what_en=what_en)
        if found:
            return found
    return None


def _entry_text(ns: str, entry: etree._Element) -> str | None:
    # DMNParser keeps the last <text> child's text, whatever else the entry holds.
    text = None
    for child in entry:
        if isinstance(child.tag, str) and child.tag.endswith("text"):
            text = child.text
    return text
