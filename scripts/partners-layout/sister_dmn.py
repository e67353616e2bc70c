import sys

from dmnlib import dmn

OUT = sys.argv[1]
OUTS = [
    ("precondition_result", "核对结果", "string"),
    ("precondition_rule", "命中规则", "string"),
    ("precondition_reason_zh", "说明", "string"),
    ("precondition_reason_en", "Explanation", "string"),
]
INS = [
    ("kind", "关系类别 relationship_kind", "relationship_kind", "string"),
    ("relations", "与我国建交 diplomatic_relations", "diplomatic_relations", "boolean"),
    ("level", "对方级别 partner_level", "partner_level", "string"),
    ("twinned", "已与我国其他城市结好 partner_twinned_in_china", "partner_twinned_in_china", "boolean"),
    ("months", "交往月数 exchange_months", "exchange_months", "integer"),
]
rows = [
    (
        "sc01",
        "[S47] 《友好城市工作管理规定》（全国对外友协，2002）：结好对象须为与我国建交国家的地方政府。Baseline from 2002; in Waishi since 2026-12-07.",
        ["-", "False", "-", "-", "-"],
        [
            "'fail'",
            "'SC01 [S47]'",
            "'对方所在国未与我国建交，不能建立友好城市或友好交流关系 [S47]'",
            "'The country has no diplomatic relations with China: no relationship can be formed [S47]'",
        ],
    ),
    (
        "sc02",
        "[S47][S50] 级别相当：区、县一般不与外国城市结为友好城市（全国对外友协 2002；皖政办〔1999〕40号）。In Waishi since 2026-12-07.",
        ["'sister_city'", "-", "'county_district'", "-", "-"],
        [
            "'fail'",
            "'SC02 [S47][S50]'",
            "'对方为区、县级，与兰州级别不相当，一般不结为友好城市 [S47][S50]'",
            "'The partner is a district or county, not of comparable level: no sister-city relationship [S47][S50]'",
        ],
    ),
    (
        "sc03",
        "[S49] 一对一原则：对方已与我国其他城市结好的，只建立友好合作（交流）关系（青政发〔1998〕147号）。In Waishi since 2026-12-07.",
        ["'sister_city'", "-", "-", "True", "-"],
        [
            "'downgrade'",
            "'SC03 [S49]'",
            "'对方已与我国其他城市结好，按一对一原则改按友好交流城市办理 [S49]'",
            "'The partner is twinned with another Chinese city: handled as a friendship-exchange city (one-to-one principle) [S49]'",
        ],
    ),
    (
        "sc04",
        "[S49][S46][A] 结好前应已有一段时间的交往；“不少于 12 个月”是假设的基线，待与兰州市外办确认。In Waishi since 2026-12-07.",
        ["'sister_city'", "-", "-", "-", "< 12"],
        [
            "'fail'",
            "'SC04 [S49][S46][A]'",
            "f'双方交往仅 {exchange_months} 个月，结好前应有一段时间的交往（基线不少于 12 个月）[S49][A]'",
            "f'Exchanges have run for only {exchange_months} months; a period of exchanges (baseline 12 months) should come first [S49][A]'",
        ],
    ),
    (
        "sc05",
        "[S47][S49][S50] 友好城市：前置条件均满足，走市政府—省外办—全国对外友协/外交部完整程序 [S52]。In Waishi since 2026-12-07.",
        ["'sister_city'", "-", "-", "-", "-"],
        ["'ok'", "'SC05 [S47][S49][S52]'", "'友好城市前置条件均满足'", "'Every sister-city precondition is met'"],
    ),
    (
        "sc06",
        "[A] 友好交流城市：与建交国地方政府即可，市政府批准后报省外办备案（较轻程序，待确认）。In Waishi since 2026-12-07.",
        ["'friendship_exchange'", "-", "-", "-", "-"],
        [
            "'ok'",
            "'SC06 [A]'",
            "'友好交流城市：市政府批准后报省外办备案 [A]'",
            "'Friendship-exchange city: municipal approval, then filing with the provincial FAO [A]'",
        ],
    ),
]
desc = (
    "Preconditions of a sister-city relationship as a checklist (FAO-DOMAIN §1(g)) [S47][S49][S50]. Hit policy FIRST: failing "
    "checks come first, the last two rows accept each kind. Outputs: precondition_result (ok / downgrade / fail), "
    "precondition_rule (row id and source tags, kept on the case) and the reason in both languages. Each row's description "
    "carries its source and date. Rows are editable by analysts; documentation: docs/processes-partners.md"
)
open(f"{OUT}/processes/sister_city_preconditions.dmn", "w").write(
    dmn(
        "sister_city_preconditions",
        "结好前置条件核对",
        "sister_city_preconditions: checklist of a sister-city application (FAO-DOMAIN §1(g)). Documentation: docs/processes-partners.md",
        desc,
        "FIRST",
        INS,
        OUTS,
        rows,
    )
)
