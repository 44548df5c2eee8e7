"""The register as public JSON and as FHIR R4 Devices (issue 3 point 6)."""

from __future__ import annotations

import json

import pytest
from fhir.resources.R4B.device import Device
from fhir.resources.R4B.operationoutcome import OperationOutcome

from portal.api.fhir_device import SLUG_SYSTEM, device_reference
from portal.extensions import db
from portal.services.register import get_tool, import_register_text
from tests.register_files import as_yaml, small_register

SUMMARY_KEYS = {"slug", "name", "product_name", "version", "supplier", "category", "phase", "phase_since",
                "jurisdictions", "offers_choice", "purposes", "deployments", "review_status", "last_updated",
                "retired_at", "content_hash", "links"}
DETAIL_KEYS = SUMMARY_KEYS | {"summary", "how_it_works", "data_used", "human_oversight", "limitations",
                              "groups_less_well", "monitoring", "regulatory_status", "contact",
                              "no_choice_here_reason", "evidence", "sources", "review", "translations"}


def import_small(app, data=None) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        import_register_text(db.session, as_yaml(data or small_register()))
        db.session.commit()


@pytest.mark.usefixtures("shipped_register")
def test_the_register_list_is_public_json_with_a_stable_shape(client):
    response = client.get("/api/v1/ai-tools")
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert body["count"] == 11 == len(body["tools"])
    assert all(set(tool) == SUMMARY_KEYS for tool in body["tools"])
    somerset = next(tool for tool in body["tools"] if tool["slug"] == "somerset-chest-xray-triage")
    assert somerset["purposes"] == [{"purpose": "care", "consent_model": "opt-out", "terms_version": 1},
                                    {"purpose": "improvement", "consent_model": "opt-out", "terms_version": 1}]
    assert somerset["deployments"] == [{"ods_code": "RH5", "organisation": "Somerset NHS Foundation Trust",
                                        "services": ["Radiology: chest X-rays"]}]
    assert somerset["links"] == {
        "self": "http://localhost/api/v1/ai-tools/somerset-chest-xray-triage",
        "page": "http://localhost/ai-tools/somerset-chest-xray-triage",
        "fhir_device": "http://localhost/fhir/r4/Device/somerset-chest-xray-triage",
    }
    assert somerset["last_updated"].endswith("Z") and somerset["retired_at"] is None


@pytest.mark.usefixtures("shipped_register")
def test_one_tool_has_every_field_including_its_terms_and_evidence(client):
    body = client.get("/api/v1/ai-tools/covid-19-data-store-models").get_json()
    assert set(body) == DETAIL_KEYS
    [improvement] = body["purposes"]
    assert improvement["consent_model"] == "no-choice"
    assert improvement["no_choice_reason"].startswith("The law required this.")
    assert body["review"] == {"status": "unreviewed", "reviewed_by": None, "reviewed_on": None}
    assert body["limitations"] == "Not yet verified."


@pytest.mark.parametrize("path", ["/api/v1/ai-tools/no-such-tool", "/api/v1/ai-tools/Sleepio"])
def test_an_unknown_tool_is_a_problem_document(client, path):
    response = client.get(path)
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    body = json.loads(response.data)
    assert body == {"type": "https://ai-choices.nhs.example/problems/not-found", "title": "Not Found", "status": 404,
                    "detail": "There is no AI tool with this slug on the register."}


def test_a_retired_tool_leaves_the_list_but_still_answers_with_when(app, client):
    import_small(app)
    data = small_register()
    del data["tools"][0]
    import_small(app, data)
    assert [t["slug"] for t in client.get("/api/v1/ai-tools").get_json()["tools"]] == ["feedback-reader"]
    assert client.get("/api/v1/ai-tools/scan-reader").get_json()["retired_at"].endswith("Z")


@pytest.mark.usefixtures("shipped_register")
def test_each_tool_is_a_valid_fhir_r4_device(client):
    for slug in [t["slug"] for t in client.get("/api/v1/ai-tools").get_json()["tools"]]:
        response = client.get(f"/fhir/r4/Device/{slug}")
        assert response.status_code == 200 and response.mimetype == "application/fhir+json"
        device = Device.model_validate(json.loads(response.data))
        assert device.id == slug
        assert [(i.system, i.value) for i in device.identifier] == [(SLUG_SYSTEM, slug)]
        assert device.status == "active"


@pytest.mark.usefixtures("shipped_register")
def test_the_device_names_the_supplier_product_and_type_and_leaves_out_unverified_values(client):
    body = json.loads(client.get("/fhir/r4/Device/limbic-access").data)
    assert body["manufacturer"] == "Limbic"
    assert body["deviceName"] == [{"name": "Chatbot for referring yourself to talking therapy", "type": "user-friendly-name"},
                                  {"name": "Limbic Access", "type": "manufacturer-name"}]
    assert body["type"] == {"text": "AI software: service delivery"}
    assert "version" not in body  # the register says "Not yet verified."
    assert body["contact"] == [{"system": "url", "value": "https://limbic.ai"}]
    assert body["note"][1] == {"text": "Register entry: http://localhost/ai-tools/limbic-access"}


def test_a_device_has_its_version_and_turns_inactive_when_retired(app, client):
    import_small(app)
    assert json.loads(client.get("/fhir/r4/Device/scan-reader").data)["version"] == [{"value": "2.1"}]
    data = small_register()
    del data["tools"][0]
    import_small(app, data)
    device = Device.model_validate(json.loads(client.get("/fhir/r4/Device/scan-reader").data))
    assert device.status == "inactive"


def test_an_unknown_device_is_a_fhir_operation_outcome(client):
    response = client.get("/fhir/r4/Device/no-such-tool")
    assert response.status_code == 404 and response.mimetype == "application/fhir+json"
    outcome = OperationOutcome.model_validate(json.loads(response.data))
    assert [(issue.severity, issue.code) for issue in outcome.issue] == [("error", "not-found")]


def test_a_consent_can_name_the_tool_as_its_actor(app):
    import_small(app)
    with app.app_context():
        tool = get_tool(db.session, "scan-reader")
    assert device_reference(tool) == {"reference": "Device/scan-reader", "display": "Scan reader"}
