"""Sign a test staff member in quickly, through the real staff sessions (not faked cookies).

``sign_in_staff(client, *roles)`` creates an active staff user holding ``roles``, starts a real
server-side staff session and puts its token in the client's session cookie; returns the
staff user's id. ``sign_in_staff_browser(page, app, base_url, *roles)`` does the same for a
Playwright page.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.services import sessions, staff_accounts

TOKEN_KEY = "staff_sid"  # portal.staff.session.TOKEN_KEY


def start_staff_session(app: Flask, *roles: str, email: str | None = None) -> tuple[str, uuid.UUID]:
    with app.app_context():
        now = datetime.now(UTC)
        user = staff_accounts.set_up_for_demo(
            db.session, email or f"staff-{uuid.uuid4().hex[:8]}@trust.example.org", tuple(roles),
            "a long enough staff password", "JBSWY3DPEHPK3PXP", app.config["SECRET_KEY"], now)
        token, _record = sessions.start_staff_session(db.session, staff_user_id=user.id, method="password-totp", now=now)
        db.session.commit()
        return token, user.id


def sign_in_staff(client: FlaskClient, *roles: str) -> uuid.UUID:
    token, staff_id = start_staff_session(client.application, *roles)
    with client.session_transaction() as cookie_session:
        cookie_session[TOKEN_KEY] = token
    return staff_id


def sign_in_staff_browser(page: Any, app: Flask, base_url: str, *roles: str) -> uuid.UUID:
    token, staff_id = start_staff_session(app, *roles)
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    page.context.add_cookies([{"name": app.config["SESSION_COOKIE_NAME"],
                               "value": serializer.dumps({TOKEN_KEY: token}), "url": base_url}])
    return staff_id
