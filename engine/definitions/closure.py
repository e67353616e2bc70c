"""Which files one process needs: its own BPMN file, the files of the processes it calls, the
DMN files of the decisions it uses and the forms its user tasks name. A version's content hash
covers exactly these, so editing an unrelated diagram never bumps this process's version."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from engine.definitions.bundle import DefinitionBundle
from engine.definitions.forms import form_ids
from engine.definitions.xmlsafe import parse_xml

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"


@dataclass
class _ProcessRefs:
    file: str
    calls: set[str] = field(default_factory=set)
    decisions: set[str] = field(default_factory=set)
    forms: set[str] = field(default_factory=set)


def closure(bundle: DefinitionBundle, process_id: str) -> DefinitionBundle:
    processes = _index_processes(bundle)
    decision_files = _index_decisions(bundle)
    forms_by_id = form_ids(bundle)
    out = DefinitionBundle(bpmn={}, dmn={}, forms={})
    seen: set[str] = set()
    todo = [process_id]
    while todo:
        pid = todo.pop()
        if pid in seen or pid not in processes:
            continue
        seen.add(pid)
        refs = processes[pid]
        out.bpmn[refs.file] = bundle.bpmn[refs.file]
        todo.extend(refs.calls)
        for decision in refs.decisions:
            if decision in decision_files:
                name = decision_files[decision]
                out.dmn[name] = bundle.dmn[name]
        for form in refs.forms:
            if form in forms_by_id:
                name = forms_by_id[form]
                out.forms[name] = bundle.forms[name]
    return out


def _index_processes(bundle: DefinitionBundle) -> dict[str, _ProcessRefs]:
    out: dict[str, _ProcessRefs] = {}
    for name, content in bundle.bpmn.items():
        root = parse_xml(content, name).getroot()
        for proc in root.iter(f"{{{BPMN}}}process"):
            refs = _ProcessRefs(file=name)
            for el in proc.iter(f"{{{BPMN}}}callActivity"):
                if el.get("calledElement"):
                    refs.calls.add(el.get("calledElement"))
            for el in proc.iter(f"{{{BPMN}}}businessRuleTask"):
                ref = el.get(f"{{{CAMUNDA}}}decisionRef")
                if ref:
                    refs.decisions.add(ref)
                refs.decisions.update(
                    (x.text or "").strip() for x in el.iter(f"{{{SPIFF}}}calledDecisionId") if x.text
                )
            for el in proc.iter(f"{{{BPMN}}}userTask"):
                if el.get(f"{{{CAMUNDA}}}formKey"):
                    refs.forms.add(el.get(f"{{{CAMUNDA}}}formKey"))
            if proc.get("id"):
                out[proc.get("id")] = refs
    return out


def _index_decisions(bundle: DefinitionBundle) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, content in bundle.dmn.items():
        root = parse_xml(content, name).getroot()
        for el in root.iter():
            if isinstance(el.tag, str) and etree.QName(el).localname == "decision" and el.get("id"):
                out[el.get("id")] = name
    return out
