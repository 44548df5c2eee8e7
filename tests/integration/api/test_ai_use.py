"""POST /api/v1/ai-use-events (issue 8 point 6)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal.data import people
from portal.data.ai_use import AiUseEvent, list_conflicts
from portal.data.audit import list_events_for_patient
from portal.data.register import ToolPolicyChange
from portal.data.sequences import next_sequence
from portal.extensions import db
from tests.factories import make_choice, make_patient, make_tool
from tests.integration.api.conftest import bearer, fetch_token, register_client

URL = "/api/v1/ai-use-events"
USED = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


@pytest.fixture()
def world(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        people.upsert_organisation(db.session, "RH5", "Somerset NHS Foundation Trust", "england")
        tool = make_tool(db.session, "eye-scan", {"care": "opt-out", "research": "opt-in"})
        patient = make_patient(db.session)
        db.session.commit()
        return {"tool": tool, "patient": patient}


def _report(world, **changes):  # type: ignore[no-untyped-def]
    body = {"nhs_number": world["patient"].nhs_number, "tool": "eye-scan", "used_at": "2026-11-02T09:30:00Z",
            "organisation": "RH5", "summary": "The scan checker flagged the left eye for an urgent review.",
            "external_reference": "EPR-123", "service": "Eye clinic"}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def _post(client, headers, body, key="key-1"):  # type: ignore[no-untyped-def]
    return client.post(URL, json=body, headers={**headers, "Idempotency-Key": key})


def test_a_report_is_stored_visible_to_the_patient_14_days_after_the_use(app, client, api_headers, world):
    response = _post(client, api_headers, _report(world))
    body = response.get_json()
    assert response.status_code == 201
    assert body["visible_from"] == "2026-11-16T09:30:00Z" and body["used_at"] == "2026-11-02T09:30:00Z"
    assert (body["decision_at_time"], body["basis_at_time"], body["conflict"], body["conflict_status"]) == (
        "permit", "default-opt-out", False, None)
    with app.app_context():
        [event] = db.session.query(AiUseEvent).all()
        [audited] = list_events_for_patient(db.session, world["patient"].id)
    assert event.plain_summary.startswith("The scan checker") and event.service == "Eye clinic"
    assert audited.action == "ai-use.reported" and audited.details["conflict"] is False


def test_use_against_a_deny_in_force_at_the_time_is_accepted_as_an_open_conflict(app, client, api_headers, world):
    with app.app_context():
        make_choice(db.session, world["patient"], world["tool"], "care", "deny",
                    recorded_at_utc=USED - timedelta(days=1))
        db.session.commit()
    body = _post(client, api_headers, _report(world)).get_json()
    assert (body["conflict"], body["conflict_status"], body["basis_at_time"]) == (True, "open", "choice")
    with app.app_context():
        assert [e.external_reference for e in list_conflicts(db.session)] == ["EPR-123"]


def test_a_deny_recorded_after_the_use_is_no_conflict(app, client, api_headers, world):
    with app.app_context():
        make_choice(db.session, world["patient"], world["tool"], "care", "deny", recorded_at_utc=USED + timedelta(hours=1))
        db.session.commit()
    assert _post(client, api_headers, _report(world)).get_json()["conflict"] is False


def test_the_register_policy_that_applied_at_the_time_of_use_counts(app, client, api_headers, world):
    """Research became opt-out after the use; at the time it was opt-in, so use was a conflict."""
    with app.app_context():
        purpose = next(p for p in db.session.merge(world["tool"]).purposes if p.purpose == "research")
        purpose.consent_model, purpose.terms_version = "opt-out", 2
        db.session.add(ToolPolicyChange(sequence=next_sequence(db.session), tool_id=world["tool"].id,
                                        purpose="research", consent_model="opt-out", terms_version=2,
                                        previous_consent_model="opt-in", previous_terms_version=1,
                                        created_at_utc=USED + timedelta(days=3)))
        db.session.commit()
    body = _post(client, api_headers, _report(world, purpose="research")).get_json()
    assert (body["decision_at_time"], body["basis_at_time"], body["conflict"]) == ("deny", "default-opt-in", True)


def test_the_same_key_and_body_replays_the_first_answer_and_stores_once(app, client, api_headers, world):
    first = _post(client, api_headers, _report(world))
    again = _post(client, api_headers, dict(reversed(list(_report(world).items()))))
    assert again.status_code == 201 and again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    with app.app_context():
        assert db.session.query(AiUseEvent).count() == 1


def test_the_same_key_with_another_body_is_422(client, api_headers, world):
    _post(client, api_headers, _report(world))
    response = _post(client, api_headers, _report(world, summary="Something else."))
    assert response.status_code == 422 and response.get_json()["type"].endswith("/idempotency-key-reused")


def test_the_same_external_reference_under_a_new_key_is_409(client, api_headers, world):
    _post(client, api_headers, _report(world))
    response = _post(client, api_headers, _report(world), key="key-2")
    assert response.status_code == 409 and response.get_json()["type"].endswith("/duplicate-external-reference")


@pytest.mark.parametrize(("changes", "errors"), [
    ({"nhs_number": "9434765918"}, ["nhs_number: not a valid NHS number (check-digit; modulus 11, NHS Data Dictionary)"]),
    ({"used_at": "2026-11-02T09:30:00"}, ["used_at: give a date and time with a time zone, e.g. 2026-11-30T09:15:00Z"]),
    ({"visible_from": "2026-11-01T00:00:00Z"}, ["visible_from: cannot be before used_at"]),
    ({"used_at": "0001-01-01T00:00:00+03:04"}, ["used_at: give a time between the years 2000 and 2100"]),
    ({"used_at": "2099-01-01T00:00:00Z"}, ["used_at: cannot be in the future"]),
    ({"tool": "nope"}, ["tool: No tool on the register has this slug."]),
    ({"organisation": "ZZZ"}, ["organisation: No organisation has this ODS code."]),
    ({"purpose": "improvement"}, ["purpose: The tool is not used for this purpose."]),
    ({"summary": None, "colour": "red"}, ["colour: this field is not part of a report", "summary: required"]),
    ({"summary": 42}, ["summary: must be a non-empty string"]),
    ({"tool": "eye\u0000scan"}, ["tool: has control characters"]),
])
def test_an_invalid_report_is_a_422_listing_what_is_wrong_and_writes_nothing(app, client, api_headers, world,
                                                                              changes, errors):
    response = _post(client, api_headers, _report(world, **changes))
    assert response.status_code == 422 and response.get_json()["errors"] == errors
    with app.app_context():
        assert db.session.query(AiUseEvent).count() == 0


def test_an_unknown_patient_is_its_own_422(client, api_headers, world):
    response = _post(client, api_headers, _report(world, nhs_number="9434765919"))
    assert response.status_code == 422 and response.get_json()["type"].endswith("/unknown-patient")


@pytest.mark.parametrize(("data", "headers", "status", "slug"), [
    ("{not json", {"Content-Type": "application/json", "Idempotency-Key": "k"}, 400, "malformed-json"),
    ("[1, 2]", {"Content-Type": "application/json", "Idempotency-Key": "k"}, 400, "malformed-json"),
    ("{}", {"Content-Type": "text/plain", "Idempotency-Key": "k"}, 415, "unsupported-media-type"),
    ("{}", {"Content-Type": "application/json"}, 400, "idempotency-key-required"),
    ("{\"x\": \"" + "a" * 70_000 + "\"}", {"Content-Type": "application/json", "Idempotency-Key": "k"}, 413,
     "body-too-large"),
])
def test_a_malformed_request_is_a_precise_problem(client, api_headers, data, headers, status, slug):
    response = client.post(URL, data=data, headers={**api_headers, **headers})
    assert response.status_code == status and response.get_json()["type"].endswith("/" + slug)


def test_reporting_needs_the_ai_use_write_scope(app, client, world):
    made = register_client(app, scopes=("system/Consent.read",))
    response = _post(client, bearer(fetch_token(client, made, "system/Consent.read")), _report(world))
    assert response.status_code == 403 and response.get_json()["error"] == "insufficient_scope"
