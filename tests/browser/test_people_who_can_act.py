"""A patient answers a nomination in real Chromium (issue 7 points 4 and 6), in English, Welsh
and Urdu, with and without JavaScript: someone asks to act for them as their nominee, the
patient sees it on "People who can act for you" and says yes; once a verifier approves (done
through the service here), the patient stops them. No axe violations, no horizontal scroll at
320 px, one <h1> on every page."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from portal.data.accounts import Account
from portal.data.authorities import Authority
from portal.domain.authority import AuthorityBasis
from portal.domain.nhs_number import NhsNumber
from portal.extensions import db
from portal.services import authority as authority_service
from portal.services.authority_requests import AuthorityRequest, request_authority
from tests.browser.conftest import axe_violations, horizontal_overflow
from tests.factories import make_patient
from tests.helpers.auth import sign_in_browser
from tests.pages import LANGUAGES

PAGE = "/people-who-can-act-for-you"


@pytest.fixture()
def nominated(live_app, base_url):  # type: ignore[no-untyped-def]
    with live_app.app_context():
        session = db.session
        patient = make_patient(session, given_name="Eira", family_name="Jones", date_of_birth=date(1950, 5, 6),
                               postcode="SA1 1AA")
        friend = make_patient(session, given_name="Gwen", family_name="Hughes")
        account = Account(provider="nhs-login", subject=f"gwen-{uuid.uuid4()}", patient_id=friend.id,
                          email="gwen@example.org", highest_level="P9")
        session.add(account)
        session.flush()
        request_authority(session, account.id, friend.id, AuthorityRequest(
            NhsNumber(patient.nhs_number), patient.date_of_birth, patient.postcode,
            AuthorityBasis.PATIENT_NOMINATED, "Friend"), datetime.now(UTC))
        session.commit()
        return patient


def check(page, axe) -> None:  # type: ignore[no-untyped-def]
    assert page.locator("h1").count() == 1
    if axe is not None:
        assert axe_violations(axe, page) == []
    page.set_viewport_size({"width": 320, "height": 640})
    assert horizontal_overflow(page) <= 0
    page.set_viewport_size({"width": 1024, "height": 768})


def press(page, text) -> None:  # type: ignore[no-untyped-def]
    with page.expect_navigation():
        page.locator("main form button", has_text=text).first.click()


def words(live_app, lang, message, **values):  # type: ignore[no-untyped-def]
    with live_app.test_request_context(), force_locale(lang):
        return gettext(message, **values)


def approve(live_app) -> None:  # type: ignore[no-untyped-def]
    with live_app.app_context():
        authority = db.session.execute(select(Authority)).scalar_one()
        authority_service.approve(db.session, authority.id, authority_service.Approval(review_on=date(2030, 1, 1)),
                                  uuid.uuid4(), datetime.now(UTC))
        db.session.commit()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_patient_confirms_a_nomination_then_stops_it(page, no_js_page, base_url, live_app, axe, nominated,
                                                         lang, javascript):
    page = page if javascript else no_js_page
    axe = axe if javascript else None
    sign_in_browser(page, live_app, base_url, nominated)
    page.goto(f"{base_url}{PAGE}?lang={lang}")
    main = page.locator("main")
    assert words(live_app, lang, "Did you ask %(name)s to act for you?", name="Gwen Hughes") in main.inner_text()
    check(page, axe)

    press(page, words(live_app, lang, "Yes, I asked them"))
    assert page.url.endswith(f"{PAGE}?done=confirmed")
    assert words(live_app, lang, "Waiting for our staff to check it") in main.inner_text()
    check(page, axe)

    approve(live_app)
    page.goto(f"{base_url}{PAGE}")
    assert words(live_app, lang, "Can act for you") in main.inner_text()
    check(page, axe)
    press(page, words(live_app, lang, "Stop %(name)s acting for you", name="Gwen Hughes"))
    assert page.url.endswith(f"{PAGE}?done=ended")
    assert words(live_app, lang, "Nobody can act for you.") in main.inner_text()
    check(page, axe)
    with live_app.app_context():
        assert db.session.execute(select(Authority.state)).scalar_one() == "ended"
