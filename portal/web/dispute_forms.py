"""Forms and messages for the disputes journey: one class per page (one question per page).

Checks that need the register or the patient's record happen in ``portal.services.disputes``;
its ``InvalidDispute`` (``field``, ``code``) is shown with the translated message below.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired

from portal.labels import DISPUTE_STATUS_WORDS
from portal.services.disputes import CONTACT_PREFERENCES, OUTCOMES

MESSAGES = {
    ("tool", "missing"): _l("Select the AI tool"),
    ("confirm_tool", "missing"): _l("Confirm you want to ask about a tool your NHS organisations do not use"),
    ("happened_on", "missing"): _l("Enter the date it happened"),
    ("happened_on", "invalid"): _l("The date it happened must be a real date"),
    ("happened_on", "future"): _l("The date it happened must be today or in the past"),
    ("happened_on", "too-early"): _l("The date it happened must be in 1900 or later"),
    ("where", "too-long"): _l("Where it happened must be 200 characters or fewer"),
    ("why", "missing"): _l("Tell us why you think it was wrong"),
    ("why", "too-long"): _l("Why you think it was wrong must be 5,000 characters or fewer"),
    ("outcomes", "missing"): _l("Select what you would like to happen"),
    ("contact", "missing"): _l("Select how you would like us to contact you"),
    ("message", "missing"): _l("Enter your message"),
    ("message", "too-long"): _l("Your message must be 5,000 characters or fewer"),
    ("explanation", "missing"): _l("Enter an explanation for the patient"),
    ("explanation", "too-long"): _l("The explanation must be 5,000 characters or fewer"),
}
EXPIRED_FORM_MESSAGE = _l("This page was open for too long. We kept what you typed. Check it and send it again.")
CLOSED_MESSAGE = _l("This request is closed. You cannot change it.")
OUTCOME_LABELS = {
    "clinician-review": _l("A review by a clinician"),
    "second-opinion": _l("A second opinion without AI"),
    "record-correction": _l("A correction to my health record"),
    "explanation": _l("An explanation of what happened"),
}
CONTACT_LABELS = {
    "email": _l("By email"),
    "phone": _l("By text message"),
    "post": _l("By letter"),
    "portal": _l("Only on this website"),
}
STATUS_LABELS = DISPUTE_STATUS_WORDS  # shared with the back office (portal.labels)


class StartForm(FlaskForm):
    """A button: start a new request."""


class ToolForm(FlaskForm):
    tool = RadioField(validate_choice=False, validators=[InputRequired(message=MESSAGES[("tool", "missing")])])
    confirm_tool = BooleanField()


class HappenedForm(FlaskForm):
    day = StringField()
    month = StringField()
    year = StringField()
    where = StringField()

    error_target_id = "day"


class WhyForm(FlaskForm):
    why = TextAreaField()


class OutcomesForm(FlaskForm):
    outcomes = SelectMultipleField(choices=list(OUTCOMES), validate_choice=False)


class ContactForm(FlaskForm):
    contact = RadioField(choices=list(CONTACT_PREFERENCES), validate_choice=False,
                         validators=[InputRequired(message=MESSAGES[("contact", "missing")])])


class SubmitForm(FlaskForm):
    submission_key = HiddenField()


class InformationForm(FlaskForm):
    message = TextAreaField()


class WithdrawForm(FlaskForm):
    """A button: withdraw this request."""
