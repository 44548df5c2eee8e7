"""The back office's view of one patient's choices, and voiding a choice made in error
(issue 5 point 3; DESIGN.md section 3, Choice: "staff may void a choice made in error").

Role ``admin`` only (the pages say so; ``choices.void_choice`` checks it again). Staff find
the patient by NHS number (posted, never in a URL); every look at the patient's choices is
an audited staff view (``staff.patient.view``), which the patient sees on "Who checked your
choices". Voiding keeps the choice in the history, marked void with the reason, and the
decision falls back to what the rule gives without it (``services/decisions.py``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from portal.data import choices as choice_data
from portal.data import people
from portal.data.choices import Choice
from portal.domain import EffectiveDecision
from portal.domain.errors import NotFound
from portal.domain.nhs_number import NhsNumber
from portal.domain.values import ActorKind, Channel, Decision, Purpose
from portal.services import audit, choices, decisions

VIEW_ACTION = "staff.patient.view"
VIEW_PAGE = "choices"


@dataclass(frozen=True)
class StaffChoice:
    """One recorded choice as staff see it. ``tool_slug`` None is an all-tools choice;
    times are aware UTC; ``void_reason`` is what the admin who voided it wrote."""

    id: uuid.UUID
    reference: str
    sequence: int
    tool_slug: str | None
    tool_name: str | None
    purpose: Purpose
    decision: Decision
    recorded_at: datetime
    actor_kind: ActorKind
    channel: Channel
    voided_at: datetime | None
    void_reason: str | None


@dataclass(frozen=True)
class PatientChoices:
    """Whose record it is (shown to staff so they can check it is the right person) and
    every choice made for them, newest first (by sequence)."""

    patient_id: uuid.UUID
    name: str
    nhs_number: NhsNumber
    date_of_birth: date
    choices: list[StaffChoice]


@dataclass(frozen=True)
class VoidOutcome:
    """The choice now void, and what applies now for its tool and purpose (None for an
    all-tools choice, which can change several tools)."""

    choice: StaffChoice
    applies_now: EffectiveDecision | None


def find_patient(session: Session, nhs_number: str) -> uuid.UUID:
    """The id of the patient with this NHS number (spaces allowed). Raises
    ``InvalidNhsNumber`` (with a message for staff) or ``NotFound``."""
    number = NhsNumber.parse(nhs_number)
    patient = people.get_patient_by_nhs_number(session, number.value)
    if patient is None:
        raise NotFound("patient")
    return patient.id


def patient_choices(session: Session, patient_id: uuid.UUID, staff_user_id: uuid.UUID) -> PatientChoices:
    """The patient and every choice made for them, newest first; audited as a staff view
    in the caller's transaction. Raises ``NotFound``."""
    patient = people.get_patient(session, patient_id)
    if patient is None:
        raise NotFound("patient")
    audit.record(session, audit.Actor("staff", str(staff_user_id)), VIEW_ACTION, patient_id=patient_id,
                 details={"page": VIEW_PAGE})
    rows = choice_data.list_choices_for_patient(session, patient_id, newest_first=True)
    return PatientChoices(patient.id, f"{patient.given_name} {patient.family_name}",
                          NhsNumber(patient.nhs_number), patient.date_of_birth, [_view(c) for c in rows])


def get_patient_choice(session: Session, patient_id: uuid.UUID, choice_id: uuid.UUID) -> StaffChoice:
    """The choice if it is this patient's; ``NotFound`` otherwise (the same answer whether
    it belongs to someone else or does not exist)."""
    return _view(_patients_choice(session, patient_id, choice_id))


def void_patient_choice(session: Session, *, patient_id: uuid.UUID, choice_id: uuid.UUID,
                        staff_user_id: uuid.UUID, staff_roles: tuple[str, ...], reason: str) -> VoidOutcome:
    """Void the patient's choice (see ``choices.void_choice``: ``NotPermitted`` without role
    ``admin``, ``InvalidTransition`` for a blank reason or a choice already void) and say
    what applies now. Raises ``NotFound`` when the choice is not this patient's. Flushes;
    the caller commits."""
    choice = _patients_choice(session, patient_id, choice_id)
    choices.void_choice(session, choice_id=choice.id, staff_user_id=staff_user_id,
                        staff_roles=staff_roles, reason=reason)
    return _outcome(session, choice)


def voided_outcome(session: Session, patient_id: uuid.UUID, choice_id: uuid.UUID) -> VoidOutcome:
    """The patient's void choice and what applies now; ``NotFound`` if it is not this
    patient's or not void."""
    choice = _patients_choice(session, patient_id, choice_id)
    if choice.voided_at_utc is None:
        raise NotFound("choice")
    return _outcome(session, choice)


def _outcome(session: Session, choice: Choice) -> VoidOutcome:
    applies_now = None
    if choice.tool is not None:
        key = (choice.tool.slug, Purpose(choice.purpose))
        policies = decisions.filter_policies(decisions.load_policies(session), *key)
        applies_now = decisions.decisions_for_patient_id(session, choice.patient_id, policies).decisions.get(key)
    return VoidOutcome(_view(choice), applies_now)


def _patients_choice(session: Session, patient_id: uuid.UUID, choice_id: uuid.UUID) -> Choice:
    choice = choice_data.get_choice(session, choice_id)
    if choice is None or choice.patient_id != patient_id:
        raise NotFound("choice")
    return choice


def _view(choice: Choice) -> StaffChoice:
    tool = choice.tool
    return StaffChoice(
        id=choice.id, reference=choice.reference, sequence=choice.sequence,
        tool_slug=tool.slug if tool else None, tool_name=tool.name if tool else None,
        purpose=Purpose(choice.purpose), decision=Decision(choice.decision), recorded_at=choice.recorded_at_utc,
        actor_kind=ActorKind(choice.actor_kind), channel=Channel(choice.channel),
        voided_at=choice.voided_at_utc, void_reason=choice.void_reason,
    )
