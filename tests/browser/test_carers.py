"""A carer's journey in real Chromium (issue 7 "Done means"), in English, Welsh and Urdu, with
and without JavaScript: ask to act for someone, (a verifier approves: done through the service
here; the staff pages are covered in tests/integration/carers), choose them, see the banner,
opt them out of a tool; the patient later sees who did it. No axe violations, no horizontal
scroll at 320 px."""

from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from portal.data import people
from portal.data.authorities import Authority
from portal.extensions import db
from portal.services import audit
from portal.services import authority as authority_service
from tests.browser.conftest import axe_violations, horizontal_overflow
from tests.factories import make_organisation, make_patient, make_tool
from tests.helpers.auth import sign_in_browser
from tests.pages import LANGUAGES

TRIAGE = "chest-x-ray-triage"


@pytest.fixture()
def people_here(live_app, base_url):  # type: ignore[no-untyped-def]
    with live_app.app_context():
        session = db.session
        trust = make_organisation(session, "RH5", "Somerset NHS Foundation Trust")
        patient = make_patient(session, given_name="Eira", family_name="Jones", date_of_birth=date(1940, 5, 6),
                               postcode="SA1 1AA", email=None, mobile=None)
        people.set_patient_organisations(session, patient, [trust])
        make_tool(session, TRIAGE, name="Chest X-ray checker", purposes={"care": "opt-out"}, organisations=[trust])
        carer = make_patient(session, given_name="Gwen", family_name="Hughes")
        session.commit()
        return carer, patient


def check(page, axe) -> None:  # type: ignore[no-untyped-def]
    assert page.locator("h1").count() == 1
    if axe is not None:  # axe runs as JavaScript: checked in the JavaScript runs
        assert axe_violations(axe, page) == []
    page.set_viewport_size({"width": 320, "height": 640})
    assert horizontal_overflow(page) <= 0
    page.set_viewport_size({"width": 1024, "height": 768})


def submit(page) -> None:  # type: ignore[no-untyped-def]
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()


def approve(live_app) -> str:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    with live_app.app_context():
        authority = db.session.execute(select(Authority)).scalar_one()
        actor = audit.Actor("staff", "browser-test-verifier")
        authority_service.record_capacity_note(db.session, authority.patient_id, lacks_capacity=True,
                                               assessed_by="Dr A Example", assessed_on=date(2026, 1, 5), actor=actor)
        authority_service.approve(db.session, authority.id, authority_service.Approval(
            review_on=date(2030, 1, 1), lpa_registered=True, attorneys_act="jointly"), authority.account_id,
            datetime.now(UTC))
        db.session.commit()
        return str(authority.id)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_carer_asks_is_approved_opts_the_patient_out_and_the_patient_sees_who(
        page, no_js_page, base_url, live_app, axe, people_here, lang, javascript):
    page = page if javascript else no_js_page
    axe = axe if javascript else None
    carer, patient = people_here
    sign_in_browser(page, live_app, base_url, carer)
    page.goto(f"{base_url}/act-for-someone?lang={lang}")
    check(page, axe)
    page.goto(f"{base_url}/act-for-someone/ask")
    check(page, axe)
    page.fill("#nhs_number", patient.nhs_number)
    page.fill("#date_of_birth-day", "6")
    page.fill("#date_of_birth-month", "5")
    page.fill("#date_of_birth-year", "1940")
    page.fill("#postcode", "SA1 1AA")
    page.fill("#relationship", "Son")
    page.locator('input[name="basis"][value="health-and-welfare-lpa"]').check()
    page.fill("#reference", "7000 1234 5678")
    submit(page)
    assert "/act-for-someone/requests/" in page.url
    check(page, axe)

    authority_id = approve(live_app)
    page.goto(f"{base_url}/choose-who")
    page.locator(f'input[name="subject"][value="{authority_id}"]').check()
    submit(page)
    page.goto(f"{base_url}/your-choices/ai-tools/{TRIAGE}/care")
    with live_app.test_request_context(), force_locale(lang):
        banner = gettext("You are acting for %(name)s, born %(date)s", name="Eira Jones", date="")
        made_by = gettext("Made by %(name)s, acting for you as your attorney", name="Gwen Hughes")
    assert banner.split("%")[0][:12] in page.locator("main").inner_text()
    check(page, axe)
    page.locator('input[name="decision"][value="deny"]').check()
    submit(page)
    assert "/your-choices/recorded/" in page.url

    page.context.clear_cookies()
    sign_in_browser(page, live_app, base_url, patient)
    page.goto(f"{base_url}/your-choices/history?lang={lang}")
    assert made_by in page.locator("main").inner_text()
    check(page, axe)
