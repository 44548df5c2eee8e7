"""Asking to act for someone, and following the request (issue 7 points 3, 5 and 6).

Every page needs NHS login at P9 (acting for someone else needs high assurance, DESIGN.md
section 4) but not a chosen subject: these pages are about the carer's own requests. A request
that is not the signed-in person's answers 404, whether or not it exists. Evidence files are
served from outside ``static/`` to the requester only (verifiers see them under /staff/).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import wraps
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from portal.access import AccessRule, declare
from portal.config import INSTANCE_DIR
from portal.domain.authority import AuthorityBasis
from portal.domain.errors import InvalidTransition, NotFound
from portal.extensions import db
from portal.security import mark_no_store
from portal.services import authority as authority_service
from portal.services import authority_requests, evidence
from portal.web.carer_forms import BASIS_LABELS, AskForm, ButtonForm
from portal.web.guards import current_viewer

bp = Blueprint("carers", __name__)

REFUSALS = {
    "no-match": _l("We could not find this person. Check their NHS number, date of birth and postcode"),
    "self": _l("You cannot ask to act for yourself"),
    "child-16-or-over": _l("Parental responsibility is only for a child under 16"),
    "bad-reference": _l("Enter the LPA reference number or access code exactly as it is shown"),
    "bad-court-order": _l("Enter the court order number exactly as it is shown, like 12345678"),
    "already-held": _l("You have already asked to act for this person"),
    "too-big": _l("The file must be smaller than 10 MB"),
    "wrong-type": _l("The file must be a PDF, JPG or PNG"),
}

STATE_LABELS = {
    "requested": _l("Waiting to be checked"), "verified": _l("Checked"), "rejected": _l("Not accepted"),
    "withdrawn": _l("Withdrawn"), "active": _l("You can act for them"), "suspended": _l("On hold"),
    "review-due": _l("Being reviewed"), "ended": _l("Ended"),
}
REASON_LABELS = {
    "no-legal-basis": _l("We could not see a legal reason for you to act for them."),
    "evidence-unclear": _l("We could not read or check the evidence."),
    "does-not-match-patient": _l("The details did not match this person."),
    "safeguarding": _l("We have a concern about their safety."),
    "declined-by-patient": _l("They told us they did not ask you to act for them."),
}


def carer_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Signed in with NHS login at P9; no subject needed. Every response ``no-store``."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        viewer = current_viewer()
        if viewer is None:
            return mark_no_store(redirect(url_for("auth.sign_in", next=request.full_path)))
        if not viewer.meets("P9"):
            return mark_no_store(redirect(url_for("auth.step_up", level="P9", next=request.full_path)))
        return mark_no_store(current_app.make_response(view(*args, **kwargs)))

    return declare(wrapper, AccessRule("patient", ("P9",)))


def evidence_dir() -> Path:
    return Path(current_app.config.get("EVIDENCE_UPLOAD_DIR") or INSTANCE_DIR / "uploads")


def _now() -> datetime:
    return datetime.now(UTC)


def _account_id() -> uuid.UUID:
    viewer = current_viewer()
    assert viewer is not None
    return viewer.account_id


@bp.get("/act-for-someone")
@carer_required
def start() -> str:
    requests = authority_service.list_for_account(db.session, _account_id(), _now())
    return render_template("carers/start.html", requests=requests, basis_labels=BASIS_LABELS)


@bp.route("/act-for-someone/ask", methods=["GET", "POST"])
@carer_required
def ask() -> str | Response | tuple[str, int]:
    form = AskForm()
    if not form.validate_on_submit():
        return render_template("carers/ask.html", form=form, basis_labels=BASIS_LABELS), 200 if request.method == "GET" else 400
    viewer = current_viewer()
    assert viewer is not None
    try:
        stored = _store_upload(form)
        asked = authority_requests.AuthorityRequest(
            nhs_number=form.nhs_number.nhs_number, date_of_birth=form.date_of_birth.data,
            postcode=form.postcode.data, basis=AuthorityBasis(form.basis.data), relationship=form.relationship.data,
            reference=form.reference.data, court_order_number=form.court_order_number.data,
            evidence_path=stored[0] if stored else None, evidence_type=stored[1] if stored else None)
        authority = authority_requests.request_authority(db.session, viewer.account_id, viewer.self_patient_id,
                                                         asked, _now())
    except evidence.EvidenceRefused as refused:
        form.evidence.errors = [REFUSALS[refused.code]]
        return render_template("carers/ask.html", form=form, basis_labels=BASIS_LABELS), 400
    except authority_requests.RequestRefused as refused:
        db.session.rollback()
        getattr(form, refused.field).errors = [REFUSALS[refused.code]]
        return render_template("carers/ask.html", form=form, basis_labels=BASIS_LABELS), 400
    db.session.commit()
    return redirect(url_for(".status", authority_id=authority.id))


def _store_upload(form: AskForm) -> tuple[str, str] | None:
    upload = form.evidence.data
    if upload is None or not getattr(upload, "filename", ""):
        return None
    try:
        data = upload.stream.read(evidence.MAX_BYTES + 1)
    finally:
        upload.close()
    return evidence.store_evidence(evidence_dir(), data)


def _mine(authority_id: uuid.UUID):  # type: ignore[no-untyped-def]
    try:
        return authority_service.get_for_account(db.session, authority_id, _account_id())
    except NotFound:
        abort(404)


@bp.get("/act-for-someone/requests/<uuid:authority_id>")
@carer_required
def status(authority_id: uuid.UUID) -> str:
    authority = _mine(authority_id)
    patient = authority_service.describe_for_carer(db.session, authority)
    born = format_date(date.fromisoformat(patient["date_of_birth"]), "d MMMM yyyy") if patient["date_of_birth"] else ""
    return render_template("carers/status.html", authority=authority, basis_labels=BASIS_LABELS,
                           patient=patient, born=born, form=ButtonForm(), state_labels=STATE_LABELS,
                           reason_labels=REASON_LABELS)


@bp.post("/act-for-someone/requests/<uuid:authority_id>/withdraw")
@carer_required
def withdraw(authority_id: uuid.UUID) -> Response:
    return _step(authority_id, authority_service.withdraw)


@bp.post("/act-for-someone/requests/<uuid:authority_id>/stop")
@carer_required
def stop(authority_id: uuid.UUID) -> Response:
    return _step(authority_id, authority_service.stop_acting)


def _step(authority_id: uuid.UUID, action: Callable[..., Any]) -> Response:
    _mine(authority_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        action(db.session, authority_id, _account_id(), _now())
    except InvalidTransition:
        db.session.rollback()
        return redirect(url_for(".status", authority_id=authority_id))
    db.session.commit()
    return redirect(url_for(".status", authority_id=authority_id))


@bp.get("/act-for-someone/requests/<uuid:authority_id>/evidence")
@carer_required
def evidence_file(authority_id: uuid.UUID) -> Response:
    authority = _mine(authority_id)
    data = evidence.read_evidence(evidence_dir(), authority.evidence_path or "")
    if data is None:
        abort(404)
    return Response(data, mimetype=authority.evidence_type,
                    headers={"Content-Disposition": "attachment; filename=evidence",
                             "X-Content-Type-Options": "nosniff"})
