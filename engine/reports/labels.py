"""Names of the codes the report groups by, in Chinese and English (DATA-CONTRACT.md)."""

from __future__ import annotations

from engine.places import names as geo

PURPOSES = {
    "investment_promotion": ("招商引资", "Investment promotion"),
    "trade_talks": ("经贸洽谈", "Trade talks"),
    "exhibition_conference": ("参展参会", "Exhibitions and conferences"),
    "cooperation_exchange": ("合作交流", "Cooperation and exchange"),
    "friendship_visit": ("友好访问", "Friendship visits"),
    "training": ("培训", "Training"),
    "technical_study": ("专业技术考察", "Technical study"),
    "official_visit": ("官方访问", "Official visits"),
    "journalism": ("记者采访", "Journalism"),
    "business_exchange": ("商务及专家交流", "Business and expert exchange"),
}
RANKS = {
    "staff": ("科员及以下", "Staff and below"),
    "section_deputy": ("副科级", "Deputy section level"),
    "section": ("正科级", "Section level"),
    "county_deputy": ("副县处级", "Deputy county level"),
    "county": ("正县处级", "County level"),
    "prefectural_deputy": ("副厅局级", "Deputy prefectural level"),
    "prefectural": ("正厅局级", "Prefectural level"),
    "provincial_deputy": ("副省部级", "Deputy provincial level"),
    "provincial": ("正省部级", "Provincial level"),
}
GUEST_RANKS = {
    "head_of_state_former": ("前国家元首、政府首脑", "Former head of state or government"),
    "minister": ("部长级", "Minister"),
    "vice_minister": ("副部长级", "Vice minister"),
    "provincial": ("省（州）长级", "Governor or equivalent"),
    "provincial_deputy": ("副省（州）长级", "Deputy governor or equivalent"),
    "prefectural": ("市长级", "Mayor or equivalent"),
    "prefectural_deputy": ("副市长级", "Deputy mayor or equivalent"),
    "diplomat_in_china": ("驻华外交官", "Diplomat in China"),
    "journalist": ("外国记者", "Foreign journalist"),
    "other": ("其他外宾", "Other visitors"),
}
UNKNOWN = ("未填写", "Not stated")


def pair(table: dict[str, tuple[str, str]], code: str | None) -> tuple[str, str]:
    if code is None:
        return UNKNOWN
    return table.get(code, (code, code))


def country(code: str) -> tuple[str, str]:
    return geo.name(code, "zh"), geo.name(code, "en")
