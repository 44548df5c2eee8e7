"""What a verifier sees of a carer's request (issue 7 point 4): the person it is about, who
asked and how they signed in, the capacity note on record and every step so far.

Read-only; the decisions themselves (approve, reject, suspend, end) are in ``authority``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from portal.data import accounts as account_data
from portal.data import authorities as data
from portal.data import people
from portal.data.authorities import Authority, AuthorityEvent, CapacityNote
from portal.domain import authority as rules
from portal.services import authority as authority_service


@dataclass(frozen=True)
class QueueItem:
    authority: Authority
    patient_name: str
    asked_at: datetime


@dataclass(frozen=True)
class RequestView:
    """``carer_route`` is ``nhs-login`` or ``code`` (the details-and-code route: the carer's
    identity must be checked with the request). ``capacity_note`` is the newest note, if any."""

    authority: Authority
    patient_name: str
    patient_born: date | None
    carer_name: str
    carer_route: str
    capacity_note: CapacityNote | None
    events: list[AuthorityEvent]

    @property
    def needs_capacity_note(self) -> bool:
        return rules.needs_capacity_note(self.authority.basis)

    @property
    def has_capacity_note(self) -> bool:
        return self.capacity_note is not None and self.capacity_note.lacks_capacity


def _name(patient: people.Patient | None) -> str:
    return " ".join(p for p in (patient.given_name, patient.family_name) if p) if patient else ""


def queue(session: Session, now: datetime) -> list[QueueItem]:
    """Requests to check and authorities due for review, oldest first."""
    return [QueueItem(a, _name(people.get_patient(session, a.patient_id)), a.created_at_utc)
            for a in authority_service.queue(session, now)]


def view(session: Session, authority_id: uuid.UUID) -> RequestView:
    """Everything the request page shows; ``NotFound`` if there is no such authority."""
    authority = authority_service.get(session, authority_id)
    patient = people.get_patient(session, authority.patient_id)
    account = account_data.get_account(session, authority.account_id)
    carer = people.get_patient(session, account.patient_id) if account and account.patient_id else None
    return RequestView(
        authority=authority, patient_name=_name(patient), patient_born=patient.date_of_birth if patient else None,
        carer_name=_name(carer), carer_route=account.provider if account else "",
        capacity_note=data.get_latest_capacity_note(session, authority.patient_id),
        events=list(data.list_authority_events(session, authority.id)))


def representative(session: Session, authority_id: uuid.UUID | None) -> tuple[str, str] | None:
    """(name, basis) of the carer who acted under ``authority_id``, for "Made by <name>,
    acting for you as your attorney" (issue 7 point 5); None without an authority or a name."""
    authority = data.get_authority(session, authority_id) if authority_id else None
    account = account_data.get_account(session, authority.account_id) if authority else None
    carer = people.get_patient(session, account.patient_id) if account and account.patient_id else None
    name = _name(carer)
    return (name, authority.basis) if authority and name else None
