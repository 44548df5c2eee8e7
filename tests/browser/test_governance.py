"""The auditor's conflict queue and the patient's "Your information" page in real Chromium
(issue 9): in English, Welsh and Urdu, no axe violations, no horizontal scroll at 320 px; an
auditor closes a conflict with JavaScript off; the patient downloads the JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page

from portal.data import people
from portal.extensions import db
from tests.browser.conftest import axe_violations, horizontal_overflow
from tests.factories import make_ai_use_event, make_organisation, make_patient, make_tool
from tests.helpers.auth import sign_in_browser
from tests.helpers.staff import sign_in_staff_browser
from tests.pages import LANGUAGES


@pytest.fixture()
def conflict(live_app, base_url):  # type: ignore[no-untyped-def]
    with live_app.app_context():
        session = db.session
        trust = make_organisation(session, "RH5", "Somerset NHS Foundation Trust")
        patient = make_patient(session)
        people.set_patient_organisations(session, patient, [trust])
        scribe = make_tool(session, "ai-scribe", name="AI note taker", purposes={"care": "opt-in"}, organisations=[trust])
        event = make_ai_use_event(session, patient, scribe, trust, conflict=True, conflict_status="open",
                                  decision_at_time="deny", basis_at_time="choice",
                                  visible_from_utc=datetime.now(UTC) - timedelta(days=1))
        session.commit()
        return patient, event.id


def check_page(page: Page, axe) -> None:  # type: ignore[no-untyped-def]
    assert page.locator("h1").count() == 1
    assert axe_violations(axe, page) == []
    page.set_viewport_size({"width": 320, "height": 640})
    assert horizontal_overflow(page) <= 0
    page.set_viewport_size({"width": 1024, "height": 768})


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_auditor_looks_into_a_conflict_and_closes_it(page, base_url, live_app, axe, conflict, lang):
    patient, event_id = conflict
    sign_in_staff_browser(page, live_app, base_url, "auditor")
    page.goto(f"{base_url}/staff/conflicts?lang={lang}")
    check_page(page, axe)
    with page.expect_navigation():
        page.locator(f'a[href="/staff/conflicts/{event_id}"]').click()
    check_page(page, axe)
    with page.expect_navigation():
        page.locator("main form button.nhsuk-button").click()
    assert page.locator(".nhsuk-error-summary").count() == 1
    check_page(page, axe)
    page.locator("#finding").fill("The clinic had not seen your choice. They deleted the notes.")
    with page.expect_navigation():
        page.locator("main form button.nhsuk-button").click()
    check_page(page, axe)
    sign_in_browser(page, live_app, base_url, patient, level="P9")
    page.goto(f"{base_url}/ai-used-in-your-care")
    assert "They deleted the notes." in page.locator("main").inner_text()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_patient_reads_and_downloads_their_information(page, base_url, live_app, axe, conflict, lang):
    patient, _event_id = conflict
    sign_in_browser(page, live_app, base_url, patient, level="P9")
    page.goto(f"{base_url}/your-information?lang={lang}")
    check_page(page, axe)
    main_text = page.locator("main").inner_text()
    assert "AI note taker" in main_text and "ai-scribe" not in main_text  # the tool by name, not its code
    with page.expect_download() as download_info:
        page.locator('a[href="/your-information/download"]').click()
    export = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert export["your_details"]["nhs_number"] == patient.nhs_number
    assert export["ai_use"][0]["against_your_wishes"] is True


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_auditor_mistypes_a_date_and_reads_why_in_their_language(page, base_url, live_app, axe, conflict, lang):
    sign_in_staff_browser(page, live_app, base_url, "auditor")
    page.goto(f"{base_url}/staff/audit?lang={lang}")
    page.locator("#date_from").fill("yesterday")
    with page.expect_navigation():
        page.locator("main form button.nhsuk-button").click()
    assert page.locator(".nhsuk-error-summary").count() == 1
    assert page.locator("#date_from").input_value() == "yesterday"
    assert "Not a valid date value" not in page.locator("main").inner_text()
    check_page(page, axe)
