"""Checking carers' authority (issue 7 point 4): a queue, a request with its evidence, approve
(details + review or end date, the capacity note where the basis needs one, and the carer's own
identity when they asked through the details-and-code route), reject (coded reason + plain
explanation), suspend, lift, confirm a review, end. Role ``authority-verifier``. Codes are
shown only in plain words (``authority_forms``)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from flask import abort, current_app, redirect, render_template, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from portal.domain import authority as rules
from portal.domain.errors import InvalidTransition, NotFound
from portal.extensions import db
from portal.services import authority as authority_service
from portal.services import authority_review, evidence
from portal.staff import bp
from portal import labels
from portal.staff.authority_forms import APPROVAL_MESSAGES, ApproveForm, ButtonForm, EndForm, RejectForm
from portal.staff.guards import staff_required
from portal.staff.session import current_staff

ROLE = "authority-verifier"


def _staff_id() -> uuid.UUID:
    staff = current_staff()
    assert staff is not None
    return staff.id


def _authority(authority_id: uuid.UUID):  # type: ignore[no-untyped-def]
    try:
        return authority_service.get(db.session, authority_id)
    except NotFound:
        abort(404)


@bp.get("/authorities")
@staff_required(ROLE)
def authority_queue() -> str:
    items = authority_review.queue(db.session, datetime.now(UTC))
    return render_template("staff/authorities/queue.html", items=items, **_labels())


def _labels() -> dict[str, object]:
    return {"basis_labels": labels.STAFF_AUTHORITY_BASIS_WORDS, "state_labels": labels.STAFF_AUTHORITY_STATE_WORDS,
            "reason_labels": labels.STAFF_AUTHORITY_REASON_WORDS, "reject_reasons": labels.STAFF_REJECT_REASON_WORDS,
            "end_reasons": labels.STAFF_END_REASON_WORDS, "attorneys_act": labels.ATTORNEYS_ACT_WORDS,
            "identity_methods": labels.IDENTITY_METHOD_WORDS}


def _view(authority_id: uuid.UUID) -> authority_review.RequestView:
    try:
        return authority_review.view(db.session, authority_id)
    except NotFound:
        abort(404)


def _page(authority_id: uuid.UUID, failed: FlaskForm | None = None, **forms: FlaskForm) -> str:
    """The request page; ``failed`` is the form whose errors the summary at the top shows."""
    context = {"approve": ApproveForm(prefix="approve"), "reject": RejectForm(prefix="reject"),
               "end": EndForm(prefix="end"), **forms}
    return render_template("staff/authorities/request.html", request_view=_view(authority_id), form=failed,
                           **context, **_labels())


@bp.get("/authorities/<uuid:authority_id>")
@staff_required(ROLE)
def authority_request(authority_id: uuid.UUID) -> str:
    return _page(authority_id)


@bp.get("/authorities/<uuid:authority_id>/evidence")
@staff_required(ROLE)
def authority_evidence(authority_id: uuid.UUID) -> Response:
    authority = _authority(authority_id)
    directory = evidence.upload_directory(current_app.config)
    data = evidence.read_evidence(directory, authority.evidence_path or "")
    if data is None:
        abort(404)
    return Response(data, mimetype=authority.evidence_type, headers={
        "Content-Disposition": "attachment; filename=evidence", "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store"})


@bp.post("/authorities/<uuid:authority_id>/approve")
@staff_required(ROLE)
def authority_approve(authority_id: uuid.UUID) -> Response | tuple[str, int]:
    seen = _view(authority_id)
    authority = seen.authority
    form = ApproveForm(prefix="approve")
    valid = form.validate_on_submit()
    needed = form.check_for(lpa=rules.is_lpa(authority.basis), deputy=authority.basis == "personal-welfare-deputy",
                            identity_needed=authority.carer_identity_check_needed,
                            has_capacity_note=seen.has_capacity_note, needs_capacity_note=seen.needs_capacity_note)
    if not (valid and needed):
        return _page(authority_id, form, approve=form), 400
    now = datetime.now(UTC)
    try:
        if seen.needs_capacity_note and not seen.has_capacity_note:
            authority_service.record_capacity_note(
                db.session, authority.patient_id, lacks_capacity=True, assessed_by=form.assessed_by.data.strip(),
                assessed_on=form.assessed_on.data, actor=authority_service.staff_actor(_staff_id()))
        authority_service.approve(db.session, authority_id, _approval(form, authority), _staff_id(), now)
    except authority_service.ApprovalRefused as refused:
        db.session.rollback()
        field, message = APPROVAL_MESSAGES[refused.code]
        if field is None:
            form.form_errors.append(message)
        else:
            getattr(form, field).errors = [message]
        return _page(authority_id, form, approve=form), 400
    except InvalidTransition:
        db.session.rollback()
        abort(409)
    db.session.commit()
    return redirect(url_for(".authority_request", authority_id=authority_id))


def _approval(form: ApproveForm, authority) -> authority_service.Approval:  # type: ignore[no-untyped-def]
    lpa = rules.is_lpa(authority.basis)
    deputy = authority.basis == "personal-welfare-deputy"
    return authority_service.Approval(
        review_on=form.review_on.data, ends_on=form.ends_on.data if deputy else None,
        lpa_registered=True if lpa and form.lpa_registered.data else None,
        attorneys_act=form.attorneys_act.data if lpa else None,
        restrictions=(form.restrictions.data or "").strip() or None if lpa else None,
        carer_identity_method=form.identity_method.data if form.identity_checked.data else None)


@bp.post("/authorities/<uuid:authority_id>/reject")
@staff_required(ROLE)
def authority_reject(authority_id: uuid.UUID) -> Response | tuple[str, int]:
    _authority(authority_id)
    form = RejectForm(prefix="reject")
    if not form.validate_on_submit():
        return _page(authority_id, form, reject=form), 400
    try:
        authority_service.reject(db.session, authority_id, form.reason.data, form.explanation.data,
                                 _staff_id(), datetime.now(UTC))
    except InvalidTransition:
        db.session.rollback()
        abort(409)
    db.session.commit()
    return redirect(url_for(".authority_request", authority_id=authority_id))


@bp.post("/authorities/<uuid:authority_id>/<any(suspend, lift, 'confirm-review'):step>")
@staff_required(ROLE)
def authority_step(authority_id: uuid.UUID, step: str) -> Response:
    _authority(authority_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    action = {"suspend": authority_service.suspend, "lift": authority_service.lift_suspension,
              "confirm-review": authority_service.confirm_review}[step]
    try:
        action(db.session, authority_id, _staff_id(), datetime.now(UTC))
    except InvalidTransition:
        db.session.rollback()
        abort(409)
    db.session.commit()
    return redirect(url_for(".authority_request", authority_id=authority_id))


@bp.post("/authorities/<uuid:authority_id>/end")
@staff_required(ROLE)
def authority_end(authority_id: uuid.UUID) -> Response | tuple[str, int]:
    _authority(authority_id)
    form = EndForm(prefix="end")
    if not form.validate_on_submit():
        return _page(authority_id, form, end=form), 400
    try:
        authority_service.end(db.session, authority_id, form.reason.data, _staff_id(), datetime.now(UTC))
    except (ValueError, InvalidTransition):
        db.session.rollback()
        abort(409)
    db.session.commit()
    return redirect(url_for(".authority_request", authority_id=authority_id))
