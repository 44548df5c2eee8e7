"""Sign-in in real Chromium: the details-and-code route (with and without JavaScript), the
pages in English, Welsh and Urdu (axe, 320 px), sign-out followed by Back, and the staff pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from playwright.sync_api import Page, expect

from portal.extensions import db
from tests.browser.conftest import axe_violations, horizontal_overflow
from tests.factories import make_patient
from tests.helpers.auth import sign_in_browser
from tests.pages import LANGUAGES


def _patient(app, **fields):  # type: ignore[no-untyped-def]
    with app.app_context():
        person = make_patient(db.session, given_name="Siân", family_name="O'Brien", **fields)
        db.session.commit()
        return person


def check(page: Page, axe) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_load_state("load")
    assert axe_violations(axe, page) == []
    assert horizontal_overflow(page) <= 0


def fill_details(page: Page, person) -> None:  # type: ignore[no-untyped-def]
    born = person.date_of_birth
    page.locator("#nhs_number").fill(f"{person.nhs_number[:3]} {person.nhs_number[3:6]} {person.nhs_number[6:]}")
    page.locator("#date_of_birth-day").fill(str(born.day))
    page.locator("#date_of_birth-month").fill(str(born.month))
    page.locator("#date_of_birth-year").fill(str(born.year))
    page.locator("#postcode").fill(person.postcode.lower())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_code_route_in_each_language_is_accessible_at_320px(page, base_url, live_app, axe, lang):
    person = _patient(live_app)
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{base_url}/sign-in?lang={lang}")
    check(page, axe)
    page.locator('a[href="/sign-in/your-details"]').click()
    page.locator("main form button[type=submit]").first.click()  # nothing typed: every error
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    check(page, axe)
    fill_details(page, person)
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/sign-in/enter-code$"))
    check(page, axe)
    code = page.locator(".app-development-only .app-secret").inner_text()
    page.locator("#code").fill("000000" if code != "000000" else "111111")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    check(page, axe)
    page.locator("#code").fill(code)
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/signed-in$"))
    assert f"••• ••• •{person.nhs_number[-3:]}" in page.locator("main").inner_text()
    check(page, axe)


def test_the_code_route_works_without_javascript(no_js_page, base_url, live_app):
    person = _patient(live_app)
    page = no_js_page
    page.goto(f"{base_url}/sign-in/your-details")
    fill_details(page, person)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/sign-in/enter-code$"))
    code = page.locator(".app-development-only .app-secret").inner_text()
    page.locator("#code").fill(code)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/signed-in$"))
    assert not page.locator("#session-timeout").is_visible()  # the warning needs JavaScript


def test_after_signing_out_back_shows_nothing_personal(page, base_url, live_app):
    person = _patient(live_app)
    sign_in_browser(page, live_app, base_url, person, level="P5")
    page.goto(f"{base_url}/signed-in")
    assert "Siân O'Brien" in page.locator("main").inner_text()
    page.get_by_role("button", name="Sign out").first.click()
    expect(page.locator("h1")).to_have_text("You have signed out")
    page.go_back()
    page.wait_for_load_state()
    assert "Siân" not in page.content()
    assert "/sign-in" in page.url


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_staff_pages_are_accessible_at_320px(page, base_url, live_app, axe, lang):
    result = live_app.test_cli_runner().invoke(args=["portal", "create-staff", "--email", f"{lang}@trust.example.org",
                                                     "--role", "auditor", "--role", "admin"])
    path = re.search(r"http://127\.0\.0\.1:5000(/staff/set-up/\S+)", result.output).group(1)
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{base_url}{path}?lang={lang}")
    check(page, axe)
    page.locator("#password").fill("a long enough staff password")
    page.locator("#confirm").fill("a long enough staff password")
    page.locator("main form button[type=submit]").first.click()
    check(page, axe)
    secret = page.locator("p.app-secret").inner_text().replace(" ", "")
    page.locator("#code").fill(pyotp.TOTP(secret).now())
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/staff/sign-in"))
    page.locator("#email").fill(f"{lang}@trust.example.org")
    page.locator("#password").fill("a long enough staff password")
    page.locator("#code").fill(pyotp.TOTP(secret).at(datetime.now(UTC) + timedelta(seconds=30)))
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/staff/$"))
    check(page, axe)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_signed_in_pages_are_accessible_at_320px(page, base_url, live_app, axe, lang):
    person = _patient(live_app)
    sign_in_browser(page, live_app, base_url, person, level="P5")
    page.set_viewport_size({"width": 320, "height": 640})
    for path in ("/choose-who", "/sign-in/prove-who-you-are?level=P9", "/signed-in"):
        page.goto(f"{base_url}{path}{'&' if '?' in path else '?'}lang={lang}")
        check(page, axe)
    page.goto(f"{base_url}/choose-who")
    page.locator("main form button[type=submit]").first.click()  # no answer: the error
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    check(page, axe)
