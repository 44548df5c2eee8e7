"""Acting for someone: the carer's requests, their state, withdrawing, stopping (issue 7
points 3, 5 and 6). The question pages of a new request are in ``carer_request``.

Every page needs high assurance (DESIGN.md section 4): NHS login at P9, or the details-and-code
route, whose requests a verifier approves only after checking the carer's own identity. No
subject is needed: these pages are about the carer's own requests. A request that is not the
signed-in person's answers 404, whether or not it exists. Evidence files are served from
outside ``static/`` to the requester only (verifiers see them under /staff/).
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
from werkzeug.wrappers import Response

from portal.access import AccessRule, declare
from portal.domain.errors import InvalidTransition, NotFound
from portal.extensions import db
from portal.labels import CARER_AUTHORITY_BASIS_WORDS, CARER_AUTHORITY_REASON_WORDS, CARER_AUTHORITY_STATE_WORDS
from portal.security import mark_no_store
from portal.services import authority as authority_service
from portal.services import evidence
from portal.services.identity import CODE_ROUTE
from portal.web.carer_forms import ButtonForm
from portal.web.guards import current_viewer

bp = Blueprint("carers", __name__)

def carer_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Signed in with NHS login at P9 or through the details-and-code route (whose requests
    then need the carer's identity checked); no subject needed. Every response ``no-store``."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        viewer = current_viewer()
        if viewer is None:
            return mark_no_store(redirect(url_for("auth.sign_in", next=request.full_path)))
        if not (viewer.meets("P9") or viewer.route == CODE_ROUTE):
            return mark_no_store(redirect(url_for("auth.step_up", level="P9", next=request.full_path)))
        return mark_no_store(current_app.make_response(view(*args, **kwargs)))

    return declare(wrapper, AccessRule("patient", ("P9", CODE_ROUTE)))


def evidence_dir() -> Path:
    return evidence.upload_directory(current_app.config)


def now() -> datetime:
    return datetime.now(UTC)


def _account_id() -> uuid.UUID:
    viewer = current_viewer()
    assert viewer is not None
    return viewer.account_id


@bp.get("/act-for-someone")
@carer_required
def start() -> str:
    requests = authority_service.list_for_account(db.session, _account_id(), now())
    names = {item.id: authority_service.describe_for_carer(db.session, item)["name"] for item in requests}
    return render_template("carers/start.html", requests=requests, names=names,
                           basis_labels=CARER_AUTHORITY_BASIS_WORDS, state_labels=CARER_AUTHORITY_STATE_WORDS)


def mine_or_404(authority_id: uuid.UUID):  # type: ignore[no-untyped-def]
    """The signed-in carer's request ``authority_id``, or 404 (whether or not it exists)."""
    try:
        return authority_service.get_for_account(db.session, authority_id, _account_id())
    except NotFound:
        abort(404)


@bp.get("/act-for-someone/requests/<uuid:authority_id>")
@carer_required
def status(authority_id: uuid.UUID) -> str:
    authority = mine_or_404(authority_id)
    patient = authority_service.describe_for_carer(db.session, authority)
    born = format_date(date.fromisoformat(patient["date_of_birth"]), "d MMMM yyyy") if patient["date_of_birth"] else ""
    return render_template("carers/status.html", authority=authority, basis_labels=CARER_AUTHORITY_BASIS_WORDS,
                           patient=patient, born=born, form=ButtonForm(), state_labels=CARER_AUTHORITY_STATE_WORDS,
                           reason_labels=CARER_AUTHORITY_REASON_WORDS)


@bp.post("/act-for-someone/requests/<uuid:authority_id>/withdraw")
@carer_required
def withdraw(authority_id: uuid.UUID) -> Response:
    return _step(authority_id, authority_service.withdraw)


@bp.post("/act-for-someone/requests/<uuid:authority_id>/stop")
@carer_required
def stop(authority_id: uuid.UUID) -> Response:
    return _step(authority_id, authority_service.stop_acting)


def _step(authority_id: uuid.UUID, action: Callable[..., Any]) -> Response:
    mine_or_404(authority_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        action(db.session, authority_id, _account_id(), now())
    except InvalidTransition:
        db.session.rollback()
        return redirect(url_for(".status", authority_id=authority_id))
    db.session.commit()
    return redirect(url_for(".status", authority_id=authority_id))


@bp.get("/act-for-someone/requests/<uuid:authority_id>/evidence")
@carer_required
def evidence_file(authority_id: uuid.UUID) -> Response:
    authority = mine_or_404(authority_id)
    data = evidence.read_evidence(evidence_dir(), authority.evidence_path or "")
    if data is None:
        abort(404)
    return Response(data, mimetype=authority.evidence_type,
                    headers={"Content-Disposition": "attachment; filename=evidence",
                             "X-Content-Type-Options": "nosniff"})


from portal.web import carer_request  # noqa: E402,F401  (the question pages, on this blueprint)
