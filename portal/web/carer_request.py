"""Asking to act for someone, one question per page (issue 7 point 3; NHS.UK "question pages").

Their details -> why you can act for them -> how you are related -> the reference (LPA or
deputy only) -> evidence (optional) -> check your answers -> sent. Every answer is saved to the
server-side draft as soon as it is sent (with a valid form token), before it is checked, so an
error or a closed tab never loses what was typed; a page with an error shows what was typed.
"Send request" carries the draft's id, so pressing it twice makes one request. No JavaScript
is needed. A request made through the details-and-code route is marked for a verifier to check
the carer's own identity (DESIGN.md section 4).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from flask import abort, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import format_date
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from portal.domain.errors import NotFound
from portal.extensions import db
from portal.labels import CARER_AUTHORITY_BASIS_WORDS
from portal.services import authority_drafts as drafts
from portal.services import evidence
from portal.services.authority_requests import AGE_REFUSALS, RequestRefused
from portal.web import carer_forms as forms
from portal.web.carers import bp, carer_required, evidence_dir, mine_or_404, now
from portal.web.guards import Viewer, current_viewer

Page = Response | str | tuple[str, int]
CSRF_FAILED = "carers_csrf_failed"
PENDING_ERROR = "carer_request_error"
STEP_FORMS: dict[str, type[Any]] = {
    "their-details": forms.DetailsForm, "legal-basis": forms.BasisForm, "relationship": forms.RelationshipForm,
    "reference": forms.ReferenceForm, "evidence": forms.EvidenceForm,
}
FIELD_STEPS = {"nhs_number": "their-details", "date_of_birth": "their-details", "postcode": "their-details",
               "basis": "legal-basis", "relationship": "relationship", "reference": "reference",
               "court_order_number": "reference", "evidence": "evidence"}
TEXT_ANSWERS = {"their-details": ("nhs_number", "postcode"), "legal-basis": ("basis",),
                "relationship": ("relationship",), "reference": ("reference", "court_order_number")}


def _viewer() -> Viewer:
    viewer = current_viewer()
    assert viewer is not None  # carer_required
    return viewer


def _needs_identity_check(viewer: Viewer) -> bool:
    return not viewer.meets("P9")


@bp.get("/act-for-someone/ask")
@carer_required
def ask() -> Response:
    return redirect(url_for(".ask_step", name="their-details"))


@bp.route("/act-for-someone/ask/<name>", methods=["GET", "POST"])
@carer_required
def ask_step(name: str) -> Page:
    if name not in STEP_FORMS:
        abort(404)
    viewer = _viewer()
    _key, answers = drafts.draft_answers(db.session, viewer.account_id)
    form = STEP_FORMS[name]()
    if request.method == "GET":
        _fill(name, form, answers)
        _show_pending_error(name, form)
        return _render(name, form, answers)
    if name == "evidence":
        return _evidence_step(form, answers)
    typed = _typed(name)
    answers.update(typed)
    if g.get(CSRF_FAILED):  # shown again as typed; saved only with a valid token
        form.form_errors.append(forms.EXPIRED_FORM_MESSAGE)
        return _render(name, form, answers), 400
    drafts.save_answers(db.session, viewer.account_id, typed)  # kept before any check: nothing is lost
    db.session.commit()
    if not form.validate() or not _check(name, form, answers):
        db.session.commit()  # a failed match is audited
        return _render(name, form, answers), 400
    return redirect(_next_page(name, answers))


def _typed(name: str) -> dict[str, Any]:
    typed = {key: request.form.get(key, "").strip() for key in TEXT_ANSWERS.get(name, ())}
    if name == "their-details":
        typed.update({part: request.form.get(f"date_of_birth-{part}", "").strip() for part in ("day", "month", "year")})
    return typed


def _fill(name: str, form: Any, answers: dict[str, Any]) -> None:
    for key in TEXT_ANSWERS.get(name, ()):
        getattr(form, key).data = answers.get(key, "")
    if name == "their-details":
        form.date_of_birth.parts = {part: answers.get(part, "") for part in ("day", "month", "year")}


def _show_pending_error(name: str, form: Any) -> None:
    """An answer "Send request" found wrong: shown on its own page, once."""
    pending = session.pop(PENDING_ERROR, None)
    if pending and FIELD_STEPS.get(pending[0]) == name and hasattr(form, pending[0]):
        getattr(form, pending[0]).errors = [forms.REFUSALS.get(pending[1], forms.REFUSALS["no-match"])]


def _check(name: str, form: Any, answers: dict[str, Any]) -> bool:
    viewer = _viewer()
    try:
        if name == "their-details":
            drafts.check_details(db.session, viewer.account_id, viewer.self_patient_id, answers)
        elif name == "legal-basis":
            drafts.check_basis(db.session, viewer.account_id, viewer.self_patient_id, answers, now())
        elif name == "relationship":
            drafts.check_relationship(answers)
        elif name == "reference":
            drafts.check_reference(answers)
    except RequestRefused as refused:
        field = refused.field if hasattr(form, refused.field) else next(iter(TEXT_ANSWERS[name]))
        getattr(form, field).errors = [forms.REFUSALS[refused.code]]
        return False
    return True


def _next_page(name: str, answers: dict[str, Any]) -> str:
    steps = drafts.steps_for(answers)
    if request.args.get("change") and name != "legal-basis":
        return url_for(".ask_check")
    following = steps[steps.index(name) + 1:] if name in steps else []
    if request.args.get("change"):  # a new basis may need its reference
        following = [step for step in following if step == "reference" and not _reference_given(answers)]
    return url_for(".ask_step", name=following[0], **_change()) if following else url_for(".ask_check")


def _reference_given(answers: dict[str, Any]) -> bool:
    try:
        drafts.check_reference(answers)
    except RequestRefused:
        return False
    return True


def _change() -> dict[str, int]:
    return {"change": 1} if request.args.get("change") else {}


def _back(name: str, answers: dict[str, Any]) -> str:
    steps = drafts.steps_for(answers)
    if request.args.get("change") or name == "check":
        return url_for(".ask_check") if name != "check" else url_for(".ask_step", name=steps[-1])
    if name not in steps or steps.index(name) == 0:
        return url_for(".start")
    return url_for(".ask_step", name=steps[steps.index(name) - 1])


def _render(name: str, form: Any, answers: dict[str, Any]) -> str:
    return render_template(f"carers/ask_{name.replace('-', '_')}.html", form=form, answers=answers,
                           back_href=_back(name, answers), basis_labels=CARER_AUTHORITY_BASIS_WORDS,
                           basis_hints=forms.BASIS_HINTS, change=bool(request.args.get("change")))


def _evidence_step(form: forms.EvidenceForm, answers: dict[str, Any]) -> Page:
    """Store an uploaded file (its type decided from its content), replace or remove the one
    already sent, or carry on without one."""
    viewer = _viewer()
    if g.get(CSRF_FAILED):
        form.form_errors.append(forms.EXPIRED_FORM_MESSAGE)
        return _render("evidence", form, answers), 400
    directory, old = evidence_dir(), answers.get("evidence_path")
    upload = request.files.get("evidence")
    if request.form.get("action") == "remove":
        _delete_file(directory, old)
        drafts.save_answers(db.session, viewer.account_id, {"evidence_path": None, "evidence_type": None,
                                                           "evidence_name": None})
        db.session.commit()
        return redirect(url_for(".ask_step", name="evidence", **_change()))
    if upload is not None and upload.filename:
        try:
            data = upload.stream.read(evidence.MAX_BYTES + 1)
        finally:
            upload.close()
        try:
            stored, kind = evidence.store_evidence(directory, data)
        except evidence.EvidenceRefused as refused:
            form.evidence.errors = [forms.REFUSALS[refused.code]]
            return _render("evidence", form, answers), 400
        _delete_file(directory, old)
        drafts.save_answers(db.session, viewer.account_id, {
            "evidence_path": stored, "evidence_type": kind, "evidence_name": Path(upload.filename).name[:100]})
        db.session.commit()
    return redirect(url_for(".ask_check"))


def _delete_file(directory: Path, name: Any) -> None:
    if isinstance(name, str) and name and Path(name).name == name:
        (directory / name).unlink(missing_ok=True)


@bp.route("/act-for-someone/ask/check", methods=["GET", "POST"])
@carer_required
def ask_check() -> Page:
    viewer = _viewer()
    key, answers = drafts.draft_answers(db.session, viewer.account_id)
    form = forms.SubmitForm()
    if request.method == "POST" and form.submission_key.data and not g.get(CSRF_FAILED) and form.validate():
        try:
            authority = drafts.submit(db.session, viewer.account_id, viewer.self_patient_id, form.submission_key.data,
                                      now(), carer_identity_check_needed=_needs_identity_check(viewer))
        except NotFound:
            db.session.rollback()
            return redirect(url_for(".start"))
        except RequestRefused as refused:
            db.session.rollback()
            return _back_to(refused)
        db.session.commit()
        return redirect(url_for(".ask_sent", authority_id=authority.id))
    if key is None:
        return redirect(url_for(".ask_step", name="their-details"))
    try:
        drafts.to_request(answers)
    except RequestRefused as refused:
        return _back_to(refused)
    if request.method == "POST":
        form.form_errors.append(forms.EXPIRED_FORM_MESSAGE)
    form.submission_key.data = key
    return render_template("carers/ask_check.html", form=form, answers=answers, basis_labels=CARER_AUTHORITY_BASIS_WORDS,
                           steps=drafts.steps_for(answers), back_href=_back("check", answers),
                           identity_check=_needs_identity_check(viewer), born=_born(answers))


def _born(answers: dict[str, Any]) -> str:
    born = drafts.date_of_birth(answers)
    return format_date(born, "d MMMM yyyy") if born else ""


def _back_to(refused: RequestRefused) -> Response:
    field = "basis" if refused.code in AGE_REFUSALS else refused.field
    session[PENDING_ERROR] = (field, refused.code)
    return redirect(url_for(".ask_step", name=FIELD_STEPS.get(field, "their-details"), change=1))


@bp.get("/act-for-someone/requests/<uuid:authority_id>/sent")
@carer_required
def ask_sent(authority_id: uuid.UUID) -> str:
    authority = mine_or_404(authority_id)
    return render_template("carers/ask_sent.html", authority=authority)


@bp.errorhandler(CSRFError)
def _csrf_failed(error: CSRFError) -> Page:
    """An expired form token: show the same page again with what was typed (never a bare 400)."""
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None or request.endpoint not in ("carers.ask_step", "carers.ask_check"):
        raise error
    g.setdefault(CSRF_FAILED, True)
    try:
        return view(**(request.view_args or {}))
    except HTTPException as page_error:
        return current_app.handle_http_exception(page_error)
