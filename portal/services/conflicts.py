"""AI used against a patient's wishes (issue 9 point 6): the auditors' queue.

A clinical system's AI-use report for a patient whose decision was ``deny`` at the time is
accepted and flagged ``conflict`` with ``conflict_status="open"`` (DESIGN.md section 3:
AiUseEvent). Staff with role ``auditor`` record what they found and did, in plain words the
patient reads on their timeline, and close it. Closing is audited (``conflict.closed``) and
happens once: a second close of the same report raises ``InvalidTransition``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from portal.data import ai_use as ai_use_data
from portal.data.ai_use import AiUseEvent
from portal.domain.errors import InvalidTransition, NotFound
from portal.services import audit

MAX_FINDING_LENGTH = 2000
SMALL_NUMBER = 5  # counts below this are shown as "fewer than 5" (no small-number disclosure)


@dataclass(frozen=True)
class ConflictItem:
    """One report of AI used although the patient had said no, as staff see it."""

    id: uuid.UUID
    reported_at: datetime
    used_at: datetime
    tool_name: str
    tool_slug: str
    organisation_name: str
    service: str | None
    purpose: str
    decision_at_time: str
    basis_at_time: str
    summary: str
    status: str
    finding: str | None
    closed_at: datetime | None
    patient_id: uuid.UUID | None = None


@dataclass(frozen=True)
class ToolConflictCounts:
    """Conflicts reported for one tool, open and closed."""

    open: int
    closed: int

    @property
    def total(self) -> int:
        return self.open + self.closed


def _item(event: AiUseEvent) -> ConflictItem:
    return ConflictItem(
        id=event.id, reported_at=event.created_at_utc, used_at=event.used_at_utc, tool_name=event.tool.name,
        tool_slug=event.tool.slug, organisation_name=event.organisation.name, service=event.service,
        purpose=event.purpose, decision_at_time=event.decision_at_time, basis_at_time=event.basis_at_time,
        summary=event.plain_summary, status=event.conflict_status or "open", finding=event.conflict_finding,
        closed_at=event.conflict_closed_at_utc, patient_id=event.patient_id,
    )


def list_conflicts(session: Session, status: str | None = "open") -> list[ConflictItem]:
    """Conflicts newest report first; ``status`` open, closed or None (all)."""
    return [_item(event) for event in ai_use_data.list_conflicts(session, status)]


def get_conflict(session: Session, event_id: uuid.UUID) -> ConflictItem:
    """One conflict. Raises ``NotFound`` when there is no such report or it is no conflict."""
    event = ai_use_data.get_ai_use_event(session, event_id)
    if event is None or not event.conflict:
        raise NotFound("no such conflict")
    return _item(event)


def view_conflict(session: Session, event_id: uuid.UUID, *, staff_id: uuid.UUID) -> ConflictItem:
    """One conflict for the staff page that names the patient; audits ``staff.patient.view``
    in the caller's transaction. Raises ``NotFound``."""
    item = get_conflict(session, event_id)
    audit.record(session, audit.Actor("staff", str(staff_id)), "staff.patient.view", patient_id=item.patient_id,
                 details={"ai_use_event_id": str(item.id), "page": "conflict"})
    return item


def close_conflict(session: Session, event_id: uuid.UUID, *, finding: str, staff_id: uuid.UUID,
                   now: datetime) -> ConflictItem:
    """Record what was found and done (shown to the patient) and close the conflict; audited.

    Raises ``NotFound`` (no such conflict), ``ValueError`` (empty or over 2,000 characters)
    or ``InvalidTransition`` (already closed)."""
    text = (finding or "").strip()
    if not text or len(text) > MAX_FINDING_LENGTH:
        raise ValueError("finding must be 1 to 2000 characters")
    event = ai_use_data.lock_ai_use_event(session, event_id)
    if event is None or not event.conflict:
        raise NotFound("no such conflict")
    if event.conflict_status == "closed":
        raise InvalidTransition("this conflict is already closed")
    event.conflict_status, event.conflict_finding = "closed", text
    event.conflict_closed_at_utc, event.conflict_closed_by_staff_id = now, staff_id
    session.flush()
    audit.record(session, audit.Actor("staff", str(staff_id)), "conflict.closed", patient_id=event.patient_id,
                 details={"ai_use_event_id": str(event.id), "tool": event.tool.slug})
    return _item(event)


def counts_for_tool(session: Session, tool_id: uuid.UUID) -> ToolConflictCounts:
    """How many times the tool was reported used against a patient's wishes."""
    counts = ai_use_data.count_conflicts_for_tool(session, tool_id)
    return ToolConflictCounts(open=counts.get("open", 0), closed=counts.get("closed", 0))
