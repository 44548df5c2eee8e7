"""The sign-in page, NHS login (authorization code flow, explicit ``vtr``) and step-up.

P5 is asked for to sign in (enough to record choices); P9 only when a page needs it (step-up),
so nobody is sent through an identity check they do not need. A fresh sign-in asks the provider
to sign the person in again (``prompt=login``), so on a shared computer nobody is signed in
as the previous user by the provider's own session.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from flask import current_app, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from portal import oidc
from portal.access import public
from portal.domain.assurance import vectors_for
from portal.extensions import db, limiter
from portal.security import no_store
from portal.services import audit, identity
from portal.services.audit import SYSTEM
from portal.web.auth import bp, landing_page, remember_next, safe_next, viewer
from portal.web.guards import LEVELS, current_viewer

log = logging.getLogger(__name__)
NHS_LOGIN = "nhs_login"


def nhs_login_available() -> bool:
    return oidc.provider(NHS_LOGIN).configured


def code_route_available() -> bool:
    return bool(current_app.config["NOTIFY_CHANNEL"])


@bp.get("/sign-in")
@public
@no_store
def sign_in() -> str | Response:
    remember_next()
    viewer_now = current_viewer()
    if viewer_now is not None:
        return redirect(landing_page())
    reason = session.pop(viewer.SIGNED_OUT_BECAUSE, None)
    return render_template("auth/sign-in.html", signed_out_because=reason,
                           idle_minutes=current_app.config["SESSION_IDLE_TIMEOUT"] // 60,
                           absolute_hours=current_app.config["SESSION_ABSOLUTE_TIMEOUT"] // 3600,
                           nhs_login=nhs_login_available(), code_route=code_route_available())


@bp.get("/sign-in/nhs-login")
@public
@limiter.limit(lambda: current_app.config["RATELIMIT_SIGN_IN_PER_ADDRESS"])
def nhs_login() -> str | Response:
    level = request.args.get("level", "P5")
    if level not in ("P5", "P9") or not nhs_login_available():
        return redirect(url_for("auth.sign_in"))
    remember_next()
    try:
        return oidc.start(NHS_LOGIN, vectors=vectors_for(level), prompt_login=current_viewer() is None,
                          pending={"level": level})
    except oidc.SignInFailed:
        log.warning("NHS login unavailable: discovery or client key failed")
        return render_template("auth/unavailable.html"), 503


@bp.get("/sign-in/callback")
@public
@no_store
@limiter.limit(lambda: current_app.config["RATELIMIT_SIGN_IN_PER_ADDRESS"])
def callback() -> str | Response | tuple[str, int]:
    try:
        result = oidc.complete(NHS_LOGIN)
    except oidc.SignInFailed as failure:
        audit.record(db.session, SYSTEM, "sign-in.failed", details={"route": "nhs-login", "reason": failure.reason})
        db.session.commit()
        log.info("NHS login sign-in refused: %(reason)s", {"reason": failure.reason})
        stepping_up = current_viewer() is not None
        status = 403 if failure.reason == "access-denied" else 400
        return render_template("auth/sign-in-failed.html", reason=failure.reason, stepping_up=stepping_up), status
    claims, userinfo = result.claims, result.userinfo
    verified = identity.VerifiedIdentity(
        provider=identity.NHS_LOGIN, subject=str(claims["sub"]), level=result.level or "P0",
        nhs_number=identity.parse_nhs_number(claims.get("nhs_number")),
        birthdate=identity.parse_birthdate(claims.get("birthdate")),
        family_name=str(claims.get("family_name") or ""), given_name=str(userinfo.get("given_name") or ""),
        email=userinfo.get("email") if userinfo.get("email_verified") else None,
    )
    account = identity.link_verified_identity(db.session, verified, datetime.now(UTC))
    viewer.start(account_id=account.id, level=verified.level, route=identity.NHS_LOGIN,
                 self_patient_id=account.patient_id, subject_patient_id=account.patient_id)
    db.session.commit()
    return redirect(landing_page())


@bp.get("/sign-in/prove-who-you-are")
@public
@no_store
def step_up() -> str | Response:
    level = request.args.get("level", "P9")
    if level not in LEVELS:
        level = "P9"
    wanted = safe_next(request.args.get("next"))
    signed_in = current_viewer()
    if signed_in is None:
        return redirect(url_for("auth.sign_in", next=wanted))
    if signed_in.meets(level):
        return redirect(wanted or landing_page())
    remember_next()
    return render_template("auth/step-up.html", level=level, route=signed_in.route,
                           nhs_login=nhs_login_available())
