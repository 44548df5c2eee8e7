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


ASK = "/act-for-someone/ask"


def _token(client: FlaskClient, path: str) -> str:
    import re

    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert found, path
    return found.group(1)


def ask_in_pages(client: FlaskClient, patient: Any, *, basis: str = "health-and-welfare-lpa",
                 reference: str = "7000-1234-5678", relationship: str = "Daughter",
                 upload: tuple[bytes, str] | None = None) -> str:
    """Ask to act for ``patient`` through every question page and send it, as a signed-in
    carer would; returns the "request sent" page's path."""
    import io
    import re

    answers = {
        "their-details": {"nhs_number": patient.nhs_number, "date_of_birth-day": str(patient.date_of_birth.day),
                          "date_of_birth-month": str(patient.date_of_birth.month),
                          "date_of_birth-year": str(patient.date_of_birth.year), "postcode": patient.postcode},
        "legal-basis": {"basis": basis}, "relationship": {"relationship": relationship},
        "reference": {"court_order_number" if basis == "personal-welfare-deputy" else "reference": reference},
    }
    step = "their-details"
    while step != "check":
        path = f"{ASK}/{step}"
        data: dict[str, Any] = {"csrf_token": _token(client, path), **answers.get(step, {})}
        options: dict[str, Any] = {}
        if step == "evidence":
            options["content_type"] = "multipart/form-data"
            if upload:
                data["evidence"] = (io.BytesIO(upload[0]), upload[1])
        response = client.post(path, data=data, **options)
        assert response.status_code == 302, (step, response.get_data(as_text=True)[:2000])
        step = response.headers["Location"].split("?")[0].rsplit("/", 1)[-1]
    page = client.get(f"{ASK}/check").get_data(as_text=True)
    key = re.search(r'name="submission_key"[^>]*value="([^"]+)"', page)
    assert key, page[:2000]
    sent = client.post(f"{ASK}/check", data={"csrf_token": _token(client, f"{ASK}/check"),
                                             "submission_key": key.group(1)})
    assert sent.status_code == 302
    return str(sent.headers["Location"])


def sign_in_with_code(client: FlaskClient, patient: Any) -> FlaskClient:
    """Sign ``patient`` in through the details-and-code route's real services (its account and
    a P5 session of route ``code``, bound to ``patient``), as a correct code would."""
    from portal.services import identity

    with client.application.app_context():
        now = datetime.now(UTC)
        account = identity.account_for_code_route(db.session, patient.id, now)
        token, _record = sessions.start_account_session(
            db.session, account_id=account.id, level="P5", route=identity.CODE_ROUTE, self_patient_id=patient.id,
            subject_patient_id=patient.id, now=now)
        db.session.commit()
    with client.session_transaction() as cookie_session:
        cookie_session.clear()
        cookie_session[TOKEN_KEY] = token
    return client
