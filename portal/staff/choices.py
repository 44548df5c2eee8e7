"""The back office's choices pages (issue 5 point 3), role ``admin``: find a patient by NHS
number, see every choice made for them, and void one made in error with a reason.

No personal data in URLs: the NHS number is posted, and the chosen patient is kept in the
signed session (with the staff member it belongs to); URLs carry only a choice's random id.
Every look at a patient's choices is audited (the patient sees "NHS staff looked at your
choices"); voiding is audited and the patient is told (``services/choices.void_choice``).
"""

from __future__ import annotations

import uuid

from flask import abort, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from portal.domain.errors import InvalidTransition, NotFound
from portal.domain.nhs_number import InvalidNhsNumber
from portal.extensions import csrf, db
from portal.services import staff_choices
from portal.staff import bp
from portal.staff.choice_forms import FindPatientForm, VoidChoiceForm
from portal.staff.guards import staff_required
from portal.staff.session import current_staff

SELECTED_KEY = "staff_choices_patient"
EXPIRED_FORM_MESSAGE = _l("This page was open for too long, so nothing was saved. Check the details and send them again")


def _expired_token(form: FlaskForm, target: str) -> bool:
    """True when the form's token was missing, wrong or expired. The form itself checks the
    token (these views are exempt from the app-wide check, which would answer a bare 400),
    so the page comes back with what was typed and a plain message, and nothing is saved."""
    if not form.csrf_token.errors:
        return False
    form.csrf_token.errors = [str(EXPIRED_FORM_MESSAGE)]
    form.csrf_token.error_target_id = target  # type: ignore[attr-defined]
    return True


def _selected_patient() -> uuid.UUID | None:
    """The patient this staff member chose on the find page, if any."""
    staff = current_staff()
    chosen = session.get(SELECTED_KEY)
    if staff is None or not isinstance(chosen, dict) or chosen.get("staff") != str(staff.id):
        return None
    try:
        return uuid.UUID(str(chosen.get("patient")))
    except ValueError:
        return None


@bp.route("/choices", methods=["GET", "POST"])
@csrf.exempt
@staff_required("admin")
def choices_find() -> str | Response | tuple[str, int]:
    form = FindPatientForm()
    if form.is_submitted() and not form.validate():
        if _expired_token(form, "nhs_number"):
            return render_template("staff/choices/find.html", form=form), 400
    elif form.is_submitted():
        staff = current_staff()
        assert staff is not None
        try:
            patient_id = staff_choices.find_patient(db.session, form.nhs_number.data)
        except InvalidNhsNumber as problem:
            form.nhs_number.errors = [_(problem.message)]
        except NotFound:
            form.nhs_number.errors = [_("No patient with this NHS number is held here")]
        else:
            session[SELECTED_KEY] = {"staff": str(staff.id), "patient": str(patient_id)}
            return redirect(url_for("staff.choices_patient"), 303)
    return render_template("staff/choices/find.html", form=form)


@bp.get("/choices/patient")
@staff_required("admin")
def choices_patient() -> str | Response:
    patient_id = _selected_patient()
    staff = current_staff()
    if patient_id is None or staff is None:
        return redirect(url_for("staff.choices_find"))
    try:
        record = staff_choices.patient_choices(db.session, patient_id, staff.id)
    except NotFound:
        session.pop(SELECTED_KEY, None)
        return redirect(url_for("staff.choices_find"))
    db.session.commit()
    return render_template("staff/choices/patient.html", record=record)


@bp.route("/choices/<uuid:choice_id>/void", methods=["GET", "POST"])
@csrf.exempt
@staff_required("admin")
def choice_void(choice_id: uuid.UUID) -> str | Response | tuple[str, int]:
    patient_id = _selected_patient()
    staff = current_staff()
    if patient_id is None or staff is None:
        return redirect(url_for("staff.choices_find"))
    try:
        choice = staff_choices.get_patient_choice(db.session, patient_id, choice_id)
    except NotFound:
        abort(404)
    if choice.voided_at is not None:
        return redirect(url_for("staff.choice_voided", choice_id=choice_id))
    form = VoidChoiceForm()
    if form.is_submitted() and not form.validate():
        if _expired_token(form, "reason"):
            return render_template("staff/choices/void.html", form=form, choice=choice), 400
    elif form.is_submitted():
        try:
            staff_choices.void_patient_choice(db.session, patient_id=patient_id, choice_id=choice_id,
                                              staff_user_id=staff.id, staff_roles=tuple(staff.roles),
                                              reason=form.reason.data)
        except InvalidTransition:  # a blank reason after trimming, or another admin voided it first
            db.session.rollback()
            if staff_choices.get_patient_choice(db.session, patient_id, choice_id).voided_at is not None:
                return redirect(url_for("staff.choice_voided", choice_id=choice_id), 303)
            form.reason.errors = [_("Enter why this choice is being made void")]
        else:
            db.session.commit()
            return redirect(url_for("staff.choice_voided", choice_id=choice_id), 303)
    return render_template("staff/choices/void.html", form=form, choice=choice)


@bp.get("/choices/<uuid:choice_id>/voided")
@staff_required("admin")
def choice_voided(choice_id: uuid.UUID) -> str | Response:
    patient_id = _selected_patient()
    if patient_id is None:
        return redirect(url_for("staff.choices_find"))
    try:
        outcome = staff_choices.voided_outcome(db.session, patient_id, choice_id)
    except NotFound:
        abort(404)
    return render_template("staff/choices/voided.html", outcome=outcome)
