"""Scenario files: the format's checks, the runner against the real engine (SQLite, or PostgreSQL
when DATABASE_URL is set), the CLI, and every real scenario in processes/scenarios/."""

from __future__ import annotations

import shutil
import time
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from engine.cli import main
from engine.definitions.cache import SpecCache
from engine.scenarios import (
    ScenarioInvalid,
    checks,
    default_definitions,
    deploy_definitions,
    load_scenario,
    parse_scenario,
    run_files,
    run_scenario,
)
from engine.storage.db import Database
from engine.storage.models import Case
from tests.conftest import TEST_PROCESSES, TESTS, built_template, copy_of_template
from tests.helpers import get_case

SCENARIOS = TESTS / "scenarios"
TEST_FILES = sorted(SCENARIOS.glob("*.toml"))
REAL_FILES = sorted((TESTS.parent / "processes" / "scenarios").glob("*.toml"))
EFFECTS = TESTS / "processes_effects"


def run_text(tmp_path: Path, body: str, db_url: str, definitions=(TEST_PROCESSES,)):
    path = tmp_path / "s.toml"
    path.write_text(body, encoding="utf-8")
    [result] = run_files([path], definitions=list(definitions), url=db_url)
    return result


def scenario_of(path: Path, **changes):
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    raw.update(changes)
    return parse_scenario(raw, source=path)


HEAD = """
name = "t"
process = "test_approval"
start_as = "unit_clerk"
"""
APPLY = """
[[steps]]
role = "unit_clerk"
[steps.data]
applicant = "张三"
days = 8
countries = 2
"""
APPROVE_HEAD = """
[[steps]]
role = "unit_head"
[steps.data]
decision = "approve"
"""


# -- the test process's scenarios ----------------------------------------------------------------

@pytest.mark.parametrize("path", TEST_FILES, ids=[p.stem for p in TEST_FILES])
def test_scenario_files_of_the_test_process_pass(path, db_url):
    [result] = run_files([path], definitions=[TEST_PROCESSES], url=db_url)
    assert result.ok, result.report("en")
    assert result.case_id is not None


def test_the_loop_scenario_prints_its_path(db_url):
    [result] = run_files([SCENARIOS / "test_approval_loop.toml"], definitions=[TEST_PROCESSES], url=db_url)
    lines = [line.en for line in result.lines]
    assert lines[0].startswith("start  2026-03-02 09:00  clerk_commerce  start test_approval")
    assert "  2  2026-03-02 11:10  head_commerce   unit_head      ut_head" in lines[2]
    assert lines[2].endswith("→ open: ut_apply")
    assert "2026-03-09 12:00  system          timers fired: bt_director_late → open: ut_escalated" in lines[9]
    assert lines[-1].endswith("→ case completed")
    assert "按预期被拒绝" not in "\n".join(line.zh for line in result.lines)
    report = result.report("en")
    assert report.splitlines()[0].startswith("== ") and report.splitlines()[-1].startswith("OK (")


def test_scenarios_found_at_least_the_three_documented_ones():
    assert {p.stem for p in TEST_FILES} >= {"test_approval_loop", "test_approval_reject", "test_approval_refusals",
                                            "test_approval_second_case"}


def test_the_second_case_scenario_starts_another_case_and_leaves_it_alone(db_url):
    [result] = run_files([SCENARIOS / "test_approval_second_case.toml"], definitions=[TEST_PROCESSES], url=db_url)
    assert result.ok, result.report("en")
    assert result.case_id == 1
    assert ("2026-03-02 09:20  clerk_education start_other test_approval (unit education) → case 2 (left alone)"
            in result.lines[2].en)
    assert "发起另一案件 test_approval（单位 education） → 案件 2（不再处理）" in result.lines[2].zh
    assert result.lines[5].en.endswith("expect_notifications none ✓")
    other = get_case(Database(db_url), 2)
    assert (other.status, other.unit_code, other.started_by) == ("running", "education", "clerk_education")
    assert other.data.get("note") == "另一案件"


# -- wrong expectations fail, naming the step or field --------------------------------------------

def test_wrong_final_expectations_are_each_named(deployed):
    scenario = scenario_of(SCENARIOS / "test_approval_loop.toml", expect={
        "status": "running", "roles": ["unit_clerk"], "open": ["ut_head"],
        "data": {"level": "leader", "sla_days": 5, "nope": 1, "days": True},
    })
    result = run_scenario(scenario, deployed)
    assert not result.ok
    text_en = result.failure_text("en")
    assert text_en.startswith("[expect] status: expected running, got completed")
    assert '[expect] roles: expected ["unit_clerk"], got ["unit_clerk", "unit_head",' in text_en
    assert '[expect] open: open tasks expected ["ut_head"], got []' in text_en
    assert '[expect.data] level: expected "leader", got "director"' in text_en
    assert "[expect.data] nope: missing from the case data" in text_en
    assert '[expect.data] days: expected true, got 9' in text_en  # true is not 1 (nor 9)
    assert "sla_days" not in text_en
    assert "[expect.data] level：应为" in result.failure_text("zh")
    assert len(result.failures) == 6


def test_a_failing_step_stops_the_run_and_names_the_step(deployed):
    raw = tomllib.loads((SCENARIOS / "test_approval_loop.toml").read_text(encoding="utf-8"))
    raw["steps"][4] = {"expect_open": ["ut_review"]}
    result = run_scenario(parse_scenario(raw), deployed)
    assert result.failure_text("en") == ('step 5: expect_open: open tasks expected ["ut_review"], '
                                         'got ["ut_budget", "ut_review"]')
    assert len(result.lines) == 5  # start and steps 1–4; nothing after the failure
    assert "第 5 步" in result.failure_text("zh")


@pytest.mark.parametrize("steps, expected", [
    ('[[steps]]\nrole = "fao_director"\n', "step 1: no open task for fao_director (open: ut_apply [unit_clerk])"),
    ('[[steps]]\nrole = "unit_head"\ntask = "ut_apply"\n',
     "step 1: task ut_apply is open for role unit_clerk, not for unit_head"),
    ('[[steps]]\nrole = "unit_clerk"\ntask = "ut_head"\n', "step 1: task ut_head is not open (open: ut_apply"),
    (APPLY + '[[steps]]\nfire_timers = true\nafter = "P30D"\n',
     "step 2: no timer was due at 2026-04-01 09:10 (next timer: —)"),
    (APPLY + APPROVE_HEAD + '[[steps]]\nuser = "both"\n',
     "step 3: several tasks are open for both: ut_budget (", ),
    ('[[steps]]\nrole = "unit_head"\ntask = "ut_apply"\nexpect_error = "conflict"\n',
     "step 1: expected error conflict, got forbidden: This task needs the role 'Unit clerk'"),
    (APPLY.replace("[[steps]]", '[[steps]]\nexpect_error = "forbidden"'),
     "step 1: expected error forbidden, but the step succeeded"),
    ('[[steps]]\nrole = "unit_clerk"\n[steps.data]\napplicant = "x"\n',
     "step 1: unexpected error invalid: The form has 2 error(s); please correct and submit again (days: "),
    ('[[steps]]\nrole = "unit_head"\nexpect_error = "forbidden"\n',
     "name the task with `task` to try someone else's"),
    ('[[steps]]\nuser = "nobody"\n', "step 1: no user named nobody"),
])
def test_steps_that_cannot_run_fail_clearly(tmp_path, db_url, steps, expected):
    users = '[[users]]\nusername = "both"\nunit = "fao"\nroles = ["fao_clerk", "section_chief"]\n'
    result = run_text(tmp_path, HEAD + users + steps, db_url)
    assert not result.ok
    assert expected in result.failure_text("en")


def test_an_undeployed_process_or_unknown_unit_fails_at_the_start(tmp_path, db_url):
    result = run_text(tmp_path, HEAD.replace("test_approval", "no_such_process"), db_url)
    assert result.failure_text("en") == "start: unexpected error not_found: Process no_such_process is not deployed"
    assert result.case_id is None
    result = run_text(tmp_path, HEAD + 'unit = "mars"\n', db_url)
    assert result.failure_text("en") == "start: unit mars does not exist"


# -- another case, notifications, held units, missing values ---------------------------------------

EFFECTS_HEAD = """
name = "驳回后暂停本单位"
process = "test_effects"
start_as = "unit_clerk"

[[steps]]
role = "unit_clerk"
[steps.data]
applicant = "张三"
days = 5
countries = 1
"""
REJECT = """
[[steps]]
role = "section_chief"
[steps.data]
decision = "reject"
"""


def count_cases(db_url: str) -> int:
    db = Database(db_url)
    try:
        with db.read() as session:
            return session.scalar(select(func.count()).select_from(Case))
    finally:
        db.dispose()


def test_a_held_units_next_application_is_refused_and_notifications_are_checked(tmp_path, db_url):
    body = EFFECTS_HEAD + """
[[steps]]
start_other = "test_effects"

[[steps]]
expect_notifications = []
""" + REJECT + """
[[steps]]
expect_notifications = [{ kind = "info", role = "unit_clerk", contains = "暂停受理" }]

[[steps]]
start_other = "test_effects"
expect_error = "conflict"

[[steps]]
start_other = "test_effects"
role = "unit_clerk"
expect_error = "conflict"
[steps.data]
applicant = "李四"

[[steps]]
start_other = "test_effects"
user = "clerk_education"
unit = "education"

[expect]
status = "completed"
unit_held = true
notifications = [
  { kind = "returned", username = "clerk_commerce", contains = "rejected" },
  { contains = "on hold" },
  { role = "unit_clerk" },
]
[expect.data]
decision = "reject"
comment = ""
escalated = "<absent>"
nothing = "<null>"
"""
    result = run_text(tmp_path, body, db_url, definitions=[EFFECTS])
    assert result.ok, result.report("en")
    lines = [line.en for line in result.lines]
    assert "clerk_commerce  start_other test_effects (unit commerce) → case 2 (left alone)" in lines[2]
    assert lines[3].endswith("expect_notifications none ✓")
    assert lines[5].endswith('expect_notifications {kind = "info", role = "unit_clerk", contains = "暂停受理"} ✓')
    assert ("clerk_commerce  start_other test_effects (unit commerce) refused as expected: conflict — "
            "Your unit has passports overdue for return") in lines[6]
    assert "clerk_education start_other test_effects (unit education) → case 3 (left alone)" in lines[8]
    assert count_cases(db_url) == 3  # the refused starts created nothing
    db = Database(db_url)
    assert get_case(db, result.case_id).status == "completed"  # the scenario's own case stayed the subject
    assert [get_case(db, i).status for i in (2, 3)] == ["running", "running"]
    db.dispose()


def test_wrong_notification_held_and_missing_value_expectations_are_each_named(tmp_path, db_url):
    body = EFFECTS_HEAD + REJECT + """
[expect]
unit_held = false
notifications = [
  { kind = "returned", username = "clerk_commerce" },
  { kind = "reminder", role = "section_chief", contains = "逾期" },
  { username = "clerk_education" },
]
[expect.data]
comment = "<absent>"
batch_number = "<null>"
escalated = "<null>"
"""
    result = run_text(tmp_path, body, db_url, definitions=[EFFECTS])
    text_en = result.failure_text("en")
    assert '[expect.data] comment: expected absent, got ""' in text_en
    assert '[expect.data] batch_number: expected absent or null, got "兰外出任〔2026〕1号"' in text_en
    assert ('[expect] notifications: no notification matches {kind = "reminder", role = "section_chief", '
            'contains = "逾期"} (the case\'s notifications: info → unit_clerk/commerce “New applications of your '
            'unit are on hold: 护照逾期未交回”; returned → clerk_commerce “Your application was rejected”)') in text_en
    assert '[expect] notifications: no notification matches {username = "clerk_education"}' in text_en
    assert "[expect] unit_held: expected false for unit commerce, got true" in text_en
    assert "escalated" not in text_en
    assert len(result.failures) == 5
    text_zh = result.failure_text("zh")
    assert "[expect] unit_held：单位 commerce 应为 false，实际为 true" in text_zh
    assert "[expect.data] comment：不应有此项" in text_zh and "“申请被驳回”" in text_zh


def test_no_notifications_expected_but_some_sent(tmp_path, db_url):
    body = EFFECTS_HEAD + REJECT + '[[steps]]\nexpect_notifications = []\n[expect]\nstatus = "running"\n'
    result = run_text(tmp_path, body, db_url, definitions=[EFFECTS])
    assert result.failure_text("en").startswith(
        "step 3: expect_notifications: expected no notifications, got 2: info → unit_clerk/commerce")
    assert len(result.failures) == 1  # the run stopped at the step: [expect] was not checked
    other_unit = EFFECTS_HEAD.replace('start_as = "unit_clerk"', 'start_as = "unit_clerk"\nunit = "education"')
    ended = run_text(tmp_path, other_unit + REJECT + "[expect]\nnotifications = []\n", db_url,
                     definitions=[EFFECTS])  # commerce is on hold now
    assert "[expect] notifications: expected no notifications, got 2" in ended.failure_text("en")


def test_an_escalation_notifies_the_section_chief(tmp_path, db_url):
    body = EFFECTS_HEAD + """
[[steps]]
fire_timers = true
after = "P4D"

[[steps]]
expect_notifications = [
  { kind = "reminder", role = "section_chief", contains = "逾期" },
  { kind = "escalation", role = "fao_director", contains = "escalated" },
]

[expect]
unit_held = false
notifications = [{ kind = "reminder", contains = "overdue" }]
"""
    result = run_text(tmp_path, body, db_url, definitions=[EFFECTS])
    assert result.ok, result.report("en")


@pytest.mark.parametrize("steps, expected", [
    (EFFECTS_HEAD + '[[steps]]\nstart_other = "test_effects"\nexpect_error = "conflict"\n',
     "step 2: expected error conflict, but the step succeeded"),
    (EFFECTS_HEAD + REJECT + '[[steps]]\nstart_other = "test_effects"\nexpect_error = "forbidden"\n',
     "step 3: expected error forbidden, got conflict: Your unit has passports overdue"),
    (EFFECTS_HEAD + '[[steps]]\nstart_other = "test_effects"\nrole = "fao_clerk"\n',
     "step 2: unexpected error forbidden: You do not hold the role needed to start this process (unit_clerk)"),
    (EFFECTS_HEAD + '[[steps]]\nstart_other = "nope"\n', "step 2: unexpected error not_found: Process nope"),
    (EFFECTS_HEAD + '[[steps]]\nstart_other = "test_effects"\nunit = "mars"\n', "step 2: unit mars does not exist"),
    (EFFECTS_HEAD + '[[steps]]\nexpect_notifications = [{ kind = "info" }]\n',
     'step 2: expect_notifications: no notification matches {kind = "info"} (the case\'s notifications: —)'),
])
def test_start_other_and_notification_steps_that_fail(tmp_path, db_url, steps, expected):
    result = run_text(tmp_path, steps, db_url, definitions=[EFFECTS])
    assert not result.ok
    assert expected in result.failure_text("en")


def test_null_and_absent_markers():
    data = {"a": None, "b": 0, "c": ""}
    assert checks.data_mismatch("a", "<null>", data) is None
    assert checks.data_mismatch("z", "<null>", data) is None
    assert checks.data_mismatch("z", "<absent>", data) is None
    assert checks.data_mismatch("a", "<absent>", data).en == "[expect.data] a: expected absent, got null"
    assert checks.data_mismatch("b", "<null>", data).en == "[expect.data] b: expected absent or null, got 0"
    assert checks.data_mismatch("c", "<null>", data) is not None  # an empty string is a value
    assert checks.data_mismatch("a", None, data) is None  # plain values compare as before
    assert checks.data_mismatch("c", "", data) is None


# -- malformed files ------------------------------------------------------------------------------

@pytest.mark.parametrize("body, expected", [
    (HEAD + 'colour = "red"\n', "file: unknown key 'colour'"),
    (HEAD + '[[steps]]\nrole = "unit_clerk"\nfire_timers = true\n',
     "step 1: a step has exactly one action, this one has 2 (role, fire_timers); split it"),
    (HEAD + '[[steps]]\nrole = "unit_clerk"\nuser = "clerk_commerce"\n', "step 1: a step has exactly one action"),
    (HEAD + '[[steps]]\nafter = "PT1H"\n', "step 1: a step needs one action"),
    (HEAD + '[[steps]]\nrole = "unit_clerk"\nafter = "2h"\n',
     "step 1.after: '2h' is not an ISO 8601 duration such as PT10M, PT2H or P8D"),
    (HEAD + '[[steps]]\nfire_timers = true\nafter = "P1M"\n', "step 1.after: 'P1M': years and months have no fixed"),
    (HEAD + '[[steps]]\nfire_timers = true\nafter = 10\n', "step 1.after: must be an ISO 8601 duration string"),
    (HEAD + '[[steps]]\nrole = "approver"\n', "step 1.role: unknown role 'approver' (known: unit_clerk,"),
    (HEAD + '[[steps]]\nrole = "unit_clerk"\nrole_hint = 1\n', "step 1: unknown key 'role_hint'"),
    (HEAD + '[[steps]]\nrole = "unit_clerk"\npayload = {a = 1}\n', "step 1: 'payload' does not belong on a role step"),
    (HEAD + '[[steps]]\nfire_timers = false\n', "step 1: fire_timers must be true"),
    (HEAD + '[[steps]]\nfire_timers = true\nexpect_error = "x"\n',
     "step 1: 'expect_error' does not belong on a fire_timers step"),
    (HEAD + '[[steps]]\nexpect_open = "ut_apply"\n', "step 1.expect_open: must be a list of strings"),
    (HEAD + '[steps]\nrole = "unit_clerk"\n', "steps: must be an array of tables ([[steps]])"),
    (HEAD.replace('start_as = "unit_clerk"', 'start_as = "clerk"'), "start_as: unknown role 'clerk'"),
    (HEAD + 'start_user = "clerk_commerce"\n', "file: give start_as or start_user, not both"),
    (HEAD.replace('start_as = "unit_clerk"', ''), "file: give one of start_as (a role code) or start_user"),
    ('process = "p"\nstart_as = "unit_clerk"\n', "name: is required"),
    (HEAD + 'start_at = "next monday"\n', "start_at: must be a date and time"),
    (HEAD + '[expect]\nstatus = "done"\n', "[expect] status: 'done' is not one of running | completed | cancelled"),
    (HEAD + '[expect]\nroles = ["unit_clerk", "boss"]\n', "[expect] roles: unknown role 'boss'"),
    (HEAD + '[expect]\nstate = "completed"\n', "[expect]: unknown key 'state'"),
    (HEAD + '[[users]]\nusername = "x"\n', "[[users]] 1: needs at least one role (roles)"),
    (HEAD + 'steps = [\n', "TOML: not valid TOML"),
    (HEAD + '[[steps]]\nstart_other = "p"\nrole = "unit_clerk"\nuser = "u"\n',
     "step 1: give role or user on a start_other step, not both"),
    (HEAD + '[[steps]]\nstart_other = "p"\nrole = "boss"\n', "step 1.role: unknown role 'boss'"),
    (HEAD + '[[steps]]\nstart_other = "p"\ntask = "ut_apply"\n',
     "step 1: 'task' does not belong on a start_other step"),
    (HEAD + '[[steps]]\nstart_other = "p"\nfire_timers = true\n',
     "step 1: a step has exactly one action, this one has 2 (fire_timers, start_other)"),
    (HEAD + '[[steps]]\nstart_other = ""\n', "step 1.start_other: must be a non-empty string"),
    (HEAD + '[[steps]]\nrole = "unit_clerk"\nunit = "education"\n', "step 1: 'unit' does not belong on a role step"),
    (HEAD + '[[steps]]\nexpect_notifications = "reminder"\n', "step 1.expect_notifications: must be a list of tables"),
    (HEAD + '[[steps]]\nexpect_notifications = [{}]\n',
     "step 1.expect_notifications 1: needs at least one of kind, role, username, contains"),
    (HEAD + '[expect]\nnotifications = [{ kind = "info" }, { text = "x" }]\n',
     "[expect] notifications 2: unknown key 'text' (allowed: kind, role, username, contains)"),
    (HEAD + '[expect]\nnotifications = [{ role = "boss" }]\n', "[expect] notifications 1.role: unknown role 'boss'"),
    (HEAD + '[expect]\nnotifications = [{ contains = 1 }]\n',
     "[expect] notifications 1.contains: must be a non-empty string"),
    (HEAD + '[expect]\nunit_held = "yes"\n', "[expect] unit_held: must be true or false"),
    (HEAD + '[settings]\n"no_such.setting" = true\n', "settings.no_such.setting: Unknown setting: no_such.setting"),
    (HEAD + '[settings]\npassport_return_days = "seven"\n',
     "settings.passport_return_days: 'passport_return_days' must be a whole number of at least 0"),
])
def test_malformed_files_get_clear_errors(tmp_path, body, expected):
    path = tmp_path / "bad.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ScenarioInvalid) as caught:
        load_scenario(path)
    report = caught.value.report("en")
    assert expected in report
    assert report.startswith(f"Scenario file {path} has")
    assert caught.value.code == "scenario_invalid"
    assert "场景文件" in caught.value.report("zh")


def test_every_problem_of_a_file_is_reported_at_once(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('name = "x"\nprocess = "p"\nstart_as = "boss"\nextra = 1\n'
                    '[[steps]]\nafter = "soon"\nrole = "unit_clerk"\n[[steps]]\nmessage = "m"\nfire_timers = true\n'
                    '[expect]\nstatus = "finished"\n', encoding="utf-8")
    with pytest.raises(ScenarioInvalid) as caught:
        load_scenario(path)
    assert [p.where for p in caught.value.problems] == ["file", "start_as", "step 1.after", "step 2",
                                                        "[expect] status"]


def test_defaults_and_toml_values(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(HEAD + 'start_at = 2026-05-06T08:30:00\n[start_data]\nwhen = 2026-05-01\n'
                    '[[steps]]\nexpect_open = []\n[[steps]]\nfire_timers = true\nafter = "P1DT2H"\n', encoding="utf-8")
    s = load_scenario(path)
    assert s.start_at.isoformat() == "2026-05-06T08:30:00+08:00"  # no offset: China time
    assert s.unit == "commerce" and s.start_data == {"when": "2026-05-01"}
    assert [st.after.total_seconds() for st in s.steps] == [600, 26 * 3600]


# -- messages, escalation, extra users ------------------------------------------------------------

MESSAGE_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  id="defs_test_message" targetNamespace="http://waishi.example/test">
  <bpmn:collaboration id="collab_test_message">
    <bpmn:participant id="p_test_message" processRef="test_message"/>
  </bpmn:collaboration>
  <bpmn:message id="msg_reply" name="province_reply"/>
  <bpmn:process id="test_message" name="测试消息" isExecutable="true">
    <bpmn:laneSet id="ls">
      <bpmn:lane id="lane_fao_clerk" name="fao_clerk">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>ut_send</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>catch_reply</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>ut_close</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="ut_send"/>
    <bpmn:userTask id="ut_send" name="报省外办" camunda:formKey="test_decide"/>
    <bpmn:sequenceFlow id="f2" sourceRef="ut_send" targetRef="catch_reply"/>
    <bpmn:intermediateCatchEvent id="catch_reply" name="省外办回复">
      <bpmn:messageEventDefinition id="med_reply" messageRef="msg_reply"/>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="catch_reply" targetRef="ut_close"/>
    <bpmn:userTask id="ut_close" name="办结" camunda:formKey="test_decide"/>
    <bpmn:sequenceFlow id="f4" sourceRef="ut_close" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def test_settings_hold_during_the_run_and_are_restored(tmp_path, db_url):
    """[settings] are put by an administrator before the start (put_setting events on the system
    chain) and the earlier values come back afterwards, so `--db` leaves the office as it was."""
    from engine.office import settings
    from engine.storage.models import AuditEvent

    body = HEAD + '[settings]\n"person_rule.leaders_abroad" = true\npassport_return_days = 9\n' + APPLY
    result = run_text(tmp_path, body, db_url)
    assert result.ok, result.report("en")
    db = Database(db_url)
    try:
        with db.read() as session:
            assert settings.get(session, "person_rule.leaders_abroad") is False
            assert settings.get(session, "passport_return_days") == 7
            changes = [e.payload for e in session.scalars(
                select(AuditEvent).where(AuditEvent.command == "put_setting").order_by(AuditEvent.seq))]
    finally:
        db.dispose()
    assert [(c["key"], c["after"]) for c in changes] == [
        ("person_rule.leaders_abroad", True), ("passport_return_days", 9),
        ("person_rule.leaders_abroad", False), ("passport_return_days", 7)]


def test_message_steps_deliver_to_the_case(tmp_path, db_url):
    defs = tmp_path / "defs"
    defs.mkdir()
    (defs / "test_message.bpmn").write_text(MESSAGE_BPMN, encoding="utf-8")
    shutil.copy(TEST_PROCESSES / "test_decide.form", defs)
    body = """
name = "消息"
process = "test_message"
start_as = "fao_clerk"
unit = "education"

[[steps]]
message = "province_reply"
expect_error = "conflict"

[[steps]]
role = "fao_clerk"
[steps.data]
decision = "approve"

[[steps]]
message = "province_reply"
after = "P3D"
[steps.payload]
reply = "同意"

[[steps]]
role = "fao_clerk"
[steps.data]
decision = "approve"

[expect]
status = "completed"
roles = ["fao_clerk", "fao_clerk"]
"""
    result = run_text(tmp_path, body, db_url, definitions=[defs])
    assert result.ok, result.report("en")
    assert "fao_clerk       message province_reply delivered → open: ut_close" in result.lines[3].en
    assert get_case(Database(db_url), result.case_id).unit_code == "education"


def test_a_role_step_finds_a_task_escalated_to_its_role(tmp_path, db_url):
    body = """
name = "逾期上报后由主任审批"
process = "test_effects"
start_as = "unit_clerk"

[[steps]]
role = "unit_clerk"
[steps.data]
applicant = "张三"
days = 5
countries = 1

[[steps]]
fire_timers = true
after = "P4D"

[[steps]]
role = "fao_director"
[steps.data]
decision = "approve"

[expect]
status = "completed"
roles = ["unit_clerk", "section_chief"]
[expect.data]
batch_number = "兰外出任〔2026〕1号"
escalated = 1
"""
    result = run_text(tmp_path, body, db_url, definitions=[EFFECTS])
    assert result.ok, result.report("en")
    assert "fao_director    fao_director   ut_approve" in result.lines[3].en


def test_extra_users_are_created_once_and_must_match(tmp_path, db_url):
    users = '[[users]]\nusername = "deputy"\nunit = "fao"\nroles = ["fao_director"]\n'
    body = (HEAD.replace('start_as = "unit_clerk"', 'start_user = "clerk_commerce"') + users + APPLY
            + '[[steps]]\nuser = "deputy"\ntask = "ut_head"\nexpect_error = "forbidden"\n')
    assert run_text(tmp_path, body, db_url).ok
    assert run_text(tmp_path, body, db_url).ok  # the user exists now: same unit and roles, fine
    clash = run_text(tmp_path, body.replace('unit = "fao"', 'unit = "commerce"'), db_url)
    assert "[[users]] deputy exists with another unit or roles (fao" in clash.failure_text("en")
    missing = run_text(tmp_path, body.replace('unit = "fao"', 'unit = "mars"'), db_url)
    assert "unit mars does not exist" in missing.failure_text("en")


# -- the CLI --------------------------------------------------------------------------------------

def cli(*args, env=None):
    result = CliRunner().invoke(main, ["--lang", "en", *args], catch_exceptions=False, env=env)
    return result.exit_code, result.output


def test_cli_runs_files_and_folders_in_fresh_sqlite_databases(tmp_path):
    # DATABASE_URL is ignored: scenarios never run in a shared database unless --db is typed.
    unused = tmp_path / "unused.db"
    code, out = cli("scenario", "run", str(SCENARIOS), "--definitions", str(TEST_PROCESSES),
                    env={"DATABASE_URL": f"sqlite:///{unused}"})
    assert code == 0, out
    assert out.splitlines()[-1] == f"{len(TEST_FILES)} passed, 0 failed"
    assert "case 1" in out and out.count("\nOK (") == len(TEST_FILES)  # each file in its own database
    assert not unused.exists()


def test_cli_exit_code_and_summary_on_failure(tmp_path):
    wrong = tmp_path / "wrong.toml"
    wrong.write_text((SCENARIOS / "test_approval_reject.toml").read_text(encoding="utf-8")
                     .replace('level = "leader"', 'level = "director"'), encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\n', encoding="utf-8")
    code, out = cli("scenario", "run", str(SCENARIOS / "test_approval_loop.toml"), str(wrong), str(bad),
                    "--definitions", str(TEST_PROCESSES))
    assert code == 1
    assert '[expect.data] level: expected "director", got "leader"' in out
    assert "process: is required" in out
    assert "1 passed, 2 failed" in out and f"FAILED: {wrong}" in out and f"FAILED: {bad}" in out
    zh = CliRunner().invoke(main, ["scenario", "run", str(wrong), "--definitions", str(TEST_PROCESSES)])
    assert zh.exit_code == 1
    assert '[expect.data] level：应为 "director"，实际为 "leader"' in zh.output
    assert "通过 0 个，失败 1 个" in zh.output


def test_cli_with_db_uses_that_database(db_url):
    code, out = cli("scenario", "run", str(SCENARIOS / "test_approval_reject.toml"), "--db", db_url,
                    "--definitions", str(TEST_PROCESSES))
    assert code == 0, out
    code, out = cli("--db", db_url, "scenario", "run", str(SCENARIOS / "test_approval_reject.toml"),
                    "--definitions", str(TEST_PROCESSES))
    assert code == 0 and "case 2" in out  # the group's --db, typed on the command line, counts too
    assert get_case(Database(db_url), 2).status == "completed"


def test_cli_usage_errors(tmp_path):
    code, out = cli("scenario", "run", str(tmp_path), "--definitions", str(TEST_PROCESSES))
    assert code == 2 and "no scenario files (*.toml)" in out
    broken = tmp_path / "defs"
    broken.mkdir()
    (broken / "x.bpmn").write_text("<not-bpmn/>", encoding="utf-8")
    code, out = cli("scenario", "run", str(SCENARIOS / "test_approval_reject.toml"), "--definitions", str(broken))
    assert code == 1 and "problem(s)" in out


# -- every real scenario of the FAO processes -----------------------------------------------------

@pytest.fixture(scope="module")
def real_template(db_template, tmp_path_factory):
    """The demo database with processes/ and forms/ deployed once; each real scenario copies it."""
    def prepare(db: Database) -> None:
        deploy_definitions(db, default_definitions())

    with built_template(tmp_path_factory.mktemp("scn"), "waishi_scn", prepare, base=db_template) as template:
        yield template


@pytest.fixture
def real_db(real_template, tmp_path):
    with copy_of_template(*real_template, tmp_path, "waishi_s") as url:
        db = Database(url)
        yield db
        db.dispose()


# Copies of one template share version ids, so one spec cache serves every real scenario.
REAL_SPECS = SpecCache()


@pytest.mark.parametrize("path", REAL_FILES or [None], ids=[p.stem for p in REAL_FILES] or ["none-yet"])
def test_real_scenario(path, request):
    if path is None:
        assert REAL_FILES == [], "processes/scenarios/ holds no scenario files yet"
        return
    scenario = load_scenario(path)
    db = request.getfixturevalue("real_db")
    began = time.perf_counter()
    result = run_scenario(scenario, db, specs=REAL_SPECS, lang="en")
    assert result.ok, result.report("en") + f"\n({time.perf_counter() - began:.2f} s)"
