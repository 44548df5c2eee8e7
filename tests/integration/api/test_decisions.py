"""GET /api/v1/patients/<nhs_number>/ai-decisions (issue 8 points 2 and 7)."""

from __future__ import annotations

import logging

import pytest

from portal.data.audit import list_events_for_patient
from portal.extensions import db
from tests.factories import make_choice, make_patient, make_tool, next_nhs_number

URL = "/api/v1/patients/{}/ai-decisions"
UNSEEN = "9434765919"


@pytest.fixture()
def register(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        scan = make_tool(db.session, "eye-scan", {"care": "opt-out", "improvement": "opt-in"}, terms_version=2)
        make_tool(db.session, "letters", {"care": "no-choice"})
        db.session.commit()
        return {"scan": scan.id}


def _patient(app, **fields):  # type: ignore[no-untyped-def]
    with app.app_context():
        patient = make_patient(db.session, **fields)
        db.session.commit()
        return patient


def test_a_never_seen_patient_gets_the_register_defaults_with_patient_known_false(client, api_headers, register):
    response = client.get(URL.format(UNSEEN), headers=api_headers)
    body = response.get_json()
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert body["nhs_number"] == UNSEEN and body["patient_known"] is False
    assert [(d["tool"], d["purpose"], d["decision"], d["basis"]) for d in body["decisions"]] == [
        ("eye-scan", "care", "permit", "default-opt-out"),
        ("eye-scan", "improvement", "deny", "default-opt-in"),
        ("letters", "care", "permit", "no-choice"),
    ]
    letters = body["decisions"][2]
    assert letters["no_choice_reason"] == "The law says it must be used" and letters["choice"] is None
    assert body["decisions"][0]["device"] == "Device/eye-scan"
    assert body["decisions"][1]["terms_version"] == 2 and body["decisions"][1]["consent_model"] == "opt-in"


def test_a_choice_is_visible_to_the_very_next_request_with_what_it_rests_on(app, client, api_headers, register):
    patient = _patient(app)
    with app.app_context():
        from portal.data.register import get_tool_by_slug

        choice = make_choice(db.session, patient, get_tool_by_slug(db.session, "eye-scan"), "care", "deny")
        db.session.commit()
    body = client.get(URL.format(patient.nhs_number) + "?tool=eye-scan&purpose=care", headers=api_headers).get_json()
    assert body["patient_known"] is True
    [decision] = body["decisions"]
    assert (decision["decision"], decision["basis"]) == ("deny", "choice")
    assert decision["choice"]["id"] == str(choice.id)
    assert decision["choice"]["sequence"] == choice.sequence
    assert decision["choice"]["applies_to"] == "this-tool"
    assert decision["choice"]["recorded_at"].endswith("Z")


def test_an_all_tools_deny_answers_with_its_own_basis(app, client, api_headers, register):
    patient = _patient(app)
    with app.app_context():
        make_choice(db.session, patient, None, "improvement", "deny")
        db.session.commit()
    body = client.get(URL.format(patient.nhs_number) + "?purpose=improvement", headers=api_headers).get_json()
    assert [(d["tool"], d["basis"], d["choice"]["applies_to"]) for d in body["decisions"]] == [
        ("eye-scan", "all-tools-choice", "all-tools")]


@pytest.mark.parametrize("written", ["943 476 5919", "943-476-5919", "9434765919"])
def test_an_nhs_number_is_accepted_with_or_without_spaces(client, api_headers, register, written):
    response = client.get(URL.format(written), headers=api_headers)
    assert response.status_code == 200 and response.get_json()["nhs_number"] == UNSEEN


@pytest.mark.parametrize(("written", "reason", "detail"), [
    ("9434765918", "check-digit", "The last digit is not the check digit of the first nine."),
    ("943476591", "not-10-digits", "An NHS number is 10 digits (spaces are allowed)."),
    ("94347659xx", "not-10-digits", "An NHS number is 10 digits (spaces are allowed)."),
])
def test_an_invalid_nhs_number_is_a_400_problem_naming_the_rule(client, api_headers, written, reason, detail):
    response = client.get(URL.format(written), headers=api_headers)
    body = response.get_json()
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert body["type"] == "https://ai-choices.nhs.example/problems/invalid-nhs-number"
    assert body["reason"] == reason
    assert body["detail"] == (detail + " Rule: 10 digits, the last a modulus 11 check digit "
                              "(NHS Data Dictionary, NHS Number).")


@pytest.mark.parametrize(("query", "slug"), [
    ("tool=no-such-tool", "unknown-tool"),
    ("purpose=marketing", "unknown-purpose"),
    ("colour=blue", "unknown-parameter"),
    ("purpose=care&purpose=research", "invalid-parameter"),
    ("tool=eye%00scan", "invalid-parameter"),
])
def test_a_bad_filter_is_a_400_with_its_own_stable_type(client, api_headers, register, query, slug):
    response = client.get(URL.format(UNSEEN) + "?" + query, headers=api_headers)
    assert response.status_code == 400
    assert response.get_json()["type"] == f"https://ai-choices.nhs.example/problems/{slug}"


def test_every_read_is_one_audit_event_the_patient_can_see(app, client, api_headers, register):
    patient = _patient(app)
    client.get(URL.format(patient.nhs_number), headers=api_headers)
    with app.app_context():
        events = list_events_for_patient(db.session, patient.id)
    [event] = events
    assert event.actor_kind == "api-client" and event.action == "decisions.read"
    assert event.details["endpoint"] == "/api/v1/patients/<nhs_number>/ai-decisions"
    assert event.details["organisation"] == "RH5"
    assert patient.nhs_number not in str(event.details)


def test_no_nhs_number_reaches_any_log_line(app, client, api_headers, register, caplog):
    number = next_nhs_number()
    _patient(app, nhs_number=number)
    spaced = f"{number[:3]} {number[3:6]} {number[6:]}"
    with caplog.at_level(logging.DEBUG):
        for path in (URL.format(number), URL.format(spaced), URL.format(number[:9] + "0"),
                     URL.format(number) + "?tool=nope"):
            client.get(path, headers=api_headers)
        client.get(URL.format(number))
    assert any(getattr(r, "route", "") == "/api/v1/patients/<nhs_number>/ai-decisions" for r in caplog.records)
    for record in caplog.records:
        line = record.getMessage() + " " + " ".join(str(v) for v in record.__dict__.values())
        assert number not in line and spaced not in line and number[:9] not in line
