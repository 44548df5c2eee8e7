"""An admin makes a mistaken choice void in real Chromium (issue 5 point 3): finds the patient
by NHS number, reads their choices, gives a reason (first forgetting it), and sees the
confirmation; English, Welsh and Urdu, no axe violations, no horizontal scroll at 320 px,
keyboard only, and with JavaScript off. The patient then sees the choice cancelled."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from portal.data import people
from portal.extensions import db
from portal.services import choices as choice_service
from portal.services.choices import ChoiceActor
from tests.browser.test_choices import check_page
from tests.factories import make_organisation, make_patient, make_tool
from tests.helpers.auth import sign_in_browser
from tests.helpers.staff import sign_in_staff_browser
from tests.pages import LANGUAGES


@pytest.fixture()
def mistaken(live_app, base_url):  # type: ignore[no-untyped-def]
    """A patient who said no online, then had yes recorded on the phone by mistake."""
    with live_app.app_context():
        session = db.session
        trust = make_organisation(session, "RH5", "Somerset NHS Foundation Trust")
        patient = make_patient(session)
        people.set_patient_organisations(session, patient, [trust])
        make_tool(session, "chest-x-ray-triage", name="Chest X-ray checker", purposes={"care": "opt-out"},
                  organisations=[trust])
        for decision in ("deny", "permit"):
            wrong = choice_service.record_choice(
                session, patient_id=patient.id, tool_slug="chest-x-ray-triage", purpose="care", decision=decision,
                actor=ChoiceActor.patient(patient.id), channel="web", idempotency_key=None)
        session.commit()
        return patient, wrong.reference


def press_enter_on(page: Page, selector: str) -> None:
    """Reach ``selector`` with the Tab key alone, then press Enter on it."""
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement === document.querySelector(s)", selector):
            with page.expect_navigation():
                page.keyboard.press("Enter")
            return
    raise AssertionError(f"{selector} cannot be reached with the keyboard")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_admin_makes_a_mistaken_choice_void_with_the_keyboard(page, base_url, live_app, axe, mistaken, lang):
    patient, reference = mistaken
    sign_in_staff_browser(page, live_app, base_url, "admin")
    page.goto(f"{base_url}/staff/choices?lang={lang}")
    check_page(page, axe)
    page.locator("#nhs_number").fill("123")
    press_enter_on(page, "main form button.nhsuk-button")
    assert page.locator(".nhsuk-error-summary").count() == 1 and page.locator("#nhs_number").input_value() == "123"
    check_page(page, axe)
    page.locator("#nhs_number").fill(patient.nhs_number)
    press_enter_on(page, "main form button.nhsuk-button")
    assert page.url == f"{base_url}/staff/choices/patient" and patient.nhs_number not in page.url
    check_page(page, axe)
    press_enter_on(page, "main a.nhsuk-link[href$='/void']")  # the newest choice comes first
    check_page(page, axe)
    assert reference in page.locator("main").inner_text()
    press_enter_on(page, "main form button.nhsuk-button")
    assert page.locator(".nhsuk-error-summary").count() == 1
    check_page(page, axe)
    page.locator("#reason").fill("Yes was recorded by mistake")
    press_enter_on(page, "main form button.nhsuk-button")
    assert page.locator(".nhsuk-panel").count() == 1 and reference in page.locator("main").inner_text()
    check_page(page, axe)
    sign_in_browser(page, live_app, base_url, patient, level="P9")
    page.goto(f"{base_url}/your-choices/history?lang=en")
    assert page.locator("main .nhsuk-tag--grey").count() == 1


def test_the_void_pages_work_without_javascript(no_js_page, base_url, live_app, mistaken):
    patient, reference = mistaken
    page = no_js_page
    sign_in_staff_browser(page, live_app, base_url, "admin")
    page.goto(f"{base_url}/staff/choices")
    page.locator("#nhs_number").fill(patient.nhs_number)
    with page.expect_navigation():
        page.locator("main form button.nhsuk-button").click()
    with page.expect_navigation():
        page.locator("main a.nhsuk-link[href$='/void']").first.click()
    page.locator("#reason").fill("Yes was recorded by mistake")
    with page.expect_navigation():
        page.locator("main form button.nhsuk-button").click()
    assert "Choice made void" in page.locator("h1").inner_text()
    page.goto(f"{base_url}/staff/choices/patient")
    assert page.locator("main .nhsuk-tag--grey").count() == 1
