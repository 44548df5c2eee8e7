"""Sign a carer in through the real services, with an authority made active as a verifier
would (request, capacity note where the basis needs one, approval), acting for ``patient``.

``sign_in_as_carer(client, carer, patient)`` returns the authority id. The session is a real
server-side session at ``level`` (P9 unless told) whose subject is ``patient``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from flask.testing import FlaskClient

from portal.data import authorities as authority_data
from portal.domain import authority as rules
from portal.domain.authority import AuthorityBasis
from portal.domain.nhs_number import NhsNumber
from portal.extensions import db
from portal.services import audit, sessions
from portal.services import authority as authority_service
from portal.services import authority_nominations
from portal.services.authority_requests import AuthorityRequest, request_authority
from tests.helpers.auth import TOKEN_KEY, start_session

VERIFIER = uuid.UUID(int=7)
REFERENCES = {AuthorityBasis.HEALTH_AND_WELFARE_LPA: "7000-1234-5678",
              AuthorityBasis.PROPERTY_AND_FINANCIAL_LPA: "V-ABCD-1234-EFGH"}


def make_active_authority(session: Any, account_id: uuid.UUID, carer_patient_id: uuid.UUID | None,
                          patient: Any, basis: AuthorityBasis = AuthorityBasis.HEALTH_AND_WELFARE_LPA) -> Any:
    now = datetime.now(UTC)
    if rules.needs_capacity_note(basis):
        authority_service.record_capacity_note(session, patient.id, lacks_capacity=True,
                                               assessed_by="Dr A Example, GP", assessed_on=date(2026, 1, 5),
                                               actor=audit.Actor("staff", str(VERIFIER)))
    asked = AuthorityRequest(NhsNumber(patient.nhs_number), patient.date_of_birth, patient.postcode, basis,
                             "Daughter", reference=REFERENCES.get(basis),
                             court_order_number="12345678" if basis == AuthorityBasis.PERSONAL_WELFARE_DEPUTY else None)
    authority = request_authority(session, account_id, carer_patient_id, asked, now)
    if basis == AuthorityBasis.PATIENT_NOMINATED:  # the patient confirms first
        authority_nominations.confirm(session, authority.id, patient.id, uuid.uuid4(), now)
    approval = authority_service.Approval(review_on=date(2030, 1, 1), ends_on=date(2030, 1, 1),
                                          lpa_registered=True, attorneys_act="jointly-and-severally")
    return authority_service.approve(session, authority.id, approval, VERIFIER, now)


def sign_in_as_carer(client: FlaskClient, carer: Any, patient: Any, level: str = "P9",
                     basis: AuthorityBasis = AuthorityBasis.HEALTH_AND_WELFARE_LPA) -> uuid.UUID:
    """Sign ``carer`` (a Patient row: carers are people too) in, acting for ``patient``."""
    token = start_session(client.application, carer, level)
    with client.application.app_context():
        record = sessions.find_account_session(db.session, token)
        assert record is not None
        held = [a for a in authority_data.list_authorities_for_account(db.session, record.account_id)
                if a.patient_id == patient.id and a.state == "active"]
        authority = held[0] if held else make_active_authority(db.session, record.account_id, carer.id,
                                                               patient, basis)
        sessions.act_for(record, patient.id, authority.id)
        authority_id = authority.id
        db.session.commit()
    with client.session_transaction() as cookie_session:
        cookie_session.clear()
        cookie_session[TOKEN_KEY] = token
    return authority_id
