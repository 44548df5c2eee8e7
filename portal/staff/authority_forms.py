"""Forms and words for checking carers' authority (issue 7 point 4). Every label, hint and
error is translatable; coded values (states, reasons, bases, methods) are shown only through
the staff's plain words in ``portal.labels`` (``STAFF_AUTHORITY_*`` and friends), never as codes."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from portal.labels import ATTORNEYS_ACT_WORDS, IDENTITY_METHOD_WORDS, STAFF_END_REASON_WORDS, STAFF_REJECT_REASON_WORDS

EXPLANATION_LIMIT = 1000

APPROVAL_MESSAGES = {  # ApprovalRefused codes from the service -> (field, words)
    "lpa-not-registered": ("lpa_registered", _l("Confirm the LPA is registered with the Office of the Public Guardian")),
    "attorneys-act": ("attorneys_act", _l("Select how the attorneys act")),
    "deputy-end-date": ("ends_on", _l("Enter the date the court order ends")),
    "review-date": ("review_on", _l("Enter a review date")),
    "carer-identity": ("identity_checked", _l("Confirm you have checked the carer's identity, and how")),
    # About the request as a whole, not one answer: shown at the top of the form.
    "patient-not-confirmed": (None, _l("The person has not confirmed that they asked for this yet. You can approve once they have.")),
    "child-16-or-over": (None, _l("Parental responsibility is only for a child under 16. Reject this request.")),
    "lpa-under-18": (None, _l("A lasting power of attorney is only for someone aged 18 or over. Reject this request.")),
    "deputy-under-16": (None, _l("A personal welfare deputy is only for someone aged 16 or over. Reject this request.")),
}
DATE_HINT = _l("For example, 2027-11-30")


class DayField(DateField):
    """A date typed as YYYY-MM-DD; a date that is not real gets a translated message."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not (valuelist[0] or "").strip():
            self.data = None
            return
        try:
            self.data = date.fromisoformat(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a real date, like 2027-11-30")) from None


def _in_future(form: Any, field: DayField) -> None:
    if field.data is not None and field.data <= form.today:
        raise ValidationError(_l("The date must be in the future"))


class ApproveForm(FlaskForm):
    """What a verifier records. Which fields are needed depends on the request (``check_for``)."""

    lpa_registered = BooleanField(_l("The LPA is registered with the Office of the Public Guardian"))
    attorneys_act = RadioField(_l("How do the attorneys act?"), choices=list(ATTORNEYS_ACT_WORDS), validate_choice=False)
    restrictions = TextAreaField(_l("Restrictions relevant to decisions about AI in their care (if any)"),
                                 validators=[Length(max=EXPLANATION_LIMIT, message=_l(
                                     "Restrictions must be 1,000 characters or fewer"))])
    ends_on = DayField(_l("Date the court order ends"), validators=[_in_future], description=DATE_HINT)
    review_on = DayField(_l("Review date"), validators=[_in_future], description=DATE_HINT)
    lacks_capacity = BooleanField(_l("A capacity assessment says they cannot decide about AI in their care"))
    assessed_by = StringField(_l("Who assessed their capacity"), validators=[Length(max=200)])
    assessed_on = DayField(_l("Date of the assessment"), description=DATE_HINT)
    identity_checked = BooleanField(_l("I have checked the carer's identity"))
    identity_method = RadioField(_l("How did you check it?"), choices=list(IDENTITY_METHOD_WORDS), validate_choice=False)

    def __init__(self, *args: Any, today: date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today or date.today()

    def check_for(self, *, lpa: bool, deputy: bool, identity_needed: bool, has_capacity_note: bool,
                  needs_capacity_note: bool) -> bool:
        """Add the errors this request's basis calls for; True when there are none."""
        problems = []
        if lpa and not self.lpa_registered.data:
            problems.append(("lpa_registered", APPROVAL_MESSAGES["lpa-not-registered"][1]))
        if lpa and self.attorneys_act.data not in ATTORNEYS_ACT_WORDS:
            problems.append(("attorneys_act", APPROVAL_MESSAGES["attorneys-act"][1]))
        if deputy and self.ends_on.data is None and not self.ends_on.errors:
            problems.append(("ends_on", APPROVAL_MESSAGES["deputy-end-date"][1]))
        if not deputy and self.review_on.data is None and not self.review_on.errors:
            problems.append(("review_on", APPROVAL_MESSAGES["review-date"][1]))
        if needs_capacity_note and not has_capacity_note:
            problems += self._capacity_problems()
        if identity_needed and not self.identity_checked.data:
            problems.append(("identity_checked", APPROVAL_MESSAGES["carer-identity"][1]))
        if identity_needed and self.identity_method.data not in IDENTITY_METHOD_WORDS:
            problems.append(("identity_method", _l("Select how you checked the carer's identity")))
        for field, message in problems:
            getattr(self, field).errors = [*getattr(self, field).errors, message]
        return not problems

    def _capacity_problems(self) -> list[tuple[str, Any]]:
        if not self.lacks_capacity.data:
            return [("lacks_capacity", _l("Confirm a capacity assessment says they cannot decide about AI in their "
                                          "care"))]
        problems = []
        if not (self.assessed_by.data or "").strip():
            problems.append(("assessed_by", _l("Enter who assessed their capacity")))
        if self.assessed_on.data is None and not self.assessed_on.errors:
            problems.append(("assessed_on", _l("Enter the date of the assessment")))
        elif self.assessed_on.data is not None and self.assessed_on.data > self.today:
            problems.append(("assessed_on", _l("The date of the assessment must be today or in the past")))
        return problems


class RejectForm(FlaskForm):
    reason = RadioField(_l("Why are you rejecting it?"), choices=list(STAFF_REJECT_REASON_WORDS), validate_choice=False,
                        validators=[InputRequired(message=_l("Select a reason"))])
    explanation = TextAreaField(
        _l("Explain in plain words (the requester will see this)"),
        validators=[InputRequired(message=_l("Enter an explanation")),
                    Length(max=EXPLANATION_LIMIT, message=_l("The explanation must be 1,000 characters or fewer"))])

    def validate_reason(self, field: RadioField) -> None:
        if field.data not in STAFF_REJECT_REASON_WORDS:
            raise ValidationError(_l("Select a reason"))


class EndForm(FlaskForm):
    reason = RadioField(_l("Why are you ending it?"), choices=list(STAFF_END_REASON_WORDS), validate_choice=False,
                        validators=[InputRequired(message=_l("Select a reason"))])

    def validate_reason(self, field: RadioField) -> None:
        if field.data not in STAFF_END_REASON_WORDS:
            raise ValidationError(_l("Select a reason"))


class ButtonForm(FlaskForm):
    """A button: the form token only."""
