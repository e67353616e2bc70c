import sys

from bpmnlib import P, field, form, text

OUT = sys.argv[1]
DECISION = [("approve", "同意"), ("return", "退回补正"), ("reject", "不同意")]
KIND = [("sister_city", "友好城市（正式结好）"), ("friendship_exchange", "友好交流城市")]
LEVEL = [
    ("provincial_capital", "首府、省会或州府城市"),
    ("major_city", "较大城市、开放城市"),
    ("prefectural_city", "地区级城市"),
    ("county_district", "区、县、镇级"),
]
YESNO = [("approve", "同意"), ("reject", "不同意")]

p = P(
    "sister_city",
    "建立友好城市 / 友好交流城市关系",
    "Sister-city relationships of Lanzhou (FAO-DOMAIN §1(g)), both kinds in one diagram, routed by relationship_kind: "
    "'sister_city' (友好城市: municipal government → provincial FAO → CPAFFC confirmation / MFA approval [S52]) and "
    "'friendship_exchange' (友好交流城市: municipal government approval plus provincial filing [A]). The FAO clerk prepares the "
    "application with the preconditions as a checklist; DMN sister_city_preconditions checks them (diplomatic relations, "
    "comparable level, one-to-one principle, prior exchanges [S47][S49][S50]). Bodies outside the office are recorded by fao_clerk tasks. "
    "When the agreement is signed the partner is entered in the register (register_partner). Documentation: docs/processes-partners.md",
    ["fao_clerk", "section_chief", "fao_director"],
    "Sister-city relationships (友好城市 / 友好交流城市). Generated layout; edit freely in bpmn-js. Documentation: docs/processes-partners.md",
)

p.start("start", "外办经办人发起", "fao_clerk", 0)
p.script(
    "st_init",
    "初始化案件数据",
    "fao_clerk",
    1,
    """
correction_round = 0
decision = ''
comment = ''
return_comment = ''
outcome = 'in_progress'
case_label = '建立友好城市关系申请'
""",
    "Starting values: the correction-round counter, the outcome and a provisional label.",
)
p.gw("gw_apply", None, "fao_clerk", 2)
p.user(
    "ut_apply",
    "填写结好申请及前置条件核对",
    "fao_clerk",
    3,
    "sister_city_apply",
    "The FAO clerk fills in the partner city, the kind of relationship and the preconditions checklist (FAO-DOMAIN §1(g)): "
    "diplomatic relations, the partner's level, whether it is twinned with another Chinese city, since when exchanges run, "
    "the letter of intent and the proof of the partner's consent [S49]. Also used for corrections after a return.",
)
p.script(
    "st_check",
    "计算交往时长",
    "fao_clerk",
    4,
    """
exchange_months = (today().year - parse_date(exchanges_since).year) * 12 + today().month - parse_date(exchanges_since).month
if exchange_months < 0:
    exchange_months = 0
requested_kind = relationship_kind
kind_label = '友好城市' if relationship_kind == 'sister_city' else '友好交流城市'
case_label = f"与{partner_name_zh}（{partner_country}）建立{kind_label}关系"
warnings = []
if not cpaffc_consulted:
    warnings.append('尚未事先征求全国对外友协意见（宜及早征求 [S50]）')
application_warnings_text = '；'.join(warnings) if warnings else '无'
del warnings
""",
    "Derives exchange_months (whole months since exchanges began), the case label and the warnings the reviewers see "
    "(CPAFFC not yet consulted [S50]). Warnings inform; the DMN decides eligibility.",
)
p.rule(
    "brt_preconditions",
    "前置条件核对",
    "fao_clerk",
    5,
    "sister_city_preconditions",
    "Decision sister_city_preconditions (FIRST): precondition_result ok / downgrade / fail with precondition_rule and the reason.",
)
p.gw("gw_pre", "前置条件", "fao_clerk", 6, default="f_pre_ok")
p.script(
    "st_downgrade",
    "按一对一原则改为友好交流关系",
    "fao_clerk",
    7,
    """
relationship_kind = 'friendship_exchange'
kind_label = '友好交流城市'
case_label = f"与{partner_name_zh}（{partner_country}）建立{kind_label}关系"
notify('section_chief', f"{partner_name_zh}已与我国其他城市结好，按一对一原则改按友好交流城市办理",
       f"{partner_name_foreign} is twinned with another Chinese city: handled as a friendship-exchange city (one-to-one principle)", 'info')
""",
    "One-to-one principle [S49]: a foreign city twinned with another Chinese city gets only a friendship relationship; "
    "the case continues as 'friendship_exchange' (requested_kind keeps what was asked).",
    row=1,
)
p.script(
    "st_not_eligible",
    "不符合结好条件",
    "fao_clerk",
    7,
    """
outcome = 'not_eligible'
rejection_reason = precondition_reason_zh
""",
    "A precondition fails (no diplomatic relations, county-level partner, too short a record of exchanges): the case ends "
    "with the reason; the FAO may start a new application when the condition is met.",
    row=2,
)
p.end("end_not_eligible", "不符合条件", "fao_clerk", 8, row=2)

p.user(
    "ut_chief_review",
    "处长审核",
    "section_chief",
    7,
    "sister_city_chief_review",
    "The section chief reviews the dossier and the checklist result: approve, return for correction or reject.",
)
p.gw("gw_chief", "处长意见", "section_chief", 8, default="f_chief_approve")
p.user(
    "ut_director_review",
    "外办主任审核签发请示",
    "fao_director",
    9,
    "sister_city_director_review",
    "The FAO director approves sending the request (请示) to the municipal government, returns or rejects.",
)
p.gw("gw_director", "主任意见", "fao_director", 10, default="f_director_approve")
p.script(
    "st_issue_request",
    "形成报市政府请示",
    "fao_director",
    11,
    """
request_number = issue_number('sister_city_request')
request_date = str(today())
sister_city_request = {
    'number': request_number,
    'date': request_date,
    'kind': relationship_kind,
    'partner_name_zh': partner_name_zh,
    'partner_name_foreign': partner_name_foreign,
    'partner_country': partner_country,
    'partner_profile': partner_profile,
    'exchange_record': exchange_record,
    'intent_letter_date': intent_letter_date,
    'consent_proof': consent_proof,
    'precondition_rule': precondition_rule,
}
""",
    "Draws the request's number (issue_number('sister_city_request')) and keeps the fields of the 请示 to the municipal "
    "government for the document generator (docs/documents.md).",
)

p.user(
    "ut_record_government",
    "登记市政府批复",
    "fao_clerk",
    12,
    "sister_city_record_government",
    "The municipal government (executive meeting) decides [S49]; the FAO clerk records the decision, date, reference number and "
    "scanned document. Where the people's congress standing committee must also deliberate ([U] for Lanzhou), record its "
    "resolution in the summary.",
    row=1,
)
p.gw("gw_government", "市政府意见", "fao_clerk", 13, row=1, default="f_gov_approve")
p.gw("gw_kind", "关系类别", "fao_clerk", 14, row=1, default="f_kind_sister")
p.user(
    "ut_record_filing",
    "登记省外办备案",
    "fao_clerk",
    15,
    "sister_city_record_filing",
    "Friendship-exchange city: the lighter path, city approval plus filing with the provincial FAO [A]; the clerk records the filing.",
    row=2,
)
p.user(
    "ut_record_province",
    "登记省外办审核意见",
    "fao_clerk",
    15,
    "sister_city_record_province",
    "Sister city: the dossier goes to the Gansu FAO and the provincial government [S52]; the clerk records its opinion.",
    row=1,
)
p.boundary("bt_province_remind", "催询", "ut_record_province", "setting('province_reply_remind_after')")
p.script(
    "st_province_remind",
    "提醒催询省外办",
    "fao_clerk",
    16,
    """
notify('fao_clerk', f"{case_label}：省外办尚未答复，已超过 {setting('province_reply_remind_after')}，请催询",
       f"{case_label}: no reply from the provincial FAO after {setting('province_reply_remind_after')}; please follow up", 'reminder')
""",
    "Non-interrupting reminder while the provincial FAO has not answered (setting province_reply_remind_after); the task stays open.",
    row=3,
)
p.end("end_province_remind", "已提醒", "fao_clerk", 17, row=3)
p.gw("gw_province", "省外办意见", "fao_clerk", 16, row=1, default="f_prov_approve")
p.user(
    "ut_record_cpaffc",
    "登记全国对外友协确认及外交部批准",
    "fao_clerk",
    17,
    "sister_city_record_cpaffc",
    "CPAFFC confirms and the MFA approves (Gansu practice [S52]); the clerk records the confirmation.",
    row=1,
)
p.gw("gw_cpaffc", "友协意见", "fao_clerk", 18, row=1, default="f_cpaffc_approve")
p.user(
    "ut_record_signing",
    "登记签署结好协议书",
    "fao_clerk",
    19,
    "sister_city_record_signing",
    "The mayors sign the agreement (结好协议书, Chinese and foreign text); the clerk records the date, place and archive reference. "
    "The signing delegation itself is a trip case (trip_leader / trip_staff) [S48].",
    row=2,
)
p.script(
    "st_register",
    "登入友好城市名录",
    "fao_clerk",
    20,
    """
partner_id = register_partner({
    'kind': relationship_kind,
    'name_zh': partner_name_zh,
    'name_foreign': partner_name_foreign,
    'country': partner_country,
    'since': signed_date,
    'agreement_on_file': agreement_on_file,
    'agreement_ref': agreement_ref,
    'note': f"{request_number}；{precondition_rule}",
})
outcome = 'approved'
notify('fao_director', f"{case_label}：协议书已签署，已登入友好城市名录", f"{case_label}: agreement signed and entered in the register", 'info')
""",
    "Enters the partner in the register (register_partner, in this command's transaction; see engine/partners) and ends the case approved.",
    row=2,
)
p.end("end_approved", "已结好", "fao_clerk", 21, row=2)

p.gw("gw_return", "退回", "fao_clerk", 9, row=3)
p.script(
    "st_return",
    "通知退回补正",
    "fao_clerk",
    10,
    """
correction_round = correction_round + 1
return_comment = comment
relationship_kind = requested_kind
notify('fao_clerk', f"{case_label} 被退回补正（第 {correction_round} 次）：{comment}",
       f"{case_label} was returned for correction (round {correction_round}): {comment}", 'returned')
""",
    "Counts the correction round and tells the FAO clerks; the requested kind is restored so the checklist runs again.",
    row=3,
)
p.gw("gw_reject", "不予批准", "fao_director", 12, row=1)
p.script(
    "st_reject",
    "结束：未获批准",
    "fao_director",
    13,
    """
outcome = 'rejected'
rejection_reason = comment
notify('fao_clerk', f"{case_label} 未获批准：{comment}", f"{case_label} was not approved: {comment}", 'returned')
""",
    "Ends the case as rejected (inside the office, by the municipal government, the province or CPAFFC) with the reason.",
    row=1,
)
p.end("end_rejected", "未获批准", "fao_director", 14, row=1)

f = p.flow
f("start", "st_init")
f("st_init", "gw_apply")
f("gw_apply", "ut_apply")
f("ut_apply", "st_check")
f("st_check", "brt_preconditions")
f("brt_preconditions", "gw_pre")
f("gw_pre", "ut_chief_review", "符合", fid="f_pre_ok")
f("gw_pre", "st_downgrade", "一对一原则", "precondition_result == 'downgrade'")
f("gw_pre", "st_not_eligible", "不符合", "precondition_result == 'fail'")
f("st_downgrade", "ut_chief_review")
f("st_not_eligible", "end_not_eligible")
f("ut_chief_review", "gw_chief")
f("gw_chief", "ut_director_review", "同意", fid="f_chief_approve")
f("gw_chief", "gw_return", "退回", "decision == 'return'", fid="f_chief_return")
f("gw_chief", "gw_reject", "不同意", "decision == 'reject'", fid="f_chief_reject")
f("ut_director_review", "gw_director")
f("gw_director", "st_issue_request", "同意", fid="f_director_approve")
f("gw_director", "gw_return", "退回", "decision == 'return'", fid="f_director_return")
f("gw_director", "gw_reject", "不同意", "decision == 'reject'", fid="f_director_reject")
f("gw_return", "st_return")
f("st_return", "gw_apply")
f("st_issue_request", "ut_record_government")
f("ut_record_government", "gw_government")
f("gw_government", "gw_kind", "批准", fid="f_gov_approve")
f("gw_government", "gw_reject", "不批准", "decision == 'reject'", fid="f_gov_reject")
f("gw_kind", "ut_record_province", "友好城市", fid="f_kind_sister")
f("gw_kind", "ut_record_filing", "友好交流城市", "relationship_kind == 'friendship_exchange'", fid="f_kind_exchange")
f("ut_record_filing", "ut_record_signing")
f("bt_province_remind", "st_province_remind")
f("st_province_remind", "end_province_remind")
f("ut_record_province", "gw_province")
f("gw_province", "ut_record_cpaffc", "同意", fid="f_prov_approve")
f("gw_province", "gw_reject", "不同意", "decision == 'reject'", fid="f_prov_reject")
f("ut_record_cpaffc", "gw_cpaffc")
f("gw_cpaffc", "ut_record_signing", "确认", fid="f_cpaffc_approve")
f("gw_cpaffc", "gw_reject", "不予确认", "decision == 'reject'", fid="f_cpaffc_reject")
f("ut_record_signing", "st_register")
f("st_register", "end_approved")
f("gw_reject", "st_reject")
f("st_reject", "end_rejected")
open(f"{OUT}/processes/sister_city.bpmn", "w").write(p.xml())


# -- forms ---------------------------------------------------------------------------------------
def ro(c):
    c = dict(c)
    c["readonly"] = True
    c.pop("validate", None)
    return c


apply_fields = [
    field("select", "relationship_kind", "关系类别", "Kind of relationship", required=True, values=KIND),
    field(
        "textfield", "partner_name_zh", "对方城市（中文名称）", "Partner city (Chinese name)", required=True, maxlen=200
    ),
    field(
        "textfield",
        "partner_name_foreign",
        "对方城市（外文名称）",
        "Partner city (foreign name)",
        required=True,
        maxlen=200,
    ),
    field("select", "partner_country", "所在国家", "Country", required=True, valuesKey="country_options"),
    field("select", "partner_level", "对方城市级别", "Level of the partner city", required=True, values=LEVEL),
    field("textarea", "partner_profile", "对方城市简介", "Profile of the partner city", required=True, maxlen=5000),
    text("#### 前置条件核对（Preconditions checklist）"),
    field(
        "checkbox", "diplomatic_relations", "对方所在国与我国已建交", "The country has diplomatic relations with China"
    ),
    field(
        "checkbox",
        "partner_twinned_in_china",
        "对方已与我国其他城市结为友好城市",
        "The partner is already twinned with another Chinese city",
    ),
    field(
        "textfield",
        "partner_twinned_with",
        "已结好的我国城市（如有）",
        "Chinese city it is twinned with (if any)",
        maxlen=200,
    ),
    field("datetime", "exchanges_since", "双方开始交往日期", "Exchanges under way since", required=True),
    field(
        "textarea",
        "exchange_record",
        "交往情况（互访、合作项目）",
        "Record of exchanges (visits, projects)",
        required=True,
        maxlen=5000,
    ),
    field("datetime", "intent_letter_date", "结好意向书签署日期", "Letter of intent signed on", required=True),
    field(
        "textfield",
        "consent_proof",
        "对方同意结好的证明（领导人来函、议会决议或意向书）",
        "Proof of the partner's consent (leader's letter, council resolution or intent letter)",
        required=True,
        maxlen=500,
    ),
    field("checkbox", "cpaffc_consulted", "已事先征求全国对外友协意见", "CPAFFC consulted in advance"),
]
review_head = [ro(c) for c in apply_fields if c["type"] != "text"] + [
    field("textfield", "precondition_rule", "前置条件核对结果", "Checklist result", readonly=True),
    field("textarea", "precondition_reason_zh", "核对说明", "Checklist explanation", readonly=True),
    field("textarea", "application_warnings_text", "提示", "Warnings", readonly=True),
]
def decision(label):
    return [
    field("radio", "decision", label, "Decision", required=True, values=DECISION),
    field("textarea", "comment", "意见说明", "Comment", maxlen=2000),
]
forms = {
    "sister_city_apply": [
        text("### 建立友好城市 / 友好交流城市关系：申请"),
        field("textarea", "return_comment", "退回意见（如有）", "Return comment (if returned)", readonly=True),
        *apply_fields,
    ],
    "sister_city_chief_review": [text("### 处长审核：结好申请"), *review_head, *decision("审核意见")],
    "sister_city_director_review": [text("### 外办主任审核：报市政府请示"), *review_head, *decision("审核意见")],
}


def record(title, prefix, what, values=YESNO, after=None):
    props = {"after": after} if after else {}
    earlier = [field("datetime", after, "上一环节日期", "Date of the previous step", readonly=True)] if after else []
    return [
        text(f"### {title}\n外部机关不是系统用户，其答复由外办经办人登记。"),
        field("textfield", "case_label", "案件", "Case", readonly=True),
        *earlier,
        field("radio", "decision", f"{what}结果", "Decision", required=True, values=values),
        field("textfield", f"{prefix}_reference", f"{what}文号", "Reference number", required=True, maxlen=100),
        field("datetime", f"{prefix}_date", f"{what}日期", "Date", required=True, props=props),
        field(
            "textfield", f"{prefix}_document", "文件扫描件编号", "Scanned document reference", required=True, maxlen=200
        ),
        field("textarea", "comment", f"{what}意见摘要", "Summary", maxlen=2000),
    ]


forms["sister_city_record_government"] = [
    field("textfield", "request_number", "请示文号", "Request number", readonly=True),
    *record("登记市政府批复", "government", "市政府批复", values=[("approve", "批准"), ("reject", "不批准")]),
]
forms["sister_city_record_province"] = record("登记省外办审核意见", "province", "省外办审核", after="government_date")
forms["sister_city_record_cpaffc"] = record(
    "登记全国对外友协确认及外交部批准",
    "cpaffc",
    "友协确认",
    values=[("approve", "确认"), ("reject", "不予确认")],
    after="province_date",
)
forms["sister_city_record_filing"] = [
    text("### 登记省外办备案（友好交流城市）\n外部机关不是系统用户，由外办经办人登记。"),
    field("textfield", "case_label", "案件", "Case", readonly=True),
    field("datetime", "government_date", "市政府批复日期", "Date of the municipal approval", readonly=True),
    field("textfield", "filing_reference", "备案文号", "Filing reference", required=True, maxlen=100),
    field("datetime", "filing_date", "备案日期", "Filing date", required=True, props={"after": "government_date"}),
    field("textarea", "comment", "备注", "Note", maxlen=2000),
]
forms["sister_city_record_signing"] = [
    text("### 登记签署结好协议书"),
    field("textfield", "case_label", "案件", "Case", readonly=True),
    field("datetime", "signed_date", "签署日期", "Signed on", required=True),
    field("textfield", "signing_place", "签署地点", "Place of signing", required=True, maxlen=200),
    field("checkbox", "agreement_on_file", "协议书（中外文本）已存档", "Agreement (both texts) on file"),
    field("textfield", "agreement_ref", "协议书存档编号", "Agreement archive reference", maxlen=200),
    field("textarea", "comment", "备注", "Note", maxlen=2000),
]
for fid, comps in forms.items():
    open(f"{OUT}/forms/{fid}.form", "w").write(form(fid, comps))
