"""The period a report covers: a half-year (H1 = 1 January–30 June, H2 = 1 July–31 December) or
any date range, both ends included, in Asia/Shanghai; and the same period one year earlier, for
the year-on-year comparison (同比)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from engine.errors import InvalidInput

MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    half: str | None = None  # "H1" / "H2" when the period is a half-year

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidInput("结束日期早于开始日期", "The end date is before the start date")
        if (self.end - self.start).days > MAX_DAYS:
            raise InvalidInput("统计期间最长三年", "A report covers at most three years")

    @classmethod
    def half_year(cls, year: int, half: str) -> Period:
        if half not in ("H1", "H2") or not 2000 <= year <= 2100:
            raise InvalidInput("请选择年份和上半年或下半年", "Choose a year and the first or second half")
        if half == "H1":
            return cls(date(year, 1, 1), date(year, 6, 30), "H1")
        return cls(date(year, 7, 1), date(year, 12, 31), "H2")

    @classmethod
    def parse(cls, year: str | None, half: str | None, start: str | None, end: str | None,
              today: date) -> Period:
        """From a page's query: a date range if both dates are given, else a half-year (by
        default the last finished one)."""
        if start and end:
            try:
                return cls(date.fromisoformat(start), date.fromisoformat(end))
            except ValueError as exc:
                raise InvalidInput("日期格式应为 YYYY-MM-DD", "Dates are written YYYY-MM-DD") from exc
        if year and half:
            try:
                return cls.half_year(int(year), half)
            except ValueError as exc:
                raise InvalidInput("年份应为数字", "The year must be a number") from exc
        return last_finished_half(today)

    def previous_year(self) -> Period:
        return Period(_year_back(self.start), _year_back(self.end), self.half)

    def finished(self, today: date) -> bool:
        return self.end < today

    def months(self) -> list[str]:
        out, day = [], self.start.replace(day=1)
        while day <= self.end:
            out.append(day.strftime("%Y-%m"))
            day = (day + timedelta(days=32)).replace(day=1)
        return out

    def label(self, lang: str) -> str:
        if self.half:
            if lang == "zh":
                return f"{self.start.year}年{'上' if self.half == 'H1' else '下'}半年"
            return f"{'First' if self.half == 'H1' else 'Second'} half of {self.start.year}"
        return f"{self.start.isoformat()} – {self.end.isoformat()}"

    def as_record(self) -> dict[str, str | None]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "half": self.half}

    @classmethod
    def from_record(cls, record: dict) -> Period:
        return cls(date.fromisoformat(record["start"]), date.fromisoformat(record["end"]), record.get("half"))


def last_finished_half(today: date) -> Period:
    if today.month >= 7:
        return Period.half_year(today.year, "H1")
    return Period.half_year(today.year - 1, "H2")


def _year_back(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)
