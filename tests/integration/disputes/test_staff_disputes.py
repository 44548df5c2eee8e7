"""The disputes back office (issue 6 point 5): a queue filtered without JavaScript with
overdue requests marked, a dispute page that is audited as a staff view, and the actions."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

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


@pytest.mark.parametrize(("action", "data", "message"), [
    ("review", {}, "You cannot do that now: the request has moved on or is closed."),
    ("outcome", {"outcome": "upheld", "explanation": "x"}, "You cannot do that now: the request has moved on or is closed."),
    ("outcome", {"explanation": "x"}, "Select upheld or not upheld"),
    ("ask", {"message": " "}, "Enter your message"),
])
def test_refused_actions_say_why(client, reviewer, action, data, message):
    page = f"/staff/disputes/{reviewer}"
    response = client.post(f"{page}/{action}", data={"csrf_token": csrf(client, page), **data})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
