"""Sessions on shared computers (DESIGN.md section 4): idle 30 minutes, absolute 12 hours,
sign-out ends the session on the server, personal pages are never stored, ids rotate."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.data.accounts import AccountSession
from portal.data.audit import AuditEvent
from tests.factories import make_patient
from tests.helpers.auth import sign_in_as
from tests.integration.auth.pages import csrf, h1


@pytest.fixture()
def patient(db_session):  # type: ignore[no-untyped-def]
    person = make_patient(db_session)
    db_session.commit()
    return person


def the_session(db_session) -> AccountSession:  # type: ignore[no-untyped-def]
    db_session.expire_all()
    return db_session.execute(select(AccountSession).order_by(AccountSession.created_at_utc.desc())).scalars().first()


def age(db_session, *, idle: timedelta = timedelta(0), started: timedelta = timedelta(0)) -> None:  # type: ignore[no-untyped-def]
    """Pretend the session was last used ``idle`` ago and started ``started`` ago."""
    record = the_session(db_session)
    record.last_seen_at_utc -= idle
    record.created_at_utc -= max(started, idle)
    db_session.commit()


def test_a_signed_in_patient_sees_their_page_with_no_store_and_a_sign_out_button(client, patient):
    sign_in_as(client, patient, level="P5")
    response = client.get("/signed-in")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert 'action="/sign-out"' in page and "Sign out" in page
    assert 'id="session-timeout"' in page and 'data-seconds-left="1800"' in page


def test_after_30_idle_minutes_the_session_ends_and_the_sign_in_page_says_why(client, patient, db_session):
    sign_in_as(client, patient)
    age(db_session, idle=timedelta(minutes=30, seconds=1))
    response = client.get("/signed-in")
    assert response.headers["Location"].startswith("/sign-in")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You were signed out because you did nothing for 30 minutes." in page
    assert the_session(db_session).ended_reason == "idle"
    assert "session.timed-out" in [e.action for e in db_session.execute(select(AuditEvent)).scalars()]
    assert "You were signed out" not in client.get("/sign-in").get_data(as_text=True)  # said once


def test_29_idle_minutes_are_fine_and_using_the_service_starts_the_30_again(client, patient, db_session):
    sign_in_as(client, patient)
    age(db_session, idle=timedelta(minutes=29))
    assert client.get("/signed-in").status_code == 200
    age(db_session, idle=timedelta(minutes=29))
    assert client.get("/signed-in").status_code == 200


def test_after_12_hours_the_session_ends_however_busy(client, patient, db_session):
    sign_in_as(client, patient)
    age(db_session, started=timedelta(hours=12))
    response = client.get("/signed-in")
    assert response.headers["Location"].startswith("/sign-in")
    assert "because you were signed in for 12 hours" in client.get("/sign-in").get_data(as_text=True)
    assert the_session(db_session).ended_reason == "absolute"


def test_stay_signed_in_extends_the_session(client, patient, db_session):
    sign_in_as(client, patient)
    age(db_session, idle=timedelta(minutes=28))
    token = csrf(client, "/signed-in")
    age(db_session, idle=timedelta(minutes=28))
    answer = client.post("/session/keep-alive", headers={"X-CSRFToken": token})
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["signed_in"] is True and 1795 <= body["seconds_left"] <= 1800
    assert answer.headers["Cache-Control"] == "no-store"


def test_keep_alive_without_a_session_says_so(client):
    token = csrf(client, "/sign-in/your-details")
    answer = client.post("/session/keep-alive", headers={"X-CSRFToken": token})
    assert answer.status_code == 401 and answer.get_json()["signed_in"] is False


def test_signing_out_ends_the_session_on_the_server_and_an_old_cookie_no_longer_works(app, client, patient, db_session):
    sign_in_as(client, patient)
    copied = client.get_cookie("session").value
    out = client.post("/sign-out", data={"csrf_token": csrf(client, "/signed-in")})
    assert out.headers["Location"].endswith("/signed-out")
    assert out.headers["Cache-Control"] == "no-store"
    page = client.get("/signed-out").get_data(as_text=True)
    assert h1(page) == "You have signed out"
    assert the_session(db_session).ended_reason == "signed-out"
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/signed-in").headers["Location"].startswith("/sign-in")
    assert client.get("/signed-in").headers["Location"].startswith("/sign-in")


def test_sign_out_needs_the_form_token(client, patient, db_session):
    sign_in_as(client, patient)
    assert client.post("/sign-out").status_code == 400
    assert the_session(db_session).ended_at_utc is None


def test_a_timed_out_sign_out_from_the_warning_says_why(client, patient, db_session):
    sign_in_as(client, patient)
    client.post("/sign-out", data={"csrf_token": csrf(client, "/signed-in"), "reason": "timeout"})
    assert "because you did nothing for 30 minutes" in client.get("/signed-out").get_data(as_text=True)
    assert the_session(db_session).ended_reason == "idle"


def test_signing_in_again_rotates_the_session_id_and_ends_the_old_session(client, patient, db_session):
    from tests.integration.auth.test_code_route import dev_code, details, enter, send_details

    sign_in_as(client, patient, level="P5")
    with client.session_transaction() as cookie:
        before = cookie["sid"]
    send_details(client, details(patient))
    enter(client, dev_code(client.get("/sign-in/enter-code").get_data(as_text=True)))
    with client.session_transaction() as cookie:
        after = cookie["sid"]
    assert after != before
    old, new = db_session.execute(select(AccountSession).order_by(AccountSession.created_at_utc)).scalars().all()
    assert (old.ended_reason, new.ended_at_utc, new.route) == ("rotated", None, "code")


def test_a_session_is_bound_to_its_patient_and_level(client, patient, db_session):
    sign_in_as(client, patient, level="P5")
    record = the_session(db_session)
    assert (record.level, record.self_patient_id, record.subject_patient_id) == ("P5", patient.id, patient.id)


def test_the_choose_who_page_lists_yourself_and_keeps_the_subject(client, patient, db_session):
    sign_in_as(client, patient)
    page = client.get("/choose-who").get_data(as_text=True)
    assert "Whose information do you want to see?" in page and "Yourself" in page
    chosen = client.post("/choose-who", data={"subject": "self", "csrf_token": csrf(client, "/choose-who")})
    assert chosen.status_code == 302
    assert the_session(db_session).subject_patient_id == patient.id


def test_the_choose_who_page_needs_an_answer(client, patient):
    sign_in_as(client, patient)
    page = client.post("/choose-who", data={"csrf_token": csrf(client, "/choose-who")}).get_data(as_text=True)
    assert "Select whose information you want to see" in page


def test_pages_for_patients_send_people_who_are_not_signed_in_to_sign_in(client):
    response = client.get("/signed-in")
    assert response.headers["Location"].startswith("/sign-in?next=/signed-in")
    assert response.headers["Cache-Control"] == "no-store"


def test_sign_in_comes_back_to_the_page_asked_for_but_never_to_another_site(client):
    client.get("/sign-in?next=//evil.example/x")
    with client.session_transaction() as cookie:
        assert "next" not in cookie
    client.get("/sign-in?next=/signed-in")
    with client.session_transaction() as cookie:
        assert cookie["next"] == "/signed-in"


def test_step_up_for_a_code_route_person_explains_nhs_login(client, patient, db_session):
    sign_in_as(client, patient, level="P5")
    record = the_session(db_session)
    record.route = "code"
    db_session.commit()
    page = client.get("/sign-in/prove-who-you-are?level=P9&next=/signed-in").get_data(as_text=True)
    assert h1(page) == "Prove who you are to see this page"
    assert "You signed in with your NHS number and a code" in page
    assert 'href="/sign-in/nhs-login?level=P9"' in page


def test_step_up_when_already_at_the_level_goes_straight_on(client, patient):
    sign_in_as(client, patient, level="P9")
    assert client.get("/sign-in/prove-who-you-are?level=P9&next=/signed-in").headers["Location"] == "/signed-in"
