"""Country and continent names in Chinese and English, from the CLDR data Babel ships.

Babel does not ship CLDR's territory containment, but it does ship which time zones each territory
uses (`territory_zones`); the zone's region (Europe/…, Asia/…) names the continent. The few
territories whose first zone lies in an ocean (Atlantic/Azores for Portugal…) are listed here.
Hong Kong, Macao and Taiwan are named as regions of China (中国香港, 中国澳门, 中国台湾), as official
documents write them, not as CLDR's "中国香港特别行政区" / "台湾".
Continents are the UN M49 codes CLDR names: 002 Africa, 019 Americas, 142 Asia, 150 Europe,
009 Oceania, AQ Antarctica."""

from __future__ import annotations

from functools import cache

from babel import Locale
from babel.core import get_global

UNKNOWN = "ZZ"
_REGION = {"Europe": "150", "Asia": "142", "Africa": "002", "America": "019", "Australia": "009",
           "Pacific": "009", "Antarctica": "AQ", "Arctic": "150"}
_OCEAN = {"PT": "150", "IS": "150", "FO": "150", "SJ": "150", "TR": "142", "CY": "142",
          "BM": "019", "FK": "019", "GS": "019", "CV": "002", "SH": "002", "MG": "002", "MU": "002",
          "KM": "002", "RE": "002", "SC": "002", "YT": "002", "TF": "002", "MV": "142", "IO": "142",
          "CC": "009", "CX": "009", "BV": "AQ", "HM": "AQ"}


@cache
def _continents() -> dict[str, str]:
    out: dict[str, str] = {}
    for territory, zones in get_global("territory_zones").items():
        if len(territory) == 2 and zones:
            out[territory] = _OCEAN.get(territory) or _REGION.get(zones[0].split("/")[0], UNKNOWN)
    out.update({k: v for k, v in _OCEAN.items()})
    return out


def continent_of(country: str) -> str:
    return _continents().get(country.upper(), UNKNOWN)


REGIONS = {"HK": ("中国香港", "Hong Kong, China"), "MO": ("中国澳门", "Macao, China"),
           "TW": ("中国台湾", "Taiwan, China")}


@cache
def _names(locale: str) -> dict[str, str]:
    names = dict(Locale.parse(locale).territories)
    names.update({code: pair[0 if locale.startswith("zh") else 1] for code, pair in REGIONS.items()})
    return names


def name(code: str, lang: str) -> str:
    """'DE' → 德国 / Germany; '150' → 欧洲 / Europe; an unknown code as it is."""
    names = _names("zh_Hans_CN" if lang == "zh" else "en")
    if code == UNKNOWN:
        return "未知" if lang == "zh" else "Unknown"
    return names.get(code.upper(), code)
