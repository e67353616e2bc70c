"""Strict validation of a definition bundle before it is deployed.

Every stage runs and every problem is reported, not only the first: hostile or broken XML, the
XSDs, SpiffWorkflow's own parse of each executable process, sandbox compilation of all diagram
code, and Waishi's modelling rules. Each problem carries its stage in `Problem.code` (see
problems.py), so a caller can tell "SpiffWorkflow cannot read this" from "this breaks our rules".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from engine.definitions import kinds, problems
from engine.definitions.bundle import DefinitionBundle
from engine.definitions.context import Context
from engine.definitions.dmn_checks import check_dmn
from engine.definitions.expressions import check_expressions
from engine.definitions.forms import index_forms
from engine.definitions.parsing import load_specs, parse_trees
from engine.definitions.rules import (
    check_bundle,
    check_call_activities,
    check_decisions,
    check_dialects,
    check_forms,
    check_gateways,
    check_lanes,
    check_task_types,
)
from engine.definitions.xsd import xsd_problems
from engine.errors import DefinitionInvalid, Problem

Check = Callable[[Context], Iterable[Problem]]

# (stage code, check): the code labels an unexpected crash of that check.
CHECKS: tuple[tuple[str, Check], ...] = (
    (problems.BUNDLE, check_bundle),
    (problems.BUNDLE, check_dialects),
    (problems.EXPRESSION, check_expressions),
    (problems.EXPRESSION, check_dmn),
    (problems.LANE, check_lanes),
    (problems.FORM, check_forms),
    (problems.DECISION, check_decisions),
    (problems.GATEWAY, check_gateways),
    (problems.CALL, check_call_activities),
    (problems.TASK, check_task_types),
)


@dataclass
class ValidationReport:
    problems: list[Problem] = field(default_factory=list)  # errors: the bundle must not be deployed
    warnings: list[Problem] = field(default_factory=list)
    process_ids: list[str] = field(default_factory=list)  # executable processes
    names: dict[str, str] = field(default_factory=dict)  # process id -> name
    flavour: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    def codes(self) -> set[str]:
        return {p.code for p in self.problems}

    def raise_if_invalid(self) -> None:
        if not self.ok:
            raise DefinitionInvalid(self.problems + self.warnings)


def validate(bundle: DefinitionBundle, *, known_forms: set[str] | None = None) -> ValidationReport:
    """Check everything about `bundle`; never raises for bad content.

    `known_forms` are form ids deployed earlier, which user tasks may name without the bundle
    carrying the form file.
    """
    trees = parse_trees(bundle)
    try:
        parsed = load_specs(bundle, trees)
    except Exception as exc:  # load_specs converts SpiffWorkflow's errors; anything else is our bug
        return ValidationReport(problems=[*trees.problems, _internal(problems.PARSE, exc)])
    ctx = Context(parsed=parsed, forms=index_forms(bundle), known_forms=set(known_forms or ()))
    found: list[Problem] = list(parsed.problems)  # includes the XML-stage problems of `trees`
    found += _schema_problems(ctx)
    rule_problems: list[Problem] = []
    for code, check in CHECKS:
        rule_problems += _run(code, check, ctx)
    rule_problems += _form_warnings(bundle, ctx)
    found = _without_echoes(found, rule_problems) + rule_problems
    found = _dedupe(found)
    found.sort(key=lambda p: (p.file or "", p.line or 0))
    return ValidationReport(
        problems=[p for p in found if p.severity == "error"],
        warnings=[p for p in found if p.severity != "error"],
        process_ids=list(parsed.process_ids),
        names=dict(parsed.names),
        flavour=parsed.flavour,
    )


def _form_warnings(bundle: DefinitionBundle, ctx: Context) -> list[Problem]:
    """What the server-side form model could not use (unknown component types, bad patterns,
    `after` pointing nowhere): deployable, but the analyst should know before users do."""
    from engine.forms.parse import load_form_spec  # the form model builds on definitions.forms

    out: list[Problem] = []
    for form_id, name in sorted(ctx.forms.by_id.items()):
        try:
            spec = load_form_spec(bundle.forms[name], name)
        except DefinitionInvalid:
            continue  # already reported by check_forms
        for w in spec.warnings:
            out.append(Problem(w.zh, w.en, file=name, element_id=form_id, severity="warning", code=problems.FORM))
    return out


def _schema_problems(ctx: Context) -> list[Problem]:
    out: list[Problem] = []
    for kind, trees in ((kinds.BPMN, ctx.parsed.trees.bpmn), (kinds.DMN, ctx.parsed.trees.dmn)):
        for file, tree in trees.items():
            def one_file(c: Context, t=tree, f=file, k=kind) -> list[Problem]:
                return xsd_problems(t, f, k, c.flavour)

            out += _run(problems.XSD, one_file, ctx)
    return out


def _run(code: str, check: Check, ctx: Context) -> list[Problem]:
    try:
        return list(check(ctx))
    except Exception as exc:  # a validator bug must refuse the upload, not crash the request
        return [_internal(code, exc)]


def _internal(code: str, exc: Exception) -> Problem:
    return problems.problem(
        code, f"校验程序内部错误（{code}）：{type(exc).__name__}: {exc}",
        f"internal validator error ({code}): {type(exc).__name__}: {exc}", internal=True,
    )


def _without_echoes(parse_problems: list[Problem], rule_problems: list[Problem]) -> list[Problem]:
    """Drop SpiffWorkflow's report of a fault our own rules already explain better on the same
    element (a missing call target or decision), so each fault is listed once."""
    explained = {(p.file, p.element_id) for p in rule_problems
                 if p.element_id and p.code in (problems.CALL, problems.DECISION)}
    return [p for p in parse_problems
            if p.code not in (problems.PARSE, problems.CALL) or (p.file, p.element_id) not in explained]


def _dedupe(found: list[Problem]) -> list[Problem]:
    seen: set[tuple] = set()
    out = []
    for p in found:
        key = (p.code, p.file, p.element_id, p.line, p.en)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out
