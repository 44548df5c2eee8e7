"""TEST-ONLY sign-in stand-in, until the sign-in journey (blueprint ``auth``) merges.

MERGE NOTE: the lead swaps this for the real ``sign_in_as`` later. It registers a viewer
loader (``portal.web.guards.set_viewer_loader``) that reads a Viewer from a test-only key in
the Flask session. Tests put it there with ``client.session_transaction()`` (``sign_in``) or,
for a real browser, as a signed session cookie (``browser_session_cookie``). Nothing here is
importable by the portal itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Blueprint, Flask, session
from flask.testing import FlaskClient

from portal.access import public
from portal.web.guards import Viewer, set_viewer_loader

TEST_VIEWER_KEY = "_test_only_viewer"
LOADER_KEY = "portal.viewer_loader"


def _load_test_viewer() -> Viewer | None:
    data = session.get(TEST_VIEWER_KEY)
    if not data:
        return None
    return Viewer(
        account_id=uuid.UUID(data["account_id"]), level=data["level"],
        self_patient_id=uuid.UUID(data["self_patient_id"]) if data.get("self_patient_id") else None,
        subject_patient_id=uuid.UUID(data["subject_patient_id"]) if data.get("subject_patient_id") else None,
        authority_id=uuid.UUID(data["authority_id"]) if data.get("authority_id") else None,
    )


@contextmanager
def installed_viewer_loader(app: Flask) -> Iterator[None]:
    """Install the test loader on ``app`` for the duration of the block."""
    previous = app.extensions.get(LOADER_KEY)
    set_viewer_loader(app, _load_test_viewer)
    try:
        yield
    finally:
        if previous is None:
            app.extensions.pop(LOADER_KEY, None)
        else:
            app.extensions[LOADER_KEY] = previous


def viewer_data(patient_id: uuid.UUID | None, *, level: str = "P9", account_id: uuid.UUID | None = None,
                authority_id: uuid.UUID | None = None, self_patient_id: uuid.UUID | None = None) -> dict[str, Any]:
    """A viewer as the session stores it. A patient acting for themselves by default."""
    return {
        "account_id": str(account_id or uuid.uuid4()), "level": level,
        "self_patient_id": str(self_patient_id or (patient_id if authority_id is None else None) or "") or None,
        "subject_patient_id": str(patient_id) if patient_id else None,
        "authority_id": str(authority_id) if authority_id else None,
    }


def sign_in(client: FlaskClient, patient_id: uuid.UUID | None, **options: Any) -> dict[str, Any]:
    """Sign ``client`` in as the patient (or as a carer with ``authority_id``)."""
    data = viewer_data(patient_id, **options)
    with client.session_transaction() as flask_session:
        flask_session[TEST_VIEWER_KEY] = data
    return data


def browser_session_cookie(app: Flask, patient_id: uuid.UUID, **options: Any) -> tuple[str, str]:
    """(cookie name, value): a signed Flask session holding the test viewer, for Playwright."""
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    return app.config["SESSION_COOKIE_NAME"], serializer.dumps({TEST_VIEWER_KEY: viewer_data(patient_id, **options)})


def add_auth_stubs(app: Flask) -> None:
    """Stand-in ``auth`` routes so the guard's redirects can be built (call before the app
    serves its first request; only on apps made for one test)."""
    stub = Blueprint("auth", __name__)
    for rule, name in (("/test-sign-in", "sign_in"), ("/test-step-up", "step_up"),
                       ("/test-choose-subject", "choose_subject")):
        stub.add_url_rule(rule, name, public(lambda: "stub"))
    app.register_blueprint(stub)
