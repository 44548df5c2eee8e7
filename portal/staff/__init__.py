"""The staff back office under ``/staff/`` (blueprint ``staff``; DESIGN.md section 4).

Staff sign in with a work email, a password and a code from an authenticator app, or through
an OpenID Connect provider (as NHS CIS2) when ``STAFF_OIDC_ISSUER`` is set. Every page but the
sign-in and set-up pages declares its roles with ``staff_required``.
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("staff", __name__, url_prefix="/staff")


def init_app(app: Flask) -> None:
    from portal.staff import audit_search, authorities, conflicts, disputes, session, views  # noqa: F401  (routes)
    from portal.staff import choices  # noqa: F401  (routes)

    session.init_app(app)
    views.init_app(app)
    app.register_blueprint(bp)
