"""Recording and verifying the audit trail (DESIGN.md section 3: AuditEvent).

``record`` appends in the caller's transaction, so a change and its audit row commit or fail
together. ``verify`` walks every daily chain and reports the first broken link.

``ReadAuditBuffer`` is for audited single reads only (issue 8 points 7 and 9): the event is
kept in this process and a background thread appends everything kept, in order, to the hash
chain in one transaction at most ``flush_seconds`` later (and at exit). A read that changes
nothing then takes no lock and waits for no commit; the chain stays one serialised,
tamper-evident sequence. What a crash of the process can lose is stated in the README
("Speed"): the reads of the last ``flush_seconds``. Every change stays on ``record``.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from portal.data import audit as audit_data
from portal.data.audit import AuditEvent, PendingEvent
from portal.data.base import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Actor:
    """Who did something: ``kind`` is patient, representative, staff, api-client or system;
    ``id`` is their account, staff user or API client id (never an NHS number or name)."""

    kind: str
    id: str | None = None


SYSTEM = Actor("system")


def record(session: Session, actor: Actor, action: str, *, patient_id: uuid.UUID | None = None,
           details: dict[str, Any] | None = None,
           batch_patient_ids: Sequence[uuid.UUID | str] | None = None) -> AuditEvent:
    """Append an audit event. ``details`` must hold no free text, names or NHS numbers.
    ``batch_patient_ids``: UUIDs or their canonical text (``data.audit.append_event``)."""
    return audit_data.append_event(
        session, actor_kind=actor.kind, actor_id=actor.id, action=action, patient_id=patient_id,
        details=details, batch_patient_ids=batch_patient_ids,
    )


class AuditUnavailable(RuntimeError):
    """Reads' audit events cannot be written and too many are waiting: refuse the read."""


class ReadAuditBuffer:
    """Audit events of reads, kept in this process and appended to the chain by a background
    thread at most ``flush_seconds`` after they were recorded.

    ``record`` never touches the database, unless ``max_pending`` events are waiting (the
    database is slow or down): then the caller writes them all first, so memory stays
    bounded and nothing is dropped; if even that fails it raises ``AuditUnavailable``, so
    no decision is answered that the trail could not record. A flush that fails keeps its
    events for the next one.
    ``flush`` writes everything now (tests, shutdown: it also runs at exit)."""

    def __init__(self, engine: Engine, flush_seconds: float, max_pending: int = 20_000) -> None:
        self.engine, self.flush_seconds, self.max_pending = engine, flush_seconds, max_pending
        self._pending: list[PendingEvent] = []
        self._lock = threading.Lock()  # guards _pending
        self._flushing = threading.Lock()  # one flush at a time, so the chain keeps the order
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        atexit.register(self.flush)

    def record(self, actor: Actor, action: str, *, patient_id: uuid.UUID | None = None,
               details: dict[str, Any] | None = None) -> None:
        """Keep one event (time now). ``details`` as for ``record``: no free text or NHS numbers."""
        event = PendingEvent(utcnow(), actor.kind, actor.id, action, patient_id, details or {})
        with self._lock:
            self._start_thread()
            self._pending.append(event)
            full = len(self._pending) >= self.max_pending
        if full:
            self.flush()
            if self.pending() >= self.max_pending:
                raise AuditUnavailable("the audit trail cannot be written: this read is refused")

    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    def flush(self) -> int:
        """Append every kept event to the chain in one transaction; returns how many."""
        with self._flushing:
            with self._lock:
                events, self._pending = self._pending, []
            if not events:
                return 0
            try:
                with Session(self.engine) as session:
                    written = audit_data.append_events(session, events)
                    session.commit()
            except Exception:
                log.exception("audit events of reads could not be written; kept for the next try")
                with self._lock:
                    self._pending[:0] = events
                return 0
            return written

    def _start_thread(self) -> None:
        # Once per process: gunicorn forks workers after the app is built, and threads do
        # not survive a fork.
        if self._pid == os.getpid() and self._thread is not None and self._thread.is_alive():
            return
        self._pid = os.getpid()
        self._thread = threading.Thread(target=self._run, name="read-audit-flush", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            self._wake.wait(self.flush_seconds)
            self._wake.clear()
            self.flush()


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
