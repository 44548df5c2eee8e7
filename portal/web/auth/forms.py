"""Forms of the sign-in journey: one class per page, messages in NHS voice."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField
from wtforms.validators import InputRequired, ValidationError

from portal.domain.contact import is_valid_postcode
from portal.domain.nhs_number import InvalidNhsNumber, NhsNumber, NhsNumberProblem
from portal.web.fields import DateOfBirthField

NHS_NUMBER_MESSAGES = {
    NhsNumberProblem.EMPTY: _l("Enter your NHS number"),
    NhsNumberProblem.NOT_10_DIGITS: _l("Enter a 10 digit NHS number"),
    NhsNumberProblem.CHECK_DIGIT: _l("Your NHS number is not right. Check it and try again"),
}


def _nhs_number(form: Any, field: StringField) -> None:
    try:
        field.nhs_number = NhsNumber.parse(field.data or "")
    except InvalidNhsNumber as problem:
        raise ValidationError(NHS_NUMBER_MESSAGES[problem.reason]) from None


def _postcode(form: Any, field: StringField) -> None:
    if not (field.data or "").strip():
        raise ValidationError(_l("Enter your postcode"))
    if not is_valid_postcode(field.data):
        raise ValidationError(_l("Enter a real postcode, like LS1 4AP"))


class DetailsForm(FlaskForm):
    """NHS number, date of birth and postcode: matched together against the records."""

    nhs_number = StringField(_l("NHS number"), validators=[_nhs_number])
    date_of_birth = DateOfBirthField(_l("Date of birth"), past_only=True)
    postcode = StringField(_l("Postcode"), validators=[_postcode])


def _six_digits(form: Any, field: StringField) -> None:
    code = (field.data or "").replace(" ", "")
    if not code:
        raise ValidationError(_l("Enter the code we sent you"))
    if not (code.isdigit() and len(code) == 6):
        raise ValidationError(_l("The code must be 6 numbers"))
    field.data = code


class CodeForm(FlaskForm):
    code = StringField(_l("Security code"), validators=[_six_digits])


class ResendForm(FlaskForm):
    """Ask for a new code (a button only)."""


class SignOutForm(FlaskForm):
    reason = HiddenField()


class ChooseSubjectForm(FlaskForm):
    subject = RadioField(_l("Whose information do you want to see?"),
                         validators=[InputRequired(message=_l("Select whose information you want to see"))])
