"""Financial years and quarters: the one place that parses and formats periods.

Financial year April to March, written `2019-20`. Quarters Q1 April-June ... Q4
January-March, written `2019-20 Q3` on screen and `2019-20-Q3` in URLs and commands.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

_FY_PATTERN = re.compile(r"^\s*(\d{4})-(\d{2})\s*$", re.ASCII)
_QUARTER_PATTERN = re.compile(r"^\s*(\d{4})-(\d{2})(?:\s+|-)Q([1-4])\s*$", re.IGNORECASE | re.ASCII)
_HALF_YEAR_PATTERN = re.compile(r"^\s*(\d{4})-(\d{2})(?:\s+|-)H([12])\s*$", re.IGNORECASE | re.ASCII)


# Years a period may be written with: the programme's life with room either side. A year
# beyond these is a typo or an attack (year 0 or 9999 has no date in Python for every month).
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


class PeriodError(ValueError):
    """A period written in a way we cannot read."""


def _check_year(year: int, text: str, like: str) -> None:
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise PeriodError(f"Enter a {like} between {EARLIEST_YEAR} and {LATEST_YEAR}, not '{text}'")


@dataclass(frozen=True, order=True)
class FinancialYear:
    start_year: int  # 2019 for 2019-20

    @classmethod
    def parse(cls, text: str) -> FinancialYear:
        match = _FY_PATTERN.match(text or "")
        if not match:
            raise PeriodError(f"Enter a financial year like 2019-20, not '{text}'")
        start, end_suffix = int(match.group(1)), int(match.group(2))
        if (start + 1) % 100 != end_suffix:
            raise PeriodError(f"Enter a financial year like 2019-20, not '{text}'")
        _check_year(start, text, "financial year")
        return cls(start)

    @classmethod
    def containing(cls, day: date) -> FinancialYear:
        return cls(day.year if day.month >= 4 else day.year - 1)

    def __str__(self) -> str:
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}"

    @property
    def label(self) -> str:
        return str(self)

    @property
    def start_date(self) -> date:
        return date(self.start_year, 4, 1)

    @property
    def end_date(self) -> date:
        return date(self.start_year + 1, 3, 31)

    @property
    def quarters(self) -> list[Quarter]:
        return [Quarter(self, number) for number in (1, 2, 3, 4)]

    def next(self) -> FinancialYear:
        return FinancialYear(self.start_year + 1)

    def months(self) -> list[Month]:
        return [month for quarter in self.quarters for month in quarter.months()]

    @property
    def half_years(self) -> list[HalfYear]:
        return [HalfYear(self, 1), HalfYear(self, 2)]


@dataclass(frozen=True, order=True)
class Quarter:
    year: FinancialYear
    number: int  # 1..4

    def __post_init__(self):
        if self.number not in (1, 2, 3, 4):
            raise PeriodError(f"A quarter is Q1 to Q4, not Q{self.number}")

    @classmethod
    def parse(cls, text: str) -> Quarter:
        match = _QUARTER_PATTERN.match(text or "")
        if not match:
            raise PeriodError(f"Enter a quarter like 2019-20 Q3 or 2019-20-Q3, not '{text}'")
        year = FinancialYear.parse(f"{match.group(1)}-{match.group(2)}")
        return cls(year, int(match.group(3)))

    @classmethod
    def containing(cls, day: date) -> Quarter:
        year = FinancialYear.containing(day)
        return cls(year, ((day.month - 4) % 12) // 3 + 1)

    def __str__(self) -> str:
        return f"{self.year} Q{self.number}"

    @property
    def label(self) -> str:
        return str(self)

    @property
    def slug(self) -> str:
        """The form used in URLs and commands: 2019-20-Q3."""
        return f"{self.year}-Q{self.number}"

    @property
    def start_date(self) -> date:
        month = 4 + (self.number - 1) * 3
        year = self.year.start_year
        if month > 12:
            month, year = month - 12, year + 1
        return date(year, month, 1)

    @property
    def end_date(self) -> date:
        return self.months()[-1].end_date

    def months(self) -> list[Month]:
        start = self.start_date
        return [Month(start.year, start.month).plus(offset) for offset in range(3)]

    def next(self) -> Quarter:
        if self.number == 4:
            return Quarter(self.year.next(), 1)
        return Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        if self.number == 1:
            return Quarter(FinancialYear(self.year.start_year - 1), 4)
        return Quarter(self.year, self.number - 1)

    @property
    def half_year(self) -> HalfYear:
        return HalfYear(self.year, 1 if self.number <= 2 else 2)

    def until(self, last: Quarter) -> list[Quarter]:
        """This quarter and every quarter after it up to `last`, inclusive."""
        quarters = []
        quarter = self
        while quarter <= last:
            quarters.append(quarter)
            quarter = quarter.next()
        return quarters


@dataclass(frozen=True, order=True)
class HalfYear:
    """H1 is April to September (Q1 and Q2), H2 October to March (Q3 and Q4)."""

    year: FinancialYear
    number: int  # 1 or 2

    def __post_init__(self):
        if self.number not in (1, 2):
            raise PeriodError(f"A half-year is H1 or H2, not H{self.number}")

    @classmethod
    def parse(cls, text: str) -> HalfYear:
        """`2019-20 H1` (on screen) or `2019-20-H1` (URLs and commands)."""
        match = _HALF_YEAR_PATTERN.match(text or "")
        if not match:
            raise PeriodError(f"Enter a half-year like 2019-20 H1 or 2019-20-H1, not '{text}'")
        year = FinancialYear.parse(f"{match.group(1)}-{match.group(2)}")
        return cls(year, int(match.group(3)))

    @classmethod
    def containing(cls, day: date) -> HalfYear:
        return Quarter.containing(day).half_year

    def next(self) -> HalfYear:
        return HalfYear(self.year, 2) if self.number == 1 else HalfYear(self.year.next(), 1)

    def previous(self) -> HalfYear:
        return (
            HalfYear(self.year, 1)
            if self.number == 2
            else HalfYear(FinancialYear(self.year.start_year - 1), 2)
        )

    def __str__(self) -> str:
        return f"{self.year} H{self.number}"

    @property
    def label(self) -> str:
        return str(self)

    @property
    def slug(self) -> str:
        return f"{self.year}-H{self.number}"

    @property
    def quarters(self) -> list[Quarter]:
        first = 1 if self.number == 1 else 3
        return [Quarter(self.year, first), Quarter(self.year, first + 1)]

    @property
    def start_date(self) -> date:
        return self.quarters[0].start_date

    @property
    def end_date(self) -> date:
        return self.quarters[-1].end_date


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int  # 1..12

    def __post_init__(self):
        if not 1 <= self.month <= 12:
            raise PeriodError(f"A month is 1 to 12, not {self.month}")

    @classmethod
    def parse(cls, text: str) -> Month:
        match = re.match(r"^\s*(\d{4})-(\d{2})\s*$", text or "", re.ASCII)
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise PeriodError(f"Enter a month like 2019-07, not '{text}'")
        _check_year(int(match.group(1)), text, "month")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def containing(cls, day: date) -> Month:
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"

    @property
    def slug(self) -> str:
        return str(self)

    @property
    def label(self) -> str:
        return f"{calendar.month_name[self.month]} {self.year}"

    @property
    def start_date(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def end_date(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def quarter(self) -> Quarter:
        return Quarter.containing(self.start_date)

    @property
    def financial_year(self) -> FinancialYear:
        return FinancialYear.containing(self.start_date)

    def plus(self, months: int) -> Month:
        index = self.year * 12 + (self.month - 1) + months
        return Month(index // 12, index % 12 + 1)

    def months_until(self, last: Month) -> list[Month]:
        """This month and every month after it up to `last`, inclusive."""
        count = (last.year * 12 + last.month) - (self.year * 12 + self.month)
        return [self.plus(offset) for offset in range(count + 1)]
