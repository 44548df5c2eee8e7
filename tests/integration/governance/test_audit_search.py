"""Auditors search the audit trail by patient, API client, staff member and time (issue 9
point 5): a POST form (no NHS number in the URL), newest first, the search itself audited."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from portal.data import audit as audit_data
from portal.data.audit import AuditEvent
from portal.data.staff import StaffUser
from portal.extensions import db
from portal.services import audit
from tests.factories import make_patient
from tests.helpers.staff import sign_in_staff
from tests.integration.auth.pages import csrf
from tests.integration.choices.pages_helpers import text_of


@pytest.fixture()
def trail(app, conflicts_world):  # type: ignore[no-untyped-def]
    with app.app_context():
        session = db.session
        other = make_patient(session)
        client = audit.Actor("api-client", "epr-client-1")
        for day, actor, action, patient in (
            (datetime(2026, 1, 5, 10, tzinfo=UTC), client, "decisions.read", conflicts_world.patient.id),
            (datetime(2026, 1, 6, 10, tzinfo=UTC), client, "decisions.read", other.id),
            (datetime(2026, 1, 7, 10, tzinfo=UTC), audit.Actor("api-client", "epr-client-2"), "decisions.read",
             conflicts_world.patient.id),
            (datetime(2026, 2, 1, 10, tzinfo=UTC), client, "decisions.batch-read", None),
        ):
            audit_data.append_event(session, actor_kind=actor.kind, actor_id=actor.id, action=action,
                                    patient_id=patient, occurred_at=day,
                                    batch_patient_ids=[conflicts_world.patient.id, other.id] if patient is None else None)
        session.commit()
    return conflicts_world


def _search(client, **fields: str) -> str:  # type: ignore[no-untyped-def]
    data = {"nhs_number": "", "client_id": "", "staff_email": "", "date_from": "", "date_to": "", **fields}
    response = client.post("/staff/audit", data={**data, "csrf_token": csrf(client, "/staff/audit")})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _actions(html: str) -> list[str]:
    return [text_of(row) for row in re.findall(r'<tr class="nhsuk-table__row app-audit-row">(.*?)</tr>', html, re.S)]


def test_search_by_patient_finds_direct_and_batch_reads_newest_first_and_is_audited(app, client, trail):
    staff_id = sign_in_staff(client, "auditor")
    rows = _actions(_search(client, nhs_number=trail.patient.nhs_number))
    assert [re.search(r" What (\S+) ", row).group(1) for row in rows] == [
        "decisions.batch-read", "decisions.read", "decisions.read"]
    assert "epr-client-2" in rows[1] and "epr-client-1" in rows[2]
    # Who, in words (portal.labels.STAFF_ACTOR_WORDS), not the stored code "api-client".
    assert "Who A clinical system epr-client-2" in rows[1] and not any("api-client" in row for row in rows)
    with app.app_context():
        searched = db.session.execute(select(AuditEvent).where(AuditEvent.action == "audit.searched")).scalar_one()
        assert (searched.actor_id, searched.patient_id) == (str(staff_id), trail.patient.id)
        assert searched.details == {"filters": ["nhs_number"], "results": 3}
        assert trail.patient.nhs_number not in str(searched.details)


def test_search_by_client_and_time(client, trail):
    sign_in_staff(client, "auditor")
    rows = _actions(_search(client, client_id="epr-client-1", date_from="2026-01-06", date_to="2026-01-31"))
    assert len(rows) == 1 and "6 January 2026" in rows[0]


def test_search_by_staff_member(app, client, trail):
    sign_in_staff(client, "auditor")
    path = f"/staff/conflicts/{trail.newer.id}"
    client.post(path, data={"finding": "Looked into it.", "csrf_token": csrf(client, path)})
    with app.app_context():
        closed = db.session.execute(select(AuditEvent).where(AuditEvent.action == "conflict.closed")).scalar_one()
        address = db.session.get(StaffUser, uuid.UUID(closed.actor_id)).email
    rows = _actions(_search(client, staff_email=address))
    assert any("conflict.closed" in row for row in rows)
    assert not any("decisions.read" in row for row in rows)


@pytest.mark.parametrize(("fields", "message"), [
    ({"nhs_number": "12345"}, "Enter a 10 digit NHS number"),
    ({"nhs_number": "9434765918"}, "This NHS number is not right. Check it and try again"),
    ({"nhs_number": "9434765919"}, "No patient with this NHS number is held here"),
    ({"staff_email": "nobody@trust.example.org"}, "No staff member has this email address"),
    ({"client_id": "c", "staff_email": "a@trust.example.org"}, "Search by an API client or a staff member, not both"),
    ({"date_from": "2026-02-02", "date_to": "2026-02-01"}, "The end date must be the same as or after the start date"),
    ({"date_from": "yesterday"}, "Enter the start date as year, month and day, for example 2026-11-30"),
    ({"date_to": "31/12/2026"}, "Enter the end date as year, month and day, for example 2026-11-30"),
    ({"date_from": "2026-02-30"}, "Enter the start date as year, month and day, for example 2026-11-30"),
])
def test_bad_searches_say_what_is_wrong_and_keep_what_was_typed(client, trail, fields, message):
    sign_in_staff(client, "auditor")
    html = _search(client, **fields)
    assert message in text_of(html) and "<title>Error: " in html
    for value in fields.values():
        assert f'value="{value}"' in html


def test_only_auditors_can_search(client, trail):
    sign_in_staff(client, "dispute-reviewer")
    assert client.get("/staff/audit").status_code == 403


@pytest.mark.parametrize(("language", "english"), [
    ("cy", "Enter the start date as year, month and day, for example 2026-11-30"),
    ("ur", "Enter the start date as year, month and day, for example 2026-11-30"),
])
def test_a_bad_date_is_explained_in_the_page_language_and_kept(client, trail, language, english):
    sign_in_staff(client, "auditor")
    client.get(f"/staff/audit?lang={language}")
    html = _search(client, date_from="yesterday", nhs_number=trail.patient.nhs_number)
    assert f'lang="{language}"' in html and "<title>" in html
    assert english not in html and "Not a valid date value" not in html
    assert 'value="yesterday"' in html and f'value="{trail.patient.nhs_number}"' in html
    assert 'id="date_from-error"' in html
