"""The audit trail is tamper-evident: a clean chain verifies; any edit is found where it is."""

import threading

from sqlalchemy import select, text, update

from portal.data.audit import AuditEvent
from portal.extensions import db
from portal.services import audit
from portal.services.audit import Actor
from tests.factories import make_patient

CLIENT = Actor("api-client", "client-1")


def test_an_empty_trail_verifies(db_session):
    result = audit.verify(db_session)
    assert result.ok and result.events_checked == 0


def test_a_clean_chain_verifies(db_session):
    patient = make_patient(db_session)
    for _ in range(5):
        audit.record(db_session, CLIENT, "decisions.read", patient_id=patient.id, details={"endpoint": "single"})
    audit.record(db_session, CLIENT, "decisions.batch-read", batch_patient_ids=[patient.id])
    db_session.commit()
    result = audit.verify(db_session)
    assert result.ok and result.events_checked == 6


def test_an_edited_event_breaks_the_chain_at_that_event(db_session):
    patient = make_patient(db_session)
    events = [audit.record(db_session, CLIENT, "decisions.read", patient_id=patient.id) for _ in range(4)]
    db_session.commit()
    db_session.execute(update(AuditEvent).where(AuditEvent.id == events[2].id)
                       .values(actor_id="someone-else"))
    db_session.commit()
    db_session.expire_all()
    result = audit.verify(db_session)
    assert not result.ok
    assert result.broken_position == 3
    assert result.problem == "the event was changed after it was written"


def test_a_deleted_event_is_found(db_session):
    patient = make_patient(db_session)
    events = [audit.record(db_session, CLIENT, "decisions.read", patient_id=patient.id) for _ in range(3)]
    db_session.commit()
    db_session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": events[1].id.hex if db.engine.dialect.name == "sqlite" else events[1].id})
    db_session.commit()
    result = audit.verify(db_session)
    assert not result.ok and result.broken_position == 3


def test_a_batch_listed_as_text_is_stored_found_by_patient_and_verifies(db_session):
    from portal.data.audit import list_events_for_patient

    patients = [make_patient(db_session) for _ in range(3)]
    audit.record(db_session, CLIENT, "decisions.batch-read", batch_patient_ids=[str(p.id) for p in patients])
    db_session.flush()
    for patient in patients:
        assert [e.action for e in list_events_for_patient(db_session, patient.id)] == ["decisions.batch-read"]
    assert audit.verify(db_session).ok


def test_a_patient_removed_from_a_batch_is_found(db_session):
    first, second = make_patient(db_session), make_patient(db_session)
    audit.record(db_session, CLIENT, "decisions.batch-read", batch_patient_ids=[first.id, second.id])
    db_session.commit()
    db_session.execute(text("DELETE FROM audit_event_patients WHERE patient_id = :id"),
                       {"id": second.id.hex if db.engine.dialect.name == "sqlite" else second.id})
    db_session.commit()
    result = audit.verify(db_session)
    assert result.problem == "the list of patients in this batch was changed"


def test_concurrent_writers_from_separate_connections_never_fork_the_chain(app):
    with app.app_context():
        patient_id = make_patient(db.session).id
        db.session.commit()
    errors = []

    def write() -> None:
        try:
            with app.app_context():
                for _ in range(5):
                    audit.record(db.session, CLIENT, "decisions.read", patient_id=patient_id)
                    db.session.commit()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=write) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        result = audit.verify(db.session)
        positions = db.session.execute(select(AuditEvent.chain_position).order_by(AuditEvent.chain_position)).scalars().all()
    assert result.ok and result.events_checked == 30
    assert positions == list(range(1, 31))


def test_the_batch_digest_is_the_documented_one_for_a_list_longer_than_a_chunk():
    """SHA-256 over the sorted ids as text, one per line: events already written verify the
    same after the digest was made quicker (sorted by value once, hashed in chunks)."""
    import hashlib
    import uuid

    from portal.data.audit import digest_patients

    ids = [uuid.uuid4() for _ in range(25_001)]
    documented = hashlib.sha256("".join(f"{text}\n" for text in sorted(str(i) for i in ids)).encode()).hexdigest()
    assert digest_patients(ids) == documented
    assert digest_patients(sorted(ids, key=lambda i: i.int), in_order=True) == documented
    assert digest_patients([str(i) for i in ids]) == documented  # a batch gives the ids as text
