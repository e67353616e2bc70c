"""The analyst's comparison of two versions of a process, and which running cases it touches.

Pure functions over file contents (`bpmn_diff`, `dmn_diff`, `form_diff`, in compare_bpmn.py,
compare_dmn.py and compare_forms.py), plus `version_diff`, which loads two stored versions of
one process and compares their files: the process's own BPMN file, the DMN files by name and the
forms by name. `impact` and `rules_touched` then say what the change reaches.

Besides the elements that changed or vanished in the process's own diagram, a version diff counts
as touched (`VersionDiff.touched`, element id → why) the business rule tasks whose decision
changed, the user tasks whose form changed and the call activities whose called process changed
— the changed decision, form or process being found by its id wherever its file lives, so moving
a decision to another file changes nothing.

Every result is a frozen dataclass with `as_dict()`. Malformed or hostile input raises
`DefinitionInvalid` (XML, from `parse_xml`) or `InvalidInput`, never anything raw.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree
from sqlalchemy.orm import Session

from engine.authoring.compare_bpmn import (
    BpmnDiff,
    Element,
    ElementChange,
    ElementRef,
    PropertyChange,
    Serialisable,
    bpmn_diff,
    bpmn_diff_trees,
    elements_of,
    find_process,
    frozen_map,
    parse_bpmn,
    process_ids,
)
from engine.authoring.compare_dmn import ColumnChange, Decision, DecisionDiff, RowDiff, decisions, dmn_diff
from engine.authoring.compare_forms import FieldChange, FieldRef, FormDiff, form_diff, load_form
from engine.definitions import namespaces
from engine.definitions.bundle import DefinitionBundle
from engine.definitions.cache import bundle_of
from engine.errors import InvalidInput, NotFound
from engine.storage.models import DefinitionVersion

__all__ = [
    "BpmnDiff", "CaseImpact", "ColumnChange", "DecisionDiff", "ElementChange", "ElementRef", "FieldChange",
    "FieldRef", "FormDiff", "PropertyChange", "RowDiff", "VersionDiff", "bpmn_diff", "dmn_diff", "form_diff",
    "impact", "rules_touched", "version_diff", "version_diff_of_bundles",
]


@dataclass(frozen=True)
class VersionDiff(Serialisable):
    process_id: str
    old_version: int | None  # version numbers (None when compared from bundles)
    new_version: int | None
    bpmn_file_before: str
    bpmn_file_after: str
    bpmn: BpmnDiff
    dmn: Mapping[str, tuple[DecisionDiff, ...]]  # DMN file name (in both versions) → its decisions
    dmn_added: tuple[str, ...]
    dmn_removed: tuple[str, ...]
    forms: Mapping[str, FormDiff]  # form file name (in both versions) → its diff
    forms_added: tuple[str, ...]
    forms_removed: tuple[str, ...]
    other_bpmn_changed: tuple[str, ...]  # other BPMN files (called processes) added, removed or edited
    touched: Mapping[str, str]  # element id (of the old version) → why a case there is affected

    @property
    def has_changes(self) -> bool:
        return bool(self.bpmn.has_changes or self.dmn_added or self.dmn_removed or self.forms_added
                    or self.forms_removed or self.other_bpmn_changed or self.touched
                    or any(d.has_changes for ds in self.dmn.values() for d in ds)
                    or any(f.has_changes for f in self.forms.values()))


@dataclass(frozen=True)
class CaseImpact(Serialisable):
    case_id: Any
    at: tuple[str, ...]  # open tasks on touched elements
    passed: tuple[str, ...]  # executed touched elements
    reasons: Mapping[str, str]  # element id → why it is touched


def version_diff(session: Session, old_version_id: int, new_version_id: int) -> VersionDiff:
    """Compare two stored versions of one process (`InvalidInput` if they are of different ones)."""
    old, new = session.get(DefinitionVersion, old_version_id), session.get(DefinitionVersion, new_version_id)
    for wanted, found in ((old_version_id, old), (new_version_id, new)):
        if found is None:
            raise NotFound(f"没有版本 {wanted}", f"no version {wanted}", version_id=wanted)
    assert old is not None and new is not None
    if old.process_id != new.process_id:
        raise InvalidInput(
            f"只能比较同一流程的两个版本：{old.process_id} v{old.version} 与 {new.process_id} v{new.version}",
            f"only two versions of the same process can be compared: {old.process_id} v{old.version} and "
            f"{new.process_id} v{new.version}",
            old_process=old.process_id, new_process=new.process_id)
    return version_diff_of_bundles(bundle_of(old), bundle_of(new), old.process_id,
                                   old_version=old.version, new_version=new.version)


def version_diff_of_bundles(old: DefinitionBundle, new: DefinitionBundle, process_id: str, *,
                            old_version: int | None = None, new_version: int | None = None) -> VersionDiff:
    """`version_diff` on two bundles already in hand (a version's closure, or a draft)."""
    old_trees = {name: parse_bpmn(data, name) for name, data in sorted(old.bpmn.items())}
    new_trees = {name: parse_bpmn(data, name) for name, data in sorted(new.bpmn.items())}
    old_file, new_file = _file_of(old_trees, process_id), _file_of(new_trees, process_id)
    if old_file is None and new_file is None:
        raise InvalidInput(f"两个版本中都没有流程 {process_id} 的 BPMN 文件",
                           f"neither version has a BPMN file with the process {process_id}", process_id=process_id)
    empty = etree.ElementTree(etree.Element(namespaces.tag("definitions")))
    bpmn = bpmn_diff_trees(old_trees[old_file] if old_file else empty, new_trees[new_file] if new_file else empty,
                           process_id)
    dmn = {n: tuple(dmn_diff(old.dmn[n], new.dmn[n], filename=n)) for n in sorted(old.dmn) if n in new.dmn}
    forms = {n: form_diff(old.forms[n], new.forms[n], filename=n) for n in sorted(old.forms) if n in new.forms}
    other = sorted(n for n in set(old.bpmn) | set(new.bpmn)
                   if n not in (old_file, new_file) and old.bpmn.get(n) != new.bpmn.get(n))
    old_elements = elements_of(find_process(old_trees[old_file], process_id)) if old_file else {}
    touched = _touched(bpmn, old_elements, old, new, old_trees, new_trees)
    return VersionDiff(
        process_id, old_version, new_version, old_file or "", new_file or "", bpmn, frozen_map(dmn),
        tuple(sorted(set(new.dmn) - set(old.dmn))), tuple(sorted(set(old.dmn) - set(new.dmn))), frozen_map(forms),
        tuple(sorted(set(new.forms) - set(old.forms))), tuple(sorted(set(old.forms) - set(new.forms))),
        tuple(other), frozen_map(touched))


def _file_of(trees: Mapping[str, Any], process_id: str) -> str | None:
    return next((name for name, tree in trees.items() if find_process(tree, process_id) is not None), None)


def _touched(bpmn: BpmnDiff, old_elements: Mapping[str, Element], old: DefinitionBundle, new: DefinitionBundle,
             old_trees: Mapping[str, Any], new_trees: Mapping[str, Any]) -> dict[str, str]:
    out = {r.id: "removed" for r in bpmn.removed}
    out.update({i: "changed" for i in bpmn.changed})
    changed_decisions = _changed_keys(_all_decisions(old), _all_decisions(new))
    changed_forms = _changed_keys(_all_forms(old), _all_forms(new))
    changed_processes = _changed_keys(_all_processes(old_trees, bpmn.process_id),
                                      _all_processes(new_trees, bpmn.process_id))
    for element_id, element in old_elements.items():
        if element_id in out:
            continue
        props = element.properties
        if props.get("decisionRef") in changed_decisions:
            out[element_id] = f"decision {props['decisionRef']} changed"
        elif element.kind == "userTask" and props.get("formKey") in changed_forms:
            out[element_id] = f"form {props['formKey']} changed"
        elif element.kind == "callActivity" and props.get("calledElement") in changed_processes:
            out[element_id] = f"called process {props['calledElement']} changed"
    return out


def _changed_keys(before: Mapping[str, Any], after: Mapping[str, Any]) -> set[str]:
    return {k for k in set(before) | set(after) if before.get(k) != after.get(k)}


def _all_decisions(bundle: DefinitionBundle) -> dict[str, Decision]:
    out: dict[str, Decision] = {}
    for name, data in sorted(bundle.dmn.items()):
        for decision_id, decision in decisions(data, name).items():
            out.setdefault(decision_id, decision)
    return out


def _all_forms(bundle: DefinitionBundle) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, data in sorted(bundle.forms.items()):
        form = load_form(data, name)
        out.setdefault(form.id, {p: f.properties for p, f in form.fields.items()})
    return out


def _all_processes(trees: Mapping[str, Any], own: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for tree in trees.values():
        for pid in process_ids(tree):
            if pid != own:
                elements = elements_of(find_process(tree, pid))
                out.setdefault(pid, {i: (e.kind, e.properties) for i, e in elements.items()})
    return out


def impact(diff: VersionDiff | BpmnDiff,
           cases: Iterable[tuple[Any, Collection[str], Collection[str]]]) -> list[CaseImpact]:
    """The cases, given as (case id, open task element ids, executed element ids), that sit on or
    have passed an element the change touches, in the order given; untouched cases are left out."""
    if isinstance(diff, VersionDiff):
        reasons: Mapping[str, str] = diff.touched
    else:
        reasons = {i: "changed" if i in diff.changed else "removed" for i in diff.touched}
    out: list[CaseImpact] = []
    for case_id, open_elements, executed in cases:
        at = tuple(sorted(set(open_elements) & reasons.keys()))
        passed = tuple(sorted(set(executed) & reasons.keys()))
        if at or passed:
            out.append(CaseImpact(case_id, at, passed, frozen_map({i: reasons[i] for i in (*at, *passed)})))
    return out


def rules_touched(dmn_diffs: Iterable[DecisionDiff] | Mapping[str, Iterable[DecisionDiff]] | VersionDiff,
                  ) -> set[tuple[str, str]]:
    """(decision id, rule id) of every added, removed or changed row."""
    if isinstance(dmn_diffs, VersionDiff):
        dmn_diffs = dmn_diffs.dmn
    groups = dmn_diffs.values() if isinstance(dmn_diffs, Mapping) else [dmn_diffs]
    return {(d.decision_id, r.rule_id) for group in groups for d in group for r in d.rows if r.status != "same"}
