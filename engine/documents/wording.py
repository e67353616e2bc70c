"""The words an official document prints for the codes the case data stores: countries, sex,
visa and passport types, entries, who bears the costs, and Chinese dates.

The snapshot keeps the printed words (not the codes), so re-rendering a document later gives the
same text even if these tables or a form's option labels change."""

from __future__ import annotations

from datetime import date

from engine.places import names as places

SEX = {"male": "男", "female": "女"}

VISA_TYPES = {
    "diplomatic": "外交", "courtesy": "礼遇", "official": "公务",
    "F": "F字", "M": "M字", "J1": "J-1字", "J2": "J-2字", "Z": "Z字",
}

ENTRIES = {"single": "一次", "double": "两次", "multiple": "多次"}

PASSPORT_TYPES = {"diplomatic": "外交护照", "official": "公务护照", "service": "公务普通护照",
                  "official_ordinary": "公务普通护照", "ordinary": "普通护照"}


def country(code: object) -> str:
    """ISO 3166-1 alpha-2 → the Chinese name ("DE" → "德国", "HK" → "中国香港", as engine.places names
    them); unknown text is printed as given."""
    text = str(code or "").strip()
    if len(text) == 2 and text.isalpha():
        return places.name(text, "zh")
    return text


def word(table: dict[str, str], code: object) -> str:
    text = "" if code is None else str(code)
    return table.get(text, text)


def cn_date(value: object) -> str:
    """"2026-04-20" → "2026年4月20日"; anything that is not an ISO date is printed as given."""
    text = "" if value is None else str(value)
    try:
        day = date.fromisoformat(text[:10])
    except ValueError:
        return text
    return f"{day.year}年{day.month}月{day.day}日"


def joined(items: list[str], sep: str = "、") -> str:
    return sep.join(i for i in items if i)
