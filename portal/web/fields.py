"""Form fields the NHS patterns need and WTForms lacks.

``DateOfBirthField``: a date of birth typed as three boxes (day, month, year) as in the NHS "date input"
pattern (service-manual.nhs.uk/design-system/components/date-input). The boxes post as
``<name>-day``, ``<name>-month``, ``<name>-year``; what was typed is kept in ``parts`` for the
page to show again; the error message names the box(es) at fault, and ``error_target_id``
points the error summary at the first of them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import Field
from wtforms.validators import ValidationError

PARTS = ("day", "month", "year")


class DateOfBirthField(Field):
    """A date of birth from three boxes. ``past_only``: refuse today and later ("must be in the past").
    ``missing_message``: what to say when all three boxes are empty (default "Enter your date of
    birth"; a page about someone else says "Enter their date of birth")."""

    def __init__(self, label: Any = None, *, past_only: bool = False, today: Any = None,
                 missing_message: Any = None, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.past_only = past_only
        self.missing_message = missing_message
        self._today = today or date.today
        self.parts = {part: "" for part in PARTS}
        self.bad_parts: tuple[str, ...] = ()

    def process(self, formdata: Any, data: Any = None, extra_filters: Any = None) -> None:  # noqa: ARG002
        self.process_errors = []
        self.data = data if isinstance(data, date) else None
        if self.data is not None:
            self.parts = {"day": str(self.data.day), "month": str(self.data.month), "year": str(self.data.year)}
        if formdata is not None:
            self.parts = {part: (formdata.get(f"{self.name}-{part}") or "").strip() for part in PARTS}

    @property
    def error_target_id(self) -> str:
        return f"{self.id}-{(self.bad_parts or PARTS)[0]}"

    def pre_validate(self, form: Any) -> None:  # noqa: ARG002
        self.data, self.bad_parts = None, ()
        missing = tuple(part for part in PARTS if not self.parts[part])
        if len(missing) == 3:
            self.bad_parts = PARTS
            raise ValidationError(self.missing_message or _l("Enter your date of birth"))
        if missing:
            self.bad_parts = missing
            raise ValidationError(_MISSING[missing])
        if not all(self.parts[part].isdigit() for part in PARTS):
            self.bad_parts = tuple(part for part in PARTS if not self.parts[part].isdigit())
            raise ValidationError(_l("Date of birth must be a real date"))
        if len(self.parts["year"]) != 4:
            self.bad_parts = ("year",)
            raise ValidationError(_l("Year must include 4 numbers"))
        try:
            value = date(int(self.parts["year"]), int(self.parts["month"]), int(self.parts["day"]))
        except (ValueError, OverflowError):  # OverflowError: a day or month too big for a C int
            self.bad_parts = PARTS
            raise ValidationError(_l("Date of birth must be a real date")) from None
        if self.past_only and value >= self._today():
            self.bad_parts = PARTS
            raise ValidationError(_l("Date of birth must be in the past"))
        self.data = value


_MISSING = {
    ("day",): _l("Date of birth must include a day"),
    ("month",): _l("Date of birth must include a month"),
    ("year",): _l("Date of birth must include a year"),
    ("day", "month"): _l("Date of birth must include a day and month"),
    ("day", "year"): _l("Date of birth must include a day and year"),
    ("month", "year"): _l("Date of birth must include a month and year"),
}
