"""Turning whatever SpiffWorkflow raises while loading a bundle into located, bilingual Problems.

SpiffWorkflow raises `ValidationException` for most faults but plain `KeyError`, `IndexError`,
`AttributeError` … for others, its messages are English only, and its line numbers are almost
never set (it reads `node.line_number`, which lxml elements do not have). So the element id it
does report is looked up in our own tree to recover the line.
"""

from __future__ import annotations

import re

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.definitions import namespaces
from engine.definitions.problems import PARSE, clip, line_of, problem
from engine.errors import Problem

_MISSING_TARGET = re.compile(r"perhaps a form has the same ID\? \((?P<target>.*)\)$")


def find_element(tree: etree._ElementTree | None, element_id: str | None) -> etree._Element | None:
    if tree is None or not element_id:
        return None
    found = tree.xpath("//*[@id=$id]", id=element_id)
    return found[0] if found else None


def exception_problem(exc: BaseException, file: str, tree: etree._ElementTree | None,
                      *, context_zh: str = "", context_en: str = "") -> Problem:
    """One PARSE problem for `exc`, raised by SpiffWorkflow while reading `file`."""
    if isinstance(exc, ValidationException):
        return _validation_problem(exc, file, tree, context_zh, context_en)
    decision_ref = f"{{{namespaces.CAMUNDA}}}decisionRef"
    if isinstance(exc, KeyError) and exc.args and exc.args[0] == decision_ref:
        return _missing_decision_ref(file, tree)
    detail = f"{type(exc).__name__}: {clip(str(exc), 300)}"
    if isinstance(exc, AttributeError) and "'list' object has no attribute 'tag'" in str(exc):
        # DMNParser builds its "multiple decision tables" error from a list and crashes doing it.
        detail += " (SpiffWorkflow crashed reporting a DMN file with several decisions)"
    return problem(
        PARSE,
        f"SpiffWorkflow 无法读取此文件{context_zh}：{detail}",
        f"SpiffWorkflow could not read this file{context_en}: {detail}",
        file=file, exception=type(exc).__name__,
    )


def _validation_problem(exc: ValidationException, file: str, tree: etree._ElementTree | None,
                        context_zh: str, context_en: str) -> Problem:
    message = _message(exc)
    element_id = getattr(exc, "id", "") or None
    el = find_element(tree, element_id)
    tag = getattr(exc, "tag", "") or ""
    if message.startswith("Multiple outgoing flows are not supported for tasks of type"):
        # SpiffWorkflow's message stops before naming the type.
        message = f"{message.rstrip('. ')} {tag}: add a parallel or exclusive gateway to split the flow"
    target = _MISSING_TARGET.search(message)
    if target:
        message = (f"a sequence flow leaving this element targets '{target['target']}', "
                   "which is not in the process")
    line = getattr(exc, "line_number", None)
    line = line if isinstance(line, int) and line > 0 else line_of(el)
    what = f" {tag} {element_id}" if element_id else ""
    return problem(
        PARSE,
        f"SpiffWorkflow 无法解析{context_zh}{what}：{message}",
        f"SpiffWorkflow cannot parse{context_en}{what}: {message}",
        file=getattr(exc, "file_name", "") or file, element_id=element_id, line=line,
        exception=type(exc).__name__,
    )


def _missing_decision_ref(file: str, tree: etree._ElementTree | None) -> Problem:
    el = None
    if tree is not None:
        missing = tree.xpath("//bpmn:businessRuleTask[not(@camunda:decisionRef)]",
                             namespaces=namespaces.NSMAP)
        el = missing[0] if missing else None
    return problem(
        PARSE,
        "业务规则任务缺少 camunda:decisionRef，SpiffWorkflow（Camunda 解析器）因此拒绝整个文件",
        "a business rule task has no camunda:decisionRef, so SpiffWorkflow's Camunda parser refuses the "
        "whole file",
        file=file, el=el, exception="KeyError",
    )


def _message(exc: SpiffWorkflowException) -> str:
    base = str(exc.args[0]) if exc.args else type(exc).__name__
    notes = [n for n in getattr(exc, "notes", []) if n]
    return clip(". ".join([base.rstrip(". "), *notes]), 400)
