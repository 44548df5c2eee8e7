"""FHIR R4 Consent and CapabilityStatement (issue 8 point 4)."""

from __future__ import annotations

import json
import time
import uuid

import pytest

from portal.api import fhir_paging
from portal.data import choices as choice_data
from portal.data.audit import AuditEvent
from portal.data.base import utcnow
from portal.data.sequences import next_sequence
from portal.extensions import db
from tests.factories import make_choice, make_patient, make_tool
from tests.integration.api.fhir_checks import NHS, check_resource

SEARCH = "/fhir/r4/Consent"


@pytest.fixture()
def consents(app):  # type: ignore[no-untyped-def]
    """Six choices, one of each kind of Consent."""
    with app.app_context():
        scan = make_tool(db.session, "eye-scan", {"care": "opt-out", "research": "opt-in"})
        letters = make_tool(db.session, "letters", {"care": "opt-out"})
        patient = make_patient(db.session)
        made = {
            "replaced": make_choice(db.session, patient, scan, "care", "deny"),
            "in-force": make_choice(db.session, patient, scan, "care", "permit"),
            "all-tools": make_choice(db.session, patient, None, "research", "deny"),
            "clear": make_choice(db.session, patient, letters, "care", "clear"),
            "voided": make_choice(db.session, patient, letters, "improvement", "deny"),
            "carer": make_choice(db.session, patient, letters, "care", "deny", actor_kind="representative",
                                 authority_id=uuid.uuid4()),
        }
        choice_data.void_choice(db.session, made["voided"], staff_id=uuid.uuid4(), reason="error",
                                sequence=next_sequence(db.session), at=utcnow())
        db.session.commit()
        return {"patient": patient, **{k: str(v.id) for k, v in made.items()}, "authority": str(made["carer"].authority_id)}


def _search(client, headers, number, **params):  # type: ignore[no-untyped-def]
    response = client.get(SEARCH, query_string={"patient:identifier": f"{NHS}|{number}", **params}, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == "application/fhir+json"
    check_resource(response.get_json())
    return response.get_json()


def test_the_capability_statement_is_valid_r4_and_states_the_consent_semantics(client):
    response = client.get("/fhir/r4/metadata")
    body = response.get_json()
    assert response.status_code == 200 and response.mimetype == "application/fhir+json"
    check_resource(body)
    assert body["fhirVersion"] == "4.0.1"
    assert "National Data Opt-out's older API, where an active Consent means the patient opted out" in body["description"]
    assert [r["type"] for r in body["rest"][0]["resource"]] == ["Consent", "Device"]


def test_each_choice_is_one_consent_with_a_status_saying_whether_it_is_in_force(client, api_headers, consents):
    bundle = _search(client, api_headers, consents["patient"].nhs_number)
    by_id = {e["resource"]["id"]: e["resource"] for e in bundle["entry"]}
    assert bundle["type"] == "searchset" and bundle["total"] == 6
    status = {name: by_id[consents[name]]["status"] for name in
              ("replaced", "in-force", "all-tools", "clear", "voided", "carer")}
    assert status == {"replaced": "inactive", "in-force": "active", "all-tools": "active", "clear": "inactive",
                      "voided": "entered-in-error", "carer": "active"}
    in_force = by_id[consents["in-force"]]
    assert in_force["provision"]["type"] == "permit"
    assert in_force["provision"]["actor"][0]["reference"]["reference"] == "Device/eye-scan"
    assert in_force["provision"]["purpose"] == [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason",
                                                 "code": "TREATDS"}]
    assert in_force["performer"] == [in_force["patient"]]
    blanket = by_id[consents["all-tools"]]
    assert blanket["provision"]["type"] == "deny" and "actor" not in blanket["provision"]
    assert blanket["provision"]["purpose"][0]["code"] == "HRESCH"
    assert "type" not in by_id[consents["clear"]]["provision"]
    carer = by_id[consents["carer"]]["performer"][0]
    assert carer["type"] == "RelatedPerson" and carer["identifier"]["value"] == consents["authority"]


def test_status_and_category_filter_the_search(client, api_headers, consents):
    number = consents["patient"].nhs_number
    active = _search(client, api_headers, number, status="active")
    assert {e["resource"]["id"] for e in active["entry"]} == {consents["in-force"], consents["all-tools"], consents["carer"]}
    assert _search(client, api_headers, number, status="inactive,entered-in-error")["total"] == 3
    assert _search(client, api_headers, number, category="http://loinc.org|59284-0")["total"] == 6
    assert _search(client, api_headers, number, category="http://loinc.org|64292-6")["total"] == 0


def test_paging_links_follow_each_other_and_never_carry_the_nhs_number(client, api_headers, consents):
    number = consents["patient"].nhs_number
    page = _search(client, api_headers, number, _count="4")
    ids = [e["resource"]["id"] for e in page["entry"]]
    links = {link["relation"]: link["url"] for link in page["link"]}
    assert len(ids) == 4 and set(links) == {"self", "first", "next"}
    assert all(number not in url for url in links.values())
    following = client.get(links["next"], headers=api_headers).get_json()
    check_resource(following)
    ids += [e["resource"]["id"] for e in following["entry"]]
    assert len(ids) == 6 == len(set(ids))
    assert "next" not in {link["relation"] for link in following["link"]}


def test_post_search_keeps_the_nhs_number_out_of_the_url(client, api_headers, consents):
    response = client.post(SEARCH + "/_search", data={"patient.identifier": f"{NHS}|{consents['patient'].nhs_number}",
                                                      "_count": "10"}, headers=api_headers)
    assert response.status_code == 200 and response.get_json()["total"] == 6


def test_a_consent_is_read_by_id_and_each_read_is_audited(app, client, api_headers, consents):
    response = client.get(f"{SEARCH}/{consents['in-force']}", headers=api_headers)
    assert response.status_code == 200
    check_resource(response.get_json())
    _search(client, api_headers, consents["patient"].nhs_number)
    with app.app_context():
        events = db.session.query(AuditEvent).order_by(AuditEvent.chain_position).all()
    assert [(e.action, e.patient_id, e.details["endpoint"]) for e in events] == [
        ("consents.read", consents["patient"].id, "/fhir/r4/Consent/<consent_id>"),
        ("consents.read", consents["patient"].id, "/fhir/r4/Consent"),
    ]


def test_an_unknown_patient_has_an_empty_bundle(client, api_headers):
    assert _search(client, api_headers, "9434765919")["total"] == 0


@pytest.mark.parametrize(("path", "params", "status", "code"), [
    (SEARCH, {"patient:identifier": f"{NHS}|9434765918"}, 400, "invalid-nhs-number"),
    (SEARCH, {}, 400, "invalid-search"),
    (SEARCH, {"patient:identifier": "https://example.org/mrn|123"}, 400, "invalid-search"),
    (SEARCH, {"patient:identifier": f"{NHS}|9434765919", "status": "happy"}, 400, "invalid-search"),
    (SEARCH, {"patient:identifier": f"{NHS}|9434765919", "_count": "0"}, 400, "invalid-search"),
    (SEARCH, {"_page": "forged"}, 400, "invalid-search"),
    (SEARCH, {"_page": "gAAAAABrDTu-97zvqUF09b-gYOjFUodq2Kj2XjlwQK"}, 400, "invalid-search"),
    (SEARCH, {"_page": "\u00e9\u00e9"}, 400, "invalid-search"),
    (SEARCH + "/" + str(uuid.uuid4()), {}, 404, "not-found"),
    (SEARCH + "/not-a-uuid", {}, 404, "not-found"),
    ("/fhir/r4/Patient", {}, 404, "not-found"),
])
def test_errors_are_operation_outcomes(client, api_headers, path, params, status, code):
    response = client.get(path, query_string=params, headers=api_headers)
    body = response.get_json()
    assert response.status_code == status and response.mimetype == "application/fhir+json"
    check_resource(body)
    assert body["issue"][0]["details"]["coding"][0]["code"] == code


def test_fhir_without_a_token_is_a_401_operation_outcome(client):
    response = client.get(SEARCH, query_string={"patient:identifier": f"{NHS}|9434765919"})
    assert response.status_code == 401 and response.mimetype == "application/fhir+json"
    assert response.get_json()["issue"][0]["code"] == "login"


def test_a_genuine_page_link_older_than_an_hour_is_410_gone(app, client, api_headers):
    with app.test_request_context():
        search = {"nhs": "9434765919", "status": [], "category": [], "count": 10, "offset": 0}
        fresh = fhir_paging.seal(search)
        stale = fhir_paging._fernet().encrypt_at_time(json.dumps(search).encode(),
                                                       int(time.time()) - fhir_paging.TOKEN_TTL_SECONDS - 5).decode()
    assert client.get(SEARCH, query_string={"_page": fresh}, headers=api_headers).status_code == 200
    response = client.get(SEARCH, query_string={"_page": stale}, headers=api_headers)
    assert response.status_code == 410
    assert response.get_json()["issue"][0]["details"]["coding"][0]["code"] == "page-expired"
