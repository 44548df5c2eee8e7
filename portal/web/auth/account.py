"""Once signed in: whose pages to see, staying signed in, signing out (DESIGN.md section 4).

``sign_out`` (POST, with the form token) ends the session on the server; after NHS login the
browser then passes by NHS login's end-session endpoint so the provider forgets the person too.
``keep_alive`` is what the timeout warning's "Stay signed in" button calls.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from flask import Flask, current_app, g, jsonify, redirect, render_template, request, session, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from portal import oidc
from portal.access import AccessRule, declare, public
from portal.extensions import db, limiter
from portal.security import mark_no_store, no_store
from portal.templating import sign_out_form
from portal.services import audit, identity, sessions
from portal.services.audit import SYSTEM
from portal.web.auth import bp, landing_page, remember_next, safe_next, viewer
from portal.web.auth.forms import ChooseSubjectForm, SignOutForm
from portal.web.guards import ABOUT_SIGNED_IN_PERSON, current_viewer, patient_required

SELF = "self"


def signed_in_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Signed in at any level, with or without a subject chosen (the choose-who page itself)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_viewer() is None:
            return mark_no_store(redirect(url_for("auth.sign_in", next=safe_next(request.full_path))))
        return mark_no_store(current_app.make_response(view(*args, **kwargs)))

    return declare(wrapper, AccessRule("patient", ("P5",)))


@bp.route("/choose-who", methods=["GET", "POST"])
@signed_in_required
def choose_subject() -> str | Response:
    remember_next()
    person = current_viewer()
    assert person is not None
    subjects = identity.subjects_for(db.session, person.account_id, person.self_patient_id,
                                     level=person.level, route=person.route)
    form = ChooseSubjectForm()
    form.subject.choices = [(SELF if s.authority_id is None else str(s.authority_id),
                             SELF if s.authority_id is None else _subject_label(s.patient_id))
                            for s in subjects]
    if form.validate_on_submit():
        chosen = next(s for s in subjects if (SELF if s.authority_id is None else str(s.authority_id)) == form.subject.data)
        sessions.act_for(viewer.account_session(), chosen.patient_id, chosen.authority_id)
        db.session.commit()
        return redirect(landing_page())
    return render_template("auth/choose-who.html", form=form, subjects=subjects,
                           stopped=session.pop(viewer.ACTING_STOPPED, None))


def _subject_label(patient_id: uuid.UUID) -> str:
    described = identity.describe_patient(db.session, patient_id) or {"name": "", "date_of_birth": ""}
    return _("%(name)s, born %(date)s", name=described["name"], date=_long_date(described["date_of_birth"]))


def _long_date(iso: str) -> str:
    return format_date(date.fromisoformat(iso), "d MMMM yyyy") if iso else ""


def acting_for_banner() -> dict[str, str] | None:
    """Name and date of birth of the person a carer is acting for now, or None."""
    person = g.get("_viewer")
    if person is None or person.authority_id is None or person.subject_patient_id is None:
        return None
    described = identity.describe_patient(db.session, person.subject_patient_id)
    if described is None:
        return None
    return {"name": described["name"], "born": _long_date(described["date_of_birth"])}


@bp.get("/signed-in")
@patient_required("P5")
def signed_in() -> str:
    """The landing page. While a carer acts for someone it is about that person (their name,
    their NHS number, links to their pages), as the banner says; otherwise about the signed-in person."""
    return render_template("auth/signed-in.html", viewer=current_viewer(), patient=_patient_summary())


def _patient_summary() -> dict[str, str] | None:
    person = current_viewer()
    if person is None:
        return None
    shown = person.subject_patient_id if person.acting_for_someone_else else person.self_patient_id
    return identity.describe_patient(db.session, shown) if shown else None


@bp.post("/session/keep-alive")
@public
@limiter.exempt
def keep_alive() -> Response:
    """``{"signed_in": true, "seconds_left": 1800}``, or 401 with ``signed_in`` false."""
    response = jsonify(signed_in=current_viewer() is not None, seconds_left=viewer.seconds_left())
    response.status_code = 200 if current_viewer() is not None else 401
    return mark_no_store(response)


@bp.post("/sign-out")
@public
def sign_out() -> Response:
    form = SignOutForm()
    timed_out = form.reason.data == "timeout"
    already = session.get(viewer.SIGNED_OUT_BECAUSE)  # the server may have ended it a moment ago
    route = viewer.end("idle" if timed_out else "signed-out")
    if already or (timed_out and route is not None):
        session[viewer.SIGNED_OUT_BECAUSE] = already or "idle"
    db.session.commit()
    target = url_for("auth.signed_out", _external=route == identity.NHS_LOGIN)
    if route == identity.NHS_LOGIN:
        target = oidc.end_session_url("nhs_login", target) or target
    return mark_no_store(redirect(target))


@bp.get("/signed-out")
@public
@no_store
def signed_out() -> str:
    return render_template("auth/signed-out.html", signed_out_because=session.pop(viewer.SIGNED_OUT_BECAUSE, None),
                           idle_minutes=current_app.config["SESSION_IDLE_TIMEOUT"] // 60)


@bp.errorhandler(429)
def too_many_attempts(_error: Exception) -> tuple[str, int]:
    audit.record(db.session, SYSTEM, "sign-in.rate-limited", details={"endpoint": request.endpoint or ""})
    db.session.commit()
    return render_template("auth/too-many-attempts.html"), 429


def init_app(app: Flask) -> None:
    @app.context_processor
    def _signed_in_context() -> dict[str, object]:
        if request.path.startswith("/staff/") or g.get("_viewer") is None:
            return {}
        return {
            "acting_for": acting_for_banner(),
            "about_signed_in_person": g.get(ABOUT_SIGNED_IN_PERSON, False),
            "account_menu": {"ariaLabel": _("Account"), "items": [{"html": sign_out_form(url_for("auth.sign_out"))}]},
            "session_timeout": {
                "seconds_left": viewer.seconds_left(),
                "warn_before": current_app.config["SESSION_WARNING_BEFORE"],
                "keep_alive_url": url_for("auth.keep_alive"),
                "sign_out_url": url_for("auth.sign_out"),
            },
        }

