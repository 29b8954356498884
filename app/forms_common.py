"""Form pieces shared by every area."""

from __future__ import annotations

from datetime import date

from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import DateField
from wtforms.validators import StopValidation


class SafeGovDateField(DateField):
    """A GOV.UK day/month/year date field that never fails while re-rendering.

    GovDateInput unpacks raw_data into exactly three parts; a POST that leaves out
    some of the inputs would raise ValueError (stack-notes.md). We pad raw_data to
    three parts and turn a malformed date into a field error.
    """

    widget = GovDateInput()

    def __init__(self, label=None, validators=None, format="%d %m %Y", **kwargs):
        super().__init__(label, validators, format=format, **kwargs)

    def process_formdata(self, valuelist):
        parts = [str(part).strip() for part in (valuelist or [])][:3]
        parts += [""] * (3 - len(parts))
        self.raw_data = parts
        if not any(parts):
            self.data = None
            return
        day, month, year = parts
        try:
            if not all(part.isascii() for part in parts):  # int() would take ２ or ٢ as a digit
                raise ValueError
            self.data = date(int(year), int(month), int(day))
            if self.data.year < 1900:
                raise ValueError
        except (TypeError, ValueError, OverflowError):
            self.data = None
            raise ValueError(f"{self.label.text} must be a real date, like 27 3 2021") from None

    def _value(self):
        if self.raw_data and len(self.raw_data) == 3:
            return self.raw_data
        if self.data:
            return [str(self.data.day), str(self.data.month), str(self.data.year)]
        return ["", "", ""]


class RequiredDate:
    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field):
        if field.data is None and not field.errors:
            raise StopValidation(self.message)


def error_list(form) -> list[dict]:
    """The GOV.UK error summary's list for a form, form-level errors included."""
    items = []
    for field in form:
        for message in field.errors[:1]:
            text = message if isinstance(message, str) else str(message)
            items.append({"text": text, "href": f"#{field.id}"})
    # A form-level error belongs to the file when the form is an upload (the cells it names
    # are in the file), else to the page.
    file_field = next((field for field in form if field.type == "FileField"), None)
    target = f"#{file_field.id}" if file_field is not None else "#main-content"
    for message in getattr(form, "form_errors", []):
        items.append({"text": message, "href": target})
    return items
