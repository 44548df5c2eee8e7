"""Forms of the staff sign-in and set-up pages."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

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
