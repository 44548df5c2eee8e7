"""Disputes end to end in real Chromium (issue 6 "Done means"): a patient raises a dispute
about an AI use, a reviewer acknowledges and upholds it, and the patient sees the outcome,
in English, Welsh and Urdu, with and without JavaScript; no axe violations and no
horizontal scroll at 320 px on every page on the way."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page

from portal.data import people
from portal.data.staff import StaffUser, add_staff_user
from portal.extensions import db
from portal.services import sessions
from tests.browser.conftest import axe_violations, horizontal_overflow
from tests.factories import make_ai_use_event, make_organisation, make_patient, make_tool
from tests.helpers.auth import sign_in_browser
from tests.pages import LANGUAGES


@pytest.fixture()
def people_and_event(live_app, base_url) -> Iterator[tuple]:  # type: ignore[type-arg, no-untyped-def]
    with live_app.app_context():
        session = db.session
        trust = make_organisation(session, "RH5", "Somerset NHS Foundation Trust")
        patient = make_patient(session)
        people.set_patient_organisations(session, patient, [trust])
        triage = make_tool(session, "chest-x-ray-triage", name="Chest X-ray checker", organisations=[trust])
        make_ai_use_event(session, patient, triage, trust, visible_from_utc=datetime.now(UTC) - timedelta(days=1))
        reviewer = add_staff_user(session, StaffUser(email="reviewer@example.nhs.uk", active=True), ("dispute-reviewer",))
        session.commit()
        patient.id, reviewer.id  # loaded before the session closes
    yield patient, reviewer


def check_page(page: Page, axe) -> None:  # type: ignore[no-untyped-def]
    """One h1; with JavaScript on (axe and the width check run scripts): zero axe violations
    and no horizontal scroll at 320 px."""
    assert page.locator("h1").count() == 1
    if not _js(page):
        return
    assert axe_violations(axe, page) == []
    page.set_viewport_size({"width": 320, "height": 640})
    assert horizontal_overflow(page) <= 0
    page.set_viewport_size({"width": 1024, "height": 768})


def _js(page: Page) -> bool:
    return getattr(page, "_js_enabled", True)


def submit(page: Page) -> None:
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()


def staff_page(browser: Browser, live_app, base_url: str, reviewer_id) -> Page:  # type: ignore[no-untyped-def]
    with live_app.app_context():
        token, _record = sessions.start_staff_session(db.session, staff_user_id=reviewer_id, method="password",
                                                      now=datetime.now(UTC))
        db.session.commit()
    serializer = live_app.session_interface.get_signing_serializer(live_app)
    context = browser.new_context(locale="en-GB")
    context.add_cookies([{"name": live_app.config["SESSION_COOKIE_NAME"],
                          "value": serializer.dumps({"staff_sid": token}), "url": base_url}])
    return context.new_page()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_raise_review_uphold_and_see_the_outcome(browser, base_url, live_app, axe, people_and_event, lang, javascript):
    patient, reviewer = people_and_event
    context = browser.new_context(locale="en-GB", java_script_enabled=javascript)
    page = context.new_page()
    page._js_enabled = javascript  # type: ignore[attr-defined]
    sign_in_browser(page, live_app, base_url, patient, level="P9")
    page.goto(f"{base_url}/ai-used-in-your-care?lang={lang}")
    with page.expect_navigation():
        page.locator('a[href^="/disputes/new?event="]').first.click()
    check_page(page, axe)
    submit(page)  # start
    check_page(page, axe)
    page.fill("#day", "3")
    page.fill("#month", "3")
    page.fill("#year", "2026")
    page.fill("#where", "Radiology")
    submit(page)
    check_page(page, axe)
    page.fill("#why", "The X-ray was flagged as normal but I still had pain.")
    submit(page)
    check_page(page, axe)
    page.locator('input[name="outcomes"][value="clinician-review"]').check()
    submit(page)
    check_page(page, axe)
    page.locator('input[name="contact"][value="portal"]').check()
    submit(page)
    check_page(page, axe)  # check your answers
    assert "The X-ray was flagged as normal" in page.inner_text("main")
    submit(page)
    check_page(page, axe)  # confirmation
    reference = page.locator(".nhsuk-panel .app-ltr").inner_text().strip()
    assert reference.startswith("AID-")

    staff = staff_page(browser, live_app, base_url, reviewer.id)
    staff.goto(f"{base_url}/staff/disputes")
    assert reference in staff.inner_text("main")
    staff.goto(f"{base_url}/staff/disputes/{reference}")
    for action in ("acknowledge", "review"):
        with staff.expect_navigation():
            staff.locator(f'form[action$="/{action}"] button').click()
    staff.locator('input[name="outcome"][value="upheld"]').check()
    staff.fill("#explanation", "A doctor looked again and booked a scan.")
    with staff.expect_navigation():
        staff.locator('form[action$="/outcome"] button').click()
    assert staff.locator("h1").count() == 1
    staff.context.close()

    page.goto(f"{base_url}/disputes/{reference}")
    check_page(page, axe)
    assert "A doctor looked again and booked a scan." in page.inner_text("main")
    context.close()
