"""Forms for checking carers' authority (issue 7 point 4)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

REJECT_REASONS = {
    "no-legal-basis": _l("No legal basis"),
    "evidence-unclear": _l("Evidence unclear"),
    "does-not-match-patient": _l("Does not match the patient"),
    "safeguarding": _l("Safeguarding concern"),
}
END_REASONS = {
    "patient-died": _l("The patient died"),
    "deputyship-ended": _l("The deputyship ended"),
    "capacity-regained": _l("The patient can decide for themselves again"),
    "safeguarding": _l("Safeguarding concern"),
    "no-legal-basis": _l("No legal basis"),
    "expired": _l("Expired"),
}


class ApproveForm(FlaskForm):
    lpa_registered = BooleanField(_l("The LPA is registered with the Office of the Public Guardian"))
    attorneys_act = RadioField(_l("How the attorneys act"), choices=["jointly", "jointly-and-severally", "one"],
                               validate_choice=False, validators=[Optional()])
    restrictions = TextAreaField(_l("Restrictions relevant to decisions about AI in their care"))
    review_on = DateField(_l("Review date"), validators=[Optional()])
    ends_on = DateField(_l("Court order end date"), validators=[Optional()])
    lacks_capacity = BooleanField(_l("A capacity assessment says they cannot decide about AI in their care"))
    assessed_by = StringField(_l("Assessed by"))
    assessed_on = DateField(_l("Assessed on"), validators=[Optional()])


class RejectForm(FlaskForm):
    reason = RadioField(_l("Reason"), choices=list(REJECT_REASONS), validate_choice=False,
                        validators=[InputRequired(message=_l("Select a reason"))])
    explanation = TextAreaField(_l("Explanation the requester will see"),
                                validators=[InputRequired(message=_l("Enter an explanation"))])


class EndForm(FlaskForm):
    reason = RadioField(_l("Reason"), choices=list(END_REASONS), validate_choice=False,
                        validators=[InputRequired(message=_l("Select a reason"))])


class ButtonForm(FlaskForm):
    """A button: the form token only."""
