"""POST /api/v1/ai-decision-checks: CSV in, CSV out, streamed, audited first (issue 8 point 3)."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from portal.api import batch as batch_api
from portal.data.audit import AuditEvent, AuditEventPatient
from portal.extensions import db
from portal.services import batch_checks
from tests.factories import make_choice, make_patient, make_tool, next_nhs_number

URL = "/api/v1/ai-decision-checks?tool=eye-scan&purpose=care"
CSV = {"Content-Type": "text/csv"}


@pytest.fixture()
def people(app):  # type: ignore[no-untyped-def]
    """Three known patients (deny by choice, permit by choice, all-tools deny) and one unknown."""
    with app.app_context():
        tool = make_tool(db.session, "eye-scan", {"care": "opt-in", "research": "opt-out"})
        make_tool(db.session, "letters", {"care": "no-choice"})
        denied, permitted, blanket = (make_patient(db.session) for _ in range(3))
        make_choice(db.session, denied, tool, "care", "deny")
        make_choice(db.session, permitted, tool, "care", "permit")
        make_choice(db.session, blanket, tool, "care", "permit")
        make_choice(db.session, blanket, None, "care", "deny")
        db.session.commit()
        return {"denied": denied, "permitted": permitted, "blanket": blanket, "unknown": next_nhs_number()}


def _rows(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_each_input_row_is_answered_in_order_with_its_spreadsheet_row_number(client, api_headers, people):
    denied, permitted = people["denied"].nhs_number, people["permitted"].nhs_number
    spaced = f"{denied[:3]} {denied[3:6]} {denied[6:]}"
    body = ("\ufeffnhs_number\r\n" + denied + "\r\n\r\n" + permitted + "\n" + "123\n"
            + spaced + "\n" + denied + "\n" + people["unknown"] + ",\n" + "=HYPERLINK(1),x\n" + denied)
    response = client.post(URL, data=body.encode(), headers={**api_headers, **CSV})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert _rows(response) == [
        ["row", "nhs_number", "decision", "basis", "reason"],
        ["2", denied, "deny", "choice", ""],
        ["4", permitted, "permit", "choice", ""],
        ["5", "123", "invalid", "", "not-10-digits"],
        ["6", spaced, "deny", "choice", ""],
        ["7", denied, "deny", "choice", ""],
        ["8", people["unknown"], "deny", "default-opt-in", ""],
        ["9", "'=HYPERLINK(1)", "invalid", "", "more-than-one-column"],
        ["10", denied, "deny", "choice", ""],
    ]


def test_a_batch_answers_exactly_what_the_single_lookup_answers(client, api_headers, people):
    numbers = [people[k].nhs_number for k in ("denied", "permitted", "blanket")] + [people["unknown"]]
    batch = _rows(client.post(URL, data="\n".join(numbers), headers={**api_headers, **CSV}))[1:]
    for number, row in zip(numbers, batch, strict=True):
        single = client.get(f"/api/v1/patients/{number}/ai-decisions?tool=eye-scan&purpose=care",
                            headers=api_headers).get_json()["decisions"][0]
        assert (row[2], row[3]) == (single["decision"], single["basis"])


def test_the_audit_event_listing_the_known_patients_is_committed_before_the_first_byte(
        app, client, api_headers, people):
    numbers = [people["denied"].nhs_number, people["unknown"], people["denied"].nhs_number, people["blanket"].nhs_number]
    response = client.post(URL, data="\n".join(numbers), headers={**api_headers, **CSV}, buffered=False)
    with app.app_context():  # a separate session: sees only what was committed
        event = db.session.execute(select(AuditEvent)).scalar_one()
        listed = set(db.session.execute(select(AuditEventPatient.patient_id)).scalars())
    assert event.action == "decisions.batch-read" and event.patient_id is None
    assert event.details == {"endpoint": "/api/v1/ai-decision-checks", "organisation": "RH5", "tool": "eye-scan",
                             "purpose": "care", "rows": 4, "known_patients": 2, "client_name": "Test EPR"}
    assert listed == {people["denied"].id, people["blanket"].id}
    assert len(_rows(response)) == 5


def test_more_rows_than_allowed_is_a_413_and_nothing_is_written(app, client, api_headers, people, monkeypatch):
    monkeypatch.setattr(batch_checks, "MAX_ROWS", 3)
    response = client.post(URL, data="\n".join([people["unknown"]] * 4), headers={**api_headers, **CSV})
    assert response.status_code == 413
    assert response.get_json()["type"].endswith("/too-many-rows")
    with app.app_context():
        assert db.session.execute(select(AuditEvent)).first() is None


def test_a_body_over_the_byte_limit_is_a_413(client, api_headers, people, monkeypatch):
    monkeypatch.setattr(batch_api, "MAX_BODY_BYTES", 20)
    response = client.post(URL, data="\n".join([people["unknown"]] * 3), headers={**api_headers, **CSV})
    assert response.status_code == 413 and response.get_json()["type"].endswith("/body-too-large")


@pytest.mark.parametrize(("url", "headers", "status", "slug"), [
    (URL, {"Content-Type": "application/json"}, 415, "unsupported-media-type"),
    (URL, {"Content-Type": "text/csv; charset=latin-1"}, 415, "unsupported-media-type"),
    ("/api/v1/ai-decision-checks?purpose=care", CSV, 400, "missing-parameter"),
    ("/api/v1/ai-decision-checks?tool=eye-scan", CSV, 400, "missing-parameter"),
    ("/api/v1/ai-decision-checks?tool=nope&purpose=care", CSV, 400, "unknown-tool"),
    ("/api/v1/ai-decision-checks?tool=eye-scan&purpose=fun", CSV, 400, "unknown-purpose"),
    ("/api/v1/ai-decision-checks?tool=eye-scan&purpose=improvement", CSV, 400, "purpose-not-served"),
    (URL + "&format=xml", CSV, 400, "unknown-parameter"),
])
def test_a_bad_request_is_a_precise_problem(client, api_headers, people, url, headers, status, slug):
    response = client.post(url, data="9434765919\n", headers={**api_headers, **headers})
    assert response.status_code == status
    assert response.get_json()["type"] == f"https://ai-choices.nhs.example/problems/{slug}"


def test_a_body_that_is_not_utf8_is_refused(client, api_headers, people):
    response = client.post(URL, data=b"\xff\xfe9\x004\x00", headers={**api_headers, **CSV})
    assert response.status_code == 400 and response.get_json()["type"].endswith("/invalid-csv")


def test_an_empty_body_answers_only_the_header(client, api_headers, people):
    response = client.post(URL, data=b"", headers={**api_headers, **CSV})
    assert _rows(response) == [["row", "nhs_number", "decision", "basis", "reason"]]


def test_an_unterminated_quote_is_answered_invalid_not_taken_as_a_number(client, api_headers, people):
    denied = people["denied"].nhs_number
    body = f"nhs_number\n{denied}\n\n\"{denied}\n"
    response = client.post(URL, data=body.encode(), headers={**api_headers, **CSV})
    assert response.status_code == 200
    assert _rows(response)[1:] == [
        ["2", denied, "deny", "choice", ""],
        ["4", f"{denied} ", "invalid", "", "unterminated-quote"],
    ]


def test_a_database_error_in_a_batch_is_503_and_nothing_is_written(app, client, api_headers, people, monkeypatch):
    """The batch reads on the driver's own cursor; a database error there is still the
    service-unavailable problem (503), like any database error, and no audit is left."""
    from portal.data import patient_lookup

    monkeypatch.setattr(patient_lookup, "_BATCH_SQLITE", "SELECT * FROM no_such_table_here WHERE 1 IN ({marks})")
    monkeypatch.setattr(patient_lookup, "_BATCH_POSTGRES", "SELECT * FROM no_such_table_here")
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    response = client.post(URL, data=(people["denied"].nhs_number + "\n").encode(), headers={**api_headers, **CSV})
    assert response.status_code == 503
    assert response.get_json()["type"].endswith("/service-unavailable")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before
