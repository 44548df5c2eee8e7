"""The patient's choices: what applies now and why, one question per page to change it, then
a confirmation, a printable receipt and the history (issue 5 points 1 to 4 and 8).

Thin views: validate the form, call one service, commit once, redirect. Tool slugs, purposes
and choice references are the only values in these URLs (none of them is personal data); a
reference is shown only to the patient it belongs to (anyone else gets 404).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from portal.domain.errors import InvalidChoice, NotFound
from portal.domain.values import Purpose
from portal.extensions import db
from portal.services import authority as authority_service
from portal.services import choice_history, choice_summary, notify
from portal.services import choices as choice_service
from portal.web import choice_text
from portal.web.choice_forms import AllToolsChoiceForm, SendReceiptForm, ToolChoiceForm
from portal.web.guards import Viewer, current_viewer, patient_required

bp = Blueprint("choices", __name__)
choice_text.init_blueprint(bp)
CSRF_FAILED = "choices_csrf_failed"
LAST_SAVED = "choices_last_saved"  # {"page": subject:tool:purpose, "key": idempotency key} of the last save
PURPOSES = {purpose.value for purpose in Purpose}
Render = Callable[[str | None, int], Response | str]


def _viewer() -> Viewer:
    viewer = current_viewer()
    assert viewer is not None and viewer.subject_patient_id is not None  # patient_required
    return viewer


def _actor(viewer: Viewer) -> choice_service.ChoiceActor:
    if viewer.authority_id is not None:
        if not viewer.assured_to_act:  # P9, or the code route with the carer's identity checked
            abort(403)
        return choice_service.ChoiceActor.representative(viewer.account_id, viewer.authority_id)
    return choice_service.ChoiceActor.patient(viewer.account_id)


@bp.get("/your-choices")
@patient_required("P5")
def overview() -> str:
    viewer = _viewer()
    summary = choice_summary.overview(db.session, viewer.subject_patient_id, viewer.account_id)
    return render_template("choices/overview.html", overview=summary)


def _refused(message: str, status: int = 400) -> tuple[str, int]:
    return render_template("choices/refused.html", message=message), status


def _cannot_act(viewer: Viewer, form: ToolChoiceForm | AllToolsChoiceForm, purpose: str) -> str | None:
    """Why this answer may not be recorded for the page's subject now, or None (issue 7
    point 5): the form must be for the person whose pages are open, and a carer's authority
    must still be active and cover ``purpose``. Nothing is recorded when this says no."""
    if form.subject.data != str(viewer.subject_patient_id):
        return str(choice_text.SUBJECT_CHANGED_MESSAGE)
    if viewer.authority_id is None:
        return None
    try:
        authority_service.check_can_act(db.session, viewer.authority_id, viewer.account_id,
                                        viewer.subject_patient_id, purpose if purpose in PURPOSES else None,
                                        datetime.now(UTC))
    except authority_service.CannotAct as refused:
        return str(choice_text.CANNOT_ACT_MESSAGES.get(refused.code, choice_text.CANNOT_ACT_MESSAGES["not-active"]))
    return None


def _submit(form: ToolChoiceForm | AllToolsChoiceForm, render: Render, tool_slug: str | None,
            purpose: str) -> Response | str | tuple[str, int]:
    """Record the answer on a submitted question page, or show the page again saying why."""
    if g.get(CSRF_FAILED):
        form.ensure_key()
        return render(str(choice_text.EXPIRED_FORM_MESSAGE), 400)
    if not form.validate():
        form.ensure_key()
        return render(None, 200)
    if not form.key_is_valid:
        form.ensure_key(fresh=True)
        return render(str(choice_text.BROKEN_FORM_MESSAGE), 400)
    viewer = _viewer()
    refusal = _cannot_act(viewer, form, purpose)
    if refusal is not None:
        return _refused(str(refusal), 409)
    page = f"{viewer.subject_patient_id}:{tool_slug or '*'}:{purpose}"
    remembered = session.get(LAST_SAVED) or {}
    if remembered.get("page") == page and remembered.get("key") != form.idempotency_key.data:
        # Back, then Save again with the same answer: the same confirmation, no duplicate choice.
        earlier = choice_service.unchanged_since(db.session, viewer.subject_patient_id, str(remembered.get("key")),
                                                 str(form.decision.data))
        if earlier is not None:
            return redirect(url_for(".recorded", reference=earlier.reference))
    try:
        choice = choice_service.record_choice(
            db.session, patient_id=viewer.subject_patient_id, tool_slug=tool_slug, purpose=purpose,
            decision=form.decision.data, actor=_actor(viewer), channel="web",
            idempotency_key=form.idempotency_key.data)
    except InvalidChoice as error:
        db.session.rollback()
        return render(choice_text.invalid_choice_message(error), 400)
    except choice_service.IdempotencyKeyReused:
        db.session.rollback()
        form.ensure_key(fresh=True)
        return render(str(choice_text.KEY_REUSED_MESSAGE), 200)
    db.session.commit()
    session[LAST_SAVED] = {"page": page, "key": form.idempotency_key.data}
    return redirect(url_for(".recorded", reference=choice.reference))


def _show_with_message(form: ToolChoiceForm | AllToolsChoiceForm, template: str, message: str | None,
                       status: int, **context: object) -> tuple[str, int]:
    if message:
        form.decision.errors = [message]
    return render_template(template, form=form, **context), status


@bp.route("/your-choices/ai-tools/<slug>/<purpose>", methods=["GET", "POST"])
@patient_required("P5")
def tool_question(slug: str, purpose: str) -> Response | str | tuple[str, int]:
    viewer = _viewer()
    form = ToolChoiceForm()
    try:
        tool, row = choice_summary.tool_question(db.session, viewer.subject_patient_id, slug, purpose,
                                                 viewer.account_id)
    except NotFound:
        tool = row = None
    if request.method == "GET":
        if tool is None or row is None:
            abort(404)
        if not row.can_choose:
            return redirect(url_for(".objection", slug=slug, purpose=purpose))
        form.decision.data = row.answered.value if row.answered else None
        form.ensure_key(fresh=True)
        form.subject.data = str(viewer.subject_patient_id)
        return render_template("choices/tool_question.html", form=form, tool=tool, row=row)

    def render(message: str | None, status: int) -> Response | str | tuple[str, int]:
        if tool is None or row is None or not row.can_choose:
            return _refused(message or str(choice_text.INVALID_CHOICE_MESSAGES[InvalidChoice.UNKNOWN_TOOL]))
        return _show_with_message(form, "choices/tool_question.html", message, status, tool=tool, row=row)

    return _submit(form, render, slug, purpose)


@bp.route("/your-choices/all-ai-tools/<purpose>", methods=["GET", "POST"])
@patient_required("P5")
def all_tools_question(purpose: str) -> Response | str | tuple[str, int]:
    viewer = _viewer()
    form = AllToolsChoiceForm()
    try:
        summary = choice_summary.all_tools_question(db.session, viewer.subject_patient_id, purpose,
                                                    viewer.account_id)
    except NotFound:
        summary = None
    if request.method == "GET":
        if summary is None:
            abort(404)
        form.decision.data = "deny" if summary.in_force else None
        form.ensure_key(fresh=True)
        form.subject.data = str(viewer.subject_patient_id)
        return render_template("choices/all_tools_question.html", form=form, summary=summary)

    def render(message: str | None, status: int) -> Response | str | tuple[str, int]:
        if summary is None:
            return _refused(message or str(choice_text.INVALID_CHOICE_MESSAGES[InvalidChoice.UNKNOWN_PURPOSE]))
        return _show_with_message(form, "choices/all_tools_question.html", message, status, summary=summary)

    return _submit(form, render, None, purpose)


@bp.get("/your-choices/ai-tools/<slug>/<purpose>/object")
@patient_required("P5")
def objection(slug: str, purpose: str) -> str:
    viewer = _viewer()
    try:
        tool, row = choice_summary.tool_question(db.session, viewer.subject_patient_id, slug, purpose,
                                                 viewer.account_id)
    except NotFound:
        abort(404)
    return render_template("choices/objection.html", tool=tool, row=row)


@bp.get("/your-choices/recorded/<reference>")
@patient_required("P5")
def recorded(reference: str) -> str:
    viewer = _viewer()
    try:
        entry = choice_history.entry_for_reference(db.session, viewer.subject_patient_id, reference,
                                                   viewer.account_id)
    except NotFound:
        abort(404)
    return render_template("choices/recorded.html", entry=entry)


def _receipt_page(reference: str, form: SendReceiptForm, status: int = 200) -> tuple[str, int]:
    viewer = _viewer()
    try:
        receipt = choice_history.receipt(db.session, viewer.subject_patient_id, reference, viewer.account_id)
    except NotFound:
        abort(404)
    return render_template("choices/receipt.html", receipt=receipt, form=form,
                           sent=request.args.get("sent") == "1",
                           send_failed=request.args.get("sent") == "failed",
                           change_url=url_for(".overview", _external=True)), status


@bp.get("/your-choices/receipt/<reference>")
@patient_required("P5")
def receipt(reference: str) -> tuple[str, int]:
    return _receipt_page(reference, SendReceiptForm())


@bp.post("/your-choices/receipt/<reference>/send")
@patient_required("P5")
def send_receipt(reference: str) -> Response | tuple[str, int]:
    form = SendReceiptForm()
    if g.get(CSRF_FAILED) or not form.validate():
        form.csrf_token.errors = [str(choice_text.EXPIRED_FORM_MESSAGE)]
        form.csrf_token.error_target_id = "send-receipt"  # type: ignore[attr-defined]
        return _receipt_page(reference, form, 400)
    viewer = _viewer()
    try:
        sent = choice_service.send_receipt(db.session, patient_id=viewer.subject_patient_id, reference=reference)
    except NotFound:
        abort(404)
    notify.take_failures(db.session)
    db.session.commit()
    if sent and notify.take_failures(db.session):
        return redirect(url_for(".receipt", reference=reference, sent="failed"))
    return redirect(url_for(".receipt", reference=reference, sent="1" if sent else None))


@bp.get("/your-choices/history")
@patient_required("P5")
def history() -> str:
    viewer = _viewer()
    entries = choice_history.history_for_patient(db.session, viewer.subject_patient_id, viewer.account_id)
    return render_template("choices/history.html", entries=entries)


FORM_ENDPOINTS = {"choices.tool_question", "choices.all_tools_question", "choices.send_receipt"}


@bp.errorhandler(CSRFError)
def _csrf_failed(error: CSRFError) -> Response | str | tuple[str, int]:
    """An expired or missing form token: show the same page again, answer still selected,
    with a plain message (never a bare 400). Nothing is recorded."""
    view = current_app.view_functions.get(request.endpoint or "")
    if request.endpoint not in FORM_ENDPOINTS or view is None:
        return _refused(str(choice_text.EXPIRED_FORM_MESSAGE))
    g.setdefault(CSRF_FAILED, True)
    try:
        return view(**(request.view_args or {}))
    except HTTPException as page_error:  # e.g. another patient's reference: 404
        return current_app.handle_http_exception(page_error)
