"""The choices journeys in real Chromium (issue 5 "Done means"): opt out of one tool and of
all AI training, withdraw the training answer, print the receipt, see the history, the AI-use
timeline and who checked, in English, Welsh and Urdu; no axe violations, no horizontal
scroll at 320 px, keyboard only, and with JavaScript off.

Sign-in is the TEST-ONLY stand-in from tests/helpers/viewer.py (a signed session cookie)
until the sign-in journey merges."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page

from portal.data import people
from portal.extensions import db
from portal.services import audit
from tests.browser.conftest import axe_violations, horizontal_overflow
from tests.factories import make_ai_use_event, make_organisation, make_patient, make_tool
from tests.helpers.auth import sign_in_browser
from tests.pages import LANGUAGES

TRIAGE = "chest-x-ray-triage"


@pytest.fixture()
def patient_id(live_app, base_url) -> Iterator[uuid.UUID]:  # type: ignore[no-untyped-def]
    """A patient cared for by one trust that uses three tools, with AI use and checks."""
    with live_app.app_context():
        session = db.session
        trust = make_organisation(session, "RH5", "Somerset NHS Foundation Trust")
        patient = make_patient(session)
        people.set_patient_organisations(session, patient, [trust])
        triage = make_tool(session, TRIAGE, name="Chest X-ray checker",
                           purposes={"care": "opt-out", "improvement": "opt-in"}, organisations=[trust])
        make_tool(session, "ai-scribe", name="AI note taker", purposes={"care": "opt-in"}, organisations=[trust])
        make_tool(session, "feedback-reader", name="Feedback reader", purposes={"care": "no-choice"},
                  organisations=[trust], offers_choice=False)
        make_ai_use_event(session, patient, triage, trust, conflict=True, conflict_status="open",
                          visible_from_utc=datetime.now(UTC) - timedelta(days=1))
        audit.record(session, audit.Actor("api-client", "c1"), "decisions.read", patient_id=patient.id,
                     details={"client_name": "Somerset EPR", "organisation": "Somerset NHS Foundation Trust"})
        session.commit()
        patient.id  # loaded before the session closes
    yield patient


def sign_in(page: Page, live_app, base_url: str, patient) -> None:  # type: ignore[no-untyped-def]
    """Sign in through the real sign-in services (a server-side session at P9)."""
    sign_in_browser(page, live_app, base_url, patient, level="P9")


def check_page(page: Page, axe) -> None:  # type: ignore[no-untyped-def]
    """Zero axe violations, and no horizontal scroll at 320 px wide."""
    assert page.locator("h1").count() == 1
    assert axe_violations(axe, page) == []
    page.set_viewport_size({"width": 320, "height": 640})
    assert horizontal_overflow(page) <= 0
    page.set_viewport_size({"width": 1024, "height": 768})


def follow(page: Page, selector: str) -> None:
    """Click a link or button and wait for the next page."""
    with page.expect_navigation():
        page.locator(selector).first.click()


def choose(page: Page, value: str) -> None:
    page.locator(f'input[name="decision"][value="{value}"]').check()
    follow(page, "main form button[type=submit]")


def decision_text(page: Page, tool: str, purpose: str) -> str:
    link = page.locator(f'a[href="/your-choices/ai-tools/{tool}/{purpose}"]')
    return link.locator("xpath=ancestor::div[contains(@class,'nhsuk-summary-list__row')]").locator(
        ".nhsuk-summary-list__value").inner_text()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_opt_out_of_one_tool_and_all_training_then_withdraw_the_training_answer(page, base_url, live_app, axe, patient_id, lang):
    sign_in(page, live_app, base_url, patient_id)
    page.goto(f"{base_url}/your-choices?lang={lang}")
    check_page(page, axe)
    permit_words = decision_text(page, TRIAGE, "care")

    follow(page, f'a[href="/your-choices/ai-tools/{TRIAGE}/care"]')
    check_page(page, axe)
    choose(page, "deny")
    assert re.search(r"/your-choices/recorded/CHO-[A-Z0-9]{4}-[A-Z0-9]{4}$", page.url)
    check_page(page, axe)
    page.goto(f"{base_url}/your-choices")
    assert decision_text(page, TRIAGE, "care") != permit_words

    page.goto(f"{base_url}/your-choices/ai-tools/{TRIAGE}/improvement")
    choose(page, "permit")
    page.goto(f"{base_url}/your-choices")
    said_yes = decision_text(page, TRIAGE, "improvement")
    follow(page, 'a[href="/your-choices/all-ai-tools/improvement"]')
    check_page(page, axe)
    choose(page, "deny")
    page.goto(f"{base_url}/your-choices")
    overridden = decision_text(page, TRIAGE, "improvement")
    assert overridden != said_yes

    page.goto(f"{base_url}/your-choices/all-ai-tools/improvement")
    assert page.locator('input[value="deny"]').is_checked()
    choose(page, "clear")
    page.goto(f"{base_url}/your-choices")
    assert decision_text(page, TRIAGE, "improvement") == said_yes, "withdrawing brings back the yes"
    check_page(page, axe)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_receipt_prints_on_one_a4_page_without_header_or_footer(page, base_url, live_app, axe, patient_id, lang):
    sign_in(page, live_app, base_url, patient_id)
    page.goto(f"{base_url}/your-choices/ai-tools/{TRIAGE}/care?lang={lang}")
    choose(page, "deny")
    follow(page, 'a[href^="/your-choices/receipt/"]')
    check_page(page, axe)
    assert page.locator("#send-receipt").is_visible()
    page.emulate_media(media="print")
    assert not page.locator("header.nhsuk-header").is_visible()
    assert not page.locator("footer").is_visible()
    assert not page.locator("#send-receipt").is_visible()
    assert page.locator("h1").is_visible() and page.locator(".app-receipt").is_visible()
    pdf = page.pdf(prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf)) == 1


@pytest.mark.parametrize("lang", LANGUAGES)
def test_history_ai_use_and_who_checked(page, base_url, live_app, axe, patient_id, lang):
    sign_in(page, live_app, base_url, patient_id)
    page.goto(f"{base_url}/your-choices/ai-tools/{TRIAGE}/care?lang={lang}")
    choose(page, "deny")
    for path in ("/your-choices/history", "/ai-used-in-your-care", "/who-checked-your-choices",
                 "/your-choices/ai-tools/feedback-reader/care/object"):
        page.goto(base_url + path)
        check_page(page, axe)
    page.goto(base_url + "/your-choices/history")
    assert page.locator(".app-history__entry").count() == 1
    page.goto(base_url + "/ai-used-in-your-care")
    assert page.locator(".app-timeline__event--conflict .nhsuk-tag--red").count() == 1
    page.goto(base_url + "/who-checked-your-choices")
    assert "Somerset EPR" in page.locator("table").inner_text()


def test_keyboard_only_choose_a_radio_with_space_and_save_with_enter(page, base_url, live_app, patient_id):
    sign_in(page, live_app, base_url, patient_id)
    page.goto(f"{base_url}/your-choices/ai-tools/ai-scribe/care")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "decision":
            break
    assert page.evaluate("document.activeElement.value") == "permit"
    page.keyboard.press("Space")
    assert page.locator('input[value="permit"]').is_checked()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "BUTTON"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/your-choices/recorded/.*"))
    page.goto(f"{base_url}/your-choices")
    assert page.locator('a[href="/your-choices/ai-tools/ai-scribe/care"]').count() == 1
    assert "You said yes" in decision_text(page, "ai-scribe", "care")


def test_without_javascript_the_whole_journey_works(no_js_page, base_url, live_app, patient_id):
    page = no_js_page
    sign_in(page, live_app, base_url, patient_id)
    page.goto(f"{base_url}/your-choices/ai-tools/{TRIAGE}/care")
    follow(page, "main form button[type=submit]")  # no answer: the error summary
    assert page.title().startswith("Error: ")
    assert page.locator(".nhsuk-error-summary a[href='#decision']").count() == 1
    choose(page, "deny")
    assert "/your-choices/recorded/" in page.url
    page.goto(f"{base_url}/your-choices/all-ai-tools/care")
    choose(page, "deny")
    page.goto(f"{base_url}/your-choices")
    assert "You said no to all AI tools in decisions about your care" in decision_text(page, "ai-scribe", "care")
    page.goto(f"{base_url}/your-choices/history")
    assert page.locator(".app-history__entry").count() == 2
    follow(page, 'a[href^="/your-choices/receipt/"]')
    follow(page, "#send-receipt")
    assert page.url.endswith("?sent=1")
