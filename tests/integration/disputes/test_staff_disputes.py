"""The disputes back office (issue 6 point 5): a queue filtered without JavaScript with
overdue requests marked, a dispute page that is audited as a staff view, and the actions."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from html import unescape

import pytest
from sqlalchemy import select

from portal.data.audit import AuditEvent
from portal.data.staff import StaffUser, add_staff_user
from portal.extensions import db
from portal.services import disputes as service
from portal.services import sessions
from tests.integration.disputes.conftest import good_answers

STAFF_TOKEN_KEY = "staff_sid"  # portal.staff.session.TOKEN_KEY


def sign_in_staff(client, staff_user_id):
    with client.application.app_context():
        token, _record = sessions.start_staff_session(db.session, staff_user_id=staff_user_id, method="password",
                                                      now=datetime.now(UTC))
        db.session.commit()
    with client.session_transaction() as cookie:
        cookie[STAFF_TOKEN_KEY] = token
    return client


def raise_dispute(session, world, today=date(2026, 4, 2), **changes):
    key = service.save_step(session, world.account.id, world.patient.id, good_answers(world, **changes), start=True)
    return service.submit(session, patient_id=world.patient.id, actor=world.actor, submission_key=key, today=today)


@pytest.fixture()
def reviewer(client, dworld, db_session):
    dispute = raise_dispute(db_session, dworld)
    db_session.commit()
    sign_in_staff(client, dworld.reviewer.id)
    return dispute.reference


def csrf(client, path):
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def test_the_queue_filters_by_status_and_marks_overdue(client, reviewer, dworld, db_session):
    html = client.get("/staff/disputes").get_data(as_text=True)
    assert reviewer in html and "Overdue" in html  # received 2 April 2026, long past due
    assert reviewer not in client.get("/staff/disputes?status=upheld").get_data(as_text=True)
    assert reviewer in client.get(f"/staff/disputes?status=received&tool={dworld.triage.id}"
                                  f"&organisation={dworld.england.id}&due_by=2026-05-05").get_data(as_text=True)
    assert reviewer not in client.get("/staff/disputes?due_by=2026-05-04").get_data(as_text=True)


def test_other_staff_roles_are_refused(client, dworld, db_session):
    auditor = add_staff_user(db_session, StaffUser(email="auditor@example.nhs.uk", active=True), ("auditor",))
    db_session.commit()
    sign_in_staff(client, auditor.id)
    assert client.get("/staff/disputes").status_code == 403


def test_a_reviewer_acknowledges_reviews_and_upholds_and_the_patient_sees_the_outcome(client, reviewer, dworld, db_session):
    page = f"/staff/disputes/{reviewer}"
    html = client.get(page).get_data(as_text=True)
    assert "The X-ray was flagged as normal" in html and "It flagged your chest X-ray" in html
    for action in ("acknowledge", "assign", "review"):
        assert client.post(f"{page}/{action}", data={"csrf_token": csrf(client, page)}).status_code == 302
    done = client.post(f"{page}/outcome", data={"csrf_token": csrf(client, page), "outcome": "upheld",
                                                "explanation": "A doctor looked again.", "internal_note": "Threshold"})
    assert done.status_code == 302
    dispute = service.get_for_patient(db.session, dworld.patient.id, reviewer)
    assert (dispute.status, dispute.outcome_explanation, dispute.internal_note) == ("upheld", "A doctor looked again.", "Threshold")
    audited = db.session.execute(select(AuditEvent.action).where(AuditEvent.actor_kind == "staff")).scalars().all()
    assert "staff.patient.view" in audited and "dispute.outcome-recorded" in audited


@pytest.mark.parametrize(("done", "action", "data", "message"), [
    ((), "review", {}, "Acknowledge the request first. Then you can start the review."),
    ((), "outcome", {"outcome": "upheld", "explanation": "x"},
     "Acknowledge the request and start the review first. Then you can record the outcome."),
    (("acknowledge",), "outcome", {"explanation": "x"}, "Start the review first. Then you can record the outcome."),
    (("acknowledge", "review"), "outcome", {"explanation": "x"}, "Select upheld or not upheld"),
    ((), "ask", {"message": " "}, "Enter your message"),
])
def test_refused_actions_say_what_to_do_instead(client, reviewer, done, action, data, message):
    page = f"/staff/disputes/{reviewer}"
    for step in done:
        assert client.post(f"{page}/{step}", data={"csrf_token": csrf(client, page)}).status_code == 302
    response = client.post(f"{page}/{action}", data={"csrf_token": csrf(client, page), **data})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_a_second_acknowledge_or_start_review_just_shows_the_page(client, reviewer):
    page = f"/staff/disputes/{reviewer}"
    for action in ("acknowledge", "acknowledge", "review", "review", "acknowledge"):
        response = client.post(f"{page}/{action}", data={"csrf_token": csrf(client, page)})
        assert response.status_code == 302 and response.headers["Location"].endswith(page)
    assert "moved on" not in client.get(page).get_data(as_text=True)


def test_the_outcome_form_and_each_button_show_only_when_they_can_be_used(client, reviewer):
    page = f"/staff/disputes/{reviewer}"

    def buttons():  # type: ignore[no-untyped-def]
        html = client.get(page).get_data(as_text=True)
        return [action for action in ("acknowledge", "assign", "review", "outcome") if f"{page}/{action}\"" in html]

    assert buttons() == ["acknowledge", "assign"]
    client.post(f"{page}/acknowledge", data={"csrf_token": csrf(client, page)})
    assert buttons() == ["assign", "review"]
    client.post(f"{page}/review", data={"csrf_token": csrf(client, page)})
    assert buttons() == ["assign", "outcome"]


@pytest.mark.parametrize(("lang", "message"), [
    ("cy", "Cydnabyddwch y cais yn gyntaf. Yna gallwch ddechrau'r adolygiad."),
    ("ur", "پہلے درخواست کی وصولی کی تصدیق کریں۔ پھر آپ جائزہ شروع کر سکتے ہیں۔"),
])
def test_what_to_do_instead_is_translated(client, reviewer, lang, message):
    page = f"/staff/disputes/{reviewer}"
    client.get(f"{page}?lang={lang}")
    response = client.post(f"{page}/review?lang={lang}", data={"csrf_token": csrf(client, page)})
    assert response.status_code == 400 and message in unescape(response.get_data(as_text=True))


def test_the_dispute_page_names_the_patient_and_labels_the_ai_use_for_staff(client, reviewer, dworld, caplog):
    patient = dworld.patient
    response = client.get(f"/staff/disputes/{reviewer}")
    text = " ".join(re.sub(r"<[^>]+>", " ", unescape(response.get_data(as_text=True))).split())
    assert response.headers["Cache-Control"] == "no-store"
    assert f"Name {patient.given_name} {patient.family_name}" in text
    number = patient.nhs_number
    assert f"NHS number {number[:3]} {number[3:6]} {number[6:]}" in text
    assert f"Date of birth {patient.date_of_birth.day} {patient.date_of_birth:%B %Y}" in text
    assert "What the report says It flagged your chest X-ray" in text
    assert number not in caplog.text
