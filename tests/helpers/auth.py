"""Sign a test patient in quickly, through the real sign-in services (not by faking cookies).

``sign_in_as(client_or_app, patient, level="P9")`` links an NHS login account to ``patient``
(as a successful NHS login sign-in would), starts a real server-side session at ``level`` and
puts its token in the test client's session cookie. It returns the client (a new one when
given an app). Everything the session rules check (timeouts, sign-out, rotation) applies.
Note: like a real sign-in it writes a ``sign-in.completed`` audit event.

``sign_in_browser(page, app, patient, level="P9")`` does the same for a Playwright page served
by ``base_url`` (the signed cookie is made with the app's own session serializer).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from portal.domain.nhs_number import NhsNumber
from portal.extensions import db
from portal.services import identity, sessions

TOKEN_KEY = "sid"  # portal.web.auth.viewer.TOKEN_KEY


def start_session(app: Flask, patient: Any, level: str = "P9") -> str:
    """Create the account and a server-side session for ``patient``; return the token."""
    if level not in ("P5", "P9"):
        raise ValueError("level must be P5 or P9")
    with app.app_context():
        session = db.session
        now = datetime.now(UTC)
        verified = identity.VerifiedIdentity(
            provider=identity.NHS_LOGIN, subject=f"test-{patient.id}", level=level,
            nhs_number=NhsNumber(patient.nhs_number), birthdate=patient.date_of_birth,
            family_name=patient.family_name, given_name=patient.given_name)
        account = identity.link_verified_identity(session, verified, now)
        token, _record = sessions.start_account_session(
            session, account_id=account.id, level=level, route=identity.NHS_LOGIN,
            self_patient_id=patient.id, subject_patient_id=patient.id, now=now)
        session.commit()
        return token


def sign_in_as(client_or_app: FlaskClient | Flask, patient: Any, level: str = "P9") -> FlaskClient:
    """Sign ``patient`` in on a test client (see module docstring); returns the client."""
    client = client_or_app.test_client() if isinstance(client_or_app, Flask) else client_or_app
    token = start_session(client.application, patient, level)
    with client.session_transaction() as cookie_session:
        cookie_session.clear()
        cookie_session[TOKEN_KEY] = token
    return client


def session_cookie_value(app: Flask, token: str) -> str:
    """The signed Flask session cookie that carries ``token``."""
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    return serializer.dumps({TOKEN_KEY: token})


def sign_in_browser(page: Any, app: Flask, base_url: str, patient: Any, level: str = "P9") -> str:
    """Sign ``patient`` in on a Playwright ``page``; returns the session token."""
    token = start_session(app, patient, level)
    page.context.add_cookies([{"name": app.config["SESSION_COOKIE_NAME"],
                               "value": session_cookie_value(app, token), "url": base_url}])
    return token


__all__ = ["sign_in_as", "sign_in_browser", "start_session"]
