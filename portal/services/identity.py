"""Who someone is once they have signed in: accounts linked to Patient records (DESIGN.md 4).

``link_verified_identity`` takes what NHS login (or a compatible provider) proved and finds or
creates the Account, links it by NHS number to the Patient (creating the Patient from the
claims when the portal has no record yet). ``account_for_code_route`` gives the details-and-code
route its Account, bound to the matched Patient. ``subjects_for`` lists whose pages a signed-in
person may see: for now only themselves; carers' authorities extend it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from portal.data import accounts as account_data
from portal.data import people
from portal.data.accounts import Account
from portal.domain.assurance import higher
from portal.domain.nhs_number import InvalidNhsNumber, NhsNumber
from portal.services import audit
from portal.services import authority as authority_service
from portal.services.audit import Actor

NHS_LOGIN = "nhs-login"
CODE_ROUTE = "code"


@dataclass(frozen=True)
class VerifiedIdentity:
    """What the identity provider proved: its ``subject`` (``sub``), the ``level`` achieved
    (from ``vot``), and the claims the portal uses. ``nhs_number`` is None when absent or
    invalid (P0 accounts)."""

    provider: str
    subject: str
    level: str
    nhs_number: NhsNumber | None
    birthdate: date | None = None
    family_name: str = ""
    given_name: str = ""
    email: str | None = None


@dataclass(frozen=True)
class Subject:
    """Someone whose pages the signed-in person may open: themselves (``authority_id`` None)
    or, later, a person they act for under an authority."""

    patient_id: uuid.UUID
    authority_id: uuid.UUID | None
    relationship: str  # self | (later) the authority's kind


def parse_nhs_number(value: object) -> NhsNumber | None:
    """The ``nhs_number`` claim as an ``NhsNumber``, or None if missing or invalid."""
    if not isinstance(value, str):
        return None
    try:
        return NhsNumber.parse(value)
    except InvalidNhsNumber:
        return None


def parse_birthdate(value: object) -> date | None:
    """The ``birthdate`` claim (``YYYY-MM-DD``) as a date, or None."""
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _patient_for(session: Session, identity: VerifiedIdentity) -> uuid.UUID | None:
    if identity.nhs_number is None:
        return None
    patient = people.get_patient_by_nhs_number(session, identity.nhs_number.value)
    if patient is None and identity.birthdate is not None:
        patient = people.upsert_patient(
            session, identity.nhs_number.value, given_name=identity.given_name[:100],
            family_name=identity.family_name[:100], date_of_birth=identity.birthdate, postcode="",
            email=identity.email, mobile=None, source=NHS_LOGIN,
        )
    return patient.id if patient is not None else None


def link_verified_identity(session: Session, identity: VerifiedIdentity, now: datetime) -> Account:
    """Find or create the Account for ``identity`` and link it to its Patient; flushes.

    An account's link follows the NHS number NHS login traced (it is authoritative); a Patient
    the portal has never seen is created from the claims (source ``nhs-login``, no postcode)."""
    account = account_data.get_account_by_subject(session, identity.provider, identity.subject)
    if account is None:
        account = account_data.add_account(session, Account(provider=identity.provider,
                                                            subject=identity.subject))
    account.patient_id = _patient_for(session, identity) or account.patient_id
    account.email = identity.email or account.email
    account.highest_level = higher(account.highest_level, identity.level)
    account.last_signed_in_at_utc = now
    session.flush()
    audit.record(session, Actor("patient", str(account.id)), "sign-in.completed",
                 patient_id=account.patient_id, details={"route": identity.provider, "level": identity.level})
    return account


def account_for_code_route(session: Session, patient_id: uuid.UUID, now: datetime) -> Account:
    """The Account of the details-and-code route for ``patient_id`` (one per patient); flushes."""
    account = account_data.get_account_by_subject(session, CODE_ROUTE, str(patient_id))
    if account is None:
        account = account_data.add_account(session, Account(provider=CODE_ROUTE, subject=str(patient_id),
                                                            patient_id=patient_id))
    account.highest_level = higher(account.highest_level, "P5")
    account.last_signed_in_at_utc = now
    session.flush()
    audit.record(session, Actor("patient", str(account.id)), "sign-in.completed",
                 patient_id=patient_id, details={"route": CODE_ROUTE, "level": "P5"})
    return account


def subjects_for(session: Session, account_id: uuid.UUID, self_patient_id: uuid.UUID | None,
                 now: datetime | None = None, *, level: str = "P9", route: str = NHS_LOGIN) -> list[Subject]:
    """Whose pages the account may open: themselves first, then each patient they may act for
    now (an active authority, with a capacity note where the basis needs one), as a
    ``Subject`` with its ``authority_id`` and ``relationship`` the authority's basis. A
    session at ``level`` through ``route`` sees only the authorities it is assured enough to
    act under (``authority.may_act_at``: P9, or the code route with the carer's identity
    checked by a verifier)."""
    subjects = []
    if self_patient_id is not None:
        subjects.append(Subject(self_patient_id, None, "self"))
    for authority in authority_service.acting_authorities(session, account_id, now or datetime.now(UTC)):
        if authority_service.may_act_at(authority, level, route):
            subjects.append(Subject(authority.patient_id, authority.id, authority.basis))
    return subjects


def describe_patient(session: Session, patient_id: uuid.UUID) -> dict[str, str] | None:
    """What a page may show to confirm whose record this is: the name and the NHS number
    masked to its last 3 digits (never in full)."""
    patient = session.get(people.Patient, patient_id)
    if patient is None:
        return None
    name = " ".join(part for part in (patient.given_name, patient.family_name) if part)
    return {"name": name, "nhs_number_masked": NhsNumber(patient.nhs_number).masked,
            "date_of_birth": patient.date_of_birth.isoformat()}
