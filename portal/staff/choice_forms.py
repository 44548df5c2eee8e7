"""Forms of the back office's choices pages (role ``admin``): find a patient, void a choice."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired, Length

VOID_REASON_MAX = 500


class FindPatientForm(FlaskForm):
    """The patient's NHS number. Posted, so it never appears in a URL or an access log."""

    nhs_number = StringField(_l("Patient's NHS number"),
                             description=_l("10 digits, for example 485 777 3456"),
                             validators=[InputRequired(message=_l("Enter the patient's NHS number"))])


class VoidChoiceForm(FlaskForm):
    """Why the choice is void. The reason is kept with the choice and seen by auditors."""

    reason = TextAreaField(
        _l("Why is this choice being made void?"),
        description=_l("For example, it was recorded for the wrong patient, or the wrong tool was chosen "
                       "on the phone. Do not write clinical details."),
        validators=[InputRequired(message=_l("Enter why this choice is being made void")),
                    Length(max=VOID_REASON_MAX,
                           message=_l("The reason must be %(max)d characters or fewer", max=VOID_REASON_MAX))])
