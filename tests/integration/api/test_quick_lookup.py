"""The quick path of the single lookup (issue 8 point 9) keeps every promise of points 2 and 7:
the same decision as every other read, a choice or a register change seen by the very next
request, and every read in the tamper-evident audit chain, written by the background flush
at most ``AUDIT_READ_FLUSH_MS`` later, while reads take no lock and wait for no write."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select, text, update

from portal.data.audit import AuditEvent, list_events_for_patient
from portal.data.base import utcnow
from portal.data.register import ToolPurpose
from portal.extensions import db
from portal.services import audit
from tests.factories import make_choice, make_patient, make_tool
from tests.integration.api.conftest import bearer, fetch_token, register_client

URL = "/api/v1/patients/{}/ai-decisions"


@pytest.fixture()
def quick(make_app):  # type: ignore[no-untyped-def]
    """An app whose lookups go the quick way (audit flushed every 200 ms), a token, a tool.
    ``make_app`` writes what its buffer holds and empties the tables after the test."""
    quick_app = make_app(AUDIT_READ_FLUSH_MS="200")
    with quick_app.app_context():
        tool = make_tool(db.session, "eye-scan", {"care": "opt-out", "research": "opt-in"})
        db.session.commit()
        tool_id = tool.id
    http = quick_app.test_client()
    headers = bearer(fetch_token(http, register_client(quick_app)))
    yield quick_app, http, headers, tool_id


def _events(app, action="decisions.read"):  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(select(func.count()).where(AuditEvent.action == action))


def _decision(http, headers, number, query="?tool=eye-scan&purpose=care"):  # type: ignore[no-untyped-def]
    response = http.get(URL.format(number) + query, headers=headers)
    assert response.status_code == 200, response.get_json()
    return [(d["tool"], d["purpose"], d["decision"], d["basis"]) for d in response.get_json()["decisions"]]


def test_a_choice_is_seen_by_the_very_next_lookup(quick):
    app, http, headers, tool_id = quick
    with app.app_context():
        patient = make_patient(db.session)
        db.session.commit()
    assert _decision(http, headers, patient.nhs_number) == [("eye-scan", "care", "permit", "default-opt-out")]
    with app.app_context():
        from portal.data.register import AiTool

        make_choice(db.session, patient, db.session.get(AiTool, tool_id), "care", "deny")
        db.session.commit()
    assert _decision(http, headers, patient.nhs_number) == [("eye-scan", "care", "deny", "choice")]
    with app.app_context():
        make_choice(db.session, patient, None, "research", "deny")
        db.session.commit()
    assert _decision(http, headers, patient.nhs_number, "") == [
        ("eye-scan", "care", "deny", "choice"), ("eye-scan", "research", "deny", "all-tools-choice")]


def test_a_register_change_is_seen_by_the_very_next_lookup(quick):
    app, http, headers, tool_id = quick
    assert _decision(http, headers, "9434765919") == [("eye-scan", "care", "permit", "default-opt-out")]
    with app.app_context():
        db.session.execute(update(ToolPurpose).where(ToolPurpose.tool_id == tool_id, ToolPurpose.purpose == "care")
                           .values(consent_model="opt-in"))
        db.session.commit()
    assert _decision(http, headers, "9434765919") == [("eye-scan", "care", "deny", "default-opt-in")]


def test_every_lookup_is_in_the_hash_chain_after_the_flush_in_order_with_other_events(quick):
    app, http, headers, _ = quick
    with app.app_context():
        patient = make_patient(db.session)
        db.session.commit()
    for _ in range(5):
        _decision(http, headers, patient.nhs_number)
    _decision(http, headers, "9434765919")
    http.get(f"/api/v1/patients/{patient.nhs_number}/disputes", headers=headers)  # audited synchronously
    app.extensions["portal.lookup_path"].buffer.flush()
    with app.app_context():
        events = list_events_for_patient(db.session, patient.id)
        assert audit.verify(db.session).ok
        positions = sorted(db.session.scalars(select(AuditEvent.chain_position)))
    reads = [e for e in events if e.action == "decisions.read"]
    assert len(reads) == 5 and _events(app) == 6
    assert {(e.actor_kind, e.details["endpoint"], e.details["organisation"], e.details["patient_known"])
            for e in reads} == {("api-client", "/api/v1/patients/<nhs_number>/ai-decisions", "RH5", True)}
    assert positions == list(range(1, len(positions) + 1))


def test_the_background_flush_writes_the_events_within_a_second(quick):
    app, http, headers, _ = quick
    for _ in range(3):
        _decision(http, headers, "9434765919")
    deadline = time.monotonic() + 2
    while _events(app) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _events(app) == 3
    assert app.extensions["portal.lookup_path"].buffer.pending() == 0


def test_a_lookup_takes_no_lock_and_waits_for_no_writer(quick):
    """Another transaction holds the audit chain's lock (on SQLite, the database's only write
    lock): lookups still answer at once; their events follow when the lock is released."""
    app, http, headers, _ = quick
    _decision(http, headers, "9434765919")  # the token is now known to this process
    app.extensions["portal.lookup_path"].buffer.flush()
    engine = app.extensions["portal.db"]["engine"]
    with engine.connect() as writer:  # begins: BEGIN IMMEDIATE on SQLite
        if engine.dialect.name == "postgresql":
            writer.execute(text("INSERT INTO audit_chain_heads (chain_day, position, last_hash) "
                                "VALUES (:day, 0, 'x') ON CONFLICT DO NOTHING"), {"day": utcnow().date()})
            writer.execute(text("SELECT * FROM audit_chain_heads FOR UPDATE"))
        else:
            writer.execute(text("SELECT 1"))
        started = time.monotonic()
        done = threading.Event()

        def lookups() -> None:
            for _ in range(3):
                _decision(http, headers, "9434765919")
            done.set()

        thread = threading.Thread(target=lookups)
        thread.start()
        assert done.wait(3), "a lookup waited for the writer"
        assert time.monotonic() - started < 3
        writer.rollback()
    thread.join()
    app.extensions["portal.lookup_path"].buffer.flush()
    assert _events(app) == 4


def test_a_lookup_answers_after_its_held_connection_is_cut(quick):
    """The database drops the connection the quick path holds (PostgreSQL restarted, or the
    backend killed; on SQLite the file's connection closed): the next lookup opens a new one
    and answers, instead of failing every lookup of that worker from then on."""
    app, http, headers, _ = quick
    assert _decision(http, headers, "9434765919") == [("eye-scan", "care", "permit", "default-opt-out")]
    held = app.extensions["portal.lookup_path"].reader._local.connection
    driver = held.connection.driver_connection
    engine = app.extensions["portal.db"]["engine"]
    if engine.dialect.name == "postgresql":
        backend = driver.info.backend_pid
        with engine.connect() as other:
            assert other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend}).scalar() is True
        for _ in range(50):  # the backend goes within moments
            with engine.connect() as other:
                if other.execute(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"),
                                 {"pid": backend}).scalar() == 0:
                    break
            time.sleep(0.05)
    else:
        driver.close()
    assert _decision(http, headers, "9434765919") == [("eye-scan", "care", "permit", "default-opt-out")]
    assert app.extensions["portal.lookup_path"].reader._local.connection is not held


def test_a_database_error_that_is_not_a_lost_connection_is_503_once_not_retried(quick, monkeypatch):
    """A real driver error on the quick path (here a statement the database refuses) is the
    service-unavailable problem (503), as every other database error is, and is not retried."""
    from portal.data import decision_lookup

    app, http, headers, _ = quick
    broken = decision_lookup._DriverStatement("SELECT * FROM no_such_table_here", None, ())
    calls = []

    def compiled(*args):  # type: ignore[no-untyped-def]
        calls.append(1)
        return broken

    monkeypatch.setattr(decision_lookup, "_driver_statement", compiled)
    response = http.get(URL.format("9434765919") + "?tool=eye-scan&purpose=care", headers=headers)
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["type"].endswith("/service-unavailable")
    assert len(calls) == 1
