"""Stage codes and small helpers for building located `Problem`s.

`Problem.code` names the validation stage that found the problem, so callers (and the
conformance test) can tell "SpiffWorkflow could not parse it" from "it breaks our own rules".
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from engine.errors import Problem

XML = "xml"  # not XML, hostile XML, wrong root element, too large
XSD = "xsd"  # schema validation against SpiffWorkflow's bundled XSDs
PARSE = "parse"  # SpiffWorkflow refused to load or build the spec
EXPRESSION = "expression"  # a condition, script, timer, MI or DMN expression does not compile
LANE = "lane"  # user task outside a lane named with a task role code
FORM = "form"  # missing/unknown formKey, or a broken .form file
DECISION = "decision"  # business rule task without a known decision
GATEWAY = "gateway"  # gateway defaults
CALL = "call_activity"  # call activity target missing or not executable
TASK = "task"  # task types our runtime treats specially (warnings)
BUNDLE = "bundle"  # bundle-level: nothing executable, duplicate names, unreadable paths

STAGES: tuple[str, ...] = (XML, XSD, PARSE, EXPRESSION, LANE, FORM, DECISION, GATEWAY, CALL, TASK, BUNDLE)


def line_of(el: Any) -> int | None:
    line = getattr(el, "sourceline", None)
    return line if isinstance(line, int) and line > 0 else None


def problem(
    code: str,
    zh: str,
    en: str,
    *,
    file: str | None = None,
    el: etree._Element | None = None,
    element_id: str | None = None,
    line: int | None = None,
    warning: bool = False,
    **extra: Any,
) -> Problem:
    """A Problem located at `el` (its id and source line) unless given explicitly."""
    if el is not None:
        element_id = element_id or el.get("id")
        line = line or line_of(el)
    return Problem(
        zh=zh,
        en=en,
        file=file,
        element_id=element_id or None,
        line=line,
        severity="warning" if warning else "error",
        code=code,
        extra=dict(extra),
    )


def clip(text: str | None, limit: int = 160) -> str:
    """Diagram text quoted in a message; long scripts would drown the message itself."""
    text = (text or "").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
