"""The OpenAPI 3.1 document describes every /api/v1 route, and schemathesis finds no server
error and no response that breaks it (issue 8 point 8).

Checks run: not_a_server_error, status_code_conformance, content_type_conformance,
response_headers_conformance, response_schema_conformance. Not positive_data_acceptance: an
NHS number that matches the documented pattern can still fail its modulus 11 check digit,
which a JSON Schema cannot express, so a 400 there is right.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from portal import create_app
from portal.data import people
from portal.data.disputes import Dispute
from portal.extensions import db
from tests.conftest import dispose, make_test_config, truncate_all
from tests.factories import make_choice, make_patient, make_tool
from tests.integration.api.conftest import bearer, fetch_token, register_client

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
KNOWN_NUMBERS: list[str] = []


def _csv_bodies() -> st.SearchStrategy[bytes]:
    numbers = st.one_of(st.just("9434765919"), st.sampled_from(KNOWN_NUMBERS or ["9434765919"]),
                        st.text(alphabet="0123456789 -x,\"=", max_size=14))
    return st.lists(numbers, max_size=20).map(lambda rows: "\n".join(["nhs_number", *rows]).encode())


schemathesis.openapi.media_type("text/csv", st.deferred(_csv_bodies))


def _a_dispute(patient, tool) -> None:  # type: ignore[no-untyped-def]
    """One closed dispute, so the disputes endpoint answers with every field filled."""
    db.session.add(Dispute(
        reference="AID-FUZZ-0001", submission_key="f" * 64, patient_id=patient.id, kind="dispute", tool_id=tool.id,
        why="Words", outcomes_wanted=[], contact_preference="portal", status="upheld", nation="england",
        received_on=date(2026, 11, 2), acknowledge_due_on=date(2026, 11, 5), decide_due_on=date(2026, 11, 30),
        closed_at_utc=datetime(2026, 11, 20, 12, tzinfo=UTC)))


@pytest.fixture(scope="module")
def fuzz_app(database_url):  # type: ignore[no-untyped-def]
    app = create_app(make_test_config(database_url, API_RATE_LIMIT="1000000 per minute",
                                      API_TOKEN_RATE_LIMIT="1000000 per minute"))
    with app.app_context():
        people.upsert_organisation(db.session, "RH5", "Somerset NHS Foundation Trust", "england")
        tool = make_tool(db.session, "eye-scan", {"care": "opt-out", "research": "opt-in"})
        make_tool(db.session, "letters", {"care": "no-choice"})
        for decision in ("deny", "permit"):
            patient = make_patient(db.session)
            make_choice(db.session, patient, tool, "care", decision)
            KNOWN_NUMBERS.append(patient.nhs_number)
        make_choice(db.session, patient, None, "research", "deny")
        _a_dispute(patient, tool)
        db.session.commit()
    made = register_client(app)
    app.config["TEST_BEARER"] = bearer(fetch_token(app.test_client(), made))
    yield app
    truncate_all(app)
    dispose(app)


@pytest.fixture(scope="module")
def openapi_schema(fuzz_app):  # type: ignore[no-untyped-def]
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzz_app)


OPERATIONS = ["GET /api/v1/patients/{nhs_number}/ai-decisions", "POST /api/v1/ai-decision-checks",
              "GET /api/v1/ai-decision-changes", "POST /api/v1/ai-use-events",
              "GET /api/v1/patients/{nhs_number}/disputes"]  # the document itself: below


@pytest.mark.parametrize("label", OPERATIONS)
def test_every_operation_answers_within_its_documented_schema(fuzz_app, openapi_schema, label):  # type: ignore[no-untyped-def]
    [operation] = [result.ok() for result in openapi_schema.get_all_operations() if result.ok().label == label]

    @given(case=operation.as_strategy())
    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(case):  # type: ignore[no-untyped-def]
        case.call_and_validate(headers=fuzz_app.config["TEST_BEARER"], checks=CHECKS)

    run()


def test_every_api_v1_route_is_in_the_document(app, client):
    documented = set(client.get("/api/v1/openapi.json").get_json()["paths"])
    routes = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/v1/")}
    assert routes == documented


def test_the_document_is_openapi_3_1_with_strict_response_schemas(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    objects = [s for s in document["components"]["schemas"].values() if s.get("type") == "object"]
    assert objects and all(s["additionalProperties"] is False and s["required"] for s in objects)
