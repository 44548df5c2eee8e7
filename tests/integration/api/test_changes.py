"""GET /api/v1/ai-decision-changes: the change feed (issue 8 point 5)."""

from __future__ import annotations

import threading
import time
import uuid

import pytest

from portal.data import choices as choice_data
from portal.data.audit import AuditEvent, AuditEventPatient
from portal.data.base import utcnow
from portal.data.register import ToolPolicyChange
from portal.data.sequences import next_sequence
from portal.extensions import db
from portal.services.change_feed import encode_cursor
from tests.factories import make_choice, make_patient, make_tool

URL = "/api/v1/ai-decision-changes"


@pytest.fixture()
def history(app):  # type: ignore[no-untyped-def]
    """choice(1), all-tools choice(2), policy change(3), void of choice 1 (4)."""
    with app.app_context():
        tool = make_tool(db.session, "eye-scan", {"care": "opt-out", "research": "opt-in"})
        patient = make_patient(db.session)
        first = make_choice(db.session, patient, tool, "care", "deny")
        make_choice(db.session, patient, None, "research", "deny")
        db.session.add(ToolPolicyChange(sequence=next_sequence(db.session), tool_id=tool.id, purpose="care",
                                        consent_model="opt-in", terms_version=2, previous_consent_model="opt-out",
                                        previous_terms_version=1))
        choice_data.void_choice(db.session, first, staff_id=uuid.uuid4(), reason="error",
                                sequence=next_sequence(db.session), at=utcnow())
        db.session.commit()
        return {"patient": patient, "first": first}


def _page(client, headers, **params):  # type: ignore[no-untyped-def]
    response = client.get(URL, query_string=params, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_feed_returns_choices_voids_and_policy_changes_in_sequence_order(client, api_headers, history):
    page = _page(client, api_headers)
    assert [(c["sequence"], c["kind"]) for c in page["changes"]] == [
        (1, "choice"), (2, "choice"), (3, "tool-policy"), (4, "choice-voided")]
    first, blanket, policy, void = page["changes"]
    assert first["nhs_number"] == history["patient"].nhs_number and first["decision"] == "deny"
    assert first["choice_id"] == str(history["first"].id) and first["at"].endswith("Z")
    assert blanket["tool"] is None and blanket["decisions_now"] == [
        {"tool": "eye-scan", "purpose": "research", "decision": "deny", "basis": "all-tools-choice"}]
    assert policy == {"sequence": 3, "kind": "tool-policy", "tool": "eye-scan", "purpose": "care",
                      "consent_model": "opt-in", "terms_version": 2, "at": policy["at"]}
    assert void["choice_id"] == first["choice_id"]
    assert void["decisions_now"] == [{"tool": "eye-scan", "purpose": "care", "decision": "permit",
                                      "basis": "default-opt-out"}]
    assert page["has_more"] is False and page["next_cursor"] == encode_cursor(4)


def test_paging_with_next_cursor_returns_each_change_once(client, api_headers, history):
    seen, cursor = [], None
    for _ in range(5):
        page = _page(client, api_headers, limit=1, **({"since": cursor} if cursor else {}))
        seen += [c["sequence"] for c in page["changes"]]
        if not page["changes"]:
            assert page["next_cursor"] == cursor and page["has_more"] is False
            break
        cursor = page["next_cursor"]
    assert seen == [1, 2, 3, 4]


def test_a_page_naming_patients_is_one_audited_read_listing_them(app, client, api_headers, history):
    _page(client, api_headers)
    _page(client, api_headers, since=encode_cursor(4))  # empty: nothing revealed, nothing recorded
    with app.app_context():
        [event] = db.session.query(AuditEvent).all()
        listed = db.session.query(AuditEventPatient.patient_id).all()
    assert event.action == "decisions.feed-read" and event.details["endpoint"] == URL
    assert listed == [(history["patient"].id,)]


@pytest.mark.parametrize(("params", "slug"), [
    ({"since": "not-a-cursor"}, "invalid-cursor"),
    ({"since": "djE6LTE"}, "invalid-cursor"),
    ({"limit": "0"}, "invalid-parameter"),
    ({"limit": "1001"}, "invalid-parameter"),
    ({"limit": "ten"}, "invalid-parameter"),
    ({"after": "1"}, "unknown-parameter"),
])
def test_a_bad_cursor_or_limit_is_a_precise_problem(client, api_headers, params, slug):
    response = client.get(URL, query_string=params, headers=api_headers)
    assert response.status_code == 400 and response.get_json()["type"].endswith("/" + slug)


def test_no_change_is_skipped_when_transactions_commit_in_the_opposite_order_they_began(app, client, api_headers):
    """Transaction A takes a sequence number; B asks for the next one while A is open. B must
    wait for A (the counter row stays locked until A commits), so B can never commit first
    and a feed read between them never returns B without A."""
    if app.config["DATABASE_URL"].startswith("sqlite"):
        pytest.skip("PostgreSQL only: SQLite has one writer, so B cannot even begin while A is open")
    with app.app_context():
        tool = make_tool(db.session, "eye-scan")
        patient_a, patient_b = make_patient(db.session), make_patient(db.session)
        db.session.commit()
    a_has_number, release_a, b_numbered = threading.Event(), threading.Event(), threading.Event()
    numbers: dict[str, int] = {}

    def transaction(name: str, patient, before_commit):  # type: ignore[no-untyped-def]
        with app.app_context():
            choice = make_choice(db.session, patient, db.session.merge(tool), "care", "deny")
            numbers[name] = choice.sequence
            before_commit()
            db.session.commit()

    a = threading.Thread(target=transaction, args=("a", patient_a, lambda: (a_has_number.set(), release_a.wait(10))))
    b = threading.Thread(target=transaction, args=("b", patient_b, b_numbered.set))
    a.start()
    assert a_has_number.wait(10)
    b.start()
    time.sleep(0.5)
    assert not b_numbered.is_set(), "B took a number while A was still open"
    assert _page(client, api_headers)["changes"] == []
    release_a.set()
    a.join(10)
    b.join(10)
    assert numbers["b"] == numbers["a"] + 1
    assert [c["sequence"] for c in _page(client, api_headers)["changes"]] == [numbers["a"], numbers["b"]]
