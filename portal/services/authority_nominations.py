"""The patient's own say over who may act for them (issue 7 points 4 and 6; DESIGN.md
sections 3 and 4).

A request on the basis ``patient-nominated`` waits for the patient themselves, signed in at
P9, to confirm it (``confirm``) or say no (``decline``: the request is ``rejected`` with
reason ``declined-by-patient``). A verifier can approve it only after the confirmation
(``authority.approve`` refuses before): both people's identities are then verified at P9,
and a verifier still looks at every request, as for every other basis. A nomination lapses
(``ended``, ``capacity-lost``) when a capacity note says the patient cannot decide
(``authority.record_capacity_note``); the patient can end it (``authority.end_by_patient``).
A patient whose latest capacity note says they cannot decide cannot confirm one.

Every function takes the patient's own id (the signed-in person, never a subject they act
for): an authority for anyone else is ``NotFound``, the same as one that does not exist.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from portal.data import accounts as account_data
from portal.data import authorities as data
from portal.data import people
from portal.data.authorities import Authority
from portal.domain import authority as rules
from portal.domain.authority import AuthorityBasis, AuthorityReason, AuthorityState
from portal.domain.errors import DomainError, NotFound
from portal.services import authority as authority_service
from portal.services.audit import Actor


class CannotConfirm(DomainError):
    """The patient cannot confirm this nomination now: ``code`` ``lacks-capacity`` (their
    latest capacity note says they cannot decide) or ``not-waiting`` (already answered)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True)
class Representative:
    """One person who acts, or asks to act, for the patient, as the patient's page shows it.
    ``waiting_for_you``: a nomination the patient has not answered yet; ``can_end``: the
    patient may end it themselves (a nomination they confirmed that has not ended)."""

    authority: Authority
    name: str
    waiting_for_you: bool
    can_end: bool


def _holder_name(session: Session, authority: Authority) -> str:
    account = account_data.get_account(session, authority.account_id)
    holder = people.get_patient(session, account.patient_id) if account and account.patient_id else None
    return f"{holder.given_name} {holder.family_name}".strip() if holder else ""


def _waiting(authority: Authority) -> bool:
    return (authority.basis == AuthorityBasis.PATIENT_NOMINATED and authority.state == AuthorityState.REQUESTED
            and authority.patient_confirmed_at_utc is None)


def list_for_patient(session: Session, patient_id: uuid.UUID, now: datetime) -> list[Representative]:
    """Everyone who acts or asks to act for the patient now (states that are not final),
    oldest first, time rules applied. Rejected, withdrawn and ended ones are left out."""
    authority_service.apply_time_rules(session, now)
    return [Representative(authority, _holder_name(session, authority), _waiting(authority),
                           authority.basis == AuthorityBasis.PATIENT_NOMINATED and not _waiting(authority))
            for authority in data.list_authorities_for_patient(session, patient_id)
            if not rules.is_final(authority.state)]


def _nomination(session: Session, authority_id: uuid.UUID, patient_id: uuid.UUID) -> Authority:
    authority = data.get_authority(session, authority_id)
    if authority is None or authority.patient_id != patient_id or authority.basis != AuthorityBasis.PATIENT_NOMINATED:
        raise NotFound("No such request")
    return authority


def confirm(session: Session, authority_id: uuid.UUID, patient_id: uuid.UUID, account_id: uuid.UUID,
            now: datetime) -> Authority:
    """The patient confirms they asked this person to act for them. The request stays
    ``requested`` for a verifier; an event ``patient-confirmed`` is recorded and audited and
    the requester told. Raises ``NotFound`` or ``CannotConfirm``."""
    authority = _nomination(session, authority_id, patient_id)
    if not _waiting(authority):
        raise CannotConfirm("not-waiting", "You have already answered this request")
    if authority_service.lacks_capacity(session, patient_id):
        raise CannotConfirm("lacks-capacity", "A record says you cannot make this decision now")
    authority.patient_confirmed_at_utc = now
    authority_service.record_step(session, authority, AuthorityReason.PATIENT_CONFIRMED,
                                  Actor("patient", str(account_id)), now)
    return authority


def decline(session: Session, authority_id: uuid.UUID, patient_id: uuid.UUID, account_id: uuid.UUID,
            now: datetime) -> Authority:
    """The patient did not ask this person to act for them: the request is ``rejected``
    with reason ``declined-by-patient``; the requester told. Raises ``NotFound`` or
    ``CannotConfirm`` (``not-waiting``)."""
    authority = _nomination(session, authority_id, patient_id)
    if not _waiting(authority):
        raise CannotConfirm("not-waiting", "You have already answered this request")
    return authority_service.move(session, authority, AuthorityState.REJECTED, AuthorityReason.DECLINED_BY_PATIENT,
                                  Actor("patient", str(account_id)), now)
