"""Staff review of disputes (issue 6 point 5; role ``dispute-reviewer``, checked at the edge).

Each action is audited with the staff member and time, moves status only through
``portal.domain.disputes.next_status`` (``InvalidTransition`` otherwise) and tells the patient
by their contact preference with no clinical detail. The outcome has two texts: an
explanation in plain language the patient sees, and an internal note the patient never sees.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from portal.data import disputes as dispute_data
from portal.data import register as register_data
from portal.data import staff as staff_data
from portal.data.disputes import Dispute
from portal.data.people import Organisation
from portal.domain.disputes import DisputeStatus, is_closed, next_status
from portal.domain.errors import InvalidTransition, NotFound
from portal.domain.references import normalise_reference
from portal.services import audit, choice_history, decisions
from portal.services.choice_history import HistoryEntry
from portal.services.disputes import REFERENCE_PREFIX, WHY_LIMIT, InvalidDispute, add_event, move, tell_patient

REVIEWER_ROLE = "dispute-reviewer"


def _staff(staff_user_id: uuid.UUID) -> audit.Actor:
    return audit.Actor("staff", str(staff_user_id))


def get_dispute(session: Session, reference: str) -> Dispute:
    canonical = normalise_reference(reference, prefix=REFERENCE_PREFIX)
    dispute = dispute_data.get_dispute_by_reference(session, canonical) if canonical else None
    if dispute is None:
        raise NotFound("No such dispute")
    return dispute


def view(session: Session, *, reference: str, staff_user_id: uuid.UUID) -> Dispute:
    """The dispute for a reviewer; audits ``staff.patient.view`` (who looked, and when)."""
    dispute = get_dispute(session, reference)
    audit.record(session, _staff(staff_user_id), "staff.patient.view", patient_id=dispute.patient_id,
                 details={"dispute_id": str(dispute.id), "reference": dispute.reference, "page": "dispute"})
    return dispute


@dataclass(frozen=True)
class QueueFilter:
    """Staff queue filters; empty values mean "any". ``due_by``: decision due on or before."""

    status: str | None = None
    tool_id: uuid.UUID | None = None
    organisation_id: uuid.UUID | None = None
    due_by: date | None = None


def queue(session: Session, filters: QueueFilter) -> list[Dispute]:
    statuses = [filters.status] if filters.status else None
    return dispute_data.list_disputes(session, statuses=statuses, tool_id=filters.tool_id,
                                      organisation_id=filters.organisation_id, due_by=filters.due_by)


def is_overdue(dispute: Dispute, today: date) -> bool:
    """Open and past the due date for its current stage (acknowledge, then decide)."""
    if is_closed(DisputeStatus(dispute.status)):
        return False
    due = dispute.acknowledge_due_on if dispute.status == DisputeStatus.RECEIVED else dispute.decide_due_on
    return today > due


def acknowledge(session: Session, *, reference: str, staff_user_id: uuid.UUID) -> Dispute:
    dispute = get_dispute(session, reference)
    return move(session, dispute, DisputeStatus.ACKNOWLEDGED, actor=_staff(staff_user_id),
                actor_id=staff_user_id, action="dispute.acknowledged")


def start_review(session: Session, *, reference: str, staff_user_id: uuid.UUID) -> Dispute:
    dispute = get_dispute(session, reference)
    return move(session, dispute, DisputeStatus.IN_REVIEW, actor=_staff(staff_user_id),
                actor_id=staff_user_id, action="dispute.review-started")


def status_of(session: Session, *, reference: str) -> DisputeStatus:
    """The dispute's status now (``NotFound`` for an unknown reference); for saying why an
    action was refused."""
    return DisputeStatus(get_dispute(session, reference).status)


def assign_to_me(session: Session, *, reference: str, staff_user_id: uuid.UUID) -> Dispute:
    dispute = _open(session, reference)
    dispute.assigned_staff_id = staff_user_id
    audit.record(session, _staff(staff_user_id), "dispute.assigned", patient_id=dispute.patient_id,
                 details={"dispute_id": str(dispute.id), "reference": dispute.reference})
    session.flush()
    return dispute


def ask_for_information(session: Session, *, reference: str, staff_user_id: uuid.UUID, message: str) -> Dispute:
    """A question the patient sees on their status page; they are told there is an update."""
    dispute = _open(session, reference)
    text = _text(message, "message", "Enter what you need to ask")
    add_event(session, dispute, kind="message", message=text, actor_kind="staff", actor_id=staff_user_id)
    audit.record(session, _staff(staff_user_id), "dispute.information-requested", patient_id=dispute.patient_id,
                 details={"dispute_id": str(dispute.id), "reference": dispute.reference})
    tell_patient(session, dispute)
    return dispute


def record_outcome(session: Session, *, reference: str, staff_user_id: uuid.UUID, upheld: bool,
                   explanation: str, internal_note: str | None = None) -> Dispute:
    """Close an in-review dispute as upheld or not upheld (``InvalidTransition`` from any
    other state). ``explanation`` (required) is for the patient; ``internal_note`` is not."""
    dispute = get_dispute(session, reference)
    target = DisputeStatus.UPHELD if upheld else DisputeStatus.NOT_UPHELD
    next_status(DisputeStatus(dispute.status), target)  # refuse before changing anything
    dispute.outcome_explanation = _text(explanation, "explanation", "Enter an explanation for the patient")
    note = (internal_note or "").strip() or None
    dispute.internal_note = note
    if note:
        add_event(session, dispute, kind="note", message=note, actor_kind="staff",
                  actor_id=staff_user_id, visible_to_patient=False)
    return move(session, dispute, target, actor=_staff(staff_user_id), actor_id=staff_user_id,
                action="dispute.outcome-recorded")


def _open(session: Session, reference: str) -> Dispute:
    dispute = get_dispute(session, reference)
    if is_closed(DisputeStatus(dispute.status)):
        raise InvalidTransition("This request is closed")
    return dispute


def _text(value: str | None, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidDispute(field, "missing", message)
    if len(text) > WHY_LIMIT:
        raise InvalidDispute(field, "too-long", "This must be 5,000 characters or fewer")
    return text


def staff_names(session: Session, dispute: Dispute) -> dict[uuid.UUID, str]:
    """Staff id -> email address, for everyone on staff who acted on or is assigned to
    ``dispute`` (so the page can say who did what)."""
    ids = {event.actor_id for event in dispute.events if event.actor_kind == "staff" and event.actor_id}
    ids |= {dispute.assigned_staff_id} if dispute.assigned_staff_id else set()
    users = (staff_data.get_staff_user(session, staff_id) for staff_id in sorted(ids))
    return {user.id: user.email for user in users if user is not None}


def queue_options(session: Session) -> tuple[list[register_data.AiTool], list[Organisation]]:
    """(live tools, organisations that deploy one) for the queue's filters, by name."""
    return register_data.list_tools(session), register_data.list_deploying_organisations(session)


@dataclass(frozen=True)
class ToolChoices:
    """The patient's choices about the dispute's tool: what applies now per purpose
    (purpose, decision, basis) and every choice about it or about all tools, newest first."""

    current: list[tuple[str, str, str]]
    history: list[HistoryEntry]


def choices_for_tool(session: Session, patient_id: uuid.UUID, tool_slug: str) -> ToolChoices:
    decided = decisions.decisions_for_patient_id(session, patient_id)
    current = [(str(purpose), str(effective.decision), str(effective.basis))
               for (slug, purpose), effective in sorted(decided.decisions.items()) if slug == tool_slug]
    history = [entry for entry in choice_history.history_for_patient(session, patient_id)
               if entry.tool_slug in (tool_slug, None)]
    return ToolChoices(current, history)
