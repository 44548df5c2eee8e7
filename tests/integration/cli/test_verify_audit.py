"""`flask portal verify-audit` reports an intact chain, an empty one, and the first broken link."""

from sqlalchemy import update

from portal.data.audit import AuditEvent
from portal.services import audit
from portal.services.audit import Actor
from tests.factories import make_patient


def _run(app):
    return app.test_cli_runner().invoke(args=["portal", "verify-audit"])


def test_on_an_empty_database_it_says_there_is_nothing_to_verify(app):
    for _ in range(2):  # verifying writes nothing, so the second run finds the trail still empty
        result = _run(app)
        assert result.exit_code == 0
        assert result.output.strip() == "The audit trail is empty: nothing to verify."


def test_an_intact_chain(app, db_session):
    patient = make_patient(db_session)
    for _ in range(3):
        audit.record(db_session, Actor("api-client", "c1"), "decisions.read", patient_id=patient.id)
    db_session.commit()
    result = _run(app)
    assert result.exit_code == 0
    assert result.output.strip() == "Audit trail intact: 3 events over 1 day(s)."


def test_an_edited_event_is_reported_where_it_is(app, db_session):
    patient = make_patient(db_session)
    events = [audit.record(db_session, Actor("api-client", "c1"), "decisions.read", patient_id=patient.id)
              for _ in range(3)]
    db_session.commit()
    db_session.execute(update(AuditEvent).where(AuditEvent.id == events[1].id).values(action="decisions.write"))
    db_session.commit()
    result = _run(app)
    assert result.exit_code == 1
    assert "at position 2: the event was changed after it was written" in result.output
