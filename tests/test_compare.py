"""The analyst's comparison of two versions: BPMN elements, DMN rows, form fields, stored versions,
and which running cases a change reaches."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.authoring.compare import (
    VersionDiff,
    bpmn_diff,
    dmn_diff,
    form_diff,
    impact,
    rules_touched,
    version_diff,
)
from engine.authoring.compare_bpmn import parse_bpmn, process_ids
from engine.definitions import kinds
from engine.definitions.deploy import deploy_paths
from engine.errors import DefinitionInvalid, InvalidInput, NotFound, WaishiError
from engine.storage.models import DefinitionVersion
from tests.conftest import TEST_PROCESSES

REPO = Path(__file__).resolve().parents[1]
TRIP_STAFF = (REPO / "processes" / "trip_staff.bpmn").read_bytes()
TRIP_LIMITS = (REPO / "processes" / "trip_limits.dmn").read_bytes()
APPLY_FORM = (REPO / "forms" / "trip_staff_apply.form").read_bytes()


# ---- BPMN ----------------------------------------------------------------------------------------

def test_the_same_diagram_has_no_changes():
    diff = bpmn_diff(TRIP_STAFF, TRIP_STAFF, "trip_staff")
    assert not diff.has_changes and diff.layout_changed == ()
    json.dumps(diff.as_dict())


def test_renamed_task_is_changed_with_its_name_and_kind():
    new = TRIP_STAFF.replace('name="填写出访申请"'.encode(), 'name="填写因公出访申请"'.encode())
    diff = bpmn_diff(TRIP_STAFF, new, "trip_staff")
    assert (diff.added, diff.removed, list(diff.changed)) == ((), (), ["ut_apply"])
    change = diff.changed["ut_apply"]
    assert (change.name, change.kind) == ("填写因公出访申请", "userTask")
    assert [(c.name, c.before, c.after) for c in change] == [("name", "填写出访申请", "填写因公出访申请")]
    assert diff.touched == {"ut_apply"}
    assert json.loads(json.dumps(diff.as_dict()))["changed"]["ut_apply"]["changes"][0]["name"] == "name"


def test_deleted_flow_is_removed():
    flow = re.search(rb'\s*<bpmn:sequenceFlow id="f_init"[^>]*/>', TRIP_STAFF)
    assert flow is not None
    new = TRIP_STAFF.replace(flow.group(0), b"")
    diff = bpmn_diff(TRIP_STAFF, new, "trip_staff")
    assert [(r.id, r.kind) for r in diff.removed] == [("f_init", "sequenceFlow")]
    assert diff.added == () and dict(diff.changed) == {}


def test_properties_are_named_readably():
    old = (TEST_PROCESSES / "test_approval.bpmn").read_bytes()
    new = (old.replace(b"decision == 'reject'", b"decision in ('reject', 'refuse')")
           .replace(b'default="f_head_ok"', b'default="f_head_reject"')
           .replace(b'camunda:formKey="test_budget"', b'camunda:formKey="test_budget_v2"')
           .replace(b'camunda:decisionRef="test_level"', b'camunda:decisionRef="test_level_v2"')
           .replace(b'f"P{sla_days}D"', b'f"P{sla_days + 1}D"')
           .replace(b"rounds = len", b"rounds = 1 + len")
           .replace(b"The FAO director decides.", b"The FAO director decides alone.")
           .replace(b'sourceRef="ut_escalated" targetRef="gw_final"',
                    b'sourceRef="ut_escalated" targetRef="st_finalize"')
           .replace(b"<bpmn:flowNodeRef>ut_escalated</bpmn:flowNodeRef>", b"")
           .replace(b"<bpmn:flowNodeRef>end_done</bpmn:flowNodeRef>",
                    b"<bpmn:flowNodeRef>end_done</bpmn:flowNodeRef><bpmn:flowNodeRef>ut_escalated</bpmn:flowNodeRef>"))
    diff = bpmn_diff(old, new, "test_approval")
    names = {i: [c.name for c in ch] for i, ch in diff.changed.items()}
    assert names == {
        "f_head_reject": ["condition"], "gw_head": ["default"], "ut_budget": ["formKey"],
        "brt_level": ["decisionRef"], "bt_director_late": ["timer"], "st_finalize": ["script"],
        "ut_director": ["documentation"], "f13": ["targetRef"], "ut_escalated": ["lane"],
        "lane_section_chief": ["elements"], "lane_fao_director": ["elements"],
    }
    assert diff.changed["ut_escalated"].get("lane").after == "lane_fao_director"
    assert diff.changed["bt_director_late"][0].after == 'timeDuration: f"P{sla_days + 1}D"'


def test_called_element_extensions_and_kind():
    old = TRIP_STAFF
    new = (old.replace(b'calledElement="post_trip"', b'calledElement="post_trip_v2"')
           .replace(b'calledElement="passport_visa">',
                    b'calledElement="passport_visa"><bpmn:extensionElements><camunda:properties>'
                    b'<camunda:property name="sla" value="P5D"/></camunda:properties></bpmn:extensionElements>')
           .replace(b'<bpmn:exclusiveGateway id="gw_apply_merge"', b'<bpmn:inclusiveGateway id="gw_apply_merge"'))
    diff = bpmn_diff(old, new, "trip_staff")
    assert [(c.name, c.before, c.after) for c in diff.changed["ca_post_trip"]] == [
        ("calledElement", "post_trip", "post_trip_v2")]
    assert [(c.name, c.after) for c in diff.changed["ca_passport_visa"]] == [("property.sla", "P5D")]
    assert [(c.name, c.before, c.after) for c in diff.changed["gw_apply_merge"]] == [
        ("kind", "exclusiveGateway", "inclusiveGateway")]


def test_layout_only_moves_are_reported_apart():
    new = TRIP_STAFF.replace(b'<di:waypoint x="288" y="155"/>', b'<di:waypoint x="290.0" y="155"/>')
    diff = bpmn_diff(TRIP_STAFF, new, "trip_staff")
    assert not diff.has_changes
    assert [r.id for r in diff.layout_changed] == ["f_start"]
    same = TRIP_STAFF.replace(b'<di:waypoint x="288" y="155"/>', b'<di:waypoint x="288.0" y="155"/>')
    assert bpmn_diff(TRIP_STAFF, same, "trip_staff").layout_changed == ()


def test_added_process_and_missing_process():
    other = (TEST_PROCESSES / "test_approval.bpmn").read_bytes()
    diff = bpmn_diff(TRIP_STAFF, other, "test_approval")
    assert diff.removed == () and "ut_apply" in {r.id for r in diff.added}
    with pytest.raises(InvalidInput) as caught:
        bpmn_diff(TRIP_STAFF, TRIP_STAFF, "no_such_process")
    assert "no_such_process" in caught.value.message.zh and "no_such_process" in caught.value.message.en


def test_hostile_and_broken_xml_is_definition_invalid():
    xxe = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&x;</bpmn:definitions>')
    for bad in (xxe, b"", b"<bpmn:definitions", b"\x89PNG\r\n\x1a\n....", TRIP_LIMITS):
        with pytest.raises(DefinitionInvalid):
            bpmn_diff(TRIP_STAFF, bad, "trip_staff")
    with pytest.raises(DefinitionInvalid):
        dmn_diff(TRIP_LIMITS, TRIP_STAFF)


# ---- DMN -----------------------------------------------------------------------------------------

def _two_countries_row(diffs):
    """The trip_limits row whose countries input is 2 and whose limit_value output is 8."""
    decision = diffs[0]
    countries = decision.headers_after.index("出访国家数（含经停）")
    value = decision.headers_after.index("限额")
    rows = [r for r in decision.rows if r.after[countries] == "2" and r.after[value] == "8"]
    assert len(rows) == 1
    return rows[0], decision.headers_after.index("在外天数（出入境当日计入）"), value


def test_the_same_table_has_no_changes():
    diffs = dmn_diff(TRIP_LIMITS, TRIP_LIMITS)
    assert [(d.decision_id, d.status) for d in diffs] == [("trip_limits", "same")]
    assert {r.status for r in diffs[0].rows} == {"same"} and rules_touched(diffs) == set()
    json.dumps([d.as_dict() for d in diffs])


def test_changed_rule_is_exactly_that_row_with_its_cells_and_description():
    row, days, value = _two_countries_row(dmn_diff(TRIP_LIMITS, TRIP_LIMITS))
    rule = re.search(rb'<rule id="%s">.*?</rule>' % row.rule_id.encode(), TRIP_LIMITS, re.S).group(0)
    edited = rule.replace(b"<text>&gt; 8</text>", b"<text>&gt; 7</text>").replace(b"<text>8</text>", b"<text>7</text>")
    diffs = dmn_diff(TRIP_LIMITS, TRIP_LIMITS.replace(rule, edited))
    changed = [r for r in diffs[0].rows if r.status != "same"]
    assert [r.rule_id for r in changed] == [row.rule_id] == ["r_days_2"]
    (got,) = changed
    assert got.changed_cells == (days, value) == (1, 6)
    assert (got.before[days], got.after[days], got.before[value], got.after[value]) == ("> 8", "> 7", "8", "7")
    source = "[S2] 2 countries: at most 8 days abroad (2008 regime: 10)"
    assert got.description_before == got.description_after == source
    assert diffs[0].status == "changed" and diffs[0].changes == () and diffs[0].columns == ()
    assert rules_touched(diffs) == {("trip_limits", "r_days_2")}


def test_a_new_source_alone_changes_the_row():
    new = TRIP_LIMITS.replace(b"[S2] 2 countries: at most 8 days abroad", b"[S2][S40 2026-03-01] 2 countries: 8 days")
    (row,) = [r for r in dmn_diff(TRIP_LIMITS, new)[0].rows if r.status != "same"]
    assert (row.rule_id, row.status, row.changed_cells) == ("r_days_2", "changed", ())
    assert row.description_after == "[S2][S40 2026-03-01] 2 countries: 8 days (2008 regime: 10)"


def test_added_and_removed_rows_keep_their_places():
    rule = re.search(rb'\s*<rule id="r_size">.*?</rule>', TRIP_LIMITS, re.S).group(0)
    copy = rule.replace(b'"r_size', b'"r_size_big').replace(b"&gt; 6", b"&gt; 12")
    grown = TRIP_LIMITS.replace(rule, rule + copy)
    diffs = dmn_diff(TRIP_LIMITS, grown)
    statuses = [(r.rule_id, r.status) for r in diffs[0].rows]
    assert statuses[4:6] == [("r_size", "same"), ("r_size_big", "added")]
    added = diffs[0].rows[5]
    assert added.before == () and added.after[2] == "> 12" and added.description_before is None
    assert rules_touched(diffs) == {("trip_limits", "r_size_big")}
    shrunk = dmn_diff(TRIP_LIMITS, TRIP_LIMITS.replace(rule, b""))
    assert [(r.rule_id, r.status) for r in shrunk[0].rows][3:6] == [
        ("r_days_3", "same"), ("r_size", "removed"), ("r_notice", "same")]
    assert shrunk[0].rows[4].after == () and shrunk[0].rows[4].description_before.startswith("[S3]")


def test_hit_policy_and_columns():
    new = (TRIP_LIMITS.replace(b'hitPolicy="COLLECT"', b'hitPolicy="RULE ORDER"')
           .replace('label="团组人数"'.encode(), b'label="delegation size"')
           .replace(b"<text>delegation_size</text></inputExpression>", b"<text>len(members)</text></inputExpression>"))
    (decision,) = dmn_diff(TRIP_LIMITS, new)
    assert [(c.name, c.before, c.after) for c in decision.changes] == [("hitPolicy", "COLLECT", "RULE ORDER")]
    (column,) = decision.columns
    assert (column.column_id, column.kind, column.status) == ("in_size", "input", "changed")
    assert [c.name for c in column.changes] == ["label", "expression"]
    assert {r.status for r in decision.rows} == {"same"}


def test_added_and_removed_decisions():
    level = (TEST_PROCESSES / "test_level.dmn").read_bytes()
    diffs = dmn_diff(level, TRIP_LIMITS)
    assert [(d.decision_id, d.status) for d in diffs] == [("trip_limits", "added"), ("test_level", "removed")]
    assert {r.status for r in diffs[0].rows} == {"added"} and {r.status for r in diffs[1].rows} == {"removed"}
    assert ("test_level", "r3") in rules_touched(diffs) and len(rules_touched(diffs)) == 7 + 3


# ---- forms ---------------------------------------------------------------------------------------

def _edit_form(data: bytes) -> bytes:
    form = json.loads(data)
    for comp in form["components"]:
        if comp.get("key") == "route":
            comp.setdefault("validate", {})["required"] = True
        if comp.get("path") == "members":
            comp["components"].append({"type": "textfield", "id": "f_email", "key": "email", "label": "电子邮箱",
                                       "properties": {"label_en": "E-mail"}})
    return json.dumps(form, ensure_ascii=False).encode()


def test_form_field_made_required_and_field_added():
    assert not form_diff(APPLY_FORM, APPLY_FORM).has_changes
    diff = form_diff(APPLY_FORM, _edit_form(APPLY_FORM))
    assert [(f.path, f.type, f.label) for f in diff.added] == [("members.email", "textfield", "电子邮箱")]
    assert diff.removed == () and list(diff.changed) == ["route"]
    assert [(c.name, c.before, c.after) for c in diff.changed["route"].changes] == [
        ("validate.required", "false", "true")]
    json.dumps(diff.as_dict())


def test_form_nested_paths_and_properties():
    form = json.loads(APPLY_FORM)
    inviter = next(c for c in form["components"] if c.get("path") == "inviter")
    inviter["components"][0]["properties"]["label_en"] = "Inviter (Chinese name)"
    inviter["components"][0]["validate"]["maxLength"] = 80
    removed = inviter["components"].pop()
    diff = form_diff(APPLY_FORM, json.dumps(form).encode())
    assert [f.path for f in diff.removed] == [f"inviter.{removed['key']}"]
    names = [c.name for c in diff.changed["inviter.name_zh"].changes]
    assert sorted(names) == ["properties.label_en", "validate.maxLength"]


@pytest.mark.parametrize("bad", [b"{", b"[]", b'{"components": 3}', b"NaN", b"\xff\xfe\x00", b"[" * 100_000,
                                 json.dumps({"components": [{"components": [{"components": []}]}]}).encode()])
def test_bad_forms_are_invalid_input(bad):
    if bad.startswith(b'{"components": [{'):  # nested deeper than allowed
        deep: dict = {"type": "group", "components": []}
        for _ in range(40):
            deep = {"type": "group", "components": [deep]}
        bad = json.dumps({"components": [deep]}).encode()
    with pytest.raises(InvalidInput):
        form_diff(APPLY_FORM, bad)


# ---- conformance corpus --------------------------------------------------------------------------

def _corpus() -> list[Path]:
    root = REPO.parent / "shared" / "conformance" / "files"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []


@pytest.mark.skipif(not _corpus(), reason="shared conformance corpus not found")
@pytest.mark.parametrize("path", _corpus(), ids=lambda p: p.name)
def test_every_corpus_file_against_itself(path):
    data = path.read_bytes()
    try:
        if kinds.kind_of(path.name) == kinds.DMN:
            diffs = dmn_diff(data, data, filename=path.name)
            assert not any(d.has_changes for d in diffs) and rules_touched(diffs) == set()
            json.dumps([d.as_dict() for d in diffs])
            return
        pids = process_ids(parse_bpmn(data, path.name))
        for pid in pids:
            diff = bpmn_diff(data, data, pid, filename=path.name)
            assert not diff.has_changes and diff.layout_changed == ()
            json.dumps(diff.as_dict())
        with pytest.raises(InvalidInput):
            bpmn_diff(data, data, "no such process \u0000", filename=path.name)
    except WaishiError as exc:
        assert isinstance(exc, DefinitionInvalid | InvalidInput)


# ---- stored versions and their impact -----------------------------------------------------------

def _versions(db):
    with db.read() as s:
        return {(v.process_id, v.version): v.id for v in s.scalars(select(DefinitionVersion))}


def test_version_diff_and_impact(deployed, tmp_path):
    defs = tmp_path / "defs"
    shutil.copytree(TEST_PROCESSES, defs)
    bpmn = defs / "test_approval.bpmn"
    bpmn.write_text(bpmn.read_text().replace('name="外办审查"', 'name="外办初审"'))
    dmn = defs / "test_level.dmn"
    dmn.write_text(dmn.read_text().replace("<text>'director'</text>", "<text>'section_chief'</text>"))
    form = defs / "test_apply.form"
    form.write_bytes(_edit_apply(form.read_bytes()))
    deploy_paths(deployed, [defs])
    ids = _versions(deployed)
    with deployed.read() as s:
        diff = version_diff(s, ids[("test_approval", 1)], ids[("test_approval", 2)])
    assert isinstance(diff, VersionDiff) and diff.has_changes
    assert (diff.process_id, diff.old_version, diff.new_version) == ("test_approval", 1, 2)
    assert list(diff.bpmn.changed) == ["ut_review"] and diff.bpmn_file_after == "test_approval.bpmn"
    assert rules_touched(diff) == {("test_level", "r2")}
    assert [(r.rule_id, r.changed_cells) for r in diff.dmn["test_level.dmn"][0].rows if r.status != "same"] == [
        ("r2", (2,))]
    apply_diff = diff.forms["test_apply.form"]
    assert [f.path for f in apply_diff.added] == ["purpose"] and list(apply_diff.changed) == ["days"]
    assert not diff.forms["test_budget.form"].has_changes
    assert (diff.dmn_added, diff.dmn_removed, diff.forms_added, diff.forms_removed) == ((), (), (), ())
    assert dict(diff.touched) == {"ut_review": "changed", "brt_level": "decision test_level changed",
                                  "ut_apply": "form test_apply changed"}
    json.dumps(diff.as_dict())

    cases = [(1, {"ut_apply"}, {"start"}), (2, {"ut_head"}, {"start", "ut_apply", "brt_level"}),
             (3, {"ut_director"}, {"gw_split", "ut_budget"}), (4, {"ut_review"}, set())]
    got = impact(diff, cases)
    assert [(c.case_id, c.at, c.passed) for c in got] == [
        (1, ("ut_apply",), ()), (2, (), ("brt_level", "ut_apply")), (4, ("ut_review",), ())]
    assert dict(got[1].reasons) == {"brt_level": "decision test_level changed", "ut_apply": "form test_apply changed"}
    assert [c.case_id for c in impact(diff.bpmn, cases)] == [4]
    json.dumps([c.as_dict() for c in got])


def _edit_apply(data: bytes) -> bytes:
    form = json.loads(data)
    form["components"][1]["validate"]["max"] = 30
    form["components"].append({"type": "textfield", "key": "purpose", "label": "目的", "validate": {"required": True}})
    return json.dumps(form, ensure_ascii=False).encode()


def test_version_diff_refuses_two_processes(deployed, tmp_path):
    defs = tmp_path / "other"
    shutil.copytree(TEST_PROCESSES, defs)
    bpmn = defs / "test_approval.bpmn"
    bpmn.write_text(bpmn.read_text().replace('"test_approval"', '"test_approval_b"'))
    deploy_paths(deployed, [defs])
    ids = _versions(deployed)
    with deployed.read() as s:
        with pytest.raises(InvalidInput) as caught:
            version_diff(s, ids[("test_approval", 1)], ids[("test_approval_b", 1)])
        assert "test_approval_b" in caught.value.message.zh and "same process" in caught.value.message.en
        with pytest.raises(NotFound):
            version_diff(s, ids[("test_approval", 1)], 99999)
