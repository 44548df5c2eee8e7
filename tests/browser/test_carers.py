"""The carers' demo journey in real Chromium (issue 7 "Done means"), in English, Welsh and Urdu,
on the data ``flask portal load-demo`` makes: the demo carer asks, one question per page, to act
for the second synthetic patient; the demo verifier signs in (password and authenticator code)
and approves, recording the capacity assessment; the carer picks that patient and says no to an
AI tool; the patient signs in with their details and a one-time code and sees who did it.
Every page, patient's, carer's and staff's: one <h1>, no axe violations, no horizontal scroll
at 320 px, valid HTML (Nu Html Checker). The question pages also work without JavaScript."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pyotp
import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from portal.data import accounts as account_data
from portal.data.authorities import Authority
from portal.extensions import db
from portal.services import sessions
from tests.browser.conftest import axe_violations, horizontal_overflow
from tests.helpers.auth import session_cookie_value
from tests.html_validation import validate_html
from tests.pages import LANGUAGES

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n% a made-up power of attorney\n"


@pytest.fixture()
def demo(live_app, base_url, tmp_path):  # type: ignore[no-untyped-def]
    """``flask portal load-demo`` on the live server's database; returns the accounts file."""
    target = tmp_path / "demo-accounts.json"
    result = live_app.test_cli_runner().invoke(args=["portal", "load-demo", "--accounts-file", str(target)])
    assert result.exit_code == 0, result.output
    return json.loads(target.read_text(encoding="utf-8"))


class Journey:
    """Checks each page and keeps its HTML for one Nu Html Checker run at the end."""

    def __init__(self, axe, lang: str) -> None:  # type: ignore[no-untyped-def]
        self.axe, self.lang, self.documents = axe, lang, {}

    def check(self, page, name: str) -> None:  # type: ignore[no-untyped-def]
        assert page.locator("h1").count() == 1, name
        assert page.locator("html").get_attribute("lang") in (self.lang, "en-GB"), name
        if self.axe is not None:
            assert axe_violations(self.axe, page) == [], name
        page.set_viewport_size({"width": 320, "height": 640})
        assert horizontal_overflow(page) <= 0, name
        page.set_viewport_size({"width": 1024, "height": 768})
        self.documents[f"{name} ({self.lang})"] = page.content()


def submit(page, selector: str = "main form button") -> None:  # type: ignore[no-untyped-def]
    with page.expect_navigation():
        page.locator(selector).last.click()


def sign_in_demo_carer(page, app, base_url: str) -> None:  # type: ignore[no-untyped-def]
    """A real server-side session for the demo carer's NHS login account (the stand-in provider
    itself is tested in tests/oidc)."""
    users = json.loads((PROJECT_ROOT / "idp" / "demo-users.json").read_text(encoding="utf-8"))
    sub = next(u["sub"] for u in users if u["login"] == "carer.evans@example.org")
    with app.app_context():
        account = account_data.get_account_by_subject(db.session, "nhs-login", sub)
        token, _record = sessions.start_account_session(
            db.session, account_id=account.id, level="P9", route="nhs-login", self_patient_id=account.patient_id,
            subject_patient_id=account.patient_id, now=datetime.now(UTC))
        db.session.commit()
    page.context.add_cookies([{"name": app.config["SESSION_COOKIE_NAME"],
                               "value": session_cookie_value(app, token), "url": base_url}])


def carer_name() -> str:
    users = json.loads((PROJECT_ROOT / "idp" / "demo-users.json").read_text(encoding="utf-8"))
    user = next(u for u in users if u["login"] == "carer.evans@example.org")
    return f"{user['given_name']} {user['family_name']}"


def ask(page, base_url: str, asked: dict, journey: Journey | None, lang: str) -> None:  # type: ignore[no-untyped-def]
    check = journey.check if journey else (lambda page, name: None)
    page.goto(f"{base_url}/act-for-someone?lang={lang}")
    check(page, "carer: act for someone else")
    with page.expect_navigation():
        page.locator("main a.nhsuk-button").click()
    check(page, "carer: their details")
    year, month, day = asked["date_of_birth"].split("-")
    page.fill("#nhs_number", asked["nhs_number"])
    page.fill("#date_of_birth-day", str(int(day)))
    page.fill("#date_of_birth-month", str(int(month)))
    page.fill("#date_of_birth-year", year)
    page.fill("#postcode", asked["postcode"])
    submit(page)
    check(page, "carer: legal basis")
    page.locator('input[name="basis"][value="health-and-welfare-lpa"]').check()
    submit(page)
    submit(page)  # no answer: an error that keeps the page
    assert page.locator(".nhsuk-error-summary").count() == 1
    check(page, "carer: relationship, with an error")
    page.fill("#relationship", "Son")
    submit(page)
    check(page, "carer: LPA reference")
    page.fill("#reference", "7000-0000-0002")
    submit(page)
    check(page, "carer: evidence")
    page.set_input_files("#evidence", files=[{"name": "lpa.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    submit(page)
    assert "/act-for-someone/ask/check" in page.url
    check(page, "carer: check your answers")
    submit(page)
    assert page.url.endswith("/sent")
    check(page, "carer: request sent")


def verifier_approves(browser, app, base_url: str, demo: dict, journey: Journey, lang: str,  # type: ignore[no-untyped-def]
                      asked_name: str) -> None:
    staff_member = next(s for s in demo["staff"] if s["roles"] == ["authority-verifier"])
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(f"{base_url}/staff/sign-in?lang={lang}")
    page.fill("#email", staff_member["email"])
    page.fill("#password", staff_member["password"])
    page.fill("#code", pyotp.TOTP(staff_member["totp_secret"]).now())
    submit(page)
    page.goto(f"{base_url}/staff/authorities")
    journey.check(page, "staff: authorities to check")
    with page.expect_navigation():
        page.locator("main table a", has_text=asked_name).click()
    journey.check(page, "staff: request")
    submit(page, 'form[action$="/approve"] button')  # nothing filled in: clear errors
    assert page.locator(".nhsuk-error-summary").count() == 1
    journey.check(page, "staff: request, approval errors")
    page.locator("#approve-lpa_registered").check()
    page.locator('input[name="approve-attorneys_act"][value="jointly-and-severally"]').check()
    page.fill("#approve-review_on", "2030-01-31")
    page.locator("#approve-lacks_capacity").check()
    page.fill("#approve-assessed_by", "Dr Demo Example, GP")
    page.fill("#approve-assessed_on", "2026-01-05")
    submit(page, 'form[action$="/approve"] button')
    assert page.locator(".nhsuk-error-summary").count() == 0
    journey.check(page, "staff: request approved")
    context.close()


def opt_out_of_a_tool(page, base_url: str, authority_id: str, journey: Journey) -> str:  # type: ignore[no-untyped-def]
    page.goto(f"{base_url}/choose-who")
    journey.check(page, "carer: choose who")
    page.locator(f'input[name="subject"][value="{authority_id}"]').check()
    submit(page)
    page.goto(f"{base_url}/your-choices")
    journey.check(page, "carer: their choices, acting-for banner")
    links = page.locator('main a[href*="/your-choices/ai-tools/"]')
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    for href in hrefs:
        page.goto(f"{base_url}{href}")
        deny = page.locator('input[name="decision"][value="deny"]')
        if deny.count():
            journey.check(page, "carer: a question about one tool")
            deny.check()
            submit(page)
            assert "/your-choices/recorded/" in page.url
            journey.check(page, "carer: choice saved")
            return str(href)
    raise AssertionError("no tool the carer could say no to")


def patient_sees_who(browser, base_url: str, asked: dict, journey: Journey, lang: str) -> str:  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(f"{base_url}/sign-in/your-details?lang={lang}")
    journey.check(page, "patient: sign in with your details")
    year, month, day = asked["date_of_birth"].split("-")
    page.fill("#nhs_number", asked["nhs_number"])
    page.fill("#date_of_birth-day", str(int(day)))
    page.fill("#date_of_birth-month", str(int(month)))
    page.fill("#date_of_birth-year", year)
    page.fill("#postcode", asked["postcode"])
    submit(page)
    page.fill("#code", page.locator(".app-secret").inner_text().strip())
    submit(page, "main form:has(#code) button")
    page.goto(f"{base_url}/your-choices/history")
    journey.check(page, "patient: history")
    seen = page.locator("main").inner_text()
    context.close()
    return seen


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_demo_carer_asks_a_verifier_approves_the_carer_opts_out_and_the_patient_sees_who(
        page, browser, base_url, live_app, axe, demo, lang, tmp_path):
    asked = demo["carer"]["ask_to_act_for"]
    journey = Journey(axe, lang)
    sign_in_demo_carer(page, live_app, base_url)
    ask(page, base_url, asked, journey, lang)
    verifier_approves(browser, live_app, base_url, demo, journey, lang, asked["name"])
    with live_app.app_context():
        authority = db.session.execute(select(Authority).where(Authority.reference == "7000-0000-0002")).scalar_one()
        assert (authority.state, authority.attorneys_act) == ("active", "jointly-and-severally")
        authority_id = str(authority.id)
    with live_app.test_request_context(), force_locale(lang):
        banner = gettext("You are acting for %(name)s, born %(date)s", name=asked["name"], date="")
        made_by = gettext("%(name)s, acting for you as your attorney", name=carer_name())
    opt_out_of_a_tool(page, base_url, authority_id, journey)
    assert banner.split("%")[0].strip()[:10] in journey.documents[f"carer: their choices, acting-for banner ({lang})"]
    seen = patient_sees_who(browser, base_url, asked, journey, lang)
    assert made_by in seen
    assert validate_html(journey.documents, tmp_path) == []


def test_the_question_pages_work_without_javascript(no_js_page, base_url, live_app, demo):
    asked = demo["carer"]["ask_to_act_for"]
    sign_in_demo_carer(no_js_page, live_app, base_url)
    ask(no_js_page, base_url, asked, None, "en")
    with live_app.app_context():
        authority = db.session.execute(select(Authority).where(Authority.reference == "7000-0000-0002")).scalar_one()
        assert (authority.state, authority.evidence_type) == ("requested", "application/pdf")
