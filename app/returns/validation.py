"""The monthly return's fields and the rules for what a lead may type in them.

One set of rules serves the web form and the Excel upload: parse_figures() turns the
typed text into values (counts, pence, tenths of an FTE, text) and messages in the
user's words, keyed by field name.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.bounds import (
    ASCII_DECIMAL,
    ASCII_WHOLE_NUMBER,
    MAX_FTE_TENTHS,
    MAX_MONEY_PER_LINE_PENCE,
    MAX_PEOPLE_PER_MONTH,
    fte_text,
    has_foreign_digits,
)
from app.formatting import format_money
from app.programme.models import STRAND_HF, STRAND_OTHER

COUNT, MONEY, FTE, TEXT = "count", "money", "fte", "text"
NARRATIVE_MAX_CHARS = 2000


@dataclass(frozen=True)
class ReturnField:
    name: str  # the form field and the key of the values dict
    label: str  # what the page shows
    kind: str  # COUNT, MONEY, FTE or TEXT
    noun: str  # how a message names it: "Enter {noun}"
    strand: str | None = None  # spend fields: which strand
    category: str = ""  # Other Support: which category

    @property
    def sentence_name(self) -> str:
        """The noun with a capital first letter, to start a message."""
        return self.noun[0].upper() + self.noun[1:]


def category_field_name(index: int) -> str:
    return f"other_{index}"


def return_fields(categories: list[str]) -> list[ReturnField]:
    """Every field of the return, in the order the form and the template show them."""
    fields = [
        ReturnField("referrals_received", "Referrals received", COUNT, "the number of referrals received"),
        ReturnField("referrals_declined", "Referrals declined", COUNT, "the number of referrals declined"),
        ReturnField("hf_support", "HF Support spend", MONEY, "HF Support spend", strand=STRAND_HF),
    ]
    for index, category in enumerate(categories):
        fields.append(
            ReturnField(
                category_field_name(index),
                f"Other Support: {category}",
                MONEY,
                f"Other Support spend on {category.lower()}",
                strand=STRAND_OTHER,
                category=category,
            )
        )
    fields += [
        ReturnField(
            "support_workers_fte",
            "Support workers in post (full-time equivalent)",
            FTE,
            "the number of support workers in post",
        ),
        ReturnField("progress_narrative", "Progress this month", TEXT, "the progress this month"),
        ReturnField("issues_narrative", "Issues and risks", TEXT, "the issues and risks this month"),
    ]
    return fields


def _as_text(raw) -> str:
    """Excel gives numbers; the form gives text. A whole float (12.0) reads as '12'."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return str(raw)
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def _parse_one(field: ReturnField, text: str):
    """(value, error message or None) for one field's non-empty text."""
    if field.kind == TEXT:
        if len(text) > NARRATIVE_MAX_CHARS:
            return None, f"{field.sentence_name} must be {NARRATIVE_MAX_CHARS} characters or fewer"
        return text, None
    cleaned = text.replace(",", "").replace(" ", "")
    if field.kind == MONEY:
        cleaned = cleaned.replace("£", "")
    if has_foreign_digits(cleaned):
        return None, f"Enter {field.noun} using only the digits 0 to 9, like {EXAMPLES[field.kind]}"
    if cleaned.startswith("-") and ASCII_DECIMAL.match(cleaned[1:]):
        return None, f"{field.sentence_name} must be 0 or more"
    if field.kind == COUNT:
        if not ASCII_WHOLE_NUMBER.match(cleaned):
            return None, f"{field.sentence_name} must be a whole number, like 12"
        if Decimal(cleaned) > MAX_PEOPLE_PER_MONTH:  # Decimal: no limit on the digits it reads
            return None, f"{field.sentence_name} must be {MAX_PEOPLE_PER_MONTH:,} or fewer"
        return int(cleaned), None
    if not ASCII_DECIMAL.match(cleaned):
        if field.kind == MONEY:
            return None, f"{field.sentence_name} must be an amount in pounds and pence, like 1250.50"
        return None, f"{field.sentence_name} must be a number, like 12.5"
    amount = Decimal(cleaned)
    exponent = amount.as_tuple().exponent  # an int: the pattern above lets no NaN or Infinity in
    places = -exponent if isinstance(exponent, int) else 0
    if field.kind == MONEY:
        if places > 2:
            return None, f"{field.sentence_name} must have no more than 2 decimal places, like 1250.50"
        if amount * 100 > MAX_MONEY_PER_LINE_PENCE:
            return None, f"{field.sentence_name} must be {format_money(MAX_MONEY_PER_LINE_PENCE)} or less"
        return int(amount * 100), None
    if places > 1:
        return None, f"{field.sentence_name} must have no more than 1 decimal place, like 12.5"
    if amount * 10 > MAX_FTE_TENTHS:
        return None, f"{field.sentence_name} must be {fte_text(MAX_FTE_TENTHS)} or fewer"
    return int(amount * 10), None


EXAMPLES = {COUNT: "12", MONEY: "1250.50", FTE: "12.5"}


def parse_figures(raw: dict, fields: list[ReturnField], require_all: bool):
    """(values, errors): values by field name (None where empty), errors by field name.

    A draft may leave fields empty; a submitted return (and an upload) may not, except an
    Other Support category: a lead leaves blank what they spent nothing on, and it counts as 0.
    """
    values: dict = {}
    errors: dict[str, str] = {}
    for field in fields:
        text = _as_text(raw.get(field.name))
        if text == "":
            values[field.name] = "" if field.kind == TEXT else None
            if require_all and field.kind == MONEY and field.strand == STRAND_OTHER:
                values[field.name] = 0  # an Other Support line left blank: nothing spent on it
                continue
            if require_all:
                errors[field.name] = f"Enter {field.noun}"
            continue
        value, error = _parse_one(field, text)
        values[field.name] = value
        if error:
            errors[field.name] = error
    received, declined = values.get("referrals_received"), values.get("referrals_declined")
    if (
        received is not None
        and declined is not None
        and "referrals_declined" not in errors
        and declined > received
    ):
        errors["referrals_declined"] = "Referrals declined must not be more than referrals received"
    return values, errors


def display_value(field: ReturnField, value) -> str:
    """A stored value as the form shows it: pence as 1250.50, tenths as 12.5."""
    if value is None:
        return ""
    if field.kind == MONEY:
        pounds, pennies = divmod(int(value), 100)
        return f"{pounds}.{pennies:02d}"
    if field.kind == FTE:
        return f"{value // 10}.{value % 10}"
    return str(value)
