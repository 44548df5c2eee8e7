"""Signing in with NHS number, date of birth and postcode, then a code sent to the contact
details on record (the National Data Opt-out's route, DESIGN.md section 4)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from portal.data.accounts import AccountSession, OneTimeCode
from portal.data.audit import AuditEvent
from tests.factories import make_patient
from tests.integration.auth.pages import csrf, error_summary, field_value, h1, inline_errors

DETAILS = "/sign-in/your-details"
CODE = "/sign-in/enter-code"


@pytest.fixture()
def patient(db_session):  # type: ignore[no-untyped-def]
    person = make_patient(db_session, date_of_birth=date(1980, 2, 29), postcode="CF14 4XW",
                          email="sian.obrien@example.org", mobile="07700 900123")
    db_session.commit()
    return person


def details(patient, **changes: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    born = patient.date_of_birth
    values = {"nhs_number": patient.nhs_number, "date_of_birth-day": str(born.day),
              "date_of_birth-month": str(born.month), "date_of_birth-year": str(born.year),
              "postcode": patient.postcode}
    values.update(changes)
    return values


def send_details(client, values: dict[str, str], lang: str | None = None):  # type: ignore[no-untyped-def]
    query = f"?lang={lang}" if lang else ""
    return client.post(DETAILS + query, data={**values, "csrf_token": csrf(client, DETAILS + query)})


def dev_code(page: str) -> str:
    return re.search(r'<strong class="app-secret" dir="ltr">(\d{6})</strong>', page).group(1)


def enter(client, code: str):  # type: ignore[no-untyped-def]
    return client.post(CODE, data={"code": code, "csrf_token": csrf(client, CODE)})


def actions(db_session) -> list[str]:  # type: ignore[no-untyped-def]
    return [e.action for e in db_session.execute(select(AuditEvent).order_by(AuditEvent.chain_position)).scalars()]


def test_matching_details_send_a_code_and_the_code_signs_the_patient_in_at_p5(client, patient, db_session):
    sent = send_details(client, details(patient, nhs_number=f" {patient.nhs_number[:3]}-{patient.nhs_number[3:6]} "
                                                             f"{patient.nhs_number[6:]}", postcode="cf144xw"))
    assert sent.status_code == 302 and sent.headers["Location"] == CODE
    page = client.get(CODE).get_data(as_text=True)
    assert h1(page) == "Enter the code we sent you"
    assert "s•••@example.org" in page and "sian.obrien@example.org" not in page
    assert "Development only: no message was sent." in page
    signed_in = enter(client, dev_code(page))
    assert signed_in.headers["Location"] == "/signed-in"
    landing = client.get("/signed-in")
    assert landing.status_code == 200 and landing.headers["Cache-Control"] == "no-store"
    assert f"••• ••• •{patient.nhs_number[-3:]}" in landing.get_data(as_text=True)
    record = db_session.execute(select(AccountSession)).scalar_one()
    assert (record.level, record.route, record.subject_patient_id) == ("P5", "code", patient.id)
    assert actions(db_session) == ["sign-in.code-sent", "sign-in.completed"]


def test_the_code_works_once(client, patient, db_session):
    send_details(client, details(patient))
    code = dev_code(client.get(CODE).get_data(as_text=True))
    enter(client, code)
    with client.session_transaction() as cookie:
        cookie["code_id"] = str(db_session.execute(select(OneTimeCode.id)).scalar_one())
    assert enter(client, code).headers["Location"] == "/sign-in/start-again"


def test_a_wrong_code_counts_down_and_the_fifth_sends_the_person_back_to_start(client, patient, db_session):
    send_details(client, details(patient))
    right = dev_code(client.get(CODE).get_data(as_text=True))
    wrong = "000000" if right != "000000" else "111111"
    for left in (4, 3, 2):
        page = enter(client, wrong).get_data(as_text=True)
        assert error_summary(page) == [f"The code is not right. You have {left} tries left"]
        assert field_value(page, "code") == ""
    assert error_summary(enter(client, wrong).get_data(as_text=True)) == ["The code is not right. You have 1 try left"]
    assert enter(client, wrong).headers["Location"] == "/sign-in/start-again"
    late = client.post(CODE, data={"code": right, "csrf_token": csrf(client, DETAILS)})
    assert late.headers["Location"] == DETAILS  # nothing pending any more
    assert actions(db_session).count("sign-in.code-wrong") == 5
    assert right not in str([e.details for e in db_session.execute(select(AuditEvent)).scalars()])


def test_an_expired_code_is_refused(client, patient, db_session):
    send_details(client, details(patient))
    code = dev_code(client.get(CODE).get_data(as_text=True))
    record = db_session.execute(select(OneTimeCode)).scalar_one()
    record.expires_at_utc = record.sent_at_utc - timedelta(seconds=1)
    db_session.commit()
    page = enter(client, code).get_data(as_text=True)
    assert error_summary(page) == ["This code has expired. Ask for a new code"]


def test_a_new_code_can_be_asked_for_after_60_seconds_and_the_old_one_stops_working(client, patient, db_session):
    send_details(client, details(patient))
    old = dev_code(client.get(CODE).get_data(as_text=True))
    too_soon = client.post("/sign-in/resend-code", data={"csrf_token": csrf(client, CODE)})
    assert too_soon.headers["Location"] == CODE
    assert re.search(r"You can ask for a new code in \d+ seconds", client.get(CODE).get_data(as_text=True))
    record = db_session.execute(select(OneTimeCode)).scalar_one()
    record.sent_at_utc -= timedelta(seconds=61)
    db_session.commit()
    client.post("/sign-in/resend-code", data={"csrf_token": csrf(client, CODE)})
    page = client.get(CODE).get_data(as_text=True)
    assert "We have sent a new code. The old code no longer works." in page
    new = dev_code(page)
    if new != old:
        assert "The code is not right" in enter(client, old).get_data(as_text=True)
    assert enter(client, new).headers["Location"] == "/signed-in"


def test_a_mobile_only_patient_gets_the_code_by_text_shown_masked(client, db_session):
    person = make_patient(db_session, email=None, mobile="07700 900123")
    db_session.commit()
    send_details(client, details(person))
    page = client.get(CODE).get_data(as_text=True)
    assert "07••• ••• 123" in page and "900123" not in page
    assert db_session.execute(select(OneTimeCode.channel)).scalar_one() == "sms"


def test_a_patient_with_no_contact_details_is_told_how_to_get_help(client, db_session):
    person = make_patient(db_session, email=None, mobile=None)
    db_session.commit()
    sent = send_details(client, details(person))
    assert sent.headers["Location"] == "/sign-in/no-contact-details"
    page = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert h1(page) == "We cannot send you a code"
    assert "Ask your GP surgery to add your email address or mobile phone number" in page
    assert "Sign in with NHS login instead" in page


@pytest.mark.parametrize("change", [
    {"nhs_number": "9434765919"},  # a real-looking number of someone else
    {"date_of_birth-day": "1", "date_of_birth-month": "3"},
    {"postcode": "SW1A 1AA"},
])
def test_details_that_do_not_match_say_so_without_saying_which(client, patient, db_session, change):
    page = send_details(client, details(patient, **change)).get_data(as_text=True)
    expected = "We could not find your details. Check your NHS number, date of birth and postcode, then try again"
    assert error_summary(page) == [expected]
    assert inline_errors(page) == []
    assert field_value(page, "nhs_number") == details(patient, **change)["nhs_number"]
    assert field_value(page, "postcode") == details(patient, **change)["postcode"]
    assert db_session.execute(select(OneTimeCode)).first() is None
    assert actions(db_session) == ["sign-in.details-not-matched"]
    assert patient.nhs_number not in str([e.details for e in db_session.execute(select(AuditEvent)).scalars()])


BAD_DETAILS = [
    ({"nhs_number": ""}, "Enter your NHS number", "nhs_number"),
    ({"nhs_number": "94347659"}, "Enter a 10 digit NHS number", "nhs_number"),
    ({"nhs_number": "943 476 5918"}, "Your NHS number is not right. Check it and try again", "nhs_number"),
    ({"date_of_birth-day": "", "date_of_birth-month": "", "date_of_birth-year": ""}, "Enter your date of birth", "date_of_birth-day"),
    ({"date_of_birth-day": ""}, "Date of birth must include a day", "date_of_birth-day"),
    ({"date_of_birth-month": "", "date_of_birth-year": ""}, "Date of birth must include a month and year", "date_of_birth-month"),
    ({"date_of_birth-day": "30", "date_of_birth-month": "2"}, "Date of birth must be a real date", "date_of_birth-day"),
    ({"date_of_birth-month": "13"}, "Date of birth must be a real date", "date_of_birth-day"),
    ({"date_of_birth-day": "x"}, "Date of birth must be a real date", "date_of_birth-day"),
    ({"date_of_birth-day": "99999999999999999999", "date_of_birth-month": "12"}, "Date of birth must be a real date",
     "date_of_birth-day"),
    ({"date_of_birth-month": "99999999999999999999"}, "Date of birth must be a real date", "date_of_birth-day"),
    ({"date_of_birth-year": "80"}, "Year must include 4 numbers", "date_of_birth-year"),
    ({"date_of_birth-day": "1", "date_of_birth-year": "2999"}, "Date of birth must be in the past", "date_of_birth-day"),
    ({"postcode": ""}, "Enter your postcode", "postcode"),
    ({"postcode": "not a postcode"}, "Enter a real postcode, like LS1 4AP", "postcode"),
]


@pytest.mark.parametrize("lang", ["en", "cy", "ur"])
@pytest.mark.parametrize(("change", "message", "target"), BAD_DETAILS)
def test_every_details_error_is_in_the_summary_and_beside_the_field_and_keeps_what_was_typed(
        app, client, patient, change, message, target, lang):
    values = details(patient, **change)
    response = send_details(client, values, lang)
    page = response.get_data(as_text=True)
    with app.test_request_context(), force_locale(lang):
        translated = _(message)
        error_prefix = _("Error")
    assert response.status_code == 200
    assert error_summary(page) == [translated]
    assert inline_errors(page) == [translated]
    assert f'href="#{target}"' in page and f'id="{target}"' in page
    assert page.count(f"{error_prefix}: ") >= 2  # the title and the hidden prefix beside the field
    for name, value in values.items():
        assert field_value(page, name) == value


def test_the_details_page_help_is_a_paragraph_not_html_tags_shown_as_text(client):
    page = client.get(DETAILS).get_data(as_text=True)
    assert "<p>Ask your GP surgery for your NHS number, or sign in with NHS login instead.</p>" in page
    assert "&lt;p&gt;" not in page


def test_the_code_page_without_a_pending_code_goes_back_to_the_details(client):
    assert client.get(CODE).headers["Location"] == DETAILS


@pytest.mark.parametrize("lang", ["en", "cy", "ur"])
@pytest.mark.parametrize(("code", "message"), [("", "Enter the code we sent you"), ("12345", "The code must be 6 numbers"),
                                                ("12a456", "The code must be 6 numbers")])
def test_code_form_errors_are_shown_and_the_code_is_not_kept(app, client, patient, code, message, lang):
    client.get(f"/?lang={lang}")
    send_details(client, details(patient))
    page = enter(client, code).get_data(as_text=True)
    with app.test_request_context(), force_locale(lang):
        message = _(message)
    assert error_summary(page) == [message] and inline_errors(page) == [message]
    assert field_value(page, "code") == ""
