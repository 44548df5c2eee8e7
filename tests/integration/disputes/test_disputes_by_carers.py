"""A carer raises a dispute for the person they act for (issue 7 point 5): the dispute records
the authority it was raised under, and the patient, signed in themselves, sees who raised it
("Made by <name>, acting for you as your attorney")."""

from __future__ import annotations

import re

from sqlalchemy import select

from portal.data.disputes import Dispute
from portal.extensions import db
from tests.factories import make_patient
from tests.helpers.auth import sign_in_as
from tests.helpers.carers import sign_in_as_carer
from tests.integration.disputes.test_dispute_pages import answer_all, start_from_event, submit


def detach(db_session, *rows):  # type: ignore[no-untyped-def]
    """Commit, keep ``rows`` readable, and hold no transaction (SQLite would stay locked)."""
    db_session.commit()
    for row in rows:
        db_session.refresh(row)
    db_session.expunge_all()
    db_session.rollback()


def test_a_carers_dispute_records_the_authority_and_the_patient_sees_who_raised_it(app, dworld, db_session):
    carer = make_patient(db_session, given_name="Gwen", family_name="Hughes")
    detach(db_session, carer, dworld.patient, dworld.event, dworld.account)
    carer_client = app.test_client()
    authority_id = sign_in_as_carer(carer_client, carer, dworld.patient)
    start_from_event(carer_client, dworld)
    answer_all(carer_client)
    response, _key = submit(carer_client)
    assert response.status_code == 302
    db_session.rollback()
    with app.app_context():
        dispute = db.session.execute(select(Dispute)).scalar_one()
        assert (dispute.patient_id, dispute.authority_id) == (dworld.patient.id, authority_id)
        assert dispute.actor_account_id is not None and dispute.actor_account_id != dworld.account.id
        reference = dispute.reference
    as_carer = carer_client.get(f"/disputes/{reference}").get_data(as_text=True)
    assert "acting for you as your attorney" not in as_carer
    db_session.rollback()  # the requests above ran in this test's app context: end its read
    patient_client = sign_in_as(app.test_client(), dworld.patient)
    seen = patient_client.get(f"/disputes/{reference}").get_data(as_text=True)
    assert "Made by Gwen Hughes, acting for you as your attorney" in re.sub(r"\s+", " ", seen)


def test_a_patients_own_dispute_names_no_carer(app, dworld, db_session):
    detach(db_session, dworld.patient, dworld.event)
    client = sign_in_as(app.test_client(), dworld.patient)
    start_from_event(client, dworld)
    answer_all(client)
    submit(client)
    db_session.rollback()
    with app.app_context():
        dispute = db.session.execute(select(Dispute)).scalar_one()
        assert dispute.authority_id is None
        reference = dispute.reference
    assert "acting for you" not in client.get(f"/disputes/{reference}").get_data(as_text=True)
