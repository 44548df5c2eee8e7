"""Forms for asking to act for someone, one per question page (issue 7 point 3), and the words
the pages show for refusals. Messages in NHS voice. The carer's words for bases, states and
reasons are in ``portal.labels`` (``CARER_AUTHORITY_*``)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, RadioField, StringField, ValidationError

from portal.domain.contact import is_valid_postcode
from portal.domain.nhs_number import InvalidNhsNumber, NhsNumber
from portal.labels import CARER_AUTHORITY_BASIS_WORDS
from portal.web.fields import DateOfBirthField

BASIS_HINTS = {
    "property-and-financial-lpa": _l("This only lets you decide how their data is used to improve AI tools and for "
                                     "research. It does not cover AI used in their care."),
    "patient-nominated": _l("They will need to confirm this themselves."),
}

REFUSALS = {
    "no-match": _l("We could not find this person. Check their NHS number, date of birth and postcode"),
    "self": _l("You cannot ask to act for yourself"),
    "child-16-or-over": _l("Parental responsibility is only for a child under 16"),
    "lpa-under-18": _l("A lasting power of attorney is only for someone aged 18 or over"),
    "deputy-under-16": _l("A personal welfare deputy is only for someone aged 16 or over"),
    "bad-reference": _l("Enter the LPA reference number or access code exactly as it is shown"),
    "bad-court-order": _l("Enter the court order number exactly as it is shown, like 12345678"),
    "already-held": _l("You have already asked to act for this person"),
    "too-big": _l("The file must be smaller than 10 MB"),
    "wrong-type": _l("The file must be a PDF, JPG or PNG"),
    "nhs-number": _l("Enter their 10 digit NHS number"),
    "date-of-birth": _l("Enter their date of birth"),
    "postcode": _l("Enter their postcode, like LS1 4AP"),
    "no-basis": _l("Select why you can act for them"),
    "no-relationship": _l("Enter how you are related to them"),
    "relationship-too-long": _l("How you are related must be 100 characters or fewer"),
}
EXPIRED_FORM_MESSAGE = _l("This page was open too long. Check your answer and try again")


def _their_nhs_number(form: Any, field: StringField) -> None:
    try:
        field.nhs_number = NhsNumber.parse(field.data or "")
    except InvalidNhsNumber:
        raise ValidationError(_l("Enter their 10 digit NHS number")) from None


def _their_postcode(form: Any, field: StringField) -> None:
    if not is_valid_postcode(field.data or ""):
        raise ValidationError(_l("Enter their postcode, like LS1 4AP"))


class DetailsForm(FlaskForm):
    """Their NHS number, date of birth and postcode: matched together with their record."""

    nhs_number = StringField(_l("Their NHS number"), validators=[_their_nhs_number])
    date_of_birth = DateOfBirthField(_l("Their date of birth"), past_only=True,
                                     missing_message=_l("Enter their date of birth"))
    postcode = StringField(_l("Their postcode"), validators=[_their_postcode])


class BasisForm(FlaskForm):
    basis = RadioField(_l("Why can you act for them?"), choices=list(CARER_AUTHORITY_BASIS_WORDS), validate_choice=False)

    def validate_basis(self, field: RadioField) -> None:
        if field.data not in CARER_AUTHORITY_BASIS_WORDS:
            raise ValidationError(_l("Select why you can act for them"))


class RelationshipForm(FlaskForm):
    relationship = StringField(_l("How are you related to them?"))


class ReferenceForm(FlaskForm):
    """The LPA's reference number or access code, or (deputy) the court order number; the
    page shows the one the basis needs. Shapes are checked by the service."""

    reference = StringField(_l("LPA reference number or access code"))
    court_order_number = StringField(_l("Court order number"))


class EvidenceForm(FlaskForm):
    evidence = FileField(_l("Upload a copy (optional)"))


class SubmitForm(FlaskForm):
    """Check your answers: the draft's id, so sending twice makes one request."""

    submission_key = HiddenField()


class ButtonForm(FlaskForm):
    """A button (withdraw, stop acting): the form token only."""
