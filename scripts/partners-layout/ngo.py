import sys

from bpmnlib import P, field, form, text
from dmnlib import dmn

OUT = sys.argv[1]
UNIT_TYPES = [
    ("state_organ", "国家机关"),
    ("people_org", "人民团体"),
    ("public_institution", "事业单位"),
    ("social_org", "社会组织"),
    ("company", "企业"),
]
ACTIVITY = [("general", "一般临时活动"), ("emergency_relief", "突发事件应急救援")]

p = P(
    "ngo_activity",
    "境外非政府组织临时活动（备案协调）",
    "Temporary activity of an overseas NGO (境外NGO临时活动, FAO-DOMAIN §1(g) 'additional functions'). The Chinese partner unit "
    "(a state organ, people's organisation, public institution or social organisation; not a company) files with the provincial "
    "public-security NGO office at least 15 days before the activity, which lasts at most one year; emergency relief is exempt "
    "from the 15 days [S44][S45]. DMN ngo_filing checks these rules. The FAO coordinates (牵头协调 [S39]): a consultation task "
    "with its deadline (setting ngo_consultation_working_days, working days), escalated to the section chief when overdue; it is "
    "not an approval. The FAO's opinion letter (协调意见函) is issued with issue_number('ngo_opinion'); the unit then records "
    "the filing. Documentation: docs/processes-partners.md",
    ["unit_clerk", "fao_clerk"],
    "Overseas NGO temporary activities (境外NGO临时活动). Generated layout; edit freely in bpmn-js. Documentation: docs/processes-partners.md",
)
p.start("start", "中方合作单位发起", "unit_clerk", 0)
p.script(
    "st_init",
    "初始化案件数据",
    "unit_clerk",
    1,
    """
correction_round = 0
filing_reason_zh = ''
outcome = 'in_progress'
case_label = '境外非政府组织临时活动备案协调'
""",
    "Starting values.",
)
p.gw("gw_apply", None, "unit_clerk", 2)
p.user(
    "ut_apply",
    "填写临时活动情况",
    "unit_clerk",
    3,
    "ngo_activity_apply",
    "The Chinese partner unit's clerk describes the NGO, the activity, its dates and the supervising body's approval, and the "
    "date on which the unit will file with the provincial public-security NGO office. Also used after a refused check.",
)
p.script(
    "st_check",
    "计算备案提前天数与活动期限",
    "unit_clerk",
    4,
    """
lead_days = days_between(filing_date, start_date) - 1 if parse_date(filing_date) < parse_date(start_date) else 0
duration_days = days_between(start_date, end_date)
case_label = f"{ngo_name_zh}在兰临时活动：{activity_name}"
""",
    "Derives lead_days (calendar days from the planned filing to the start, the filing day not counted: '15 日前') and "
    "duration_days (both ends counted).",
)
p.rule(
    "brt_filing",
    "备案条件检查",
    "unit_clerk",
    5,
    "ngo_filing",
    "Decision ngo_filing (FIRST): filing_ok, filing_rule, filing_reason_zh / _en.",
)
p.gw("gw_filing", "备案条件", "unit_clerk", 6, default="f_filing_ok")
p.script(
    "st_refused",
    "通知不符合备案条件",
    "unit_clerk",
    7,
    """
correction_round = correction_round + 1
notify_applicant(f"不符合临时活动备案条件：{filing_reason_zh}", f"The activity cannot be filed as planned: {filing_reason_en}", 'returned')
""",
    "The unit is told why (the rule's reason) and corrects the application; it may also withdraw (cancel the case).",
    row=1,
)
p.script(
    "st_consult_open",
    "登记协调期限",
    "fao_clerk",
    7,
    """
consultation_received = str(today())
consultation_due = str(add_working_days(today(), setting('ngo_consultation_working_days')))
consultation_due_at = f"{consultation_due}T18:00:00+08:00"
""",
    "The FAO's consultation deadline: setting('ngo_consultation_working_days') working days after receipt [A], on the official "
    "calendar; the opinion should reach the unit before its filing date.",
)
p.user(
    "ut_consult",
    "外办协调意见",
    "fao_clerk",
    8,
    "ngo_activity_consult",
    "The FAO clerk consults the departments concerned (public security, the unit's supervising body, others as needed) and gives "
    "the FAO's coordination opinion. This is a consultation, not an approval: the filing itself is with public security.",
)
p.boundary("bt_consult_overdue", "协调逾期", "ut_consult", "consultation_due_at", date=True)
p.script(
    "st_consult_overdue",
    "逾期上报处长",
    "fao_clerk",
    9,
    """
escalate('ut_consult', 'section_chief')
notify('fao_clerk', f"{case_label}：协调意见已超过期限 {consultation_due}，已上报处长",
       f"{case_label}: the coordination opinion is past its deadline {consultation_due}; escalated to the section chief", 'escalation')
""",
    "Non-interrupting: at the deadline the section chief may also give the opinion (escalate()); the clerks are told.",
    row=2,
)
p.end("end_consult_overdue", "已上报", "fao_clerk", 10, row=2)
p.script(
    "st_issue_opinion",
    "出具协调意见函",
    "fao_clerk",
    9,
    """
ngo_opinion_number = issue_number('ngo_opinion')
ngo_opinion_date = str(today())
ngo_opinion = {
    'number': ngo_opinion_number,
    'date': ngo_opinion_date,
    'partner_unit': partner_unit,
    'ngo_name_zh': ngo_name_zh,
    'ngo_name_foreign': ngo_name_foreign,
    'ngo_country': ngo_country,
    'activity_name': activity_name,
    'activity_place': activity_place,
    'start_date': start_date,
    'end_date': end_date,
    'opinion': consultation_opinion,
    'opinion_text': opinion_text,
    'filing_rule': filing_rule,
}
notify_applicant(f"外办协调意见函已出具：{ngo_opinion_number}", f"The FAO's coordination opinion was issued: {ngo_opinion_number}", 'info')
""",
    "Draws the opinion letter's number (issue_number('ngo_opinion')) and keeps its fields for the document generator.",
)
p.user(
    "ut_record_filing",
    "登记公安机关备案结果",
    "unit_clerk",
    10,
    "ngo_activity_record_filing",
    "The partner unit records the filing with the provincial public-security NGO office (date, receipt number, scan), or that it "
    "withdrew the activity.",
)
p.gw("gw_filed", "备案结果", "unit_clerk", 11, default="f_filed")
p.script("st_filed", "结束：已备案", "unit_clerk", 12, "outcome = 'filed'", "Ends the case: the activity is filed.")
p.end("end_filed", "已备案", "unit_clerk", 13)
p.script(
    "st_withdrawn",
    "结束：已撤回",
    "unit_clerk",
    12,
    "outcome = 'withdrawn'",
    "Ends the case: the unit withdrew the activity.",
    row=1,
)
p.end("end_withdrawn", "已撤回", "unit_clerk", 13, row=1)
f = p.flow
f("start", "st_init")
f("st_init", "gw_apply")
f("gw_apply", "ut_apply")
f("ut_apply", "st_check")
f("st_check", "brt_filing")
f("brt_filing", "gw_filing")
f("gw_filing", "st_consult_open", "符合", fid="f_filing_ok")
f("gw_filing", "st_refused", "不符合", "not filing_ok", fid="f_filing_refused")
f("st_refused", "gw_apply")
f("st_consult_open", "ut_consult")
f("ut_consult", "st_issue_opinion")
f("bt_consult_overdue", "st_consult_overdue")
f("st_consult_overdue", "end_consult_overdue")
f("st_issue_opinion", "ut_record_filing")
f("ut_record_filing", "gw_filed")
f("gw_filed", "st_filed", "已备案", fid="f_filed")
f("gw_filed", "st_withdrawn", "撤回", "filing_result == 'withdrawn'", fid="f_withdrawn")
f("st_filed", "end_filed")
f("st_withdrawn", "end_withdrawn")
open(f"{OUT}/processes/ngo_activity.bpmn", "w").write(p.xml())


def ro(c):
    c = dict(c)
    c["readonly"] = True
    c.pop("validate", None)
    return c


apply_fields = [
    text("#### 中方合作单位（Chinese partner unit）"),
    field("textfield", "partner_unit", "中方合作单位名称", "Chinese partner unit", required=True, maxlen=200),
    field("select", "partner_unit_type", "中方合作单位性质", "Kind of partner unit", required=True, values=UNIT_TYPES),
    field("textfield", "supervisor_body", "业务主管单位", "Supervising body", required=True, maxlen=200),
    field(
        "textfield",
        "supervisor_approval_ref",
        "业务主管单位批准文号",
        "Supervising body's approval reference",
        required=True,
        maxlen=100,
    ),
    text("#### 境外非政府组织（Overseas NGO）"),
    field("textfield", "ngo_name_zh", "境外非政府组织名称（中文）", "NGO name (Chinese)", required=True, maxlen=200),
    field(
        "textfield", "ngo_name_foreign", "境外非政府组织名称（外文）", "NGO name (foreign)", required=True, maxlen=200
    ),
    field("select", "ngo_country", "注册地国家", "Country of registration", required=True, valuesKey="country_options"),
    field(
        "textfield", "ngo_legal_proof", "合法成立证明文件", "Proof of lawful establishment", required=True, maxlen=200
    ),
    text("#### 临时活动（Temporary activity）"),
    field("textfield", "activity_name", "活动名称", "Activity", required=True, maxlen=200),
    field("select", "activity_type", "活动类别", "Kind of activity", required=True, values=ACTIVITY),
    field("textarea", "activity_content", "活动内容", "Content of the activity", required=True, maxlen=5000),
    field("textfield", "activity_place", "活动地域", "Where", required=True, maxlen=200),
    field("datetime", "start_date", "开始日期", "Start date", required=True),
    field("datetime", "end_date", "结束日期", "End date", required=True, props={"after": "start_date"}),
    field("number", "funds_cny", "活动经费（人民币元）", "Funds (CNY)", required=True, min=0),
    field("textfield", "funds_source", "经费来源", "Source of funds", required=True, maxlen=200),
    field(
        "datetime",
        "filing_date",
        "拟向省公安厅境外NGO管理办公室备案日期",
        "Planned filing date with the provincial NGO office",
        required=True,
    ),
]
check_fields = [
    field("textfield", "filing_rule", "备案条件检查", "Filing check", readonly=True),
    field("textarea", "filing_reason_zh", "检查说明", "Explanation", readonly=True),
    field("number", "lead_days", "备案距活动开始天数", "Days between filing and start", readonly=True),
    field("number", "duration_days", "活动天数", "Days of the activity", readonly=True),
]
forms = {
    "ngo_activity_apply": [
        text("### 境外非政府组织临时活动：中方合作单位申报"),
        field(
            "textarea",
            "filing_reason_zh",
            "上次检查未通过的原因（如有）",
            "Why the last check failed (if it did)",
            readonly=True,
        ),
        *apply_fields,
    ],
    "ngo_activity_consult": [
        text("### 外办协调意见\n外办牵头协调，不是审批；备案由中方合作单位向公安机关办理。"),
        *[ro(c) for c in apply_fields if c["type"] != "text"],
        *check_fields,
        field("datetime", "consultation_due", "协调期限", "Consultation deadline", readonly=True),
        field("textfield", "consulted_departments", "征求意见部门", "Departments consulted", required=True, maxlen=500),
        field(
            "radio",
            "consultation_opinion",
            "协调意见",
            "Opinion",
            required=True,
            values=[("no_objection", "无异议"), ("with_advice", "有意见建议（见说明）")],
        ),
        field("textarea", "opinion_text", "意见说明", "Opinion text", required=True, maxlen=3000),
    ],
    "ngo_activity_record_filing": [
        text("### 登记公安机关备案结果\n省公安厅境外NGO管理办公室不是系统用户，由中方合作单位登记。"),
        field("textfield", "ngo_opinion_number", "外办协调意见函文号", "FAO opinion number", readonly=True),
        field("textarea", "opinion_text", "外办意见", "FAO's opinion", readonly=True),
        field(
            "radio",
            "filing_result",
            "结果",
            "Result",
            required=True,
            values=[("filed", "已备案"), ("withdrawn", "撤回活动")],
        ),
        field("datetime", "psb_filing_date", "备案日期", "Filing date"),
        field("textfield", "psb_filing_reference", "备案回执编号", "Filing receipt number", maxlen=100),
        field("textfield", "psb_document", "回执扫描件编号", "Scanned receipt reference", maxlen=200),
        field("textarea", "comment", "备注", "Note", maxlen=2000),
    ],
}
for fid, comps in forms.items():
    open(f"{OUT}/forms/{fid}.form", "w").write(form(fid, comps))

INS = [
    ("unit", "中方合作单位性质 partner_unit_type", "partner_unit_type", "string"),
    ("duration", "活动天数 duration_days", "duration_days", "integer"),
    ("activity", "活动类别 activity_type", "activity_type", "string"),
    ("lead", "备案提前天数 lead_days", "lead_days", "integer"),
]
OUTS = [
    ("filing_ok", "可以备案", "boolean"),
    ("filing_rule", "命中规则", "string"),
    ("filing_reason_zh", "说明", "string"),
    ("filing_reason_en", "Explanation", "string"),
    ("filing_min_lead_days", "最少提前天数", "integer"),
]
LAW = "《境外非政府组织境内活动管理法》（2017-01-01 施行）"
rows = [
    (
        "ng01",
        f"[S44][S45] {LAW}：中方合作单位为国家机关、人民团体、事业单位、社会组织，企业不能作为中方合作单位。In Waishi since 2026-12-07.",
        ["'company'", "-", "-", "-"],
        [
            "False",
            "'NG01 [S44][S45]'",
            "'中方合作单位须为国家机关、人民团体、事业单位或社会组织，企业不能作为中方合作单位 [S44][S45]'",
            "'The Chinese partner must be a state organ, people\\'s organisation, public institution or social organisation, not a company [S44][S45]'",
            "15",
        ],
    ),
    (
        "ng02",
        f"[S44] {LAW}：临时活动期限不超过一年，确需延长的应当重新备案。In Waishi since 2026-12-07.",
        ["-", "> 365", "-", "-"],
        [
            "False",
            "'NG02 [S44]'",
            "f'临时活动期限为 {duration_days} 天，不得超过一年；确需延长的应当重新备案 [S44]'",
            "f'The activity lasts {duration_days} days; a temporary activity lasts at most one year, longer needs a new filing [S44]'",
            "15",
        ],
    ),
    (
        "ng03",
        f"[S44] {LAW}：在赈灾、救援等紧急情况下开展临时活动的，不受 15 日前备案的限制（应及时备案）。In Waishi since 2026-12-07.",
        ["-", "-", "'emergency_relief'", "-"],
        [
            "True",
            "'NG03 [S44]'",
            "'突发事件应急救援：不受活动开始 15 日前备案的限制，应及时备案 [S44]'",
            "'Emergency relief: exempt from filing 15 days ahead; file without delay [S44]'",
            "0",
        ],
    ),
    (
        "ng04",
        f"[S44] {LAW}：中方合作单位应当于临时活动开始 15 日前备案。In Waishi since 2026-12-07.",
        ["-", "-", "-", "< 15"],
        [
            "False",
            "'NG04 [S44]'",
            "f'备案日距活动开始仅 {lead_days} 天，应于活动开始 15 日前备案 [S44]'",
            "f'Only {lead_days} days between filing and start; file at least 15 days before the activity [S44]'",
            "15",
        ],
    ),
    (
        "ng05",
        f"[S44][S45] {LAW}：其余情形可以备案。In Waishi since 2026-12-07.",
        ["-", "-", "-", "-"],
        ["True", "'NG05 [S44][S45]'", "'符合临时活动备案条件'", "'The activity can be filed'", "15"],
    ),
]
desc = (
    "Filing rules of an overseas NGO's temporary activity (FAO-DOMAIN §1(g)) [S44][S45]. Hit policy FIRST: refusals first "
    "(company partner, longer than one year), then the emergency-relief exemption, then the 15-day lead, then a catch-all. "
    "Outputs: filing_ok, filing_rule (row id and source tags), the reason in both languages and the lead the row requires. "
    "Each row's description carries its source and date. Documentation: docs/processes-partners.md"
)
open(f"{OUT}/processes/ngo_filing.dmn", "w").write(
    dmn(
        "ngo_filing",
        "境外NGO临时活动备案条件",
        "ngo_filing: filing rules of an overseas NGO temporary activity. Documentation: docs/processes-partners.md",
        desc,
        "FIRST",
        INS,
        OUTS,
        rows,
    )
)
