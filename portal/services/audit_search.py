"""Searching the audit trail, for staff with role ``auditor`` (issue 9 point 5): by patient
(NHS number), API client, staff member (work email) and time. Results newest first, at most
200. Every search is itself audited (``audit.searched``, with which filters were used; the
patient's id when searching by patient, so the patient can see it in their export)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from portal.data import audit as audit_data
from portal.data import people
from portal.data import staff as staff_data
from portal.domain.errors import NotFound
from portal.domain.nhs_number import NhsNumber
from portal.services import audit

MAX_RESULTS = 200


@dataclass(frozen=True)
class AuditQuery:
    """What to search for; None means any. ``start`` inclusive, ``end`` exclusive (aware UTC)."""

    nhs_number: str | None = None
    client_id: str | None = None
    staff_email: str | None = None
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    actor_kind: str
    actor_id: str | None
    action: str
    patient_id: uuid.UUID | None
    details: dict[str, Any]
    chain_day: str
    chain_position: int


def search(session: Session, query: AuditQuery, staff_id: uuid.UUID) -> list[AuditRow]:
    """Run the search and audit it. Raises ``InvalidNhsNumber``, or ``NotFound`` with
    ``"patient"`` or ``"staff"`` as its message when nobody matches."""
    patient_id = None
    if query.nhs_number:
        patient = people.get_patient_by_nhs_number(session, NhsNumber.parse(query.nhs_number).value)
        if patient is None:
            raise NotFound("patient")
        patient_id = patient.id
    actor_kind = actor_id = None
    if query.staff_email:
        user = staff_data.get_staff_user_by_email(session, query.staff_email.strip().lower())
        if user is None:
            raise NotFound("staff")
        actor_kind, actor_id = "staff", str(user.id)
    elif query.client_id:
        actor_kind, actor_id = "api-client", query.client_id.strip()
    events = audit_data.search_events(session, patient_id=patient_id, actor_kind=actor_kind, actor_id=actor_id,
                                      start=query.start, end=query.end, limit=MAX_RESULTS)
    used = [name for name in ("nhs_number", "client_id", "staff_email", "start", "end") if getattr(query, name)]
    audit.record(session, audit.Actor("staff", str(staff_id)), "audit.searched", patient_id=patient_id,
                 details={"filters": used, "results": len(events)})
    return [AuditRow(e.occurred_at_utc, e.actor_kind, e.actor_id, e.action, e.patient_id, e.details or {},
                     e.chain_day.isoformat(), e.chain_position) for e in events]
