"""Building SpiffWorkflow specs for a bundle from our hardened trees.

SpiffWorkflow never sees raw bytes: every file is parsed by `xmlsafe.parse_xml` and handed over
with `add_bpmn_xml` / `add_dmn_xml`. Every process marked executable is built eagerly, so a bundle
that loads has no spec that would only fail later, and every SpiffWorkflow exception becomes a
`Problem` instead of a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.camunda.parser import CamundaParser
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from engine.definitions import flavour as _flavour
from engine.definitions import kinds, namespaces
from engine.definitions.bundle import DefinitionBundle
from engine.definitions.problems import CALL, PARSE, problem
from engine.definitions.spiff_errors import exception_problem, find_element
from engine.definitions.xmlsafe import parse_xml
from engine.errors import DefinitionInvalid, Problem


@dataclass
class Trees:
    """The bundle's XML files parsed by the hardened parser; files that failed are in `problems`."""

    bpmn: dict[str, etree._ElementTree] = field(default_factory=dict)
    dmn: dict[str, etree._ElementTree] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def parse_trees(bundle: DefinitionBundle) -> Trees:
    trees = Trees()
    for kind, files, out in ((kinds.BPMN, bundle.bpmn, trees.bpmn), (kinds.DMN, bundle.dmn, trees.dmn)):
        for name in sorted(files):
            try:
                out[name] = parse_xml(files[name], name, kind=kind)
            except DefinitionInvalid as exc:
                trees.problems.extend(exc.problems)
    return trees


@dataclass
class ProcessInfo:
    process_id: str
    name: str
    file: str
    element: etree._Element
    executable: bool


def processes_of(trees: Trees) -> list[ProcessInfo]:
    """Every `bpmn:process` of the bundle, in file order."""
    out = []
    for file, tree in trees.bpmn.items():
        for el in tree.iterfind(".//bpmn:process", namespaces.NSMAP):
            # Same rule as SpiffWorkflow's ProcessParser: a missing isExecutable means executable.
            executable = el.get("isExecutable", "true") == "true"
            out.append(ProcessInfo(el.get("id") or "", el.get("name") or "", file, el, executable))
    return out


def decisions_of(tree: etree._ElementTree) -> list[etree._Element]:
    root = tree.getroot()
    return list(root.iterfind(f"{{{etree.QName(root).namespace}}}decision"))


@dataclass
class ParsedBundle:
    flavour: str
    trees: Trees
    parser: BpmnParser
    process_ids: list[str]  # executable processes, top level only
    names: dict[str, str]  # process id -> name
    decision_ids: dict[str, str]  # decision id -> DMN file, as SpiffWorkflow registered them
    problems: list[Problem] = field(default_factory=list)
    _specs: dict[str, tuple[Any, dict[str, Any]]] = field(default_factory=dict, repr=False)
    _failed: dict[str, list[Problem]] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return not self.problems

    def get_spec(self, process_id: str) -> tuple[Any, dict[str, Any]]:
        """(spec, subprocess_specs) for an executable process, built once and shared."""
        if process_id in self._specs:
            return self._specs[process_id]
        if process_id in self._failed:
            raise DefinitionInvalid(self._failed[process_id])
        raise DefinitionInvalid([problem(
            PARSE,
            f"定义中没有可执行流程 “{process_id}”（可执行流程：{', '.join(self.process_ids) or '无'}）",
            f"no executable process '{process_id}' in the definition "
            f"(executable: {', '.join(self.process_ids) or 'none'})",
            element_id=process_id,
        )])


def new_parser(flavour: str) -> BpmnParser:
    # No validator: XSD validation belongs to validation.py, which reports every schema error,
    # while SpiffWorkflow's validator stops at the first one.
    return SpiffBpmnParser() if flavour == _flavour.SPIFF else CamundaParser()


def load_specs(bundle: DefinitionBundle, trees: Trees | None = None) -> ParsedBundle:
    """Parse the bundle with the parser its flavour calls for and build every executable process.

    Never raises for a bad bundle: look at `.problems` (errors only), or call `get_spec`, which
    raises `DefinitionInvalid` for a process that could not be built.
    """
    trees = trees if trees is not None else parse_trees(bundle)
    flavour = _flavour.flavour_of(trees.bpmn.values())
    parser = new_parser(flavour)
    problems = list(trees.problems)
    decision_ids = _add_dmn(parser, trees, problems)
    broken_files = _add_bpmn(parser, trees, problems)
    processes = [p for p in processes_of(trees) if p.executable]
    parsed = ParsedBundle(
        flavour=flavour, trees=trees, parser=parser,
        process_ids=[p.process_id for p in processes if p.process_id],
        names={p.process_id: p.name for p in processes if p.process_id},
        decision_ids=decision_ids, problems=problems,
    )
    for info in processes:
        _build_process(parsed, info, broken_files)
    for info in processes:
        if info.process_id in parsed._specs:
            _attach_subprocesses(parsed, info)
    return parsed


def _add_dmn(parser: Any, trees: Trees, problems: list[Problem]) -> dict[str, str]:
    registered: dict[str, str] = {}
    for file, tree in trees.dmn.items():
        refused = _dmn_refusal(file, tree, registered)
        if refused is not None:
            problems.append(refused)
            continue
        decision_id = decisions_of(tree)[0].get("id")
        try:
            parser.add_dmn_xml(tree.getroot(), filename=file)
            # DMN tables are parsed lazily by SpiffWorkflow (on first use by a business rule task);
            # parse now so a broken table is reported at upload, not at run time.
            parser.dmn_parsers[decision_id].parse()
        except Exception as exc:  # SpiffWorkflow raises arbitrary types here
            problems.append(exception_problem(exc, file, tree, context_zh=" DMN", context_en=" DMN"))
            parser.dmn_parsers.pop(decision_id, None)
            continue
        registered[decision_id] = file
    return registered


def _dmn_refusal(file: str, tree: etree._ElementTree, registered: dict[str, str]) -> Problem | None:
    """Why SpiffWorkflow's DMN parser would mishandle this file (with a clearer message), or None."""
    root = tree.getroot()
    decisions = decisions_of(tree)
    if len(decisions) != 1:
        # SpiffWorkflow registers only the first decision of a file, and crashes with an
        # AttributeError when it later parses a file with several.
        ids = ", ".join(d.get("id") or "?" for d in decisions)
        return problem(
            PARSE,
            f"DMN 文件必须恰好包含一个决策（SpiffWorkflow 的限制），此文件有 {len(decisions)} 个：{ids}",
            f"a DMN file must hold exactly one decision (a SpiffWorkflow limit); this one has "
            f"{len(decisions)}: {ids or 'none'}",
            file=file, el=root,
        )
    dmn_ns = etree.QName(root).namespace
    if root.nsmap.get(None) != dmn_ns and root.nsmap.get("dmn") != dmn_ns:
        # DMNParser queries "dmn:…" and binds that prefix only from the root's own declarations.
        return problem(
            PARSE,
            "SpiffWorkflow 要求 DMN 命名空间是根元素的默认命名空间或使用前缀 dmn:",
            "SpiffWorkflow needs the DMN namespace declared on the root as the default namespace or "
            "with the prefix dmn:",
            file=file, el=root,
        )
    decision_id = decisions[0].get("id")
    if decision_id in registered:
        # SpiffWorkflow would silently let the later file win.
        return problem(
            PARSE, f"决策 id “{decision_id}” 重复：{registered[decision_id]} 与 {file}",
            f"decision id '{decision_id}' is defined twice: in {registered[decision_id]} and {file}",
            file=file, el=decisions[0],
        )
    return None


def _add_bpmn(parser: Any, trees: Trees, problems: list[Problem]) -> set[str]:
    broken: set[str] = set()
    for file, tree in trees.bpmn.items():
        try:
            parser.add_bpmn_xml(tree, filename=file)
        except Exception as exc:  # SpiffWorkflow raises arbitrary types here
            # The parser keeps whatever it registered before failing; those processes are unusable.
            problems.append(exception_problem(exc, file, tree))
            broken.add(file)
    return broken


def _build_process(parsed: ParsedBundle, info: ProcessInfo, broken_files: set[str]) -> None:
    pid = info.process_id
    if not pid:
        parsed.problems.append(problem(PARSE, "流程缺少 id", "a process has no id",
                                       file=info.file, el=info.element))
        return
    if info.file in broken_files:
        parsed._failed[pid] = [problem(
            PARSE, f"流程 “{pid}” 所在文件无法被 SpiffWorkflow 读取",
            f"process '{pid}' is in a file SpiffWorkflow could not read", file=info.file, el=info.element,
        )]
        return
    owner = parsed.parser.get_process_parser(pid)
    if owner is None or owner.node is not info.element:
        # A duplicate id: SpiffWorkflow kept another process under this id (already reported).
        return
    try:
        spec = parsed.parser.get_spec(pid)
    except Exception as exc:  # SpiffWorkflow raises arbitrary types here
        # A failed build leaves a half-built spec cached in the ProcessParser, which a second
        # get_spec would return without error; remember the failure instead.
        prob = exception_problem(exc, info.file, parsed.trees.bpmn.get(info.file),
                                 context_zh=f"流程 {pid}", context_en=f" process {pid}")
        parsed.problems.append(prob)
        parsed._failed[pid] = [prob]
        return
    parsed._specs[pid] = (spec, {})


def _attach_subprocesses(parsed: ParsedBundle, info: ProcessInfo) -> None:
    """Resolve embedded subprocesses and call activities like `get_subprocess_specs`, but tell a
    call to a missing or non-executable process (CALL) from a broken subprocess body (PARSE)."""
    spec, _ = parsed._specs[info.process_id]
    used: dict[str, Any] = {}
    todo = [spec]
    problems: list[Problem] = []
    while todo:
        current = todo.pop()
        for task_spec in current.task_specs.values():
            if not isinstance(task_spec, SubWorkflowTask) or task_spec.spec in used:
                continue
            sub = _subprocess_spec(parsed, current, task_spec, problems)
            if sub is not None:
                used[task_spec.spec] = sub
                todo.append(sub)
    if problems:
        parsed.problems.extend(problems)
        parsed._failed[info.process_id] = problems
        del parsed._specs[info.process_id]
    else:
        parsed._specs[info.process_id] = (spec, used)


def _subprocess_spec(parsed: ParsedBundle, caller: Any, task_spec: Any, problems: list[Problem]) -> Any:
    target = task_spec.spec
    file = getattr(caller, "file", None) or ""
    tree = parsed.trees.bpmn.get(file)
    el = find_element(tree, task_spec.bpmn_id)
    sub_parser = parsed.parser.get_process_parser(target)
    if sub_parser is None:
        problems.append(problem(
            CALL, f"调用活动调用的流程 “{target}” 不在本定义中",
            f"the call activity calls process '{target}', which is not in the bundle",
            file=file, el=el, element_id=task_spec.bpmn_id,
        ))
        return None
    if not sub_parser.process_executable:
        problems.append(problem(
            CALL,
            f"调用活动调用的流程 “{target}” 标为不可执行（isExecutable=\"false\"），SpiffWorkflow 拒绝调用",
            f"the call activity calls process '{target}', which is marked isExecutable=\"false\"; "
            "SpiffWorkflow refuses to call it",
            file=file, el=el, element_id=task_spec.bpmn_id,
        ))
        return None
    if target in parsed._failed:
        problems.append(problem(
            CALL, f"调用活动调用的流程 “{target}” 本身无法解析",
            f"the called process '{target}' itself failed to parse",
            file=file, el=el, element_id=task_spec.bpmn_id,
        ))
        return None
    try:
        return sub_parser.get_spec()
    except Exception as exc:  # SpiffWorkflow raises arbitrary types here
        sub_file = sub_parser.filename or file
        prob = exception_problem(exc, sub_file, parsed.trees.bpmn.get(sub_file),
                                 context_zh=f"子流程 {target}", context_en=f" subprocess {target}")
        problems.append(prob)
        parsed._failed[target] = [prob]
        return None
