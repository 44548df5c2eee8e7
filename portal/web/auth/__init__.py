"""Sign-in for patients and carers (blueprint ``auth``; DESIGN.md section 4).

Endpoints the patient-page guard (``portal.web.guards``) redirects to: ``auth.sign_in``
(``next``), ``auth.step_up`` (``level``, ``next``) and ``auth.choose_subject`` (``next``).
Modules: ``nhs_login`` (NHS login and step-up), ``code_route`` (NHS number, date of birth,
postcode and a one-time code), ``account`` (who you act for, keep-alive, sign-out), ``viewer``
(the server-side session behind every request).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, request, session, url_for

bp = Blueprint("auth", __name__)
NEXT_KEY = "next"


def safe_next(value: str | None) -> str | None:
    """``value`` if it is a path on this site (``/...``, not ``//host``), else None."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    return value.rstrip("?") or "/"


def remember_next() -> None:
    """Keep the ``next`` query parameter (a page on this site) for after sign-in."""
    wanted = safe_next(request.args.get("next"))
    if wanted:
        session[NEXT_KEY] = wanted


def landing_page() -> str:
    """Where to go once signed in: the remembered page, else the signed-in landing page."""
    return session.pop(NEXT_KEY, None) or url_for(current_app.config["SIGNED_IN_LANDING_ENDPOINT"])


def init_app(app: Flask) -> None:
    from portal.web.auth import account, code_route, nhs_login, viewer  # noqa: F401  (routes)

    viewer.init_app(app)
    account.init_app(app)
    app.register_blueprint(bp)
