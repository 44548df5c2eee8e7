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


# The decision then in force, in words (stored as deny/choice and deny/default-opt-in).
CHOICE_DENY = "Not used (because of their choice for this tool)"
DEFAULT_DENY = "Not used (standard setting: used only if they say yes)"


def test_the_queue_shows_open_conflicts_newest_first_with_the_decision_then(client, conflicts_world):
    sign_in_staff(client, "auditor")
    response = client.get("/staff/conflicts")
    words = text_of(response.get_data(as_text=True))
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    rows = re.findall(r"Look into it \(AI note taker, [^)]*\)", words)
    assert len(rows) == 2
    assert words.index(CHOICE_DENY) < words.index(DEFAULT_DENY)  # newest first
    assert "Somerset NHS Foundation Trust" in words


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
    queue = text_of(client.get("/staff/conflicts").get_data(as_text=True))
    assert CHOICE_DENY not in queue and DEFAULT_DENY in queue
    assert CHOICE_DENY in text_of(client.get("/staff/conflicts?show=closed").get_data(as_text=True))
    with app.app_context():
        event = db.session.get(AiUseEvent, conflicts_world.newer.id)
        assert (event.conflict_status, event.conflict_finding) == ("closed", finding)
        assert event.conflict_closed_by_staff_id == staff_id and event.conflict_closed_at_utc is not None
        audited = db.session.execute(select(AuditEvent).where(AuditEvent.action == "conflict.closed")).scalar_one()
        assert (audited.actor_kind, audited.actor_id, audited.patient_id) == ("staff", str(staff_id), conflicts_world.patient.id)
        assert finding not in str(audited.details)  # no free text in the audit
    patient = sign_in_as(app, conflicts_world.patient, level="P9")
    timeline = text_of(patient.get("/ai-used-in-your-care").get_data(as_text=True))
    assert timeline.count("Used although you said no") == 2
    assert f"What they found: {finding}" in timeline
    assert timeline.count("What they found") == 1  # the open one shows no outcome yet


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
