"""Writes the scenario files of sister_city, ngo_activity and journalist_interview."""

import json
import sys

OUT = sys.argv[1] + "/processes/scenarios"


def val(v):
    return json.dumps(v, ensure_ascii=False) if not isinstance(v, bool) else ("true" if v else "false")


def write(name, process, title, path, steps, expect, expect_data, start_as, unit=None):
    o = [
        f"# {process}: see docs/processes-partners.md. Run: .venv/bin/waishi scenario run processes/scenarios/{name}.toml",
        f"# Path: {path}",
        f"name = {val(title)}",
        f'process = "{process}"',
        f'start_as = "{start_as}"',
        'start_at = "2026-03-02T09:00:00+08:00"',
    ]
    if unit:
        o.append(f'unit = "{unit}"')
    for s in steps:
        s = dict(s)
        o.append("")
        o.append("[[steps]]")
        data = s.pop("data", None)
        for k, v in s.items():
            if k == "expect_notifications":
                items = ", ".join("{ " + ", ".join(f"{a} = {val(b)}" for a, b in n.items()) + " }" for n in v)
                o.append(f"expect_notifications = [{items}]")
            elif isinstance(v, list):
                o.append(f"{k} = [{', '.join(val(x) for x in v)}]")
            else:
                o.append(f"{k} = {val(v)}")
        if data:
            o.append("[steps.data]")
            o += [f"{k} = {val(v)}" for k, v in data.items()]

    def one(x):
        if isinstance(x, dict):
            return "{ " + ", ".join(f"{a} = {val(b)}" for a, b in x.items()) + " }"
        return val(x)

    o += ["", "[expect]"] + [
        f"{k} = [{', '.join(one(x) for x in v)}]" if isinstance(v, list) else f"{k} = {val(v)}"
        for k, v in expect.items()
    ]
    o += ["[expect.data]"] + [f"{k} = {val(v)}" for k, v in expect_data.items()]
    open(f"{OUT}/{name}.toml", "w").write("\n".join(o) + "\n")


# -- sister_city ----------------------------------------------------------------------------------
def sc_apply(**kw):
    d = dict(
        relationship_kind="sister_city",
        partner_name_zh="新潟市",
        partner_name_foreign="Niigata",
        partner_country="JP",
        partner_level="prefectural_city",
        partner_profile="日本新潟县首府，人口约 78 万，港口城市，农业与制造业发达。",
        diplomatic_relations=True,
        partner_twinned_in_china=False,
        partner_twinned_with="",
        exchanges_since="2023-05-10",
        exchange_record="2023 年起互派经贸、教育代表团各 2 次，开展中学生交流项目。",
        intent_letter_date="2025-09-15",
        consent_proof="对方市长 2025 年 9 月 15 日签署的结好意向书",
        cpaffc_consulted=True,
    )
    d.update(kw)
    return {"role": "fao_clerk", "task": "ut_apply", "data": d}


def review(role, task, decision, comment):
    return {"role": role, "task": task, "data": {"decision": decision, "comment": comment}}


def gov(decision="approve"):
    return {
        "role": "fao_clerk",
        "task": "ut_record_government",
        "after": "P7D",
        "data": {
            "decision": decision,
            "government_reference": "兰政函〔2026〕18号",
            "government_date": "2026-03-09",
            "government_document": "SCAN-2026-0309-01",
            "comment": "市政府常务会议研究同意" if decision == "approve" else "市政府研究认为时机尚不成熟",
        },
    }


def province(decision="approve"):
    return {
        "role": "fao_clerk",
        "task": "ut_record_province",
        "after": "P5D",
        "data": {
            "decision": decision,
            "province_reference": "甘外函〔2026〕42号",
            "province_date": "2026-03-14",
            "province_document": "SCAN-2026-0314-02",
            "comment": "经省政府批准，转报全国对外友协" if decision == "approve" else "省外办不同意",
        },
    }


def cpaffc(decision="approve"):
    return {
        "role": "fao_clerk",
        "task": "ut_record_cpaffc",
        "after": "P10D",
        "data": {
            "decision": decision,
            "cpaffc_reference": "友城字〔2026〕7号",
            "cpaffc_date": "2026-03-24",
            "cpaffc_document": "SCAN-2026-0324-01",
            "comment": "确认" if decision == "approve" else "对方已与我国另一城市商谈结好，不予确认",
        },
    }


FILING = {
    "role": "fao_clerk",
    "task": "ut_record_filing",
    "after": "P3D",
    "data": {
        "government_date": "2026-03-09",
        "filing_reference": "兰外备〔2026〕3号",
        "filing_date": "2026-03-11",
        "comment": "已报省外办备案",
    },
}


def signing(day="2026-03-25"):
    return {
        "role": "fao_clerk",
        "task": "ut_record_signing",
        "after": "P14D",
        "data": {
            "signed_date": day,
            "signing_place": "兰州",
            "agreement_on_file": True,
            "agreement_ref": "档案 YC-2026-02",
            "comment": "签署友好交流协议书",
        },
    }


CHIEF_OK = review("section_chief", "ut_chief_review", "approve", "同意")
DIR_OK = review("fao_director", "ut_director_review", "approve", "同意报市政府")

write(
    "sister_city_friendship_exchange",
    "sister_city",
    "友好交流城市（规则 SC06）：市政府批准、省外办备案后签署协议，登入名录",
    "apply (SC06) → chief → director → government → provincial filing → signing → register",
    [
        sc_apply(
            relationship_kind="friendship_exchange",
            partner_name_zh="佩斯卡拉市",
            partner_name_foreign="Pescara",
            partner_country="IT",
            partner_level="prefectural_city",
            partner_profile="意大利阿布鲁佐大区港口城市。",
        ),
        CHIEF_OK,
        DIR_OK,
        gov(),
        FILING,
        signing(),
    ],
    {"status": "completed", "open": []},
    {
        "outcome": "approved",
        "precondition_rule": "SC06 [A]",
        "relationship_kind": "friendship_exchange",
        "partner_id": 1,
        "request_number": "兰外请〔2026〕1号",
    },
    "fao_clerk",
)

write(
    "sister_city_one_to_one",
    "sister_city",
    "一对一原则（规则 SC03）：对方已与我国其他城市结好，改按友好交流城市办理；处长退回一次后通过",
    "apply (SC03 downgrade) → chief returns → apply again (SC03) → chief → director → government → filing → signing",
    [
        sc_apply(
            partner_twinned_in_china=True,
            partner_twinned_with="哈尔滨市",
            partner_name_zh="长冈市",
            partner_name_foreign="Nagaoka",
        ),
        {"expect_notifications": [{"kind": "info", "role": "section_chief", "contains": "一对一原则"}]},
        review("section_chief", "ut_chief_review", "return", "请补充与长冈市近两年的交往记录"),
        {"expect_open": ["ut_apply"]},
        sc_apply(
            partner_twinned_in_china=True,
            partner_twinned_with="哈尔滨市",
            partner_name_zh="长冈市",
            partner_name_foreign="Nagaoka",
            exchange_record="2023—2025 年互访 5 次，签署教育合作备忘录。",
        ),
        CHIEF_OK,
        DIR_OK,
        gov(),
        FILING,
        signing(),
    ],
    {
        "status": "completed",
        "open": [],
        "notifications": [{"kind": "returned", "role": "fao_clerk", "contains": "退回补正"}],
    },
    {
        "outcome": "approved",
        "precondition_rule": "SC03 [S49]",
        "relationship_kind": "friendship_exchange",
        "requested_kind": "sister_city",
        "correction_round": 1,
        "partner_id": 1,
    },
    "fao_clerk",
)

for name, kw, rule, title in [
    (
        "sister_city_no_relations",
        dict(
            diplomatic_relations=False,
            partner_name_zh="亚松森市",
            partner_name_foreign="Asunción",
            partner_country="PY",
        ),
        "SC01 [S47]",
        "未建交（规则 SC01）：不符合结好条件，案件结束",
    ),
    (
        "sister_city_county_level",
        dict(partner_level="county_district", partner_name_zh="某町", partner_name_foreign="Example Town"),
        "SC02 [S47][S50]",
        "级别不相当（规则 SC02）：对方为区县级，不符合友好城市条件",
    ),
    (
        "sister_city_few_exchanges",
        dict(exchanges_since="2025-10-01"),
        "SC04 [S49][S46][A]",
        "交往时间不足（规则 SC04）：交往不足 12 个月，不符合友好城市条件",
    ),
]:
    write(
        name,
        "sister_city",
        title,
        f"apply ({rule.split()[0]}) → not eligible",
        [sc_apply(**kw)],
        {"status": "completed", "open": [], "roles": ["fao_clerk"]},
        {"outcome": "not_eligible", "precondition_rule": rule, "request_number": "<absent>", "partner_id": "<absent>"},
        "fao_clerk",
    )

write(
    "sister_city_government_rejects",
    "sister_city",
    "友好城市：市政府不批准，案件结束（未登入名录）",
    "apply (SC05) → chief → director → government rejects",
    [sc_apply(cpaffc_consulted=False), CHIEF_OK, DIR_OK, gov("reject")],
    {"status": "completed", "open": []},
    {
        "outcome": "rejected",
        "rejection_reason": "市政府研究认为时机尚不成熟",
        "partner_id": "<absent>",
        "application_warnings_text": "尚未事先征求全国对外友协意见（宜及早征求 [S50]）",
    },
    "fao_clerk",
)
write(
    "sister_city_province_rejects",
    "sister_city",
    "友好城市：省外办不同意，案件结束",
    "apply → chief → director → government → province rejects",
    [sc_apply(), CHIEF_OK, DIR_OK, gov(), province("reject")],
    {"status": "completed", "open": []},
    {"outcome": "rejected", "partner_id": "<absent>"},
    "fao_clerk",
)
write(
    "sister_city_cpaffc_rejects",
    "sister_city",
    "友好城市：全国对外友协不予确认，案件结束",
    "apply → chief → director → government → province → CPAFFC rejects",
    [sc_apply(), CHIEF_OK, DIR_OK, gov(), province(), cpaffc("reject")],
    {"status": "completed", "open": []},
    {"outcome": "rejected", "partner_id": "<absent>"},
    "fao_clerk",
)
write(
    "sister_city_director_returns_chief_rejects",
    "sister_city",
    "友好城市：外办主任退回补正，处长再审不同意",
    "apply → chief → director returns → apply → chief rejects",
    [
        sc_apply(),
        CHIEF_OK,
        review("fao_director", "ut_director_review", "return", "请补充对方议会决议"),
        sc_apply(consent_proof="对方市议会 2025 年 12 月决议"),
        review("section_chief", "ut_chief_review", "reject", "对方议会决议尚未正式通过，暂缓"),
    ],
    {"status": "completed", "open": []},
    {"outcome": "rejected", "correction_round": 1, "rejection_reason": "对方议会决议尚未正式通过，暂缓"},
    "fao_clerk",
)


# -- ngo_activity ---------------------------------------------------------------------------------
def ngo_apply(**kw):
    d = dict(
        partner_unit="兰州大学",
        partner_unit_type="public_institution",
        supervisor_body="甘肃省教育厅",
        supervisor_approval_ref="甘教外〔2026〕5号",
        ngo_name_zh="某国际教育基金会",
        ngo_name_foreign="Example Education Foundation",
        ngo_country="GB",
        ngo_legal_proof="英国慈善委员会注册证明 No. 1234567",
        activity_name="黄河流域乡村教师培训",
        activity_type="general",
        activity_content="为兰州市乡村学校教师举办为期两周的英语教学培训。",
        activity_place="兰州市榆中县",
        start_date="2026-04-06",
        end_date="2026-04-17",
        funds_cny=180000,
        funds_source="基金会自有资金",
        filing_date="2026-03-10",
    )
    d.update(kw)
    return {"role": "unit_clerk", "task": "ut_apply", "data": d}


CONSULT = {
    "role": "fao_clerk",
    "task": "ut_consult",
    "after": "P1D",
    "data": {
        "consulted_departments": "市公安局、市教育局",
        "consultation_opinion": "no_objection",
        "opinion_text": "经征求市公安局、市教育局意见，对该临时活动无异议，请中方合作单位按规定向省公安厅备案。",
    },
}


def filed(result="filed"):
    d = {"filing_result": result, "comment": "已按规定备案" if result == "filed" else "对方经费未落实，撤回活动"}
    if result == "filed":
        d.update(
            psb_filing_date="2026-03-10", psb_filing_reference="甘公境外临备〔2026〕11号", psb_document="SCAN-NGO-0310"
        )
    return {"role": "unit_clerk", "task": "ut_record_filing", "after": "P2D", "data": d}


write(
    "ngo_activity_filed",
    "ngo_activity",
    "境外NGO临时活动（规则 NG05）：外办协调无异议，出具意见函，单位备案",
    "apply (NG05) → FAO consultation → opinion letter 兰外函〔2026〕1号 → filing recorded",
    [ngo_apply(), {"expect_open": ["ut_consult"]}, CONSULT, filed()],
    {"status": "completed", "open": [], "roles": ["unit_clerk", "fao_clerk", "unit_clerk"]},
    {
        "outcome": "filed",
        "filing_rule": "NG05 [S44][S45]",
        "filing_ok": True,
        "lead_days": 27,
        "duration_days": 12,
        "ngo_opinion_number": "兰外函〔2026〕1号",
        "consultation_due": "2026-03-09",
    },
    "unit_clerk",
    unit="education",
)

write(
    "ngo_activity_emergency_relief",
    "ngo_activity",
    "境外NGO应急救援（规则 NG03）：不受 15 日限制；外办协调逾期上报处长，由处长出具意见",
    "apply (NG03, 3 days ahead) → consultation overdue → escalated → section chief gives the opinion → filed",
    [
        ngo_apply(
            activity_type="emergency_relief",
            activity_name="地震灾后应急救援物资发放",
            start_date="2026-03-05",
            end_date="2026-03-20",
            filing_date="2026-03-02",
        ),
        {"fire_timers": True, "after": "P8D"},
        {
            "expect_notifications": [
                {"kind": "escalation", "role": "section_chief"},
                {"kind": "escalation", "role": "fao_clerk", "contains": "已上报处长"},
            ]
        },
        {"role": "section_chief", "task": "ut_consult", "data": CONSULT["data"]},
        filed(),
    ],
    {"status": "completed", "open": []},
    {"outcome": "filed", "filing_rule": "NG03 [S44]", "filing_min_lead_days": 0, "lead_days": 3},
    "unit_clerk",
    unit="education",
)

write(
    "ngo_activity_company_partner",
    "ngo_activity",
    "企业作中方合作单位（规则 NG01）：不符合条件，改由社会组织合作后协调，最终撤回活动",
    "apply (NG01 refused) → apply (NG05) → consultation → withdrawn",
    [
        ngo_apply(partner_unit="兰州某科技有限公司", partner_unit_type="company"),
        {"expect_open": ["ut_apply"]},
        {
            "expect_notifications": [
                {"kind": "returned", "username": "clerk_education", "contains": "企业不能作为中方合作单位"}
            ]
        },
        ngo_apply(
            partner_unit="兰州市青年志愿者协会", partner_unit_type="social_org", supervisor_body="共青团兰州市委"
        ),
        CONSULT,
        filed("withdrawn"),
    ],
    {"status": "completed", "open": []},
    {"outcome": "withdrawn", "filing_rule": "NG05 [S44][S45]", "correction_round": 1},
    "unit_clerk",
    unit="education",
)

write(
    "ngo_activity_over_one_year",
    "ngo_activity",
    "临时活动超过一年（规则 NG02）：缩短期限后协调、备案",
    "apply (NG02 refused) → apply (NG05) → consultation → filed",
    [
        ngo_apply(end_date="2027-06-30"),
        {"expect_open": ["ut_apply"]},
        ngo_apply(end_date="2027-03-31"),
        CONSULT,
        filed(),
    ],
    {"status": "completed", "open": []},
    {"outcome": "filed", "filing_rule": "NG05 [S44][S45]", "duration_days": 360, "correction_round": 1},
    "unit_clerk",
    unit="education",
)

write(
    "ngo_activity_short_notice",
    "ngo_activity",
    "备案不足 15 日（规则 NG04）：推迟活动开始日期后协调、备案",
    "apply (NG04 refused) → apply (NG05) → consultation → filed",
    [
        ngo_apply(start_date="2026-03-20", end_date="2026-03-31"),
        {"expect_open": ["ut_apply"]},
        ngo_apply(start_date="2026-03-25", end_date="2026-04-06"),
        CONSULT,
        filed(),
    ],
    {"status": "completed", "open": []},
    {"outcome": "filed", "filing_rule": "NG05 [S44][S45]", "lead_days": 15, "correction_round": 1},
    "unit_clerk",
    unit="education",
)


# -- journalist_interview --------------------------------------------------------------------------
def reg(**kw):
    d = dict(
        journalist_name="Hans SCHMIDT",
        journalist_nationality="DE",
        outlet="德国某日报",
        journalist_category="resident",
        press_card_no="外记证 2026-0123",
        interviewee_kind="official",
        interviewee="兰州市商务局局长",
        topic="兰州新区对外开放",
        outline="1. 兰州新区招商情况；2. 中欧班列；3. 对德合作项目。",
        interview_date="2026-03-16",
        interview_place="兰州市商务局",
    )
    d.update(kw)
    return {"role": "fao_clerk", "task": "ut_register", "data": d}


def consent(ans="consent"):
    d = {"interviewee_consent": ans, "consent_note": "同意接受采访" if ans == "consent" else "近期日程已满，不接受采访"}
    if ans == "consent":
        d.update(arranged_date="2026-03-16", arranged_place="兰州市商务局会议室")
    return {"role": "fao_clerk", "task": "ut_record_consent", "after": "P1D", "data": d}


def outcome(held="held"):
    return {
        "role": "fao_clerk",
        "task": "ut_record_outcome",
        "after": "P10D",
        "data": {"interview_held": held, "outcome_note": "采访按计划进行，报道已于 3 月 20 日刊发"},
    }


write(
    "journalist_interview_official",
    "journalist_interview",
    "外国记者采访官员（规则 JR01）：催办后外办主任同意，被采访人同意，采访进行",
    "register (JR01) → director reminder → director agrees → consent → held",
    [
        reg(),
        {"fire_timers": True, "after": "P3DT1H"},
        {"expect_notifications": [{"kind": "reminder", "role": "fao_director"}]},
        review("fao_director", "ut_director_review", "approve", "同意安排，请商务局做好准备"),
        consent(),
        outcome(),
    ],
    {"status": "completed", "open": [], "roles": ["fao_clerk", "fao_director", "fao_clerk", "fao_clerk"]},
    {"outcome": "held", "arrangement": "official_arrangement", "route_rule": "JR01 [S41][S63][A]"},
    "fao_clerk",
)
write(
    "journalist_interview_director_declines",
    "journalist_interview",
    "外国记者采访官员（规则 JR01）：外办主任不同意安排",
    "register (JR01) → director declines",
    [reg(), review("fao_director", "ut_director_review", "reject", "该局长近期出访，不安排")],
    {"status": "completed", "open": []},
    {"outcome": "declined", "arrangement": "official_arrangement"},
    "fao_clerk",
)
write(
    "journalist_interview_consent_only",
    "journalist_interview",
    "外国记者采访单位（规则 JR02）：只需征得被采访单位同意，采访进行",
    "register (JR02) → consent → held",
    [
        reg(
            interviewee_kind="unit",
            interviewee="兰州某牛肉面连锁企业",
            journalist_category="short_term",
            press_card_no="J2 签证 No. 0456789",
        ),
        consent(),
        outcome(),
    ],
    {"status": "completed", "open": [], "roles": ["fao_clerk", "fao_clerk", "fao_clerk"]},
    {"outcome": "held", "arrangement": "consent_only", "route_rule": "JR02 [S42]"},
    "fao_clerk",
)
write(
    "journalist_interview_person_declines",
    "journalist_interview",
    "外国记者采访个人（规则 JR02）：被采访人不同意，不安排",
    "register (JR02) → interviewee declines",
    [reg(interviewee_kind="person", interviewee="某非遗传承人"), consent("decline")],
    {"status": "completed", "open": []},
    {"outcome": "declined", "arrangement": "consent_only"},
    "fao_clerk",
)
