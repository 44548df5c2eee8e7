"""Forms for asking to act for someone (issue 7 point 3). Messages in NHS voice."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import RadioField, StringField, ValidationError

from portal.domain.contact import is_valid_postcode
from portal.domain.nhs_number import InvalidNhsNumber, NhsNumber
from portal.web.fields import DateOfBirthField

BASIS_LABELS = {
    "health-and-welfare-lpa": _l("Lasting power of attorney for health and welfare"),
    "property-and-financial-lpa": _l("Lasting power of attorney for property and financial affairs"),
    "personal-welfare-deputy": _l("Deputy for personal welfare, appointed by the Court of Protection"),
    "parental-responsibility": _l("Parent or guardian of a child under 16"),
    "patient-nominated": _l("They asked me to act for them"),
}


def _their_nhs_number(form: Any, field: StringField) -> None:
    try:
        field.nhs_number = NhsNumber.parse(field.data or "")
    except InvalidNhsNumber:
        raise ValidationError(_l("Enter their 10 digit NHS number")) from None


def _their_postcode(form: Any, field: StringField) -> None:
    if not is_valid_postcode(field.data or ""):
        raise ValidationError(_l("Enter their postcode, like LS1 4AP"))


def _relationship(form: Any, field: StringField) -> None:
    if not (field.data or "").strip():
        raise ValidationError(_l("Enter how you are related to them"))


class AskForm(FlaskForm):
    """Their details, how you are related, the legal basis, its reference, and evidence."""

    nhs_number = StringField(_l("Their NHS number"), validators=[_their_nhs_number])
    date_of_birth = DateOfBirthField(_l("Their date of birth"), past_only=True)
    postcode = StringField(_l("Their postcode"), validators=[_their_postcode])
    relationship = StringField(_l("How are you related to them?"), validators=[_relationship])
    basis = RadioField(_l("Why can you act for them?"), choices=list(BASIS_LABELS),
                       validate_choice=False)
    reference = StringField(_l("LPA reference number or access code"))
    court_order_number = StringField(_l("Court order number"))
    evidence = FileField(_l("Upload a copy (optional)"))

    def validate_basis(self, field: RadioField) -> None:
        if field.data not in BASIS_LABELS:
            raise ValidationError(_l("Select why you can act for them"))


class ButtonForm(FlaskForm):
    """A button (withdraw, stop acting): the form token only."""
