"""Countries and regions as the choices of a form's select, so a clerk picks 德国 and the case stores
`DE` (DATA-CONTRACT: ISO 3166-1 alpha-2). Forms name them with form-js `valuesKey`:

- `country_options`: destinations and other foreign countries — every ISO territory but China;
  Hong Kong, Macao and Taiwan appear as regions of China (中国香港…), never as countries;
- `nationality_options`: the same plus China itself (a guest may hold Chinese nationality).

The lists are built in, not case data, so every page that shows a stored code (task pages, read-only
review forms, the case's sections) shows its name. Options are grouped: the office's usual
destinations first, then by continent, each group sorted by pinyin; every option carries the code,
its English name and its pinyin (full and initials) as search keywords for the typeahead."""

from __future__ import annotations

from functools import cache
from typing import Any

from babel import Locale
from pypinyin import lazy_pinyin

from engine.places.names import continent_of, name

COUNTRY_OPTIONS = "country_options"
NATIONALITY_OPTIONS = "nationality_options"

# CLDR territories that are not ISO 3166-1 countries or regions (and Kosovo, which China does not
# recognise): never offered, so never stored.
_NOT_COUNTRIES = frozenset({"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB",
                            "XK", "ZZ"})
# The office's usual destinations, shown first (FAO-DOMAIN: Belt and Road partners, sister-city
# countries, the large economies); everything else by continent.
COMMON = ("HK", "MO", "TW", "JP", "KR", "SG", "MY", "TH", "KZ", "UZ", "KG", "PK", "RU", "DE", "FR", "GB",
          "IT", "US", "CA", "AU", "NZ")
_CONTINENT_ORDER = ("142", "150", "019", "002", "009", "AQ", "ZZ")
_COMMON_GROUP = ("常用", "Frequent")


@cache
def _codes() -> tuple[str, ...]:
    territories = Locale.parse("en").territories
    return tuple(sorted(c for c in territories if len(c) == 2 and c.isalpha() and c not in _NOT_COUNTRIES))


def _keywords(code: str, zh: str, en: str) -> str:
    syllables = lazy_pinyin(zh)
    initials = "".join(s[0] for s in syllables if s)
    return " ".join((code.lower(), en.lower(), "".join(syllables), initials))


def _option(code: str, group: tuple[str, str]) -> dict[str, Any]:
    zh, en = name(code, "zh"), name(code, "en")
    return {"value": code, "label": zh, "label_en": en, "group": group[0], "group_en": group[1],
            "keywords": _keywords(code, zh, en)}


def _pinyin_key(code: str) -> tuple[list[str], str]:
    return lazy_pinyin(name(code, "zh")), code


@cache
def territory_options(include_china: bool) -> tuple[dict[str, Any], ...]:
    """Every option, common destinations first, then by continent; Chinese order by pinyin."""
    codes = [c for c in _codes() if include_china or c != "CN"]
    common = [c for c in COMMON if c in codes]
    rest = [c for c in codes if c not in common]
    out = [_option(c, _COMMON_GROUP) for c in common]
    if include_china:
        out.insert(0, _option("CN", _COMMON_GROUP))
        rest.remove("CN")
    for continent in _CONTINENT_ORDER:
        members = sorted((c for c in rest if continent_of(c) == continent), key=_pinyin_key)
        group = (name(continent, "zh"), name(continent, "en"))
        out.extend(_option(c, group) for c in members)
    return tuple(out)


def built_in(key: str) -> tuple[dict[str, Any], ...] | None:
    """The built-in option list a `valuesKey` names, or None when the key is case data."""
    if key == COUNTRY_OPTIONS:
        return territory_options(False)
    if key == NATIONALITY_OPTIONS:
        return territory_options(True)
    return None
