"""The idle-timeout warning in real Chromium (WCAG 2.2.1), with the timeouts shortened by
config: idle 8 seconds, warning 5 seconds before. The dialog takes focus, "Stay signed in"
extends the session on the server and gives focus back; ignored, it signs the person out."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from werkzeug.serving import make_server

from portal import create_app
from portal.data.accounts import AccountSession
from portal.extensions import db
from tests.browser.conftest import axe_violations
from tests.conftest import dispose, make_test_config, truncate_all
from tests.factories import make_patient
from tests.helpers.auth import sign_in_browser

IDLE, WARN = 8, 5


@pytest.fixture(scope="module")
def short_app(database_url):  # type: ignore[no-untyped-def]
    app = create_app(make_test_config(database_url))
    app.config.update(SESSION_IDLE_TIMEOUT=IDLE, SESSION_WARNING_BEFORE=WARN)
    yield app
    dispose(app)


@pytest.fixture()
def short_url(short_app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    server = make_server("127.0.0.1", 0, short_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    truncate_all(short_app)


def session_record(app) -> AccountSession:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.execute(select(AccountSession)).scalar_one()


def test_the_warning_takes_focus_stay_signed_in_extends_and_doing_nothing_signs_out(page, short_app, short_url, axe):
    with short_app.app_context():
        person = make_patient(db.session)
        db.session.commit()
    sign_in_browser(page, short_app, short_url, person, level="P5")
    page.goto(f"{short_url}/signed-in")
    page.locator("main a, main p").first.focus()
    dialog = page.locator("#session-timeout")
    expect(dialog).to_be_hidden()
    expect(dialog).to_be_visible(timeout=(IDLE - WARN + 3) * 1000)
    assert page.evaluate("document.activeElement.id") == "session-timeout-title"
    assert page.evaluate("document.getElementById('session-timeout').open") is True
    assert axe_violations(axe, page) == []
    seen_before = session_record(short_app).last_seen_at_utc
    page.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()
    assert page.evaluate("document.activeElement.id") != "session-timeout-title"
    assert session_record(short_app).last_seen_at_utc > seen_before
    expect(dialog).to_be_visible(timeout=(IDLE - WARN + 3) * 1000)
    expect(page).to_have_url(re.compile(r"/signed-out$"), timeout=(WARN + 3) * 1000)
    assert "because you did nothing" in page.locator("main").inner_text()
    assert session_record(short_app).ended_reason == "idle"


def test_escape_counts_as_stay_signed_in(page, short_app, short_url):
    with short_app.app_context():
        person = make_patient(db.session)
        db.session.commit()
    sign_in_browser(page, short_app, short_url, person, level="P5")
    page.goto(f"{short_url}/signed-in")
    dialog = page.locator("#session-timeout")
    expect(dialog).to_be_visible(timeout=(IDLE - WARN + 3) * 1000)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert session_record(short_app).ended_at_utc is None
    assert page.url.endswith("/signed-in")
