"""Audit events of reads written many at a time (issue 8 point 9) are the same hash chain as
events written one by one: ``verify`` cannot tell them apart, a day boundary splits them into
the right chains, an edit is still found, and a full buffer is written by the reader itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from portal.data import audit as audit_data
from portal.data.audit import AuditChainHead, AuditEvent, PendingEvent
from portal.extensions import db
from portal.services import audit
from portal.services.audit import Actor, ReadAuditBuffer
from tests.factories import make_patient

CLIENT = Actor("api-client", "client-1")


def _pending(at: datetime, patient_id=None, n: int = 1) -> list[PendingEvent]:  # type: ignore[no-untyped-def]
    return [PendingEvent(at + timedelta(microseconds=i), CLIENT.kind, CLIENT.id, "decisions.read", patient_id,
                         {"endpoint": "/api/v1/patients/<nhs_number>/ai-decisions", "organisation": "RH5"})
            for i in range(n)]


def test_events_appended_together_and_one_by_one_make_one_chain_that_verifies(db_session):
    patient = make_patient(db_session)
    audit.record(db_session, CLIENT, "decisions.read", patient_id=patient.id)
    audit_data.append_events(db_session, _pending(datetime.now(UTC), patient.id, 4))
    audit.record(db_session, CLIENT, "dispute.raised", patient_id=patient.id)
    db_session.commit()
    result = audit.verify(db_session)
    assert result.ok and result.events_checked == 6
    positions = list(db_session.scalars(select(AuditEvent.chain_position).order_by(AuditEvent.chain_position)))
    assert positions == [1, 2, 3, 4, 5, 6]


def test_events_written_through_the_driver_read_back_as_they_were_given(db_session):
    # The flush writes with COPY (PostgreSQL) or the driver's executemany (SQLite), through
    # SQLAlchemy's bind processors: the ORM must read back the very values, or the patient's
    # history and the hash chain would be wrong.
    patient = make_patient(db_session)
    at = datetime(2026, 11, 30, 13, 5, 7, 123456, tzinfo=UTC)
    details = {"endpoint": "/api/v1/patients/<nhs_number>/ai-decisions", "organisation": "RH5",
               "client_name": "Ward \u00e9 \"EPR\"\ttab\\slash", "patient_known": True, "tool": None}
    audit_data.append_events(db_session, [PendingEvent(at, CLIENT.kind, CLIENT.id, "decisions.read", patient.id, details),
                                          PendingEvent(at, CLIENT.kind, None, "decisions.read", None, {})])
    db_session.commit()
    db_session.expire_all()
    first, second = db_session.scalars(select(AuditEvent).order_by(AuditEvent.chain_position))
    assert (first.occurred_at_utc, first.patient_id, first.actor_id, first.details) == (at, patient.id, CLIENT.id, details)
    assert (second.patient_id, second.actor_id, second.details, second.patients_digest) == (None, None, {}, None)
    assert audit.verify(db_session).ok


def test_events_either_side_of_midnight_go_to_their_own_days_chains(db_session):
    midnight = datetime(2026, 3, 29, tzinfo=UTC)
    audit_data.append_events(db_session, [*_pending(midnight - timedelta(seconds=1), n=2),
                                          *_pending(midnight + timedelta(seconds=1), n=3)])
    db_session.commit()
    heads = {head.chain_day: head.position for head in db_session.scalars(select(AuditChainHead))}
    assert heads == {midnight.date() - timedelta(days=1): 2, midnight.date(): 3}
    assert audit.verify(db_session).ok


def test_an_edit_to_an_event_written_in_a_group_is_found(db_session):
    audit_data.append_events(db_session, _pending(datetime.now(UTC), n=3))
    db_session.commit()
    second = db_session.scalar(select(AuditEvent).where(AuditEvent.chain_position == 2))
    db_session.execute(update(AuditEvent).where(AuditEvent.id == second.id).values(actor_id="someone-else"))
    db_session.commit()
    db_session.expire_all()
    result = audit.verify(db_session)
    assert not result.ok and result.broken_position == 2


def test_a_full_buffer_is_written_by_the_reader_so_memory_stays_bounded(app, db_session):
    buffer = ReadAuditBuffer(db.engine, flush_seconds=3600, max_pending=3)
    for _ in range(2):
        buffer.record(CLIENT, "decisions.read", details={"endpoint": "x"})
    assert buffer.pending() == 2
    buffer.record(CLIENT, "decisions.read", details={"endpoint": "x"})
    assert buffer.pending() == 0
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)) == 3
    assert audit.verify(db_session).ok


def test_when_the_trail_cannot_be_written_reads_are_refused_not_left_unrecorded(app, db_session, monkeypatch):
    import pytest

    buffer = ReadAuditBuffer(db.engine, flush_seconds=3600, max_pending=2)

    def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("database refused the write")

    monkeypatch.setattr(audit_data, "append_events", broken)
    buffer.record(CLIENT, "decisions.read", details={"endpoint": "x"})
    with pytest.raises(audit.AuditUnavailable):
        buffer.record(CLIENT, "decisions.read", details={"endpoint": "x"})
    assert buffer.pending() == 2  # kept, written by the next flush that works
    monkeypatch.undo()
    assert buffer.flush() == 2 and audit.verify(db_session).ok
