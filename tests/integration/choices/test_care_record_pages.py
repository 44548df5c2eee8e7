"""AI used in your care, and who checked your choices (issue 5 points 5 and 6): P9 pages
built from AiUseEvents and the audit trail."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

from portal.extensions import db
from portal.services import audit
from tests.factories import make_ai_use_event, make_patient
from tests.integration.choices.pages_helpers import text_of

CLIENT = audit.Actor("api-client", "client-1")


def test_ai_use_is_shown_newest_first_from_its_visible_from_date_with_conflicts_marked(app, client, signed_in, world):
    now = datetime.now(UTC)
    with app.app_context():
        session = db.session
        make_ai_use_event(session, world.patient, world.triage, world.organisation,
                          used_at_utc=datetime(2026, 3, 3, 14, 5, tzinfo=UTC), visible_from_utc=now - timedelta(days=1),
                          plain_summary="It flagged your chest X-ray for a doctor to look at first.")
        make_ai_use_event(session, world.patient, world.scribe, world.organisation,
                          used_at_utc=datetime(2026, 6, 1, 9, 0, tzinfo=UTC), visible_from_utc=now - timedelta(hours=1),
                          plain_summary="It wrote notes of your appointment.", conflict=True, conflict_status="open",
                          decision_at_time="deny", basis_at_time="choice")
        make_ai_use_event(session, world.patient, world.triage, world.organisation,
                          used_at_utc=now - timedelta(days=2), visible_from_utc=now + timedelta(days=12),
                          plain_summary="Not visible yet.")
        other = make_patient(session)
        make_ai_use_event(session, other, world.triage, world.organisation, visible_from_utc=now - timedelta(days=1),
                          plain_summary="Someone else's scan.")
        session.commit()
    response = client.get("/ai-used-in-your-care")
    words = text_of(response.get_data(as_text=True))
    assert response.headers["Cache-Control"] == "no-store"
    assert words.index("AI note taker") < words.index("Chest X-ray checker")
    assert "1 June 2026, 10:00am (UK time)" in words  # BST
    assert "3 March 2026, 2:05pm (UK time)" in words  # GMT
    assert "Somerset NHS Foundation Trust, Radiology" in words
    assert "It wrote notes of your appointment." in words
    assert words.count("Used although you said no") == 1
    assert words.index("Used although you said no") < words.index("Chest X-ray checker")
    assert "Not visible yet." not in words and "Someone else's scan." not in words
    assert words.count("Dispute this") == 2  # one link per visible use, to the disputes journey
    assert "/disputes/new?event=" in response.get_data(as_text=True)


def test_no_ai_use_yet(client, signed_in):
    assert "No use of AI in your care has been reported to us yet." in text_of(client.get("/ai-used-in-your-care").get_data(as_text=True))


def test_who_checked_lists_every_read_by_a_clinical_system_and_staff_newest_first(app, client, signed_in, world):
    with app.app_context():
        session = db.session
        other = make_patient(session)
        audit.record(session, CLIENT, "decisions.read", patient_id=world.patient.id,
                     details={"client_name": "Somerset EPR", "organisation": "Somerset NHS Foundation Trust"})
        audit.record(session, CLIENT, "decisions.batch-read", batch_patient_ids=[world.patient.id, other.id],
                     details={"client_name": "Radiology worklist", "organisation": "Somerset NHS Foundation Trust"})
        audit.record(session, audit.Actor("staff", str(uuid.uuid4())), "staff.patient.view",
                     patient_id=world.patient.id, details={"organisation": "Portal support team"})
        audit.record(session, CLIENT, "decisions.read", patient_id=other.id, details={"client_name": "Not me"})
        audit.record(session, audit.Actor("patient", "x"), "choice.recorded", patient_id=world.patient.id, details={})
        session.commit()
    response = client.get("/who-checked-your-choices")
    html = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    rows = [text_of(row) for row in re.findall(r'<tr class="nhsuk-table__row">(.*?)</tr>', html, re.S)]
    assert [re.sub(r"^When .*? Who ", "", row) for row in rows] == [
        "NHS staff Portal support team What Looked at your choices",
        "Radiology worklist Somerset NHS Foundation Trust What Checked in a batch with other patients",
        "Somerset EPR Somerset NHS Foundation Trust What Checked your choices",
    ]
    assert "Don't recognise this?" in text_of(html)


def test_nobody_checked_yet(client, signed_in):
    assert "Nobody has checked your choices yet." in text_of(client.get("/who-checked-your-choices").get_data(as_text=True))
