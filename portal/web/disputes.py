"""Disputes for patients: raise one, one question per page, and follow it (issue 6).

Every answer is saved to the server-side draft as soon as it is sent, before it is checked,
so an error, a timeout or an expired form never loses what was typed. URLs carry only a
dispute reference, an AI-use event id or a tool slug (none is personal data); an event or a
reference that is not the signed-in patient's gives 404. Clinical detail (the AI use, the
reviewer's explanation) needs P9; at P5 the status page shows the status and a step-up link.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import format_date, format_number
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from portal.domain.errors import InvalidTransition, NotFound
from portal.extensions import db
from portal.services import authority_review
from portal.services import disputes as service
from portal.services.disputes import InvalidDispute
from portal.web import dispute_forms as forms
from portal.web.choice_text import DATE_FORMAT
from portal.web.guards import Viewer, current_viewer, patient_required

bp = Blueprint("disputes", __name__)
CSRF_FAILED = "disputes_csrf_failed"
STEPS = ("tool", "what-happened", "why", "outcomes", "contact")
Page = Response | str | tuple[str, int]


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {"outcome_labels": forms.OUTCOME_LABELS, "contact_labels": forms.CONTACT_LABELS,
            "status_labels": forms.STATUS_LABELS}


_PLURAL_FORMS = ("zero", "two", "few", "many", "other")  # CLDR categories besides "one" (Welsh uses all six)


@bp.app_template_global("character_count_texts")
def character_count_texts(limit: int) -> dict[str, Any]:
    """The NHS.UK character-count component's texts in the page's language, for its macro
    params (``textareaDescriptionText``, ``charactersUnderLimitText``, ``charactersAtLimitText``,
    ``charactersOverLimitText``; nhsuk-frontend 10). Without them the component's JavaScript
    counts down in English. ``%{count}`` is filled in by the component's JavaScript, which
    formats the number for the page's language; plural texts are keyed by CLDR category, every
    category but "one" taking the plural sentence."""
    under = {"one": _("You have %{count} character remaining"),
             **dict.fromkeys(_PLURAL_FORMS, _("You have %{count} characters remaining"))}
    over = {"one": _("You have %{count} character too many"),
            **dict.fromkeys(_PLURAL_FORMS, _("You have %{count} characters too many"))}
    return {"textareaDescriptionText": _("You can enter up to %(count)s characters", count=format_number(limit)),
            "charactersUnderLimitText": under, "charactersAtLimitText": _("You have 0 characters remaining"),
            "charactersOverLimitText": over}


@bp.app_template_filter("day_text")
def day_text(value: date | str | None) -> str:
    """``3 March 2026`` from a date or an ISO ``YYYY-MM-DD`` string ("" if neither)."""
    try:
        day = date.fromisoformat(value) if isinstance(value, str) else value
    except ValueError:
        return ""
    return "" if day is None else format_date(day, DATE_FORMAT)


def _viewer() -> Viewer:
    viewer = current_viewer()
    assert viewer is not None and viewer.subject_patient_id is not None  # patient_required
    return viewer


def _actor(viewer: Viewer) -> service.DisputeActor:
    if viewer.authority_id is not None:
        if not viewer.assured_to_act:  # P9, or the code route with the carer's identity checked
            abort(403)
        return service.DisputeActor("representative", viewer.account_id, viewer.authority_id)
    return service.DisputeActor("patient", viewer.account_id)


def _answers() -> tuple[str | None, dict[str, Any]]:
    viewer = _viewer()
    return service.draft_answers(db.session, viewer.account_id, viewer.subject_patient_id)


def _save(answers: dict[str, Any]) -> None:
    viewer = _viewer()
    service.save_step(db.session, viewer.account_id, viewer.subject_patient_id, answers)
    db.session.commit()


@bp.get("/disputes")
@patient_required("P5")
def index() -> str:
    viewer = _viewer()
    draft_key, _answers_so_far = service.draft_answers(db.session, viewer.account_id, viewer.subject_patient_id)
    return render_template("disputes/index.html", disputes=service.list_for_patient(db.session, viewer.subject_patient_id),
                           has_draft=draft_key is not None)


@bp.route("/disputes/new", methods=["GET", "POST"])
@patient_required("P5")
def new() -> Page:
    """Start page: what a dispute is (and is not). ``?event=`` or ``?tool=`` or ``?kind=objection``."""
    viewer = _viewer()
    event = tool = None
    if request.args.get("event"):
        try:
            event = service.event_for_patient(db.session, viewer.subject_patient_id, request.args["event"])
        except NotFound:
            abort(404)
    elif request.args.get("tool"):
        tool = service.tool_by_slug(db.session, request.args["tool"]) or abort(404)
    kind = "objection" if request.args.get("kind") == "objection" else "dispute"
    form = forms.StartForm()
    if request.method == "POST" and (g.get(CSRF_FAILED) or not form.validate()):
        form.form_errors.append(forms.EXPIRED_FORM_MESSAGE)
    elif request.method == "POST":
        start = {"kind": kind, "event": str(event.id) if event else None,
                 "tool": event.tool.slug if event else (tool.slug if tool else None),
                 **(service.event_answers(event) if event and kind == "dispute" else {})}
        service.save_step(db.session, viewer.account_id, viewer.subject_patient_id, start, start=True)
        db.session.commit()
        return redirect(url_for(".step", name=_first_step(start)))
    draft_key, _answers_so_far = service.draft_answers(db.session, viewer.account_id, viewer.subject_patient_id)
    return render_template("disputes/start.html", form=form, event=event, tool=tool, kind=kind,
                           has_draft=draft_key is not None)


def _first_step(answers: dict[str, Any]) -> str:
    if not answers.get("tool"):
        return "tool"
    return "why" if answers.get("kind") == "objection" else "what-happened"


def _next_step(name: str, answers: dict[str, Any]) -> str | None:
    if request.args.get("change"):
        return None
    following = list(STEPS[STEPS.index(name) + 1:])
    if answers.get("kind") == "objection" and "what-happened" in following:
        following.remove("what-happened")
    return following[0] if following else None


@bp.route("/disputes/new/<name>", methods=["GET", "POST"])
@patient_required("P5")
def step(name: str) -> Page:
    if name not in STEPS:
        abort(404)
    key, answers = _answers()
    if key is None:
        return redirect(url_for(".new"))
    form = _STEP_FORMS[name]()
    if request.method == "GET":
        _fill(name, form, answers)
        return _render_step(name, form, answers)
    typed = _typed(name, form)
    answers.update(typed)
    if g.get(CSRF_FAILED):  # shown again as typed; saved only with a valid token
        form.form_errors.append(forms.EXPIRED_FORM_MESSAGE)
        return _render_step(name, form, answers), 400
    _save(typed)  # kept before any other check: nothing typed is lost
    if not form.validate() or not _check_step(name, form, answers):
        return _render_step(name, form, answers)
    following = _next_step(name, answers)
    return redirect(url_for(".step", name=following) if following else url_for(".check"))


_STEP_FORMS: dict[str, type[FlaskForm]] = {
    "tool": forms.ToolForm, "what-happened": forms.HappenedForm, "why": forms.WhyForm,
    "outcomes": forms.OutcomesForm, "contact": forms.ContactForm,
}


def _typed(name: str, form: Any) -> dict[str, Any]:
    data = request.form
    if name == "tool":
        return {"tool": data.get("tool") or None, "confirm_tool": data.get("confirm_tool") == "y"}
    if name == "what-happened":
        return {"day": data.get("day", ""), "month": data.get("month", ""), "year": data.get("year", ""),
                "where": data.get("where", ""), "happened_on": _iso_day(data)}
    if name == "outcomes":
        return {"outcomes": data.getlist("outcomes")}
    return {name: data.get(name, "")}


def _iso_day(data: Any) -> str | None:
    parts = [data.get(part, "").strip() for part in ("year", "month", "day")]
    if not any(parts):
        return None
    try:
        year, month, day = (int(part) for part in parts)
    except ValueError:
        return "invalid"
    return f"{year:04d}-{month:02d}-{day:02d}"


def _fill(name: str, form: Any, answers: dict[str, Any]) -> None:
    viewer = _viewer()
    if name == "what-happened":
        for part in ("day", "month", "year", "where"):
            getattr(form, part).data = answers.get(part, "")
    elif name == "contact" and not answers.get("contact"):
        form.contact.data = service.default_contact(db.session, viewer.subject_patient_id)
    elif name in ("tool", "why", "outcomes", "contact"):
        getattr(form, name).data = answers.get(name)
        if name == "tool":
            form.confirm_tool.data = bool(answers.get("confirm_tool"))


def _check_step(name: str, form: Any, answers: dict[str, Any]) -> bool:
    viewer = _viewer()
    try:
        if name == "tool":
            service.check_tool(db.session, viewer.subject_patient_id, answers.get("tool"), bool(answers.get("confirm_tool")))
        elif name == "what-happened":
            service.parse_day(answers.get("happened_on"), service.london_today())
            if len(answers.get("where") or "") > service.WHERE_LIMIT:
                raise InvalidDispute("where", "too-long", "")
        elif name == "why":
            service.check_why(answers.get("why"))
        elif name == "outcomes" and not answers.get("outcomes"):
            raise InvalidDispute("outcomes", "missing", "")
    except InvalidDispute as error:
        field = {"happened_on": "day"}.get(error.field, error.field)
        getattr(form, field).errors = [forms.MESSAGES[(error.field, error.code)]]
        return False
    return True


def _render_step(name: str, form: Any, answers: dict[str, Any]) -> str:
    viewer = _viewer()
    context: dict[str, Any] = {"form": form, "answers": answers, "name": name}
    if name == "tool":
        used, others = service.tool_options(db.session, viewer.subject_patient_id)
        chosen = answers.get("tool")
        context.update(used=used, others=others,
                       show_confirm=bool(chosen and chosen not in {u.slug for u in used}))
    return render_template(f"disputes/step_{name.replace('-', '_')}.html", **context)


@bp.route("/disputes/new/check", methods=["GET", "POST"])
@patient_required("P5")
def check() -> Page:
    viewer = _viewer()
    key, answers = _answers()
    form = forms.SubmitForm()
    if request.method == "POST" and form.submission_key.data and not g.get(CSRF_FAILED) and form.validate():
        try:
            dispute = service.submit(db.session, patient_id=viewer.subject_patient_id, actor=_actor(viewer),
                                     submission_key=form.submission_key.data,
                                     decide_within=current_app.config.get("DISPUTE_DECIDE_WITHIN"),
                                     acknowledge_within=current_app.config.get("DISPUTE_ACKNOWLEDGE_WITHIN"))
        except NotFound:
            db.session.rollback()
            return redirect(url_for(".new"))
        except InvalidDispute as error:
            db.session.rollback()
            return redirect(url_for(".step", name=_step_for(error.field), change=1))
        db.session.commit()
        return redirect(url_for(".confirmation", reference=dispute.reference))
    if key is None:
        return redirect(url_for(".index"))
    if request.method == "POST":
        form.form_errors.append(forms.EXPIRED_FORM_MESSAGE)
    form.submission_key.data = key
    tool = service.tool_by_slug(db.session, answers.get("tool"))
    return render_template("disputes/check.html", form=form, answers=answers, tool=tool)


def _step_for(field: str) -> str:
    return {"tool": "tool", "confirm_tool": "tool", "happened_on": "what-happened", "where": "what-happened",
            "why": "why", "outcomes": "outcomes", "contact": "contact"}.get(field, "tool")


@bp.get("/disputes/<reference>/confirmation")
@patient_required("P5")
def confirmation(reference: str) -> str:
    return render_template("disputes/confirmation.html", dispute=_mine(reference))


def _mine(reference: str) -> Any:
    try:
        return service.get_for_patient(db.session, _viewer().subject_patient_id, reference)
    except NotFound:
        abort(404)


@bp.route("/disputes/<reference>", methods=["GET", "POST"])
@patient_required("P5")
def status(reference: str) -> Page:
    viewer = _viewer()
    dispute = _mine(reference)
    form = forms.InformationForm()
    code = 200
    if request.method == "POST":
        if g.get(CSRF_FAILED) or not form.validate():
            form.message.errors = [forms.EXPIRED_FORM_MESSAGE]
            code = 400
        else:
            try:
                service.add_information(db.session, patient_id=viewer.subject_patient_id, reference=reference,
                                        actor=_actor(viewer), message=form.message.data or "")
                db.session.commit()
                return redirect(url_for(".status", reference=dispute.reference))
            except InvalidDispute as error:
                db.session.rollback()
                form.message.errors = [forms.MESSAGES[("message", error.code)]]
            except InvalidTransition:
                db.session.rollback()
                form.message.errors = [forms.CLOSED_MESSAGE]
            code = 400
    raised_by = (authority_review.representative(db.session, dispute.authority_id)
                 if viewer.authority_id is None else None)  # the patient sees which carer raised it
    return render_template("disputes/status.html", dispute=dispute, form=form, raised_by=raised_by,
                           clinical=viewer.meets("P9"), closed=dispute.closed_at_utc is not None), code


@bp.route("/disputes/<reference>/withdraw", methods=["GET", "POST"])
@patient_required("P5")
def withdraw(reference: str) -> Page:
    viewer = _viewer()
    dispute = _mine(reference)
    form = forms.WithdrawForm()
    if request.method == "POST" and not g.get(CSRF_FAILED) and form.validate():
        try:
            service.withdraw(db.session, patient_id=viewer.subject_patient_id, reference=reference, actor=_actor(viewer))
        except InvalidTransition:
            db.session.rollback()
            form.form_errors.append(forms.CLOSED_MESSAGE)
            return render_template("disputes/withdraw.html", form=form, dispute=dispute), 400
        db.session.commit()
        return redirect(url_for(".status", reference=dispute.reference))
    if request.method == "POST":
        form.form_errors.append(forms.EXPIRED_FORM_MESSAGE)
    return render_template("disputes/withdraw.html", form=form, dispute=dispute)


@bp.errorhandler(CSRFError)
def _csrf_failed(error: CSRFError) -> Page:
    """An expired form token: show the same page again with what was typed (never a bare 400)."""
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None:
        abort(400)
    g.setdefault(CSRF_FAILED, True)
    try:
        return view(**(request.view_args or {}))
    except HTTPException as page_error:
        return current_app.handle_http_exception(page_error)
