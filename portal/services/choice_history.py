"""A patient's record of choices: the history page and the receipt (issue 5 points 2 to 4).

Every choice ever made for the patient, newest first (by sequence, never by clock time),
with who made it and how, and a mark on any choice staff voided as made in error.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

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


@dataclass(frozen=True)
class Receipt:
    """What the receipt prints: the choice, and whose record it is."""

    entry: HistoryEntry
    patient_name: str
    nhs_number: NhsNumber
    email_on_record: bool


def _entry(choice: Choice, viewer_account_id: uuid.UUID | None) -> HistoryEntry:
    tool = choice.tool
    return HistoryEntry(
        reference=choice.reference, tool_slug=tool.slug if tool else None,
        tool_name=tool.name if tool else None, tool_translations=(tool.translations or {}) if tool else {},
        purpose=Purpose(choice.purpose), decision=Decision(choice.decision),
        recorded_at=choice.recorded_at_utc, signed_at=choice.signed_at_utc,
        actor_kind=ActorKind(choice.actor_kind), channel=Channel(choice.channel),
        by_viewer=viewer_account_id is not None and choice.actor_account_id == viewer_account_id,
        voided_at=choice.voided_at_utc,
    )


def history_for_patient(session: Session, patient_id: uuid.UUID,
                        viewer_account_id: uuid.UUID | None = None) -> list[HistoryEntry]:
    """Every choice for the patient, voided ones included, newest (highest sequence) first."""
    return [_entry(choice, viewer_account_id)
            for choice in choice_data.list_choices_for_patient(session, patient_id, newest_first=True)]


def entry_for_reference(session: Session, patient_id: uuid.UUID, reference: str,
                        viewer_account_id: uuid.UUID | None = None) -> HistoryEntry:
    """The patient's choice with ``reference``; ``NotFound`` if it is not theirs."""
    return _entry(get_choice_for_patient(session, patient_id, reference), viewer_account_id)


def receipt(session: Session, patient_id: uuid.UUID, reference: str,
            viewer_account_id: uuid.UUID | None = None) -> Receipt:
    """The receipt for the patient's choice ``reference``; ``NotFound`` if not theirs."""
    entry = entry_for_reference(session, patient_id, reference, viewer_account_id)
    patient = people.get_patient(session, patient_id)
    if patient is None:
        raise NotFound("No such patient")
    return Receipt(entry, f"{patient.given_name} {patient.family_name}",
                   NhsNumber(patient.nhs_number), bool(patient.email))

