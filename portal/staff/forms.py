"""Forms of the staff sign-in and set-up pages."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from portal.services.staff_accounts import MIN_PASSWORD_LENGTH


def _code(form: Any, field: StringField) -> None:
    code = (field.data or "").replace(" ", "")
    if not code:
        raise ValidationError(_l("Enter the 6 digit code from your authenticator app"))
    if not (code.isdigit() and len(code) == 6):
        raise ValidationError(_l("The code must be 6 numbers"))
    field.data = code


class StaffSignInForm(FlaskForm):
    email = StringField(_l("Work email address"),
                        validators=[InputRequired(message=_l("Enter your work email address"))])
    password = PasswordField(_l("Password"), validators=[InputRequired(message=_l("Enter your password"))])
    code = StringField(_l("Code from your authenticator app"), validators=[_code])


def _strong(form: Any, field: PasswordField) -> None:
    if len(field.data or "") < MIN_PASSWORD_LENGTH:
        raise ValidationError(_l("Your password must be at least %(count)d characters", count=MIN_PASSWORD_LENGTH))


def _same(form: Any, field: PasswordField) -> None:
    if field.data != form.password.data:
        raise ValidationError(_l("The passwords do not match"))


class SetPasswordForm(FlaskForm):
    password = PasswordField(_l("Create a password"),
                             validators=[InputRequired(message=_l("Create a password")), _strong])
    confirm = PasswordField(_l("Type your password again"),
                            validators=[InputRequired(message=_l("Type your password again")), _same])


class ConfirmAuthenticatorForm(FlaskForm):
    code = StringField(_l("Code from your authenticator app"), validators=[_code])


class StaffSignOutForm(FlaskForm):
    reason = HiddenField()


class CloseConflictForm(FlaskForm):
    """What staff found and did about AI used against a patient's wishes (the patient reads it)."""

    finding = TextAreaField(
        _l("What you found and what was done"),
        description=_l("Write in plain words: the patient sees this on their timeline."),
        validators=[InputRequired(message=_l("Enter what you found and what was done")),
                    Length(max=2000, message=_l("What you found must be 2,000 characters or fewer"))])


class TypedDateField(DateField):
    """A date typed as year-month-day (``2026-11-30``). Anything else gives ``message`` (plain
    and translated) instead of WTForms' English "Not a valid date value."; what was typed stays
    in ``raw_data`` for the page to show again."""

    def __init__(self, label: Any = None, validators: Any = None, *, message: Any, **kwargs: Any) -> None:
        super().__init__(label, validators, **kwargs)
        self.message = message

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata([value.strip() if isinstance(value, str) else value for value in valuelist])
        except ValueError:
            raise ValueError(str(self.message)) from None


class AuditSearchForm(FlaskForm):
    """Search the audit trail. Posted, so an NHS number never appears in a URL."""

    nhs_number = StringField(_l("Patient's NHS number"), validators=[Optional()])
    client_id = StringField(_l("API client id"), validators=[Optional()])
    staff_email = StringField(_l("Staff member's work email address"), validators=[Optional()])
    date_from = TypedDateField(_l("From (date, UK time)"), validators=[Optional()],
                               description=_l("For example, 2026-11-30"),
                               message=_l("Enter the start date as year, month and day, for example 2026-11-30"))
    date_to = TypedDateField(_l("To (date, UK time, included)"), validators=[Optional()],
                             description=_l("For example, 2026-11-30"),
                             message=_l("Enter the end date as year, month and day, for example 2026-11-30"))

    def validate_client_id(self, field: StringField) -> None:
        if field.data and self.staff_email.data:
            raise ValidationError(_l("Search by an API client or a staff member, not both"))

    def validate_date_to(self, field: DateField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date must be the same as or after the start date"))
