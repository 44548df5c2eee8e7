"""Disputes end to end in real Chromium (issue 6 "Done means"): a patient raises a dispute
about an AI use, a reviewer acknowledges and upholds it, and the patient sees the outcome,
in English, Welsh and Urdu, with and without JavaScript; no axe violations and no
horizontal scroll at 320 px on every page on the way."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page

from portal.data import people
from portal.data.staff import StaffUser, add_staff_user
from portal.extensions import db
from portal.services import sessions
from tests.browser.conftest import axe_violations, horizontal_overflow
from tests.factories import make_ai_use_event, make_organisation, make_patient, make_tool
from tests.helpers.auth import sign_in_browser
from tests.helpers.staff import sign_in_staff_browser
from tests.html_validation import validate_html
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


# The back office: queue filters, overdue standing out, and every action ----------------------

@pytest.fixture()
def two_requests(live_app, base_url) -> Iterator[tuple]:  # type: ignore[type-arg, no-untyped-def]
    """Two requests in the queue: one received in April 2026 and never acknowledged (overdue),
    one received today about another tool (not overdue)."""
    from portal.data.accounts import Account
    from portal.services import disputes as service

    with live_app.app_context():
        session = db.session
        trust = make_organisation(session, "RH5", "Somerset NHS Foundation Trust")
        patient = make_patient(session)
        people.set_patient_organisations(session, patient, [trust])
        triage = make_tool(session, "chest-x-ray-triage", name="Chest X-ray checker", organisations=[trust])
        scribe = make_tool(session, "ward-scribe", name="Ward note writer", organisations=[trust])
        account = Account(provider="nhs-login", subject=f"test-{patient.id}", patient_id=patient.id, highest_level="P9")
        session.add(account)
        session.flush()
        actor = service.DisputeActor("patient", account.id)
        references = []
        for tool, received in ((triage, date(2026, 4, 2)), (scribe, None)):
            key = service.save_step(session, account.id, patient.id, {
                "tool": tool.slug, "happened_on": "2026-03-03", "why": f"The {tool.name} got it wrong.",
                "outcomes": ["clinician-review"], "contact": "portal"}, start=True)
            references.append(service.submit(session, patient_id=patient.id, actor=actor, submission_key=key,
                                             today=received).reference)
        session.commit()
        yield references[0], references[1], str(scribe.id)


# "Acknowledged", "You" (assigned to), "Upheld" in each language.
STAFF_WORDS = {"en": ("Acknowledged", "You", "Upheld"), "cy": ("Wedi'i gydnabod", "Chi", "Wedi'i gadarnhau"),
               "ur": ("وصولی کی تصدیق ہو گئی", "آپ", "منظور ہوا")}


def staff_check(page: Page, axe, documents: dict[str, str], name: str) -> None:  # type: ignore[no-untyped-def]
    """One h1, zero axe violations, no horizontal scroll at 320 px; the HTML kept for vnu."""
    check_page(page, axe)
    documents[name] = page.content()


def staff_submit(page: Page, action: str) -> None:
    with page.expect_navigation():
        page.locator(f'form[action$="/{action}"] button').click()


def row_of(page: Page, reference: str):  # type: ignore[no-untyped-def]
    return page.locator("tbody tr", has=page.locator(f'a[href$="/{reference}"]'))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_reviewer_filters_the_queue_and_takes_an_overdue_request_to_an_outcome(
        page, live_app, base_url, axe, two_requests, lang, tmp_path):
    overdue, fresh, scribe_id = two_requests
    sign_in_staff_browser(page, live_app, base_url, "dispute-reviewer")
    documents: dict[str, str] = {}
    page.goto(f"{base_url}/staff/disputes?lang={lang}")
    staff_check(page, axe, documents, "queue")
    assert row_of(page, overdue).locator(".nhsuk-tag--red").count() == 1  # overdue stands out
    assert row_of(page, fresh).locator(".nhsuk-tag--red").count() == 0

    page.select_option("#tool", scribe_id)
    with page.expect_navigation():
        page.locator("main form button").click()
    staff_check(page, axe, documents, "queue filtered by tool")
    assert row_of(page, fresh).count() == 1 and row_of(page, overdue).count() == 0
    page.select_option("#tool", "")
    page.select_option("#status", "received")
    page.fill("#due_by", "2026-06-30")
    with page.expect_navigation():
        page.locator("main form button").click()
    assert row_of(page, overdue).count() == 1 and row_of(page, fresh).count() == 0

    with page.expect_navigation():
        row_of(page, overdue).locator("a").click()
    staff_check(page, axe, documents, "dispute received")
    assert page.locator("main .nhsuk-tag--red").count() == 1
    staff_submit(page, "acknowledge")
    staff_submit(page, "assign")
    staff_check(page, axe, documents, "dispute acknowledged and assigned")
    summary = page.inner_text(".nhsuk-summary-list")
    acknowledged, you, _upheld = STAFF_WORDS[lang]
    assert acknowledged in summary and you in summary  # status in words; assigned to me
    staff_submit(page, "ask")  # nothing typed: an error, and nothing sent
    staff_check(page, axe, documents, "ask with error")
    assert page.locator(".nhsuk-error-summary").count() == 1 and page.locator("#message").get_attribute("aria-describedby")
    page.fill("#message", "When did the pain start?")
    staff_submit(page, "ask")
    assert "When did the pain start?" in page.inner_text("main")
    staff_submit(page, "review")
    staff_submit(page, "outcome")  # no outcome chosen
    staff_check(page, axe, documents, "outcome with error")
    assert page.locator(".nhsuk-error-summary").count() == 1
    page.locator('input[name="outcome"][value="upheld"]').check()
    page.fill("#explanation", "A doctor looked again and booked a scan.")
    page.fill("#internal_note", "Threshold set too high for this ward.")
    staff_submit(page, "outcome")
    staff_check(page, axe, documents, "dispute closed")
    main = page.inner_text("main")
    assert "A doctor looked again and booked a scan." in main and "Threshold set too high" in main
    assert page.locator('form[action$="/acknowledge"]').count() == 0  # closed: no more actions
    assert STAFF_WORDS[lang][2] in page.inner_text(".nhsuk-summary-list")
    assert validate_html(documents, tmp_path) == []


# An objection to a tool that offers no choice, at P5 -------------------------------------------

@pytest.fixture()
def no_choice_tool(live_app, base_url) -> Iterator[object]:  # type: ignore[no-untyped-def]
    with live_app.app_context():
        session = db.session
        trust = make_organisation(session, "RH5", "Somerset NHS Foundation Trust")
        patient = make_patient(session)
        people.set_patient_organisations(session, patient, [trust])
        make_tool(session, "sepsis-alert", name="Sepsis early warning", purposes={"care": "no-choice"},
                  organisations=[trust], offers_choice=False)
        session.commit()
        patient.id  # loaded before the session closes
    yield patient


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_objection_to_a_no_choice_tool_at_p5(browser, base_url, live_app, axe, no_choice_tool, lang):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    sign_in_browser(page, live_app, base_url, no_choice_tool, level="P5")
    page.goto(f"{base_url}/your-choices?lang={lang}")
    with page.expect_navigation():
        page.locator('a[href$="/sepsis-alert/care/object"]').click()
    check_page(page, axe)
    with page.expect_navigation():
        page.locator('a[href*="kind=objection"]').click()
    check_page(page, axe)  # start: what an objection is, and is not
    submit(page)
    assert page.url.endswith("/disputes/new/why")  # no date question for an objection
    check_page(page, axe)
    page.fill("#why", "I do not want a computer to watch me for sepsis.")
    submit(page)
    page.locator('input[name="outcomes"][value="explanation"]').check()
    submit(page)
    check_page(page, axe)
    assert page.locator('input[name="contact"][value="email"]').is_checked()  # prefilled from the record
    submit(page)
    check_page(page, axe)  # check your answers
    assert "I do not want a computer to watch me for sepsis." in page.inner_text("main")
    submit(page)
    check_page(page, axe)  # confirmation
    reference = page.locator(".nhsuk-panel .app-ltr").inner_text().strip()
    assert page.locator('main a[href="https://www.ombudsman.org.uk"]').count() == 1
    page.goto(f"{base_url}/disputes")
    check_page(page, axe)
    with page.expect_navigation():
        page.locator(f'main a[href="/disputes/{reference}"]').click()
    check_page(page, axe)  # at P5: the status and dates, a link to prove who you are
    assert page.locator('main a[href^="/sign-in"], main a[href*="step-up"]').count() >= 1
    context.close()
