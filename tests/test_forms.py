"""Camunda Forms on the server: the model, submission validation, flat HTML keys, and the check
inside `complete_task`."""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
from types import SimpleNamespace

import pytest
from werkzeug.datastructures import MultiDict

from engine.errors import InvalidInput
from engine.forms import blank_row, initial_values, load_form_spec, parse_form, unflatten, validate_submission
from engine.forms.patterns import id_card_check_char
from tests.conftest import T0
from tests.helpers import Walker, events, get_case, open_item

VALID_IDS = ["11010519491231002X", "620102198506151237", "440304200002290014", "620102199001010011"]

OPTIONS_CATEGORY = [{"label": "经贸洽谈", "value": "trade_talks"}, {"label": "培训", "value": "training"}]
OPTIONS_SEX = [{"label": "男", "value": "male"}, {"label": "女", "value": "female"}]
OPTIONS_COUNTRY = [{"label": "德国", "value": "DE"}, {"label": "法国", "value": "FR"}, {"label": "日本", "value": "JP"}]

SCHEMA = {
    "type": "default", "id": "trip_test", "schemaVersion": 16,
    "components": [
        {"type": "text", "id": "t_title", "text": "# 出访申请"},
        {"type": "textfield", "id": "f_name", "key": "delegation_name", "label": "团组名称",
         "description": "按批件填写", "validate": {"required": True, "minLength": 2, "maxLength": 30},
         "properties": {"label_en": "Delegation name", "description_en": "As on the approval"}},
        {"type": "textarea", "key": "purpose", "label": "出访目的"},
        {"type": "number", "key": "budget_total_cny", "label": "预算合计", "decimalDigits": 2,
         "serializeToString": True, "validate": {"min": 0}},
        {"type": "number", "key": "days", "label": "在外天数", "decimalDigits": 0,
         "validate": {"required": True, "min": 1, "max": 10}},
        {"type": "number", "key": "rate", "label": "汇率", "increment": "0.5"},
        {"type": "datetime", "subtype": "date", "key": "departure_date", "dateLabel": "出发日期",
         "validate": {"required": True}},
        {"type": "datetime", "subtype": "date", "key": "return_date", "dateLabel": "回国日期",
         "properties": {"after": "departure_date", "label_en": "Return date"}, "validate": {"required": True}},
        {"type": "datetime", "subtype": "datetime", "key": "meeting_at", "dateLabel": "会见时间"},
        {"type": "datetime", "subtype": "time", "key": "meeting_time", "timeLabel": "会见钟点"},
        {"type": "select", "key": "purpose_category", "label": "出访类别", "values": OPTIONS_CATEGORY,
         "validate": {"required": True}},
        {"type": "radio", "key": "urgent", "label": "紧急程度", "values": [{"label": "普通", "value": "normal"},
                                                                       {"label": "加急", "value": "urgent"}]},
        {"type": "checkbox", "key": "in_annual_plan", "label": "列入年度计划", "defaultValue": True},
        {"type": "checklist", "key": "transit", "label": "经停国家", "values": OPTIONS_COUNTRY},
        {"type": "taglist", "key": "countries", "label": "出访国家", "values": OPTIONS_COUNTRY,
         "validate": {"required": True}},
        {"type": "group", "id": "g_inviter", "label": "邀请方", "path": "inviter", "components": [
            {"type": "textfield", "key": "name_zh", "label": "邀请单位（中文）", "validate": {"required": True}},
            {"type": "textfield", "key": "phone", "label": "联系电话", "validate": {"validationType": "phone"}},
        ]},
        {"type": "group", "id": "g_layout", "label": "联系人", "components": [
            {"type": "textfield", "key": "contact_email", "label": "邮箱", "validate": {"validationType": "email"}},
        ]},
        {"type": "dynamiclist", "id": "l_members", "path": "members", "isRepeating": True, "label": "团组成员",
         "defaultRepetitions": 1, "validate": {"min": 1, "max": 3}, "components": [
             {"type": "textfield", "key": "name", "label": "姓名", "validate": {"required": True}},
             {"type": "radio", "key": "sex", "label": "性别", "values": OPTIONS_SEX},
             {"type": "textfield", "key": "id_no", "label": "身份证号", "properties": {"pattern_name": "id_card"}},
             {"type": "textfield", "key": "passport_no", "label": "护照号码",
              "properties": {"pattern_name": "passport_no"}},
             {"type": "checkbox", "key": "classified", "label": "涉密人员"},
             {"type": "datetime", "subtype": "date", "key": "visa_from", "dateLabel": "签证起"},
             {"type": "datetime", "subtype": "date", "key": "visa_to", "dateLabel": "签证止",
              "properties": {"after": "visa_from"}},
         ]},
        {"type": "textfield", "key": "batch_number", "label": "批件文号", "readonly": True},
        {"type": "textfield", "key": "serial", "label": "流水号", "disabled": True},
        {"type": "textfield", "key": "code", "label": "代码",
         "validate": {"pattern": "^[A-Z]{3}$", "patternErrorMessage": "代码应为三个大写字母"},
         "properties": {"pattern_message_en": "Code: three capital letters"}},
        {"type": "separator"}, {"type": "spacer"}, {"type": "html", "content": "<p>说明</p>"},
        {"type": "button", "action": "submit", "label": "提交"},
    ],
}

# What a browser posts for a good submission: every value a string, flat names.
GOOD_POST = [
    ("delegation_name", " 兰州市商务局赴德国经贸洽谈团 "), ("purpose", "洽谈\r\n合作"), ("budget_total_cny", "12000.5"),
    ("days", "8"), ("rate", "7.5"), ("departure_date", "2026-05-01"), ("return_date", "2026-05-08"),
    ("meeting_at", "2026-05-02T09:30"), ("meeting_time", "14:00"), ("purpose_category", "trade_talks"),
    ("urgent", "normal"), ("in_annual_plan", "on"), ("transit", "FR"), ("countries", "DE"), ("countries", "JP"),
    ("inviter.name_zh", "德国某商会"), ("inviter.phone", "0931-8888888"), ("contact_email", "a@example.cn"),
    ("members[0].name", "张三"), ("members[0].sex", "male"), ("members[0].id_no", "11010519491231002x"),
    ("members[0].passport_no", "e12345678"), ("members[0].classified", "on"),
    ("members[0].visa_from", "2026-04-20"), ("members[0].visa_to", "2026-06-20"),
    ("members[3].name", "李四"), ("members[3].sex", "female"),
    ("code", "ABC"), ("csrf_token", "x"), ("expected_version", "3"),
]

CLEAN = {
    "delegation_name": "兰州市商务局赴德国经贸洽谈团", "purpose": "洽谈\n合作", "budget_total_cny": "12000.50",
    "days": 8, "rate": 7.5, "departure_date": "2026-05-01", "return_date": "2026-05-08",
    "meeting_at": "2026-05-02T09:30", "meeting_time": "14:00", "purpose_category": "trade_talks", "urgent": "normal",
    "in_annual_plan": True,
    "transit": ["FR"], "countries": ["DE", "JP"], "inviter": {"name_zh": "德国某商会", "phone": "0931-8888888"},
    "contact_email": "a@example.cn",
    "members": [
        {"name": "张三", "sex": "male", "id_no": "11010519491231002X", "passport_no": "E12345678", "classified": True,
         "visa_from": "2026-04-20", "visa_to": "2026-06-20"},
        {"name": "李四", "sex": "female", "id_no": "", "passport_no": "", "classified": False, "visa_from": None,
         "visa_to": None},
    ],
    "code": "ABC",
}


@pytest.fixture(scope="module")
def form():
    return parse_form(SCHEMA)


def good() -> dict:
    """A valid submission as JSON types."""
    return copy.deepcopy(CLEAN)


def errors_of(form, data, **kwargs) -> dict:
    with pytest.raises(InvalidInput) as err:
        validate_submission(form, data, **kwargs)
    assert err.value.field_errors, "InvalidInput without field errors"
    return err.value.field_errors


# -- the model ---------------------------------------------------------------------------------


def test_every_component_type_is_parsed(form):
    assert form.id == "trip_test" and form.schema_version == 16
    types = [f.type for f in form.walk()]
    for t in ("text", "textfield", "textarea", "number", "datetime", "select", "radio", "checkbox", "checklist",
              "taglist", "group", "dynamiclist", "separator", "spacer", "html"):
        assert t in types, t
    assert "button" not in types  # the page renders its own submit button
    by_key = {f.key: f for f in form.walk() if f.key}

    name = by_key["delegation_name"]
    assert (name.kind, name.path, name.label, name.label_en) == ("input", ("delegation_name",), "团组名称",
                                                                  "Delegation name")
    assert name.label_for("en") == "Delegation name" and name.label_for("zh") == "团组名称"
    assert name.description_for("en") == "As on the approval" and name.description == "按批件填写"
    assert (name.required, name.rules.min_length, name.rules.max_length) == (True, 2, 30)

    assert by_key["departure_date"].label == "出发日期" and by_key["departure_date"].subtype == "date"
    assert by_key["meeting_time"].subtype == "time" and by_key["meeting_time"].label == "会见钟点"
    assert by_key["return_date"].after == "departure_date"
    assert [o.value for o in by_key["purpose_category"].options] == ["trade_talks", "training"]
    assert by_key["purpose_category"].options[0].label == "经贸洽谈"
    assert by_key["in_annual_plan"].default is True and by_key["countries"].multiple
    assert by_key["budget_total_cny"].as_string and by_key["budget_total_cny"].decimal_digits == 2
    assert by_key["batch_number"].readonly and not by_key["batch_number"].accepts_input
    assert by_key["serial"].disabled and not by_key["serial"].accepts_input
    assert by_key["code"].properties["pattern_message_en"] == "Code: three capital letters"

    inviter = by_key["inviter"]
    assert inviter.kind == "group" and [c.path for c in inviter.children] == [("inviter", "name_zh"),
                                                                               ("inviter", "phone")]
    layout = next(f for f in form.components if f.id == "g_layout")
    assert layout.is_group and layout.key is None and layout.children[0].path == ("contact_email",)

    members = by_key["members"]
    assert members.is_list and members.path == ("members",) and (members.min_rows, members.max_rows) == (1, 3)
    assert members.default_rows == 1 and members.allow_add_remove
    assert [c.key for c in members.children] == ["name", "sex", "id_no", "passport_no", "classified", "visa_from",
                                                 "visa_to"]
    assert members.children[0].path == ("name",)  # relative to one row
    assert members.children[0].name_in("members[2]") == "members[2].name"
    assert members.children[2].rules.pattern_name == "id_card"

    title = form.components[0]
    assert title.is_display and title.text == "# 出访申请"
    assert next(f for f in form.walk() if f.type == "html").text == "<p>说明</p>"
    paths = [p for p, _ in form.inputs()]
    assert "inviter.name_zh" in paths and "members[].visa_to" in paths and "contact_email" in paths
    assert form.warnings == ()


def test_unknown_and_broken_components_become_display_only_with_warnings(caplog):
    schema = {"type": "default", "id": "odd", "components": [
        {"type": "iframe", "url": "https://example.org", "label": "外链"},
        {"type": "textfield", "label": "没有 key"},
        {"type": "textfield", "key": "a[0]", "label": "坏 key"},
        {"type": "textfield", "key": "p", "label": "坏正则", "validate": {"pattern": "(", "min": "abc"}},
        {"type": "select", "key": "s", "label": "FEEL 选项", "valuesExpression": "=options"},
        {"type": "textfield", "key": "n", "properties": {"pattern_name": "ssn"}},
        {"type": "datetime", "key": "d", "subtype": "week", "properties": {"after": "nowhere"}},
        {"type": "dynamiclist", "label": "无 path 列表", "components": []},
        {"type": "textfield", "key": "p", "label": "重复"},
        "not an object",
    ]}
    with caplog.at_level(logging.WARNING, logger="engine.forms.parse"):
        form = parse_form(schema)
    kinds = [(f.type, f.kind) for f in form.components]
    assert kinds[:3] == [("iframe", "display"), ("textfield", "display"), ("textfield", "display")]
    assert form.components[3].rules.pattern is None and form.components[3].rules.min is None
    assert form.components[5].rules.pattern_name is None
    assert form.components[6].subtype == "date"
    assert form.components[7].is_display
    text = " ".join(m.en for m in form.warnings)
    for needle in ("unsupported component type 'iframe'", "no usable key", "not a valid regular expression",
                   "FEEL", "pattern_name 'ssn'", "unknown subtype", "'after' of", "no path", "bind the same data",
                   "validate.min"):
        assert needle in text, needle
    assert all(m.zh.startswith("表单 odd：") for m in form.warnings)
    assert "unsupported component type 'iframe'" in caplog.text
    # A FEEL-valued select can check nothing, so it accepts nothing.
    assert "s" in errors_of(form, {"p": "x", "s": "anything"})


def test_load_form_spec_reads_the_test_forms():
    spec = load_form_spec(open("tests/processes/test_decide.form", "rb").read(), "test_decide.form")
    assert spec.id == "test_decide" and [f.key for f in spec.components] == ["decision", "comment"]


# -- validation: the clean data ----------------------------------------------------------------


def test_html_post_unflattens_and_validates_to_clean_typed_data(form):
    posted = unflatten(GOOD_POST)
    assert posted["members"][1] == {"name": "李四", "sex": "female"}  # index 3 compacted to the second row
    assert posted["countries"] == ["DE", "JP"]
    assert posted["inviter"] == {"name_zh": "德国某商会", "phone": "0931-8888888"}
    assert validate_submission(form, posted) == CLEAN


def test_json_types_give_the_same_clean_data(form):
    data = good()
    data["budget_total_cny"] = 12000.5
    data["members"][0]["id_no"] = "11010519491231002x"
    assert validate_submission(form, data) == CLEAN


def test_untouched_optional_fields_get_form_js_empty_values(form):
    minimal = {"delegation_name": "团组", "days": "3", "departure_date": "2026-05-01", "return_date": "2026-05-01",
               "purpose_category": "training", "countries": "DE", "inviter": {"name_zh": "某单位"},
               "members": [{"name": "张三"}]}
    clean = validate_submission(form, minimal)
    assert clean["purpose"] == "" and clean["budget_total_cny"] is None and clean["rate"] is None
    assert clean["meeting_at"] is None and clean["urgent"] is None and clean["in_annual_plan"] is False
    assert clean["transit"] == [] and clean["countries"] == ["DE"] and clean["days"] == 3
    assert clean["inviter"] == {"name_zh": "某单位", "phone": ""}


def test_undeclared_keys_are_dropped_and_readonly_values_ignored(form):
    data = good()
    data.update(batch_number="兰外出任〔2026〕99号", serial="007", decision="approve", level="director",
                __class__="x", inviter={"name_zh": "某单位", "evil": 1})
    data["members"][0]["role_override"] = "head"
    clean = validate_submission(form, data)
    for key in ("batch_number", "serial", "decision", "level", "__class__"):
        assert key not in clean
    assert clean["inviter"] == {"name_zh": "某单位", "phone": ""}
    assert "role_override" not in clean["members"][0]
    assert set(clean) == set(CLEAN)


def test_numbers(form):
    def clean(**changes):
        return validate_submission(form, {**good(), **changes})

    assert clean(days=" 4 ")["days"] == 4 and clean(days=4.0)["days"] == 4 and clean(days="4.")["days"] == 4
    assert clean(rate="8")["rate"] == 8 and clean(rate=-1.5)["rate"] == -1.5
    assert clean(budget_total_cny="1e3")["budget_total_cny"] == "1000.00"
    assert clean(budget_total_cny="-0")["budget_total_cny"] == "0.00"
    for bad in ("abc", "NaN", "Infinity", "1,000", "1_000", "１２", True, [1, 2], {"a": 1}, 10 ** 40, "9e99"):
        errs = errors_of(form, {**good(), "days": bad})
        assert errs["days"].zh in ("“在外天数”必须是数字", "“在外天数”只能有一个值"), (bad, errs["days"])


# -- validation: each error kind, both languages, the right path ---------------------------------

ERROR_CASES = [
    # (change to a good submission, path, Chinese message, English message)
    ({"delegation_name": "  "}, "delegation_name", "“团组名称”为必填项", "'Delegation name' is required"),
    ({"delegation_name": "团"}, "delegation_name", "“团组名称”至少需要 2 个字符",
     "'Delegation name' must have at least 2 characters"),
    ({"delegation_name": "团" * 31}, "delegation_name", "“团组名称”不能超过 30 个字符",
     "'Delegation name' must have at most 30 characters"),
    ({"delegation_name": ["甲", "乙"]}, "delegation_name", "“团组名称”只能有一个值",
     "'Delegation name' takes a single value"),
    ({"delegation_name": {"a": 1}}, "delegation_name", "“团组名称”应为文字", "'Delegation name' must be text"),
    ({"purpose": "a\x00b"}, "purpose", "“出访目的”含有不允许的控制字符",
     "'出访目的' contains control characters that are not allowed"),
    ({"days": None}, "days", "“在外天数”为必填项", "'在外天数' is required"),
    ({"days": "十"}, "days", "“在外天数”必须是数字", "'在外天数' must be a number"),
    ({"days": "0"}, "days", "“在外天数”不能小于 1", "'在外天数' must be at least 1"),
    ({"days": 11}, "days", "“在外天数”不能大于 10", "'在外天数' must be at most 10"),
    ({"days": "2.5"}, "days", "“在外天数”必须是整数", "'在外天数' must be a whole number"),
    ({"budget_total_cny": "1.005"}, "budget_total_cny", "“预算合计”最多保留 2 位小数",
     "'预算合计' may have at most 2 decimal places"),
    ({"budget_total_cny": "-1"}, "budget_total_cny", "“预算合计”不能小于 0", "'预算合计' must be at least 0"),
    ({"rate": "7.2"}, "rate", "“汇率”必须是 0.5 的整数倍", "'汇率' must be a multiple of 0.5"),
    ({"departure_date": "2026-02-30"}, "departure_date", "“出发日期”不是有效的日期（格式 YYYY-MM-DD）",
     "'出发日期' is not a valid date (YYYY-MM-DD)"),
    ({"departure_date": "20260501"}, "departure_date", "“出发日期”不是有效的日期（格式 YYYY-MM-DD）",
     "'出发日期' is not a valid date (YYYY-MM-DD)"),
    ({"meeting_at": "2026-05-02 25:00"}, "meeting_at", "“会见时间”不是有效的日期时间（格式 YYYY-MM-DDTHH:MM）",
     "'会见时间' is not a valid date and time (YYYY-MM-DDTHH:MM)"),
    ({"meeting_time": "9点"}, "meeting_time", "“会见钟点”不是有效的时间（格式 HH:MM）",
     "'会见钟点' is not a valid time (HH:MM)"),
    ({"return_date": "2026-04-30"}, "return_date", "“回国日期”不能早于“出发日期”",
     "'Return date' cannot be earlier than '出发日期'"),
    ({"purpose_category": "shopping"}, "purpose_category", "“出访类别”的取值不在可选范围内",
     "'出访类别': the value is not one of the options"),
    ({"purpose_category": ""}, "purpose_category", "“出访类别”为必填项", "'出访类别' is required"),
    ({"urgent": ["normal", "urgent"]}, "urgent", "“紧急程度”只能有一个值", "'紧急程度' takes a single value"),
    ({"in_annual_plan": "maybe"}, "in_annual_plan", "“列入年度计划”只能是勾选或不勾选",
     "'列入年度计划' must be checked or unchecked"),
    ({"transit": ["FR", "XX"]}, "transit", "“经停国家”的取值不在可选范围内",
     "'经停国家': the value is not one of the options"),
    ({"countries": []}, "countries", "“出访国家”至少选择一项", "Choose at least one '出访国家'"),
    ({"inviter": {}}, "inviter.name_zh", "“邀请单位（中文）”为必填项", "'邀请单位（中文）' is required"),
    ({"inviter": {"name_zh": "x", "phone": "12345"}}, "inviter.phone", "“联系电话”不是有效的电话号码",
     "'联系电话' is not a valid phone number"),
    ({"contact_email": "a@b@c"}, "contact_email", "“邮箱”不是有效的电子邮箱地址",
     "'邮箱' is not a valid email address"),
    ({"code": "abcd"}, "code", "代码应为三个大写字母", "Code: three capital letters"),
    ({"members": []}, "members", "“团组成员”至少需要 1 行", "'团组成员' needs at least 1 row(s)"),
    ({"members": [{"name": "甲"}] * 4}, "members", "“团组成员”最多 3 行", "'团组成员' may have at most 3 row(s)"),
    ({"members": "张三"}, "members", "“团组成员”应为若干行的列表", "'团组成员' must be a list of rows"),
    ({"members": [{"name": "甲"}, "乙"]}, "members[1]", "“团组成员”中的这一行格式不正确",
     "A row of '团组成员' is not an object"),
    ({"members": [{"name": "甲"}, {"name": ""}]}, "members[1].name", "“姓名”为必填项", "'姓名' is required"),
    ({"members": [{"name": "甲", "sex": "x"}]}, "members[0].sex", "“性别”的取值不在可选范围内",
     "'性别': the value is not one of the options"),
    ({"members": [{"name": "甲", "visa_from": "2026-05-02", "visa_to": "2026-05-01"}]}, "members[0].visa_to",
     "“签证止”不能早于“签证起”", "'签证止' cannot be earlier than '签证起'"),
    ({"members": [{"name": "甲", "id_no": "110105194912310021"}]}, "members[0].id_no", "“身份证号”校验位不正确",
     "'身份证号': the check digit is wrong"),
    ({"members": [{"name": "甲", "id_no": "11010519491231002"}]}, "members[0].id_no",
     "“身份证号”应为 18 位居民身份证号", "'身份证号' must be an 18-character resident ID number"),
    ({"members": [{"name": "甲", "id_no": "110105194913310020"}]}, "members[0].id_no",
     "“身份证号”中的出生日期（第 7–14 位）不是有效日期",
     "'身份证号': the date of birth in characters 7–14 is not a real date"),
    ({"members": [{"name": "甲", "passport_no": "E12-34567"}]}, "members[0].passport_no",
     "“护照号码”应为 5–20 位字母或数字", "'护照号码' must be 5–20 letters or digits"),
]


@pytest.mark.parametrize(("change", "path", "zh", "en"), ERROR_CASES, ids=[c[1] + ":" + c[3][:30] for c in ERROR_CASES])
def test_each_error_kind_has_both_languages_and_the_right_path(form, change, path, zh, en):
    errs = errors_of(form, {**good(), **change})
    assert path in errs, errs
    assert zh in errs[path].zh and en in errs[path].en, errs[path]
    assert errs[path].text("en") == errs[path].en


def test_all_errors_are_reported_at_once_with_a_summary(form):
    with pytest.raises(InvalidInput) as err:
        validate_submission(form, {"days": "x", "members": [{}, {"name": "乙", "id_no": "1"}]})
    errs = err.value.field_errors
    assert {"delegation_name", "days", "departure_date", "return_date", "purpose_category", "countries",
            "inviter.name_zh", "members[0].name", "members[1].id_no"} <= set(errs)
    assert err.value.message.zh == f"表单填写有误（{len(errs)} 处），请修改后重新提交"
    assert err.value.message.en == f"The form has {len(errs)} error(s); please correct and submit again"
    assert err.value.code == "invalid"


def test_submission_must_be_an_object(form):
    with pytest.raises(InvalidInput) as err:
        validate_submission(form, ["days", 3])  # type: ignore[arg-type]
    assert err.value.message.en == "Submitted data must be an object"


# -- dynamic lists ------------------------------------------------------------------------------


def test_dynamic_list_rows_can_be_added_and_removed_within_bounds(form):
    row = {"name": "甲"}
    for n in (1, 2, 3):
        clean = validate_submission(form, {**good(), "members": [dict(row, name=f"成员{i}") for i in range(n)]})
        assert [m["name"] for m in clean["members"]] == [f"成员{i}" for i in range(n)]
    # Rows removed in the browser leave gaps in the posted indices; the rows that remain survive in order.
    posted = unflatten(GOOD_POST[:18] + [("members[2].name", "丙"), ("members[7].name", "丁"),
                                         ("members[0].name", "甲")])
    assert [m["name"] for m in posted["members"]] == ["甲", "丙", "丁"]
    clean = validate_submission(form, {**good(), "members": posted["members"]})
    assert [m["name"] for m in clean["members"]] == ["甲", "丙", "丁"]
    # A client sending rows as an object of indices gets the same result.
    as_object = {"2": {"name": "乙"}, "10": {"name": "丙"}, "1": {"name": "甲"}}
    assert [m["name"] for m in validate_submission(form, {**good(), "members": as_object})["members"]] == \
        ["甲", "乙", "丙"]


def test_row_bounds_from_properties_and_required_list():
    form = parse_form({"type": "default", "id": "rows", "components": [
        {"type": "dynamiclist", "path": "itinerary", "label": "行程", "isRepeating": True,
         "properties": {"min_rows": "2", "max_rows": "2"},
         "components": [{"type": "textfield", "key": "country", "label": "国家"}]},
        {"type": "dynamiclist", "path": "notes", "label": "备注", "isRepeating": True, "validate": {"required": True},
         "components": [{"type": "textfield", "key": "text", "label": "内容"}]},
        {"type": "dynamiclist", "path": "head", "label": "不重复", "isRepeating": False,
         "components": [{"type": "textfield", "key": "name", "label": "团长"}]},
    ]})
    errs = errors_of(form, {"itinerary": [{"country": "DE"}]})
    assert errs["itinerary"].en == "'行程' needs at least 2 row(s)"
    assert errs["notes"].en == "'备注' needs at least 1 row(s)"
    clean = validate_submission(form, {"itinerary": [{"country": "DE"}, {}], "notes": [{"text": "x"}],
                                       "head": {"name": "王"}})
    assert clean == {"itinerary": [{"country": "DE"}, {"country": ""}], "notes": [{"text": "x"}],
                     "head": {"name": "王"}}  # a non-repeating list is a group with a path


# -- cross-field dates, built-in patterns --------------------------------------------------------


def test_after_allows_the_same_day_and_uses_stored_values_for_read_only_dates():
    form = parse_form({"type": "default", "id": "dates", "components": [
        {"type": "datetime", "subtype": "date", "key": "departure_date", "dateLabel": "出发日期", "readonly": True},
        {"type": "datetime", "subtype": "date", "key": "return_date", "dateLabel": "回国日期",
         "properties": {"after": "departure_date"}},
    ]})
    stored = {"departure_date": "2026-05-10"}
    assert validate_submission(form, {"return_date": "2026-05-10"}, context=stored) == {"return_date": "2026-05-10"}
    errs = errors_of(form, {"return_date": "2026-05-09", "departure_date": "2026-01-01"}, context=stored)
    assert errs["return_date"].zh == "“回国日期”不能早于“出发日期”"
    assert validate_submission(form, {"return_date": "2026-05-09"}) == {"return_date": "2026-05-09"}  # nothing stored


def test_date_subtypes_time_zones_and_past_dates():
    form = parse_form({"type": "default", "id": "when", "components": [
        {"type": "datetime", "subtype": "datetime", "key": "at", "dateLabel": "时间"},
        {"type": "datetime", "subtype": "time", "key": "t", "timeLabel": "钟点"},
        {"type": "datetime", "subtype": "date", "key": "d", "dateLabel": "日期", "disallowPassedDates": True},
    ]})
    clean = validate_submission(form, {"at": "2026-05-01T16:30:00Z", "t": "01:00+00:00", "d": dt.date(2026, 3, 2)},
                                today=dt.date(2026, 3, 2))
    assert clean == {"at": "2026-05-02T00:30", "t": "09:00", "d": "2026-03-02"}  # China time, minute precision
    assert validate_submission(form, {"at": "2026-05-01 08:05"})["at"] == "2026-05-01T08:05"
    errs = errors_of(form, {"d": "2026-03-01"}, today=dt.date(2026, 3, 2))
    assert errs["d"].zh == "“日期”不能早于今天" and errs["d"].en == "'日期' cannot be in the past"


@pytest.mark.parametrize("number", VALID_IDS)
def test_valid_resident_id_numbers(form, number):
    data = {**good(), "members": [{"name": "甲", "id_no": number.lower()}]}
    assert validate_submission(form, data)["members"][0]["id_no"] == number


@pytest.mark.parametrize("number", VALID_IDS)
def test_every_wrong_check_digit_is_refused(form, number):
    for wrong in "0123456789X":
        if wrong != number[-1]:
            errs = errors_of(form, {**good(), "members": [{"name": "甲", "id_no": number[:17] + wrong}]})
            assert errs["members[0].id_no"].en == "'身份证号': the check digit is wrong; please check the number"


def test_check_digit_matches_iso_7064_mod_11_2():
    # Computed independently of the table: weights 2^(17-i) mod 11, check value (12 - sum mod 11) mod 11.
    for number in VALID_IDS:
        total = sum(int(c) * pow(2, 17 - i, 11) for i, c in enumerate(number[:17]))
        value = (12 - total % 11) % 11
        assert id_card_check_char(number[:17]) == ("X" if value == 10 else str(value)) == number[17]


@pytest.mark.parametrize(("typed", "stored"), [("E12345678", "E12345678"), (" g1234567 ", "G1234567"),
                                              ("AB123", "AB123"), ("X" * 20, "X" * 20)])
def test_passport_numbers(form, typed, stored):
    data = {**good(), "members": [{"name": "甲", "passport_no": typed}]}
    assert validate_submission(form, data)["members"][0]["passport_no"] == stored


@pytest.mark.parametrize("typed", ["E123", "X" * 21, "E 1234567", "护照12345", "E1234567!"])
def test_bad_passport_numbers(form, typed):
    errs = errors_of(form, {**good(), "members": [{"name": "甲", "passport_no": typed}]})
    assert errs["members[0].passport_no"].zh == "“护照号码”应为 5–20 位字母或数字"


@pytest.mark.parametrize(("phone", "ok"), [("13912345678", True), ("+86 139 1234 5678", True), ("0931-8888888", True),
                                           ("(0931) 88888888-123", True), ("+49 30 664040900", True),
                                           ("12345", False), ("phone", False), ("23912345678", False)])
def test_phone_numbers(form, phone, ok):
    data = {**good(), "inviter": {"name_zh": "x", "phone": phone}}
    if ok:
        assert validate_submission(form, data)["inviter"]["phone"] == phone
    else:
        assert "inviter.phone" in errors_of(form, data)


# -- options from case data, checkbox idioms -----------------------------------------------------


def test_options_named_by_values_key_come_from_the_case_data():
    form = parse_form({"type": "default", "id": "vk", "components": [
        {"type": "select", "key": "unit", "label": "单位", "valuesKey": "units"}]})
    context = {"units": [{"label": "商务局", "value": "commerce"}, "education"]}
    assert [o.value for o in form.components[0].options_in(context)] == ["commerce", "education"]
    assert validate_submission(form, {"unit": "education"}, context=context) == {"unit": "education"}
    assert "unit" in errors_of(form, {"unit": "finance"}, context=context)
    assert "unit" in errors_of(form, {"unit": "education"})  # no case data, nothing can be accepted


def test_checkbox_idioms():
    form = parse_form({"type": "default", "id": "cb", "components": [
        {"type": "checkbox", "key": "ok", "label": "同意", "validate": {"required": True}}]})
    assert validate_submission(form, {"ok": ["false", "on"]}) == {"ok": True}  # hidden input + checkbox
    assert validate_submission(form, {"ok": 1}) == {"ok": True}
    errs = errors_of(form, {"ok": "off"})
    assert errs["ok"].zh == "请勾选“同意”" and errs["ok"].en == "'同意' must be checked"
    assert "ok" in errors_of(form, {})


# -- flat HTML names ----------------------------------------------------------------------------


def test_unflatten_nests_repeats_and_ignores_nonsense():
    flat = {"a": "1", "g.b": "2", "g.c.d": "3", "rows[1].x": "y", "rows[0].x": "z", "multi": ["p", "q"],
            "bad..name": "x", "[0]": "x", "sp ace": "x", "rows[0]": "clash", "a.b": "clash", "tail[": "x"}
    assert unflatten(flat) == {"a": "1", "g": {"b": "2", "c": {"d": "3"}}, "rows": [{"x": "z"}, {"x": "y"}],
                               "multi": ["p", "q"]}
    assert unflatten([("k", "1"), ("k", "2"), ("k", "3")]) == {"k": ["1", "2", "3"]}
    assert unflatten([("cb", "on")]) == {"cb": "on"}  # the validator turns "on" into True
    posted = MultiDict([("countries", "DE"), ("countries", "JP"), ("members[0].name", "甲")])
    assert unflatten(posted) == {"countries": ["DE", "JP"], "members": [{"name": "甲"}]}


# -- rendering helpers --------------------------------------------------------------------------


def test_initial_values_and_blank_rows(form):
    stored = {"delegation_name": "团组", "batch_number": "兰外出任〔2026〕1号", "members": [{"name": "张三"}]}
    values = initial_values(form, stored)
    assert values["delegation_name"] == "团组" and values["batch_number"] == "兰外出任〔2026〕1号"
    assert values["in_annual_plan"] is True and values["countries"] == [] and values["days"] is None
    assert values["inviter"] == {"name_zh": "", "phone": ""}
    assert values["members"][0]["name"] == "张三" and values["members"][0]["classified"] is False
    members = next(f for f in form.walk() if f.key == "members")
    assert initial_values(form)["members"] == [blank_row(members)]
    assert blank_row(members)["visa_to"] is None


# -- inside the engine --------------------------------------------------------------------------


def test_invalid_submission_is_refused_with_field_errors_and_changes_nothing(service):
    w = Walker(service, T0)
    case_id = w.start()
    item = open_item(w.db, case_id, "ut_apply")
    before = get_case(w.db, case_id)
    with pytest.raises(InvalidInput) as err:
        service.complete_task("clerk_commerce", case_id, item.task_id,
                              {"applicant": "", "days": "61", "countries": "两个"},
                              expected_version=item.version, at=w.tick())
    errs = err.value.field_errors
    assert errs["applicant"].zh == "“申请人”为必填项" and errs["applicant"].en == "'申请人' is required"
    assert errs["days"].en == "'天数' must be at most 60" and errs["countries"].zh == "“国家数”必须是数字"
    after = get_case(w.db, case_id)
    assert (after.seq, after.state_hash, after.last_hash, after.data) == \
        (before.seq, before.state_hash, before.last_hash, before.data)
    assert open_item(w.db, case_id, "ut_apply").version == item.version
    assert len(events(w.db, case_id)) == 1


def test_engine_stores_only_clean_declared_data(service):
    w = Walker(service, T0)
    case_id = w.start()
    item = open_item(w.db, case_id, "ut_apply")
    service.complete_task("clerk_commerce", case_id, item.task_id,
                          {"applicant": " 张三 ", "days": "8", "countries": "2", "level": "leader",
                           "batch_number": "伪造", "decision": "approve"},
                          expected_version=item.version, at=w.tick())
    case = get_case(w.db, case_id)
    assert case.data["days"] == 8 and case.data["countries"] == 2 and case.data["applicant"] == "张三"
    assert "batch_number" not in case.data and "decision" not in case.data
    recorded = events(w.db, case_id)[-1].payload
    recorded = json.loads(recorded) if isinstance(recorded, str) else recorded
    assert recorded["data"] == {"applicant": "张三", "countries": 2, "days": 8}  # what replay will apply
    w.complete("ut_head", decision="return")
    assert get_case(w.db, case_id).data["comment"] == ""  # the form was submitted with the comment empty


def test_forms_are_parsed_once_per_version_and_a_task_without_form_takes_no_data(service):
    w = Walker(service, T0)
    case_id = w.start()
    case = get_case(w.db, case_id)
    with service.db.read() as s:
        first = service.specs.form_for(s, case.version_id, "test_apply")
        assert service.specs.form_for(s, case.version_id, "test_apply") is first
        assert service.specs.form_for(s, case.version_id, "no_such_form") is None
        assert [f.key for f in first.components] == ["applicant", "days", "countries"]
        no_form = SimpleNamespace(form_key=None)
        assert service._form_data(s, case, no_form, {"level": "leader"}, T0) == {}


def test_list_with_read_only_fields_updates_the_recorded_rows():
    """A review form shows members read-only and asks for one field per row: the stored rows keep
    everything else, and rows cannot be added or removed there."""
    from engine.errors import InvalidInput
    from engine.forms.parse import parse_form
    from engine.forms.validate import validate_submission

    form = parse_form({"type": "default", "id": "passports", "components": [
        {"type": "dynamiclist", "key": "members", "label": "团组成员", "path": "members", "components": [
            {"type": "textfield", "key": "name", "label": "姓名", "readonly": True},
            {"type": "textfield", "key": "passport_no", "label": "护照号码",
             "properties": {"pattern_name": "passport_no"}},
        ]},
    ]})
    recorded = {"members": [{"name": "张伟", "rank": "county", "passport_no": ""},
                            {"name": "李娜", "rank": "section", "passport_no": ""}]}
    clean = validate_submission(form, {"members": [{"name": "x", "passport_no": "E12345678"},
                                                   {"passport_no": "E87654321"}]}, context=recorded)
    assert clean["members"] == [{"name": "张伟", "rank": "county", "passport_no": "E12345678"},
                                {"name": "李娜", "rank": "section", "passport_no": "E87654321"}]
    with pytest.raises(InvalidInput) as err:
        validate_submission(form, {"members": [{"passport_no": "E12345678"}]}, context=recorded)
    assert "members" in err.value.field_errors
