"""The disputes back office under ``/staff/disputes`` (issue 6 point 5; role ``dispute-reviewer``).

The queue is a GET form (works without JavaScript) filtering by status, tool, organisation
and decision due date; overdue disputes are marked. Opening a dispute audits
``staff.patient.view``. Each action is a small POST form; the service refuses moves outside
the state graph and the page says what to do instead (a second click on a move that has
already happened just shows the page); each button is shown only when its move is possible.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import RadioField, TextAreaField

from portal.domain.disputes import DisputeStatus, is_closed
from portal.domain.errors import InvalidTransition, NotFound
from portal.extensions import db
from portal.services import dispute_reviews as reviews
from portal.services import patient_identity
from portal.services.disputes import InvalidDispute, london_today
from portal.staff import bp
from portal.staff.guards import staff_required
from portal.staff.session import current_staff

ROLE = reviews.REVIEWER_ROLE
MESSAGES = {
    ("message", "missing"): _l("Enter your message"),
    ("message", "too-long"): _l("Your message must be 5,000 characters or fewer"),
    ("outcome", "missing"): _l("Select upheld or not upheld"),
    ("explanation", "missing"): _l("Enter an explanation for the patient"),
    ("explanation", "too-long"): _l("The explanation must be 5,000 characters or fewer"),
}
NOT_NOW = _l("You cannot do that now: the request has moved on or is closed.")
CLOSED = _l("This request is closed. You cannot change it.")
REFUSED = {  # (action, status now): what to do instead
    ("review", DisputeStatus.RECEIVED): _l("Acknowledge the request first. Then you can start the review."),
    ("outcome", DisputeStatus.RECEIVED): _l("Acknowledge the request and start the review first. "
                                            "Then you can record the outcome."),
    ("outcome", DisputeStatus.ACKNOWLEDGED): _l("Start the review first. Then you can record the outcome."),
}
# A second click on a button whose move has already happened: show the page as it is now.
ALREADY_DONE = {("acknowledge", DisputeStatus.ACKNOWLEDGED), ("acknowledge", DisputeStatus.IN_REVIEW),
                ("review", DisputeStatus.IN_REVIEW)}


class ActionForm(FlaskForm):
    """A button for one action (acknowledge, assign to me, start review)."""


class AskForm(FlaskForm):
    message = TextAreaField(_l("What do you need to ask the patient?"))


class OutcomeForm(FlaskForm):
    outcome = RadioField(choices=["upheld", "not-upheld"], validate_choice=False)
    explanation = TextAreaField(_l("Explanation for the patient"))
    internal_note = TextAreaField(_l("Internal note (the patient never sees this)"))


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@bp.get("/disputes")
@staff_required(ROLE)
def disputes_queue() -> str:
    args = request.args
    filters = reviews.QueueFilter(status=args.get("status") or None, tool_id=_uuid(args.get("tool")),
                                  organisation_id=_uuid(args.get("organisation")), due_by=_day(args.get("due_by")))
    tools, organisations = reviews.queue_options(db.session)
    today = london_today()
    rows = [(dispute, reviews.is_overdue(dispute, today)) for dispute in reviews.queue(db.session, filters)]
    return render_template("staff/disputes/queue.html", rows=rows, tools=tools, organisations=organisations,
                           args=args)


def _page(reference: str, problem: Any = None, code: int = 200, **forms: FlaskForm) -> tuple[str, int]:
    staff = current_staff()
    assert staff is not None  # staff_required
    try:
        dispute = reviews.view(db.session, reference=reference, staff_user_id=staff.id)
    except NotFound:
        abort(404)
    choices = reviews.choices_for_tool(db.session, dispute.patient_id, dispute.tool.slug)
    patient = patient_identity.identity_of(db.session, dispute.patient_id)
    db.session.commit()  # the staff.patient.view audit row
    page_forms = {"action_form": ActionForm(), "ask_form": AskForm(), "outcome_form": OutcomeForm(), **forms}
    failed = next(iter(forms.values()), None)  # as ``form``: the layout's error summary and "Error:" title
    return render_template("staff/disputes/dispute.html", dispute=dispute, choices=choices, problem=problem,
                           patient=patient,
                           form=failed,
                           overdue=reviews.is_overdue(dispute, london_today()), me=staff.id,
                           staff_names=reviews.staff_names(db.session, dispute), **page_forms), code


@bp.get("/disputes/<reference>")
@staff_required(ROLE)
def dispute_page(reference: str) -> tuple[str, int]:
    return _page(reference)


ACTIONS = {"acknowledge": reviews.acknowledge, "assign": reviews.assign_to_me, "review": reviews.start_review}


@bp.post("/disputes/<reference>/<action>")
@staff_required(ROLE)
def dispute_action(reference: str, action: str) -> Response | tuple[str, int]:
    staff = current_staff()
    assert staff is not None
    if action not in (*ACTIONS, "ask", "outcome"):
        abort(404)
    form: FlaskForm = {"ask": AskForm, "outcome": OutcomeForm}.get(action, ActionForm)()
    if not form.validate():
        return _page(reference, NOT_NOW, 400)
    try:
        if action in ACTIONS:
            ACTIONS[action](db.session, reference=reference, staff_user_id=staff.id)
        elif action == "ask":
            reviews.ask_for_information(db.session, reference=reference, staff_user_id=staff.id,
                                        message=form.message.data or "")  # type: ignore[attr-defined]
        else:
            _outcome(form, reference, staff.id)
    except NotFound:
        abort(404)
    except InvalidTransition:
        db.session.rollback()
        status = reviews.status_of(db.session, reference=reference)
        if (action, status) in ALREADY_DONE:
            return redirect(url_for("staff.dispute_page", reference=reference))
        return _page(reference, CLOSED if is_closed(status) else REFUSED.get((action, status), NOT_NOW), 400)
    except InvalidDispute as error:
        db.session.rollback()
        getattr(form, error.field).errors = [MESSAGES[(error.field, error.code)]]
        return _page(reference, None, 400, **{f"{action}_form": form})
    db.session.commit()
    return redirect(url_for("staff.dispute_page", reference=reference))


def _outcome(form: Any, reference: str, staff_id: uuid.UUID) -> None:
    if reviews.status_of(db.session, reference=reference) is not DisputeStatus.IN_REVIEW:
        raise InvalidTransition("an outcome needs a dispute in review")  # said before any form error
    if form.outcome.data not in ("upheld", "not-upheld"):
        raise InvalidDispute("outcome", "missing", "Select upheld or not upheld")
    reviews.record_outcome(db.session, reference=reference, staff_user_id=staff_id,
                           upheld=form.outcome.data == "upheld", explanation=form.explanation.data or "",
                           internal_note=form.internal_note.data)
