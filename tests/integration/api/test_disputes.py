"""GET /api/v1/patients/<nhs_number>/disputes (issue 8 points 6 and 7): clinicians see that a
decision is under review, every read is audited, and the patient's own words never leave."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from portal.data.audit import AuditEvent, list_events_for_patient
from portal.data.disputes import Dispute
from portal.extensions import db
from tests.factories import make_patient, make_tool
from tests.integration.api.conftest import bearer, fetch_token, register_client

URL = "/api/v1/patients/{}/disputes"
UNSEEN = "9434765919"
PROBLEMS = "https://ai-choices.nhs.example/problems/"


def _dispute(session, patient, tool, reference, *, kind="dispute", status="received", received=date(2026, 11, 2),
             closed_at=None):  # type: ignore[no-untyped-def]
    session.add(Dispute(
        reference=reference, submission_key=reference.ljust(64, "k"), patient_id=patient.id, kind=kind,
        tool_id=tool.id, why="The scan reading was wrong, my words.", outcomes_wanted=["review"],
        contact_preference="portal", status=status, nation="england", received_on=received,
        acknowledge_due_on=date(2026, 11, 5), decide_due_on=date(2026, 11, 30), closed_at_utc=closed_at,
        outcome_explanation="The reviewer's explanation", internal_note="staff only note",
        created_at_utc=datetime(received.year, received.month, received.day, 9, tzinfo=UTC)))


@pytest.fixture()
def world(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        scan = make_tool(db.session, "eye-scan", {"care": "opt-out"})
        letters = make_tool(db.session, "letters", {"care": "no-choice"})
        patient, other = make_patient(db.session), make_patient(db.session)
        _dispute(db.session, patient, scan, "AID-AAAA-1111", status="in-review")
        _dispute(db.session, patient, letters, "AID-BBBB-2222", kind="objection", status="not-upheld",
                 received=date(2026, 11, 9), closed_at=datetime(2026, 11, 20, 15, tzinfo=UTC))
        _dispute(db.session, other, scan, "AID-CCCC-3333")
        db.session.commit()
        return {"patient": patient, "other": other}


def test_a_clinical_system_sees_each_dispute_with_its_status_and_dates_newest_first(client, api_headers, world):
    patient = world["patient"]
    response = client.get(URL.format(patient.nhs_number), headers=api_headers)
    body = response.get_json()
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert body["nhs_number"] == patient.nhs_number and body["patient_known"] is True
    assert body["disputes"] == [
        {"reference": "AID-BBBB-2222", "tool": "letters", "device": "Device/letters", "kind": "objection",
         "status": "not-upheld", "under_review": False, "received_on": "2026-11-09",
         "acknowledge_due_on": "2026-11-05", "decide_due_on": "2026-11-30", "decided_on": "2026-11-20",
         "withdrawn_on": None},
        {"reference": "AID-AAAA-1111", "tool": "eye-scan", "device": "Device/eye-scan", "kind": "dispute",
         "status": "in-review", "under_review": True, "received_on": "2026-11-02",
         "acknowledge_due_on": "2026-11-05", "decide_due_on": "2026-11-30", "decided_on": None,
         "withdrawn_on": None},
    ]


def test_the_patients_words_the_explanation_and_the_staff_note_never_leave(client, api_headers, world):
    text = client.get(URL.format(world["patient"].nhs_number), headers=api_headers).get_data(as_text=True)
    assert "my words" not in text and "explanation" not in text and "staff only" not in text
    assert "AID-CCCC-3333" not in text  # another patient's


@pytest.mark.parametrize("written", ["943 476 5919", "9434765919"])
def test_a_valid_nhs_number_never_seen_has_an_empty_list_with_or_without_spaces(client, api_headers, world, written):
    response = client.get(URL.format(written), headers=api_headers)
    assert response.status_code == 200
    assert response.get_json() == {"nhs_number": UNSEEN, "patient_known": False, "disputes": []}


@pytest.mark.parametrize(("written", "reason"), [("9434765918", "check-digit"), ("94347659", "not-10-digits")])
def test_a_bad_nhs_number_is_the_same_400_problem_as_the_decisions_endpoint(client, api_headers, world,
                                                                            written, reason):
    response = client.get(URL.format(written), headers=api_headers)
    decisions = client.get(f"/api/v1/patients/{written}/ai-decisions", headers=api_headers)
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert response.get_json()["type"] == PROBLEMS + "invalid-nhs-number"
    assert response.get_json()["reason"] == reason
    assert response.get_json() == decisions.get_json()


def test_an_unknown_query_parameter_is_refused(client, api_headers, world):
    response = client.get(URL.format(UNSEEN) + "?status=open", headers=api_headers)
    assert response.status_code == 400 and response.get_json()["type"] == PROBLEMS + "unknown-parameter"


def test_a_token_without_disputes_read_is_403_and_without_a_token_401(app, client, world):
    consent_only = bearer(fetch_token(client, register_client(app, scopes=("system/Consent.read",)),
                                      scope="system/Consent.read"))
    refused = client.get(URL.format(world["patient"].nhs_number), headers=consent_only)
    assert refused.status_code == 403 and refused.get_json()["error"] == "insufficient_scope"
    assert client.get(URL.format(world["patient"].nhs_number)).status_code == 401


def test_every_read_is_one_audit_event_the_patient_can_see_even_for_an_unseen_number(app, client, api_headers,
                                                                                     world):
    patient = world["patient"]
    client.get(URL.format(patient.nhs_number), headers=api_headers)
    client.get(URL.format(UNSEEN), headers=api_headers)
    with app.app_context():
        [event] = list_events_for_patient(db.session, patient.id)
        reads = db.session.scalar(select(func.count()).where(AuditEvent.action == "disputes.read"))
    assert reads == 2
    assert event.actor_kind == "api-client" and event.action == "disputes.read"
    assert event.details == {"endpoint": "/api/v1/patients/<nhs_number>/disputes", "organisation": "RH5",
                             "client_name": "Test EPR", "patient_known": True}
    assert patient.nhs_number not in str(event.details)


def test_the_answer_matches_its_strict_openapi_schema_and_a_missing_field_would_fail(client, api_headers, world):
    from jsonschema_rs import Draft202012Validator

    document = client.get("/api/v1/openapi.json").get_json()
    schema = {"$ref": "#/components/schemas/PatientDisputes", "components": document["components"]}
    validator = Draft202012Validator(schema, validate_formats=True)
    body = client.get(URL.format(world["patient"].nhs_number), headers=api_headers).get_json()
    assert list(validator.iter_errors(body)) == []
    del body["disputes"][0]["decide_due_on"]
    assert list(validator.iter_errors(body))
