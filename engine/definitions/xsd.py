"""Schema validation against the XSDs SpiffWorkflow ships (BPMN 2.0, spiffworkflow, DMN 1.1–1.3).

SpiffWorkflow's own `BpmnValidator.validate` raises on the first error only; here the schema's
whole error log is turned into problems, each with its line and, where the path leads to one,
the element id.
"""

from __future__ import annotations

import copy
import threading
from functools import cache

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.dmn.parser.BpmnDmnParser import SCHEMAS as DMN_SCHEMAS

from engine.definitions import flavour, kinds, namespaces
from engine.definitions.problems import XSD, clip, problem
from engine.errors import Problem

MAX_ERRORS_PER_FILE = 50


class _Schema:
    """An XMLSchema plus a lock: its error_log is per-instance state, so validations must not
    interleave between threads."""

    def __init__(self, validator: BpmnValidator) -> None:
        self.validator = validator
        self.lock = threading.Lock()

    def errors(self, tree: etree._ElementTree) -> list[etree._LogEntry]:
        with self.lock:
            schema = self.validator.validator
            if schema.validate(tree):
                return []
            return list(schema.error_log)


@cache
def _bpmn_schema(dialect: str) -> _Schema:
    if dialect == flavour.SPIFF:
        from SpiffWorkflow.spiff.parser.process import SPIFF_XSD

        return _Schema(BpmnValidator(imports={"spiffworkflow": SPIFF_XSD}))
    return _Schema(BpmnValidator())


@cache
def _dmn_schema(ns: str) -> _Schema | None:
    path = DMN_SCHEMAS.get(ns)
    return _Schema(BpmnValidator(path)) if path else None


def xsd_problems(tree: etree._ElementTree, file: str, kind: str, dialect: str) -> list[Problem]:
    if kind == kinds.DMN:
        ns = etree.QName(tree.getroot()).namespace or ""
        schema = _dmn_schema(ns)
        if schema is None:
            version = namespaces.DMN_VERSIONS.get(ns, "?")
            return [problem(XSD, f"SpiffWorkflow 未附带 DMN {version} 的 XSD，已跳过架构校验",
                            f"SpiffWorkflow ships no XSD for DMN {version}; schema validation was skipped",
                            file=file, warning=True)]
    else:
        schema = _bpmn_schema(dialect)
    # Validate a copy: the preprocessing below renames elements in place.
    work = copy.deepcopy(tree)
    schema.validator.preprocess(work)
    entries = schema.errors(work)
    out = [_entry_problem(e, file, work) for e in entries[:MAX_ERRORS_PER_FILE]]
    if len(entries) > MAX_ERRORS_PER_FILE:
        more = len(entries) - MAX_ERRORS_PER_FILE
        out.append(problem(XSD, f"另有 {more} 个架构错误未列出", f"{more} more schema errors not listed",
                           file=file))
    return out


def _entry_problem(entry: etree._LogEntry, file: str, tree: etree._ElementTree) -> Problem:
    el = _element_at(tree, entry.path)
    label = "DMN" if file.lower().endswith(".dmn") else "BPMN 2.0"
    return problem(
        XSD,
        f"不符合 {label} XML 架构（XSD）：{clip(entry.message, 300)}",
        f"does not conform to the {label} XML schema (XSD): {clip(entry.message, 300)}",
        file=file, el=el, line=entry.line if entry.line and entry.line > 0 else None,
    )


def _element_at(tree: etree._ElementTree, path: str | None) -> etree._Element | None:
    if not path:
        return None
    # libxml2 writes the path with the document's own prefixes.
    nsmap = {k: v for k, v in tree.getroot().nsmap.items() if k}
    try:
        found = tree.xpath(path, namespaces=nsmap)
    except etree.XPathError:
        return None
    el = found[0] if isinstance(found, list) and found else None
    # Errors about an element without an id are reported at the nearest ancestor that has one.
    while el is not None and isinstance(el, etree._Element) and el.get("id") is None:
        el = el.getparent()
    return el if isinstance(el, etree._Element) else None
