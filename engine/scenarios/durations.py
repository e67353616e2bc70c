"""ISO 8601 durations for the scenario clock (`after = "PT2H"`).

Only fixed-length units are accepted: a year or a month has no fixed length, so a scenario that
advanced by one would depend on its start date in a way nobody reading it would expect."""

from __future__ import annotations

import re
from datetime import timedelta

_PATTERN = re.compile(
    r"P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?"
)


class DurationError(ValueError):
    """The text is not a duration the scenario clock accepts; says why in both languages."""

    def __init__(self, zh: str, en: str) -> None:
        self.zh, self.en = zh, en
        super().__init__(en)


def parse_duration(text: str) -> timedelta:
    """`P1W`, `P8D`, `PT2H30M`, `P1DT12H`, `PT0S`… → timedelta. Raises DurationError."""
    value = text.strip().upper()
    match = _PATTERN.fullmatch(value)
    if match is None or value in ("P", "PT") or value.endswith("T"):
        date_part = value.split("T", 1)[0]
        if value.startswith("P") and ("Y" in date_part or "M" in date_part):
            raise DurationError(f"“{text}”：年、月长度不固定，请用天数（如 P30D）",
                                f"'{text}': years and months have no fixed length; use days (e.g. P30D)")
        raise DurationError(f"“{text}”不是 ISO 8601 时长（如 PT10M、PT2H、P8D）",
                            f"'{text}' is not an ISO 8601 duration such as PT10M, PT2H or P8D")
    return timedelta(**{k: float(v) for k, v in match.groupdict().items() if v is not None})
