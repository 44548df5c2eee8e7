"""AI used against a patient's wishes (issue 9 point 6): auditors see reports newest first with
the tool, organisation and the decision then in force, record what they found and close
them; the patient sees the outcome; the register tool page counts them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.data.ai_use import AiUseEvent
from portal.data.audit import AuditEvent
from portal.extensions import db
from tests.factories import make_ai_use_event
from tests.helpers.auth import sign_in_as
from tests.helpers.staff import sign_in_staff
from tests.integration.auth.pages import csrf
from tests.integration.choices.pages_helpers import text_of

RAW_CODES = re.compile(r"\b(deny|permit|default-opt-in|default-opt-out|all-tools-choice|no-choice)\b|\(choice\)")


def test_the_queue_shows_open_conflicts_newest_first_with_the_decision_then(client, conflicts_world):
    sign_in_staff(client, "auditor")
    response = client.get("/staff/conflicts")
    words = text_of(response.get_data(as_text=True))
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    rows = re.findall(r"Look into it \(AI note taker, [^)]*\)", words)
    assert len(rows) == 2
    assert words.index("No. The person had said no to this tool") < words.index("No. This tool needs the person's agreement, and they had not given it")  # newest first
    assert "Somerset NHS Foundation Trust" in words
    assert not RAW_CODES.search(words)


def test_the_report_page_says_the_decision_purpose_and_status_in_words(client, conflicts_world):
    sign_in_staff(client, "auditor")
    words = text_of(client.get(f"/staff/conflicts/{conflicts_world.older.id}").get_data(as_text=True))
    assert "Decision then in force No. This tool needs the person's agreement, and they had not given it" in words
    assert "Used for In decisions about their care" in words
    assert "Status Open: being looked into" in words
    assert "AI note taker" in words and "Somerset NHS Foundation Trust" in words
    assert not RAW_CODES.search(words)


@pytest.mark.parametrize("language", ["cy", "ur"])
def test_the_queue_and_report_are_in_the_page_language(client, conflicts_world, language):
    sign_in_staff(client, "auditor")
    client.get(f"/staff/conflicts?lang={language}")
    for path in ("/staff/conflicts", f"/staff/conflicts/{conflicts_world.newer.id}"):
        html = client.get(path).get_data(as_text=True)
        assert f'<html lang="{language}"' in html
        words = text_of(html)
        assert "No. The person had said no to this tool" not in words and "Look into it" not in words
        assert not RAW_CODES.search(words)


@pytest.mark.parametrize("roles", [("dispute-reviewer",), ("admin",)])
def test_only_auditors_see_the_queue(client, conflicts_world, roles):
    sign_in_staff(client, *roles)
    assert client.get("/staff/conflicts").status_code == 403
    assert client.get(f"/staff/conflicts/{conflicts_world.newer.id}").status_code == 403


def test_signed_out_staff_are_sent_to_sign_in(client, conflicts_world):
    assert client.get("/staff/conflicts").headers["Location"].startswith("/staff/sign-in")


def test_closing_records_the_finding_audits_it_and_the_patient_sees_it(app, client, conflicts_world):
    staff_id = sign_in_staff(client, "auditor")
    path = f"/staff/conflicts/{conflicts_world.newer.id}"
    finding = "The clinic had not seen your choice. They deleted the notes and retrained staff."
    done = client.post(path, data={"finding": finding, "csrf_token": csrf(client, path)})
    assert done.headers["Location"] == "/staff/conflicts?closed=yes"
    queue = text_of(client.get(done.headers["Location"]).get_data(as_text=True))
    assert "You closed the report. The person can now see what you found." in queue
    assert "No. The person had said no to this tool" not in queue and "No. This tool needs the person's agreement, and they had not given it" in queue
    closed = text_of(client.get("/staff/conflicts?show=closed").get_data(as_text=True))
    assert "No. The person had said no to this tool" in closed and "See what was found" in closed
    report = text_of(client.get(path).get_data(as_text=True))
    assert "Status Closed" in report and finding in report
    with app.app_context():
        event = db.session.get(AiUseEvent, conflicts_world.newer.id)
        assert (event.conflict_status, event.conflict_finding) == ("closed", finding)
        assert event.conflict_closed_by_staff_id == staff_id and event.conflict_closed_at_utc is not None
        audited = db.session.execute(select(AuditEvent).where(AuditEvent.action == "conflict.closed")).scalar_one()
        assert (audited.actor_kind, audited.actor_id, audited.patient_id) == ("staff", str(staff_id), conflicts_world.patient.id)
        assert finding not in str(audited.details)  # no free text in the audit
    patient = sign_in_as(app, conflicts_world.patient, level="P9")
    timeline = text_of(patient.get("/ai-used-in-your-care").get_data(as_text=True))
    assert timeline.count("Used although you said no") == 1  # the one they said no to
    assert timeline.count("Used without your agreement") == 1  # opt-in, never agreed
    assert "You had said no to this tool when it was used." in timeline
    assert "This tool is only used if you agree to it. You had not agreed when it was used." in timeline
    assert f"Staff have looked into it. What they found: {finding}" in timeline
    assert timeline.count("What they found") == 1  # the open one shows no outcome yet
    assert timeline.count("Staff are looking into it") == 1


def test_a_closed_report_cannot_be_closed_again(app, client, conflicts_world):
    sign_in_staff(client, "auditor")
    path = f"/staff/conflicts/{conflicts_world.newer.id}"
    client.post(path, data={"finding": "First finding.", "csrf_token": csrf(client, path)})
    page = client.get(path).get_data(as_text=True)
    assert "First finding." in text_of(page) and 'name="finding"' not in page
    client.post(path, data={"finding": "Second finding.", "csrf_token": csrf(client, "/staff/conflicts")})
    with app.app_context():
        assert db.session.get(AiUseEvent, conflicts_world.newer.id).conflict_finding == "First finding."
        assert len(db.session.execute(select(AuditEvent).where(AuditEvent.action == "conflict.closed")).all()) == 1


@pytest.mark.parametrize(("finding", "message"), [
    ("", "Enter what you found and what was done"),
    ("x" * 2001, "What you found must be 2,000 characters or fewer"),
])
def test_a_finding_is_needed_and_kept_short(app, client, conflicts_world, finding, message):
    sign_in_staff(client, "auditor")
    path = f"/staff/conflicts/{conflicts_world.newer.id}"
    page = client.post(path, data={"finding": finding, "csrf_token": csrf(client, path)}).get_data(as_text=True)
    assert message in text_of(page) and "<title>Error: " in page
    with app.app_context():
        assert db.session.get(AiUseEvent, conflicts_world.newer.id).conflict_status == "open"


def test_an_unknown_or_non_conflict_report_is_not_found(client, conflicts_world):
    sign_in_staff(client, "auditor")
    assert client.get(f"/staff/conflicts/{conflicts_world.fine.id}").status_code == 404
    assert client.get("/staff/conflicts/00000000-0000-4000-8000-000000000000").status_code == 404


def test_the_tool_page_counts_conflicts_and_hides_small_numbers(app, client, conflicts_world):
    words = text_of(client.get("/ai-tools/ai-scribe").get_data(as_text=True))
    assert "Times this was reported: fewer than 5" in words
    assert "Still being looked into: fewer than 5" in words
    with app.app_context():
        for _ in range(4):
            make_ai_use_event(db.session, conflicts_world.patient, conflicts_world.tool, conflicts_world.organisation,
                              conflict=True, conflict_status="closed", decision_at_time="deny", basis_at_time="choice")
        db.session.commit()
    words = text_of(client.get("/ai-tools/ai-scribe").get_data(as_text=True))
    assert "Times this was reported: 6" in words and "Still being looked into: fewer than 5" in words


def test_a_tool_never_used_against_wishes_says_none(app, client, conflicts_world):
    with app.app_context():
        db.session.execute(AiUseEvent.__table__.delete())
        db.session.commit()
    words = text_of(client.get("/ai-tools/ai-scribe").get_data(as_text=True))
    assert "Times this was reported: none" in words


def test_the_report_page_names_the_patient_for_staff_audited_and_not_logged(app, client, conflicts_world, caplog):
    with app.app_context():
        patient = db.session.get(type(conflicts_world.patient), conflicts_world.patient.id)
        name, number, born = f"{patient.given_name} {patient.family_name}", patient.nhs_number, patient.date_of_birth
    sign_in_staff(client, "auditor")
    response = client.get(f"/staff/conflicts/{conflicts_world.newer.id}")
    words = text_of(response.get_data(as_text=True))
    assert response.headers["Cache-Control"] == "no-store"
    assert f"Name {name}" in words
    assert f"NHS number {number[:3]} {number[3:6]} {number[6:]}" in words
    assert f"Date of birth {born.day} {born:%B %Y}" in words
    assert "What the report says It wrote notes of your second visit." in words
    assert number not in caplog.text
    with app.app_context():
        views = db.session.execute(select(AuditEvent).where(AuditEvent.action == "staff.patient.view")).scalars().all()
    assert [(e.patient_id, e.details["page"]) for e in views] == [(conflicts_world.patient.id, "conflict")]
