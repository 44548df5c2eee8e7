"""Recording and verifying the audit trail (DESIGN.md section 3: AuditEvent).

``record`` appends in the caller's transaction, so a change and its audit row commit or fail
together. ``verify`` walks every daily chain and reports the first broken link.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from portal.data import audit as audit_data
from portal.data.audit import AuditEvent


@dataclass(frozen=True)
class Actor:
    """Who did something: ``kind`` is patient, representative, staff, api-client or system;
    ``id`` is their account, staff user or API client id (never an NHS number or name)."""

    kind: str
    id: str | None = None


SYSTEM = Actor("system")


def record(session: Session, actor: Actor, action: str, *, patient_id: uuid.UUID | None = None,
           details: dict[str, Any] | None = None,
           batch_patient_ids: Sequence[uuid.UUID] | None = None) -> AuditEvent:
    """Append an audit event. ``details`` must hold no free text, names or NHS numbers."""
    return audit_data.append_event(
        session, actor_kind=actor.kind, actor_id=actor.id, action=action, patient_id=patient_id,
        details=details, batch_patient_ids=batch_patient_ids,
    )


@dataclass(frozen=True)
class Verification:
    """The result of walking the chains: ``ok`` when every link holds.

    ``broken_day``/``broken_position``/``problem`` name the first broken link."""

    events_checked: int
    days_checked: int
    broken_day: date | None = None
    broken_position: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify(session: Session) -> Verification:
    """Recompute every event's hash in chain order; stop at the first link that fails."""
    checked, days = 0, set()
    expected_prev: dict[date, str] = {}
    expected_position: dict[date, int] = {}
    for event, batch in audit_data.iter_chain(session):
        day = event.chain_day
        days.add(day)
        prev = expected_prev.get(day, audit_data.genesis_hash(day))
        position = expected_position.get(day, 0) + 1
        problem = None
        if event.chain_position != position:
            problem = f"expected position {position}, found {event.chain_position} (an event is missing)"
        elif event.prev_hash != prev:
            problem = "the link to the previous event does not match"
        elif event.patients_digest is not None and audit_data.digest_patients(batch) != event.patients_digest:
            problem = "the list of patients in this batch was changed"
        elif audit_data.event_hash(event) != event.hash:
            problem = "the event was changed after it was written"
        if problem:
            return Verification(checked, len(days), day, event.chain_position, problem)
        expected_prev[day], expected_position[day] = event.hash, position
        checked += 1
    for head in audit_data.list_chain_heads(session):
        if expected_position.get(head.chain_day, 0) != head.position or (
            head.position and expected_prev.get(head.chain_day) != head.last_hash
        ):
            return Verification(checked, len(days), head.chain_day, head.position,
                                "events at the end of the day's chain are missing")
    return Verification(checked, len(days))
