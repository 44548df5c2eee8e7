"""The auditors' queue of AI used against a patient's wishes (issue 9 point 6):
``/staff/conflicts`` (newest first) and ``/staff/conflicts/<id>`` to record what was found
and close it. Role ``auditor``."""

from __future__ import annotations

import uuid

from flask import abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from portal.domain.errors import InvalidTransition, NotFound
from portal.labels import CONFLICT_PURPOSE_WORDS, CONFLICT_STATUS_WORDS, DECISION_THEN_WORDS, in_words
from portal.extensions import db
from portal.services import conflicts, patient_identity
from portal.staff import bp
from portal.staff import session as staff_session
from portal.staff.forms import CloseConflictForm
from portal.staff.guards import staff_required
from portal.staff.session import current_staff

def decision_then(item: conflicts.ConflictItem) -> str:
    """The decision in force when the tool was used, in words (unknown codes as they are)."""
    words = DECISION_THEN_WORDS.get((item.decision_at_time, item.basis_at_time))
    return str(words) if words is not None else f"{item.decision_at_time} ({item.basis_at_time})"


def _render(template: str, **context: object) -> str:
    return render_template(template, decision_then=decision_then,
                           purpose_words=lambda code: in_words(CONFLICT_PURPOSE_WORDS, code),
                           status_words=lambda code: in_words(CONFLICT_STATUS_WORDS, code), **context)


@bp.get("/conflicts")
@staff_required("auditor")
def conflict_queue() -> str:
    show_closed = request.args.get("show") == "closed"
    items = conflicts.list_conflicts(db.session, "closed" if show_closed else "open")
    return _render("staff/conflicts.html", items=items, show_closed=show_closed)


@bp.route("/conflicts/<uuid:event_id>", methods=["GET", "POST"])
@staff_required("auditor")
def conflict(event_id: uuid.UUID) -> str | Response:
    staff = current_staff()
    assert staff is not None  # staff_required
    try:
        item = conflicts.view_conflict(db.session, event_id, staff_id=staff.id)
        patient = patient_identity.identity_of(db.session, item.patient_id) if item.patient_id else None
    except NotFound:
        abort(404)
    form = CloseConflictForm()
    if item.status == "open" and form.validate_on_submit():
        try:
            conflicts.close_conflict(db.session, event_id, finding=form.finding.data, staff_id=staff.id,
                                     now=staff_session.now())
        except InvalidTransition:
            db.session.rollback()
            return redirect(url_for("staff.conflict", event_id=event_id))
        db.session.commit()
        return redirect(url_for("staff.conflict_queue", closed="yes"))
    db.session.commit()  # the staff.patient.view audit row
    return _render("staff/conflict.html", item=item, form=form, patient=patient)
