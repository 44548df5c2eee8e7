"""The same draft sent many times at once, from separate connections (threads, each with its
own app context), makes one dispute and every sender gets the same reference (issue 6 point 2).
Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.data.audit import AuditEvent
from portal.data.disputes import Dispute
from portal.extensions import db
from portal.services import disputes as service
from tests.integration.choices.test_concurrency import run_together
from tests.integration.disputes.conftest import good_answers

SENDERS = 10


def test_one_draft_sent_ten_times_at_once_makes_one_dispute(app, dworld, db_session):
    key = service.save_step(db_session, dworld.account.id, dworld.patient.id, good_answers(dworld), start=True)
    patient_id, actor = dworld.patient.id, dworld.actor
    db_session.commit()

    def send(_index: int) -> str:
        dispute = service.submit(db.session, patient_id=patient_id, actor=actor, submission_key=key)
        db.session.commit()
        return dispute.reference

    references, errors = run_together(app, SENDERS, send)
    assert errors == []
    assert len(references) == SENDERS and len(set(references)) == 1
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Dispute)).scalar_one() == 1
        raised = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "dispute.raised")
        assert db.session.execute(raised).scalar_one() == 1
