"""Staff sign-in, set-up (password + authenticator app), the home page and sign-out."""

from __future__ import annotations

import hashlib

from flask import Flask, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from portal import oidc
from portal.access import public
from portal.extensions import db, limiter
from portal.services import audit, staff_accounts
from portal.services.audit import SYSTEM
from portal.templating import sign_out_form
from portal.staff import bp
from portal.staff import session as staff_session
from portal.staff.forms import ConfirmAuthenticatorForm, SetPasswordForm, StaffSignInForm, StaffSignOutForm
from portal.staff.guards import staff_required
from portal.staff.session import current_staff

ROLE_TASKS = {
    "dispute-reviewer": _l("Review disputes about AI-supported decisions"),
    "authority-verifier": _l("Check carers' legal authority to act for someone"),
    "register-editor": _l("Keep the register of AI tools up to date"),
    "assisted-digital": _l("Record choices for people by phone or on paper"),
    "auditor": _l("Check the audit trail and AI used against people's wishes"),
    "admin": _l("Manage staff accounts, and make void a choice made in error"),
}


def email_key() -> str:
    """Rate-limit key for the email address tried (hashed: no address in the store)."""
    email = request.form.get("email", "").strip().lower()
    return "staff:" + (hashlib.sha256(email.encode()).hexdigest()[:32] if email else "none")


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@limiter.limit("10 per 15 minutes", key_func=email_key, methods=["POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_SIGN_IN_PER_ADDRESS"], methods=["POST"])
def sign_in() -> str | Response:
    form = StaffSignInForm()
    if form.validate_on_submit():
        user = staff_accounts.authenticate(db.session, form.email.data, form.password.data, form.code.data,
                                           current_app.config["SECRET_KEY"], staff_session.now())
        if user is not None:
            staff_session.start(user.id, "password-totp")
            db.session.commit()
            return redirect(url_for("staff.home"))
        db.session.commit()
        form.email.errors.append(_("The email address, password or code is not right. Check them and try again"))
    form.code.data = ""
    reason = session.pop(staff_session.SIGNED_OUT_BECAUSE, None)
    return render_template("staff/sign-in.html", form=form, signed_out_because=reason,
                           oidc_available=oidc.provider("staff").configured)


@bp.get("/")
@staff_required()
def home() -> str:
    staff = current_staff()
    assert staff is not None
    tasks = [ROLE_TASKS[role] for role in staff.roles if role in ROLE_TASKS]
    return render_template("staff/home.html", staff=staff, tasks=tasks)


@bp.route("/set-up/<token>", methods=["GET", "POST"])
@public
@limiter.limit("20 per hour", methods=["POST"])
def set_up(token: str) -> str | Response | tuple[str, int]:
    user = staff_accounts.user_for_setup(db.session, token, staff_session.now())
    if user is None:
        return render_template("staff/set-up-expired.html"), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        staff_accounts.set_password(db.session, user, form.password.data, current_app.config["SECRET_KEY"])
        db.session.commit()
        return redirect(url_for("staff.set_up_authenticator", token=token))
    return render_template("staff/set-up-password.html", form=form, email=user.email)


@bp.route("/set-up/<token>/authenticator", methods=["GET", "POST"])
@public
@limiter.limit("20 per hour", methods=["POST"])
def set_up_authenticator(token: str) -> str | Response | tuple[str, int]:
    user = staff_accounts.user_for_setup(db.session, token, staff_session.now())
    if user is None:
        return render_template("staff/set-up-expired.html"), 404
    secret = staff_accounts.totp_secret_of(user, current_app.config["SECRET_KEY"])
    if secret is None:
        return redirect(url_for("staff.set_up", token=token))
    form = ConfirmAuthenticatorForm()
    if form.validate_on_submit():
        if staff_accounts.complete_setup(db.session, user, form.code.data, current_app.config["SECRET_KEY"],
                                         staff_session.now()):
            db.session.commit()
            return redirect(url_for("staff.sign_in", set_up="done"))
        form.code.errors.append(_("The code is not right. Check your authenticator app and try again"))
    form.code.data = ""
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return render_template("staff/set-up-authenticator.html", form=form, secret=grouped,
                           uri=staff_accounts.provisioning_uri(user, secret))


@bp.get("/sign-in/oidc")
@public
@limiter.limit("30 per hour")
def oidc_start() -> str | Response | tuple[str, int]:
    if not oidc.provider("staff").configured:
        return redirect(url_for("staff.sign_in"))
    try:
        return oidc.start("staff", prompt_login=True)
    except oidc.SignInFailed:
        return render_template("auth/unavailable.html", staff=True), 503


@bp.get("/sign-in/oidc/callback")
@public
@limiter.limit("30 per hour")
def oidc_callback() -> str | Response | tuple[str, int]:
    try:
        result = oidc.complete("staff")
    except oidc.SignInFailed as failure:
        audit.record(db.session, SYSTEM, "staff.sign-in-failed", details={"reason": "oidc-" + failure.reason})
        db.session.commit()
        return render_template("staff/sign-in-failed.html"), 400
    email = result.userinfo.get("email") or result.claims.get("email")
    user = staff_accounts.user_for_oidc(db.session, str(result.claims["sub"]), email, staff_session.now())
    if user is None:
        db.session.commit()
        return render_template("staff/sign-in-failed.html", unknown=True), 403
    staff_session.start(user.id, "oidc")
    db.session.commit()
    return redirect(url_for("staff.home"))


@bp.post("/sign-out")
@public
def sign_out() -> Response:
    timed_out = StaffSignOutForm().reason.data == "timeout"
    signed_in = current_staff() is not None
    staff_session.end("idle" if timed_out else "signed-out")
    if timed_out and signed_in:
        session[staff_session.SIGNED_OUT_BECAUSE] = "idle"
    db.session.commit()
    return redirect(url_for("staff.sign_in", signed_out="yes"))


@bp.post("/session/keep-alive")
@public
@limiter.exempt
def keep_alive() -> tuple[dict[str, object], int]:
    staff = current_staff()
    return {"signed_in": staff is not None, "seconds_left": staff_session.seconds_left()}, 200 if staff else 401


@bp.errorhandler(429)
def too_many_attempts(_error: Exception) -> tuple[str, int]:
    audit.record(db.session, SYSTEM, "staff.rate-limited", details={"endpoint": request.endpoint or ""})
    db.session.commit()
    return render_template("auth/too-many-attempts.html"), 429


def init_app(app: Flask) -> None:
    @app.context_processor
    def _staff_context() -> dict[str, object]:
        if not request.path.startswith("/staff/") or current_staff() is None:
            return {}
        return {
            "account_menu": {"ariaLabel": _("Account"), "items": [{"html": sign_out_form(url_for("staff.sign_out"))}]},
            "session_timeout": {
                "seconds_left": staff_session.seconds_left(),
                "warn_before": current_app.config["SESSION_WARNING_BEFORE"],
                "keep_alive_url": url_for("staff.keep_alive"),
                "sign_out_url": url_for("staff.sign_out"),
            },
        }
