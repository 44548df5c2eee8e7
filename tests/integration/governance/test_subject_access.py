"""Subject access (issue 9 point 4): ``flask portal export-patient NHS_NUMBER`` and the P9
"Your information" page with its JSON download: everything held, audited."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from portal.data.audit import AuditEvent
from portal.extensions import db
from portal.services import audit
from tests.helpers.auth import sign_in_as
from tests.integration.choices.pages_helpers import text_of


def _audit_count(app, action: str) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(AuditEvent)
                                  .where(AuditEvent.action == action)).scalar_one()


def _checked(app, patient) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        audit.record(db.session, audit.Actor("api-client", "c1"), "decisions.read", patient_id=patient.id,
                     details={"client_name": "Somerset EPR", "organisation": "Somerset NHS Foundation Trust"})
        db.session.commit()


def test_export_patient_prints_everything_held_and_is_audited(app, conflicts_world):
    _checked(app, conflicts_world.patient)
    result = app.test_cli_runner().invoke(args=["portal", "export-patient", conflicts_world.patient.nhs_number])
    assert result.exit_code == 0, result.output
    export = json.loads(result.output)
    assert export["your_details"]["nhs_number"] == conflicts_world.patient.nhs_number
    assert export["your_details"]["organisations"] == [{"ods_code": "RH5", "name": "Somerset NHS Foundation Trust"}]
    assert len(export["ai_use"]) == 3 and sum(e["against_your_wishes"] for e in export["ai_use"]) == 2
    assert [a["client_name"] for a in export["who_checked_or_changed"]] == ["Somerset EPR"]
    assert export["choices"] == []
    assert "disputes" not in export or isinstance(export["disputes"], list)
    assert _audit_count(app, "subject-access.exported") == 1


@pytest.mark.parametrize(("number", "message"), [
    ("123", "Nothing was exported: an NHS number is 10 digits (spaces allowed)."),
    ("94347659AB", "Nothing was exported: an NHS number is 10 digits (spaces allowed)."),
    ("", "Nothing was exported: no NHS number was given."),
    ("9434765918", "Nothing was exported: that is not a valid NHS number (its check digit is wrong: "
                   "look for a mistyped digit)."),
    ("9434765919", "Nothing was exported: no patient with that NHS number is held here."),
    ("943 476 5919", "Nothing was exported: no patient with that NHS number is held here."),
])
def test_export_patient_refuses_a_bad_or_unknown_number_and_changes_nothing(app, conflicts_world, number, message):
    result = app.test_cli_runner().invoke(args=["portal", "export-patient", number])
    assert result.exit_code == 1
    assert message in result.output
    assert _audit_count(app, "subject-access.exported") == 0


def test_the_your_information_page_shows_everything_and_offers_the_json(app, conflicts_world):
    _checked(app, conflicts_world.patient)
    client = sign_in_as(app, conflicts_world.patient, level="P9")
    response = client.get("/your-information")
    words = text_of(response.get_data(as_text=True))
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert conflicts_world.patient.family_name in words
    assert "It wrote notes of your second visit." in words
    assert words.count("Used although you said no") == 1 and words.count("Used without your agreement") == 1
    assert "more use of AI here later" not in words
    assert "A clinical system ( Somerset EPR, Somerset NHS Foundation Trust ). Checked your choices." in words
    assert "decisions.read" not in words and "api-client" not in words
    assert "ai-scribe" not in words and "AI note taker, Somerset NHS Foundation Trust." in words
    download = client.get("/your-information/download")
    assert download.headers["Content-Disposition"] == 'attachment; filename="your-information.json"'
    assert download.headers["Cache-Control"] == "no-store"
    assert json.loads(download.get_data(as_text=True))["your_details"]["nhs_number"] == conflicts_world.patient.nhs_number
    assert _audit_count(app, "subject-access.exported") == 2


def test_a_p5_session_is_asked_to_prove_identity_first(app, conflicts_world):
    client = sign_in_as(app, conflicts_world.patient, level="P5")
    for path in ("/your-information", "/your-information/download"):
        assert client.get(path).status_code in (302, 303)
    assert _audit_count(app, "subject-access.exported") == 0


def test_the_export_includes_the_patients_disputes_as_plain_data_without_the_internal_note(app, db_session):
    """A patient with a request for review gets it in the JSON export (never a staff note)."""
    import json
    from datetime import UTC, date, datetime

    from portal.data.disputes import Dispute
    from portal.services import audit as audit_service
    from portal.services import subject_access
    from tests.factories import make_patient, make_tool

    patient = make_patient(db_session)
    tool = make_tool(db_session, "export-tool")
    db_session.add(Dispute(
        reference="AID-2222-3333", submission_key="k" * 64, patient_id=patient.id, kind="dispute",
        tool_id=tool.id, why="The scan reading was wrong.", outcomes_wanted=["review"],
        contact_preference="portal", status="received", nation="england", received_on=date(2026, 11, 2),
        acknowledge_due_on=date(2026, 11, 5), decide_due_on=date(2026, 11, 30),
        internal_note="staff only"))
    db_session.flush()
    export = subject_access.export_patient(db_session, patient.id, audit_service.SYSTEM, datetime.now(UTC))
    text = json.dumps(export)
    assert export["disputes"][0]["reference"] == "AID-2222-3333"
    assert export["disputes"][0]["why"] == "The scan reading was wrong."
    assert export["authorities"] == []
    assert "staff only" not in text


def test_the_patients_own_copy_holds_back_ai_use_their_clinician_has_not_had_time_to_tell_them(app, conflicts_world):
    """HAZ-007: the online copy follows the timeline's 14-day rule; a formal request answered by
    staff (export-patient) holds everything, for staff to check with the clinician first."""
    from datetime import UTC, datetime, timedelta

    from tests.factories import make_ai_use_event
    with app.app_context():
        make_ai_use_event(db.session, conflicts_world.patient, conflicts_world.tool, conflicts_world.organisation,
                          used_at_utc=datetime.now(UTC) - timedelta(days=1),
                          visible_from_utc=datetime.now(UTC) + timedelta(days=13),
                          plain_summary="It found a shadow on your lung scan.")
        db.session.commit()
    client = sign_in_as(app, conflicts_world.patient, level="P9")
    words = text_of(client.get("/your-information").get_data(as_text=True))
    assert "shadow on your lung scan" not in words
    assert "We will show 1 more use of AI here later." in words
    download = json.loads(client.get("/your-information/download").get_data(as_text=True))
    assert "shadow" not in json.dumps(download) and download["ai_use_held_back"] == 1
    assert len(download["ai_use"]) == 3
    staff_copy = app.test_cli_runner().invoke(args=["portal", "export-patient", conflicts_world.patient.nhs_number])
    assert "It found a shadow on your lung scan." in staff_copy.output


def test_the_page_says_choices_in_words_and_the_download_keeps_the_codes(app, conflicts_world):
    from tests.factories import make_choice
    with app.app_context():
        make_choice(db.session, conflicts_world.patient, conflicts_world.tool, "care", "deny")
        make_choice(db.session, conflicts_world.patient, None, "research", "deny")
        db.session.commit()
    client = sign_in_as(app, conflicts_world.patient, level="P9")
    words = text_of(client.get("/your-information").get_data(as_text=True))
    assert "AI note taker . In decisions about your care: No. Made by: You." in words
    assert "ai-scribe" not in words
    assert "All AI tools. For research: No. Made by: You." in words
    assert not re.search(r"\b(deny|permit|all-tools|self)\b", words)
    download = json.loads(client.get("/your-information/download").get_data(as_text=True))
    assert {(c["tool"], c["decision"], c["made_by"]) for c in download["choices"]} == {
        ("ai-scribe", "deny", "self"), ("all-tools", "deny", "self")}


def test_every_kind_of_audited_action_on_the_page_is_said_in_words(app, conflicts_world):
    with app.app_context():
        for actor, action in [(audit.Actor("staff", "s1"), "audit.searched"),
                              (audit.Actor("api-client", "c1"), "consents.read"),
                              (audit.Actor("patient", "p1"), "session.timed-out")]:
            audit.record(db.session, actor, action, patient_id=conflicts_world.patient.id)
        db.session.commit()
    client = sign_in_as(app, conflicts_world.patient, level="P9")
    words = text_of(client.get("/your-information").get_data(as_text=True))
    assert "NHS staff. Searched the record of who did what, to check it." in words
    assert "Signed in or out." in words
    assert not re.search(r"\b(audit\.searched|consents\.read|session\.timed-out)\b", words)
