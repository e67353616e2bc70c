import sys

from bpmnlib import P, field, form, text
from dmnlib import dmn

OUT = sys.argv[1]
KIND = [("official", "政府官员"), ("unit", "单位（机关、企业、学校等）"), ("person", "个人")]
CATEGORY = [("resident", "常驻记者（驻华 6 个月以上）"), ("short_term", "短期采访记者（6 个月及以下）")]

p = P(
    "journalist_interview",
    "外国记者采访（外办安排）",
    "Interview requests of foreign journalists handled by the FAO as the MFA's delegate (FAO-DOMAIN §1(c)) [S42]: the "
    "'self-initiated interview request' entry point. Since 2008 (国务院令第537号) a journalist in an open area needs only the "
    "consent of the person or unit interviewed [S42]; DMN journalist_route sends interviews with officials through the FAO "
    "director's agreement [S63][A] and everything else to a coordination-only path where the FAO records the interviewee's "
    "consent. Invited journalists (J-2 visa notice) stay in invitation_official (guest_rank 'journalist'). The journalist "
    "is not a user: the FAO clerk registers the request. Documentation: docs/processes-partners.md",
    ["fao_clerk", "fao_director"],
    "Foreign journalists' interview requests (外国记者采访). Generated layout; edit freely in bpmn-js. Documentation: docs/processes-partners.md",
)
p.start("start", "收到采访申请", "fao_clerk", 0)
p.user(
    "ut_register",
    "登记采访申请",
    "fao_clerk",
    1,
    "journalist_interview_register",
    "The FAO clerk registers the request: the journalist (name, nationality, outlet, resident or short-term, press card), the "
    "interviewee, the topic and the interview outline (采访提纲) [S63], the wished date and place.",
)
p.rule(
    "brt_route",
    "确定办理方式",
    "fao_clerk",
    2,
    "journalist_route",
    "Decision journalist_route (FIRST) by interviewee_kind: arrangement 'official_arrangement' or 'consent_only'.",
)
p.script(
    "st_label",
    "案件标题",
    "fao_clerk",
    3,
    """
outcome = 'in_progress'
case_label = f"{outlet}记者 {journalist_name} 采访{interviewee}"
""",
    "The case label.",
)
p.gw("gw_route", "办理方式", "fao_clerk", 4, default="f_consent_only")
p.user(
    "ut_director_review",
    "外办主任同意安排",
    "fao_director",
    5,
    "journalist_interview_director_review",
    "Interviews with officials: the FAO director agrees to arrange the interview (or declines), with a comment for the clerk.",
)
p.boundary("bt_director_remind", "催办", "ut_director_review", "setting('approval_remind_after')")
p.script(
    "st_director_remind",
    "发送催办提醒",
    "fao_director",
    6,
    """
notify('fao_director', f"催办：{case_label} 待外办主任同意，已超过 {setting('approval_remind_after')}",
       f"Reminder: {case_label} has waited for the director longer than {setting('approval_remind_after')}", 'reminder')
""",
    "Non-interrupting reminder after setting('approval_remind_after'); the task stays open.",
    row=1,
)
p.end("end_director_remind", "已提醒", "fao_director", 7, row=1)
p.gw("gw_director", "主任意见", "fao_director", 6, default="f_director_approve")
p.user(
    "ut_record_consent",
    "联系被采访方并登记意见",
    "fao_clerk",
    7,
    "journalist_interview_record_consent",
    "The FAO clerk contacts the interviewee and records whether they consent, and the agreed time and place.",
)
p.gw("gw_consent", "被采访方意见", "fao_clerk", 8, default="f_consent_yes")
p.user(
    "ut_record_outcome",
    "登记采访情况",
    "fao_clerk",
    9,
    "journalist_interview_record_outcome",
    "After the date: whether the interview took place, and notes (published report, follow-ups).",
)
p.script(
    "st_done",
    "结束",
    "fao_clerk",
    10,
    """
outcome = 'held' if interview_held == 'held' else 'not_held'
""",
    "Ends the case with outcome held or not_held.",
)
p.end("end_done", "已办结", "fao_clerk", 11)
p.script(
    "st_declined",
    "结束：不安排",
    "fao_clerk",
    9,
    """
outcome = 'declined'
""",
    "Ends the case: the director declined or the interviewee did not consent; the clerk answers the journalist.",
    row=1,
)
p.end("end_declined", "不安排", "fao_clerk", 10, row=1)
f = p.flow
f("start", "ut_register")
f("ut_register", "brt_route")
f("brt_route", "st_label")
f("st_label", "gw_route")
f("gw_route", "ut_record_consent", "征得同意即可", fid="f_consent_only")
f("gw_route", "ut_director_review", "采访官员", "arrangement == 'official_arrangement'", fid="f_official")
f("bt_director_remind", "st_director_remind")
f("st_director_remind", "end_director_remind")
f("ut_director_review", "gw_director")
f("gw_director", "ut_record_consent", "同意", fid="f_director_approve")
f("gw_director", "st_declined", "不同意", "decision == 'reject'", fid="f_director_reject")
f("ut_record_consent", "gw_consent")
f("gw_consent", "ut_record_outcome", "同意采访", fid="f_consent_yes")
f("gw_consent", "st_declined", "不同意", "interviewee_consent == 'decline'", fid="f_consent_no")
f("ut_record_outcome", "st_done")
f("st_done", "end_done")
f("st_declined", "end_declined")
open(f"{OUT}/processes/journalist_interview.bpmn", "w").write(p.xml())


def ro(c):
    c = dict(c)
    c["readonly"] = True
    c.pop("validate", None)
    return c


reg = [
    text("#### 记者（Journalist）"),
    field(
        "textfield",
        "journalist_name",
        "记者姓名（与护照一致）",
        "Journalist's name (as in the passport)",
        required=True,
        maxlen=200,
    ),
    field("select", "journalist_nationality", "国籍", "Nationality", required=True, valuesKey="nationality_options"),
    field("textfield", "outlet", "新闻机构", "News outlet", required=True, maxlen=200),
    field("select", "journalist_category", "记者类别", "Category", required=True, values=CATEGORY),
    field(
        "textfield",
        "press_card_no",
        "记者证号（常驻记者）或签证号",
        "Press card no. (resident) or visa no.",
        required=True,
        maxlen=100,
    ),
    text("#### 采访（Interview）"),
    field("select", "interviewee_kind", "被采访对象类别", "Interviewee", required=True, values=KIND),
    field("textfield", "interviewee", "被采访人或单位", "Person or unit interviewed", required=True, maxlen=200),
    field("textfield", "topic", "采访主题", "Topic", required=True, maxlen=200),
    field("textarea", "outline", "采访提纲", "Interview outline", required=True, maxlen=5000),
    field("datetime", "interview_date", "拟采访日期", "Wished interview date", required=True),
    field("textfield", "interview_place", "拟采访地点", "Place", required=True, maxlen=200),
]
forms = {
    "journalist_interview_register": [text("### 外国记者采访申请登记\n记者不是系统用户，由外办经办人登记。"), *reg],
    "journalist_interview_director_review": [
        text("### 外办主任：是否安排采访官员"),
        *[ro(c) for c in reg if c["type"] != "text"],
        field("textarea", "route_reason_zh", "办理依据", "Basis", readonly=True),
        field(
            "radio",
            "decision",
            "意见",
            "Decision",
            required=True,
            values=[("approve", "同意安排"), ("reject", "不安排")],
        ),
        field("textarea", "comment", "意见说明", "Comment", maxlen=2000),
    ],
    "journalist_interview_record_consent": [
        text("### 联系被采访方并登记意见"),
        field("textfield", "case_label", "案件", "Case", readonly=True),
        field("textarea", "route_reason_zh", "办理依据", "Basis", readonly=True),
        field(
            "radio",
            "interviewee_consent",
            "被采访方意见",
            "Interviewee's answer",
            required=True,
            values=[("consent", "同意接受采访"), ("decline", "不接受采访")],
        ),
        field("datetime", "arranged_date", "商定采访日期", "Agreed date"),
        field("textfield", "arranged_place", "商定采访地点", "Agreed place", maxlen=200),
        field("textarea", "consent_note", "说明（如被采访方要求）", "Note (e.g. conditions)", maxlen=2000),
    ],
    "journalist_interview_record_outcome": [
        text("### 登记采访情况"),
        field("textfield", "case_label", "案件", "Case", readonly=True),
        field(
            "radio",
            "interview_held",
            "采访是否进行",
            "Did the interview take place",
            required=True,
            values=[("held", "已进行"), ("not_held", "未进行")],
        ),
        field("textarea", "outcome_note", "情况说明（报道、后续事项）", "Notes (report, follow-ups)", maxlen=3000),
    ],
}
for fid, comps in forms.items():
    open(f"{OUT}/forms/{fid}.form", "w").write(form(fid, comps))

INS = [("kind", "被采访对象类别 interviewee_kind", "interviewee_kind", "string")]
OUTS = [
    ("arrangement", "办理方式", "string"),
    ("route_rule", "命中规则", "string"),
    ("route_reason_zh", "说明", "string"),
    ("route_reason_en", "Explanation", "string"),
]
rows = [
    (
        "jr01",
        "[S41][S63][A] 采访政府官员：记者提出采访申请并附采访提纲，由外办安排；报外办主任同意是 Waishi 的假设，待与兰州市外办确认。In Waishi since 2026-12-07.",
        ["'official'"],
        [
            "'official_arrangement'",
            "'JR01 [S41][S63][A]'",
            "'采访政府官员：由外办安排，经外办主任同意后联系被采访人 [S63][A]'",
            "'Interview with an official: arranged by the FAO with the director\\'s agreement [S63][A]'",
        ],
    ),
    (
        "jr02",
        "[S42] 《外国常驻新闻机构和外国记者采访条例》（国务院令第537号，2008-10-17 施行）：在开放地区采访只需征得被采访单位和个人同意。In Waishi since 2026-12-07.",
        ["-"],
        [
            "'consent_only'",
            "'JR02 [S42]'",
            "'只需征得被采访单位或个人同意，外办协助联系 [S42]'",
            "'Only the consent of the unit or person interviewed is needed; the FAO helps to contact them [S42]'",
        ],
    ),
]
desc = (
    "How the FAO handles a foreign journalist's interview request (FAO-DOMAIN §1(c)) [S42][S63]. Hit policy FIRST: interviews "
    "with officials are arranged with the FAO director's agreement [A]; any other interviewee needs only their own consent "
    "[S42]. Each row's description carries its source and date. Documentation: docs/processes-partners.md"
)
open(f"{OUT}/processes/journalist_route.dmn", "w").write(
    dmn(
        "journalist_route",
        "外国记者采访办理方式",
        "journalist_route: how a foreign journalist's interview request is handled. Documentation: docs/processes-partners.md",
        desc,
        "FIRST",
        INS,
        OUTS,
        rows,
    )
)
