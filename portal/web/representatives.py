"""People who can act for you (issue 7 points 4 and 6): the patient's own page.

For the signed-in person themselves (their own Patient record, never a person they act for),
at P9 (DESIGN.md section 4: a nomination needs the patient's own confirmation at high
assurance). It lists everyone who acts or asks to act for them; a nomination waiting for them
can be confirmed or declined; a nomination they made can be ended. An authority id that is not
about them answers 404, whether or not it exists. Thin views over
``portal.services.authority_nominations``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from portal.domain.errors import InvalidTransition, NotFound
from portal.extensions import db
from portal.labels import PATIENT_AUTHORITY_BASIS_WORDS, PATIENT_AUTHORITY_STATE_WORDS
from portal.services import authority as authority_service
from portal.services import authority_nominations as nominations
from portal.web.guards import Viewer, about_signed_in_person, current_viewer, patient_required

bp = Blueprint("representatives", __name__)

DONE_MESSAGES = {
    "confirmed": _l("Thank you. Our staff will now check the request. We will tell them when it is done."),
    "declined": _l("You said no. They cannot act for you."),
    "ended": _l("They can no longer act for you. We have told them."),
}
PROBLEMS = {
    "lacks-capacity": _l("We cannot accept your answer, because a record says you cannot make this decision now. "
                         "Contact your GP surgery if you think this is wrong."),
    "not-waiting": _l("You have already answered this request."),
}


class ButtonForm(FlaskForm):
    """A button (yes, no, stop): the form token only."""


def _me() -> tuple[Viewer, uuid.UUID]:
    viewer = current_viewer()
    if viewer is None or viewer.self_patient_id is None:
        abort(404)  # a carer who is not a patient here has nobody acting for them
    return viewer, viewer.self_patient_id


def _page(problem: str | None = None, status: int = 200) -> tuple[str, int]:
    _viewer, patient_id = _me()
    about_signed_in_person()  # who can act for you, even while you act for someone
    people = nominations.list_for_patient(db.session, patient_id, datetime.now(UTC))
    done = DONE_MESSAGES.get(request.args.get("done", ""))
    return render_template("representatives/people.html", people=people, basis_labels=PATIENT_AUTHORITY_BASIS_WORDS,
                           state_labels=PATIENT_AUTHORITY_STATE_WORDS, done=done, problem=problem), status


@bp.get("/people-who-can-act-for-you")
@patient_required("P9")
def people() -> tuple[str, int]:
    return _page()


def _answer(authority_id: uuid.UUID, action: Callable[..., Any], done: str) -> Response | tuple[str, int]:
    viewer, patient_id = _me()
    if not ButtonForm().validate_on_submit():  # the app's CSRF handler answers first; belt and braces
        abort(400)
    try:
        action(db.session, authority_id, patient_id, viewer.account_id, datetime.now(UTC))
    except NotFound:
        db.session.rollback()
        abort(404)
    except nominations.CannotConfirm as refused:
        db.session.rollback()
        return _page(str(PROBLEMS[refused.code]), 409)
    except InvalidTransition:
        db.session.rollback()
        return _page(str(PROBLEMS["not-waiting"]), 409)
    db.session.commit()
    return redirect(url_for(".people", done=done))


@bp.post("/people-who-can-act-for-you/<uuid:authority_id>/confirm")
@patient_required("P9")
def confirm(authority_id: uuid.UUID) -> Response | tuple[str, int]:
    return _answer(authority_id, nominations.confirm, "confirmed")


@bp.post("/people-who-can-act-for-you/<uuid:authority_id>/decline")
@patient_required("P9")
def decline(authority_id: uuid.UUID) -> Response | tuple[str, int]:
    return _answer(authority_id, nominations.decline, "declined")


@bp.post("/people-who-can-act-for-you/<uuid:authority_id>/end")
@patient_required("P9")
def end(authority_id: uuid.UUID) -> Response | tuple[str, int]:
    return _answer(authority_id, authority_service.end_by_patient, "ended")
