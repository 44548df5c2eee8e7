"""Checking carers' authority (issue 7 point 4): a queue, a request with its evidence, approve
(details + review or end date, and the capacity note where the basis needs one), reject (coded
reason + plain explanation), suspend, lift, confirm a review, end. Role ``authority-verifier``."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from flask import abort, current_app, redirect, render_template, url_for
from werkzeug.wrappers import Response

from portal.config import INSTANCE_DIR
from portal.domain.errors import InvalidTransition, NotFound
from portal.extensions import db
from portal.services import authority as authority_service
from portal.services import evidence
from portal.staff import bp
from portal.staff.authority_forms import END_REASONS, REJECT_REASONS, ApproveForm, ButtonForm, EndForm, RejectForm
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
    items = authority_service.queue(db.session, datetime.now(UTC))
    return render_template("staff/authorities/queue.html", items=items)


def _page(authority_id: uuid.UUID, **forms: object) -> str:
    authority = _authority(authority_id)
    context = {"approve": ApproveForm(prefix="approve"), "reject": RejectForm(prefix="reject"),
               "end": EndForm(prefix="end"), **forms}
    return render_template("staff/authorities/request.html", authority=authority,
                           patient=authority_service.describe_for_carer(db.session, authority),
                           reject_reasons=REJECT_REASONS, end_reasons=END_REASONS, **context)


@bp.get("/authorities/<uuid:authority_id>")
@staff_required(ROLE)
def authority_request(authority_id: uuid.UUID) -> str:
    return _page(authority_id)


@bp.get("/authorities/<uuid:authority_id>/evidence")
@staff_required(ROLE)
def authority_evidence(authority_id: uuid.UUID) -> Response:
    authority = _authority(authority_id)
    directory = Path(current_app.config.get("EVIDENCE_UPLOAD_DIR") or INSTANCE_DIR / "uploads")
    data = evidence.read_evidence(directory, authority.evidence_path or "")
    if data is None:
        abort(404)
    return Response(data, mimetype=authority.evidence_type, headers={
        "Content-Disposition": "attachment; filename=evidence", "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store"})


@bp.post("/authorities/<uuid:authority_id>/approve")
@staff_required(ROLE)
def authority_approve(authority_id: uuid.UUID) -> Response | tuple[str, int]:
    authority = _authority(authority_id)
    form = ApproveForm(prefix="approve")
    if not form.validate_on_submit():
        return _page(authority_id, approve=form), 400
    now = datetime.now(UTC)
    try:
        if form.lacks_capacity.data and form.assessed_by.data and form.assessed_on.data:
            authority_service.record_capacity_note(
                db.session, authority.patient_id, lacks_capacity=True, assessed_by=form.assessed_by.data,
                assessed_on=form.assessed_on.data, actor=authority_service.staff_actor(_staff_id()))
        authority_service.approve(db.session, authority_id, authority_service.Approval(
            review_on=form.review_on.data, ends_on=form.ends_on.data, lpa_registered=form.lpa_registered.data,
            attorneys_act=form.attorneys_act.data, restrictions=form.restrictions.data or None),
            _staff_id(), now)
    except (ValueError, InvalidTransition) as problem:
        db.session.rollback()
        form.review_on.errors = [str(problem)]
        return _page(authority_id, approve=form), 400
    db.session.commit()
    return redirect(url_for(".authority_request", authority_id=authority_id))


@bp.post("/authorities/<uuid:authority_id>/reject")
@staff_required(ROLE)
def authority_reject(authority_id: uuid.UUID) -> Response | tuple[str, int]:
    _authority(authority_id)
    form = RejectForm(prefix="reject")
    if not form.validate_on_submit():
        return _page(authority_id, reject=form), 400
    try:
        authority_service.reject(db.session, authority_id, form.reason.data, form.explanation.data,
                                 _staff_id(), datetime.now(UTC))
    except (ValueError, InvalidTransition) as problem:
        db.session.rollback()
        form.reason.errors = [str(problem)]
        return _page(authority_id, reject=form), 400
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
        return _page(authority_id, end=form), 400
    try:
        authority_service.end(db.session, authority_id, form.reason.data, _staff_id(), datetime.now(UTC))
    except (ValueError, InvalidTransition):
        db.session.rollback()
        abort(409)
    db.session.commit()
    return redirect(url_for(".authority_request", authority_id=authority_id))
