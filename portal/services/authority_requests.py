"""Asking to act for someone (issue 7, point 3): the checks a request must pass.

``request_authority`` matches the patient by NHS number, date of birth and postcode (the
same match the details-and-code route uses), refuses acting for oneself, refuses parental
responsibility for someone 16 or older, an LPA for someone under 18 and a personal welfare
deputy for someone under 16 (``check_basis_for``), and checks the reference's shape for the basis.
Each refusal is a ``RequestRefused`` with a ``field`` (which answer to fix) and a message
fit to show; the edge keeps what was typed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from portal.data import authorities as data
from portal.data.authorities import Authority
from portal.domain import authority as rules
from portal.domain.age import age_at
from portal.domain.authority import AuthorityBasis, AuthorityState
from portal.domain.errors import DomainError
from portal.domain.nhs_number import NhsNumber
from portal.services.authority import carer_actor, record_start
from portal.data.people import Patient
from portal.services.one_time_codes import find_patient


class RequestRefused(DomainError):
    """A request the portal cannot accept. ``field`` names the answer to fix; ``code`` is one
    of ``no-match``, ``self``, ``child-16-or-over``, ``lpa-under-18``, ``deputy-under-16``, ``bad-reference``, ``bad-court-order``,
    ``already-held``, and (answers missing or malformed in a draft, ``authority_drafts``)
    ``nhs-number``, ``date-of-birth``, ``postcode``, ``no-basis``, ``no-relationship``,
    ``relationship-too-long``."""

    def __init__(self, field: str, code: str, message: str) -> None:
        super().__init__(message)
        self.field, self.code, self.message = field, code, message


@dataclass(frozen=True)
class AuthorityRequest:
    """What the requester told us. ``reference`` is the OPG reference or access code (LPAs);
    ``court_order_number`` the Court of Protection case number (deputies)."""

    nhs_number: NhsNumber
    date_of_birth: date
    postcode: str
    basis: AuthorityBasis
    relationship: str
    reference: str | None = None
    court_order_number: str | None = None
    evidence_path: str | None = None
    evidence_type: str | None = None


def match_patient(session: Session, account_id: uuid.UUID, self_patient_id: uuid.UUID | None,
                  nhs_number: NhsNumber, date_of_birth: date, postcode: str) -> Patient:
    """The Patient the details name, if the requester may ask to act for them: refuses
    ``no-match``, ``self`` and ``already-held`` (an open or active request for them)."""
    patient = find_patient(session, nhs_number, date_of_birth, postcode)
    if patient is None:
        raise RequestRefused("nhs_number", "no-match",
                             "We could not find this person. Check their NHS number, date of birth and postcode")
    if patient.id == self_patient_id:
        raise RequestRefused("nhs_number", "self", "You cannot ask to act for yourself")
    if _already_held(session, account_id, patient.id):
        raise RequestRefused("nhs_number", "already-held", "You have already asked to act for this person")
    return patient


AGE_REFUSALS = {
    "child-16-or-over": "Parental responsibility is only for a child under 16",
    "lpa-under-18": "A lasting power of attorney is only for someone aged 18 or over",
    "deputy-under-16": "A personal welfare deputy is only for someone aged 16 or over",
}
"""``RequestRefused`` codes about the person's age for the chosen basis (the answer to fix is the
basis), from ``domain.authority.age_refusal`` (which cites the law), with their messages."""


def check_basis_for(patient: Patient, basis: AuthorityBasis, now: datetime) -> None:
    """Refuse, naming ``basis``, a basis the person's age at ``now`` (Europe/London ages) rules
    out: parental responsibility 16 or over, an LPA under 18, a personal welfare deputy under 16."""
    code = rules.age_refusal(basis, age_at(patient.date_of_birth, now))
    if code is not None:
        raise RequestRefused("basis", code, AGE_REFUSALS[code])


def request_authority(session: Session, account_id: uuid.UUID, self_patient_id: uuid.UUID | None,
                      asked: AuthorityRequest, now: datetime, *, carer_identity_check_needed: bool = False,
                      submission_key: str | None = None) -> Authority:
    """Record a new request (state ``requested``), audited; raises ``RequestRefused``.

    ``carer_identity_check_needed``: the requester signed in through the details-and-code
    route, not NHS login at P9, so a verifier must check their identity before approving
    (DESIGN.md section 4). ``submission_key`` (the draft's id) makes a submit happen once."""
    patient = match_patient(session, account_id, self_patient_id, asked.nhs_number, asked.date_of_birth,
                            asked.postcode)
    check_basis_for(patient, asked.basis, now)
    reference, order = check_references(asked.basis, asked.reference, asked.court_order_number)
    authority = data.add_authority(session, Authority(
        account_id=account_id, patient_id=patient.id, basis=asked.basis.value,
        relationship_to_patient=asked.relationship.strip()[:100], state=AuthorityState.REQUESTED.value,
        reference=reference, court_order_number=order, evidence_path=asked.evidence_path,
        evidence_type=asked.evidence_type, carer_identity_check_needed=carer_identity_check_needed,
        submission_key=submission_key))
    record_start(session, authority, carer_actor(account_id), now)
    return authority


def check_references(basis: AuthorityBasis, reference_typed: str | None,
                     order_typed: str | None) -> tuple[str | None, str | None]:
    """(LPA reference, court order number) in canonical form, as the basis needs: an LPA
    needs a reference or access code of an OPG shape, a deputy a court order number; other
    bases need neither (both None). Raises ``RequestRefused`` (``bad-reference``,
    ``bad-court-order``) naming the field."""
    reference = order = None
    if rules.is_lpa(basis):
        reference = rules.normalise_lpa_reference(reference_typed or "")
        if reference is None:
            raise RequestRefused("reference", "bad-reference",
                                 "Enter the LPA reference number or access code exactly as it is shown")
    if basis is AuthorityBasis.PERSONAL_WELFARE_DEPUTY:
        order = rules.normalise_court_order_number(order_typed or "")
        if order is None:
            raise RequestRefused("court_order_number", "bad-court-order",
                                 "Enter the court order number exactly as it is shown, like 12345678")
    return reference, order


def _already_held(session: Session, account_id: uuid.UUID, patient_id: uuid.UUID) -> bool:
    return any(a.patient_id == patient_id and not rules.is_final(a.state)
               for a in data.list_authorities_for_account(session, account_id))
