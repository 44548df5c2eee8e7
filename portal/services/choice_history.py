"""A patient's record of choices: the history page and the receipt (issue 5 points 2 to 4).

Every choice ever made for the patient, newest first (by sequence, never by clock time),
with who made it and how, and a mark on any choice staff voided as made in error.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from portal.data import accounts as account_data
from portal.data import authorities as authority_data
from portal.data import choices as choice_data
from portal.data import people
from portal.data.choices import Choice
from portal.domain.errors import NotFound
from portal.domain.nhs_number import NhsNumber
from portal.domain.values import ActorKind, Channel, Decision, Purpose
from portal.services.choices import get_choice_for_patient


@dataclass(frozen=True)
class HistoryEntry:
    """One recorded choice. ``tool_slug`` None is an all-tools choice; times are aware UTC;
    ``by_viewer`` is True when the signed-in person made it themselves (otherwise the page
    offers "Don't recognise this?")."""

    reference: str
    tool_slug: str | None
    tool_name: str | None
    tool_translations: dict[str, dict[str, str]]
    purpose: Purpose
    decision: Decision
    recorded_at: datetime
    signed_at: datetime | None
    actor_kind: ActorKind
    channel: Channel
    by_viewer: bool
    voided_at: datetime | None
    representative_name: str | None = None  # who acted, under which basis (carers)
    representative_basis: str | None = None


@dataclass(frozen=True)
class Receipt:
    """What the receipt prints: the choice, and whose record it is."""

    entry: HistoryEntry
    patient_name: str
    nhs_number: NhsNumber
    email_on_record: bool


def _representative(session: Session, choice: Choice) -> tuple[str | None, str | None]:
    """The name and basis of the carer who made ``choice`` under an authority, if any."""
    if choice.authority_id is None:
        return None, None
    authority = authority_data.get_authority(session, choice.authority_id)
    if authority is None:
        return None, None
    account = account_data.get_account(session, authority.account_id)
    person = people.get_patient(session, account.patient_id) if account and account.patient_id else None
    name = " ".join(p for p in (person.given_name, person.family_name) if p) if person else None
    return name or None, authority.basis


def _entry(choice: Choice, viewer_account_id: uuid.UUID | None, session: Session | None = None) -> HistoryEntry:
    tool = choice.tool
    name, basis = _representative(session, choice) if session is not None else (None, None)
    return HistoryEntry(
        reference=choice.reference, tool_slug=tool.slug if tool else None,
        tool_name=tool.name if tool else None, tool_translations=(tool.translations or {}) if tool else {},
        purpose=Purpose(choice.purpose), decision=Decision(choice.decision),
        recorded_at=choice.recorded_at_utc, signed_at=choice.signed_at_utc,
        actor_kind=ActorKind(choice.actor_kind), channel=Channel(choice.channel),
        by_viewer=viewer_account_id is not None and choice.actor_account_id == viewer_account_id,
        voided_at=choice.voided_at_utc, representative_name=name, representative_basis=basis,
    )


def history_for_patient(session: Session, patient_id: uuid.UUID,
                        viewer_account_id: uuid.UUID | None = None) -> list[HistoryEntry]:
    """Every choice for the patient, voided ones included, newest (highest sequence) first."""
    return [_entry(choice, viewer_account_id, session)
            for choice in choice_data.list_choices_for_patient(session, patient_id, newest_first=True)]


def entry_for_reference(session: Session, patient_id: uuid.UUID, reference: str,
                        viewer_account_id: uuid.UUID | None = None) -> HistoryEntry:
    """The patient's choice with ``reference``; ``NotFound`` if it is not theirs."""
    return _entry(get_choice_for_patient(session, patient_id, reference), viewer_account_id, session)


def receipt(session: Session, patient_id: uuid.UUID, reference: str,
            viewer_account_id: uuid.UUID | None = None) -> Receipt:
    """The receipt for the patient's choice ``reference``; ``NotFound`` if not theirs."""
    entry = entry_for_reference(session, patient_id, reference, viewer_account_id)
    patient = people.get_patient(session, patient_id)
    if patient is None:
        raise NotFound("No such patient")
    return Receipt(entry, f"{patient.given_name} {patient.family_name}",
                   NhsNumber(patient.nhs_number), bool(patient.email))

