"""Formatting and parsing of money and dates, GOV.UK style.

Money is whole pence everywhere in the code; it becomes pounds only here.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

_MONEY_PATTERN = re.compile(r"^-?[0-9]+(\.[0-9]{1,2})?$")  # 0 to 9 only, not any script's digits


class MoneyError(ValueError):
    """Text that is not an amount of money in pounds and pence."""


def format_money(pence: int | None) -> str:
    """1,440,000.00 pounds from 144000000 pence: '£1,440,000.00'; negative: '-£5.00'."""
    if pence is None:
        return ""
    sign = "-" if pence < 0 else ""
    pounds, pennies = divmod(abs(int(pence)), 100)
    return f"{sign}£{pounds:,}.{pennies:02d}"


def parse_money(text: str | int | Decimal) -> int:
    """Pence from pounds written as '1,234.56', '£1234.5' or '1234'. At most two decimal places."""
    if isinstance(text, int):
        return text * 100
    cleaned = str(text).strip().replace(",", "").replace("£", "").replace(" ", "")
    if cleaned.startswith("-£"):
        cleaned = "-" + cleaned[2:]
    if not _MONEY_PATTERN.match(cleaned):
        raise MoneyError("Enter an amount in pounds and pence, like 1250.50")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation as error:  # pragma: no cover - the pattern stops this
        raise MoneyError("Enter an amount in pounds and pence, like 1250.50") from error
    return int(amount * 100)


def pence_to_pounds_text(pence: int | None) -> str:
    """Pence as plain pounds for a form field: 123456 -> '1234.56'."""
    if pence is None:
        return ""
    sign = "-" if pence < 0 else ""
    pounds, pennies = divmod(abs(int(pence)), 100)
    return f"{sign}{pounds}.{pennies:02d}"


def format_date(day: date | datetime | None) -> str:
    """'4 March 2021'."""
    if day is None:
        return ""
    return f"{day.day} {day.strftime('%B')} {day.year}"


def format_datetime(moment: datetime | None) -> str:
    """'4 March 2021 at 9:05am'."""
    if moment is None:
        return ""
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{format_date(moment)} at {hour}:{moment.minute:02d}{suffix}"


def format_percent(value: float | None, places: int = 1) -> str:
    if value is None:
        return "n/a"
    return f"{value * 100:.{places}f}%"
