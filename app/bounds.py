"""The largest number a user may type in each kind of field, on forms and uploads alike, and
the rule that numbers are written with the digits 0 to 9.

Every bound fits its column (counts and tenths of an FTE are 32-bit integers, money is
64-bit pence) and is far above any honest figure of the programme (a £9.6m grant over five
years for seven authorities), so a value past it is a typo, a paste gone wrong or an attack.
The messages name the largest value allowed.
"""

from __future__ import annotations

import re

from app.formatting import format_money

# Money, in pence
MAX_MONEY_PER_LINE_PENCE = 10_000_000_00  # £10m: one spend line of a return, a profile quarter,
# a move, a payment, a forecast for a year
MAX_PROGRAMME_AMOUNT_PENCE = 100_000_000_00  # £100m: a grant tranche received, a service contract
# People and staff
MAX_PEOPLE_PER_MONTH = 10_000  # referrals received or declined in one month
MAX_SERVICE_CAPACITY = 10_000  # people a service supports at one time
MAX_FTE_TENTHS = 9_999  # 999.9 full-time equivalent support workers

# Python's \d and int() take any script's digits (fullwidth ２, Arabic-Indic ٢); we take 0 to 9.
ASCII_WHOLE_NUMBER = re.compile(r"^[0-9]+$")
ASCII_DECIMAL = re.compile(r"^[0-9]+(\.[0-9]+)?$")


def has_foreign_digits(text: str) -> bool:
    """True if the text holds a digit that is not 0 to 9 (a fullwidth or Arabic-Indic one)."""
    return any(character.isdigit() and not character.isascii() for character in str(text))


def money_too_big_message(limit_pence: int) -> str:
    return f"Enter an amount of {format_money(limit_pence)} or less"


def fte_text(tenths: int) -> str:
    return f"{tenths // 10:,}.{tenths % 10}"
