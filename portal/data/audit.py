"""The audit trail: append-only and tamper-evident (DESIGN.md section 3: AuditEvent).

Events are hash-chained within daily partitions (UTC day): each event's ``hash`` is SHA-256
over its canonical content and the previous event's hash that day; the first event of a day
chains from ``genesis_hash(day)``. ``AuditChainHead`` holds each day's last position and hash;
appending locks that row (``FOR UPDATE`` on PostgreSQL; SQLite has one writer), so chains
never fork. A batch read is one event with the list of its patients in
``audit_event_patients``; their sorted ids are digested into the event's hash.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import JSON, Date, Index, String, UniqueConstraint, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.data.base import Base, driver_errors_as_sqlalchemy, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        UniqueConstraint("chain_day", "chain_position"),
        Index("ix_audit_events_patient_occurred", "patient_id", "occurred_at_utc"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    occurred_at_utc: Mapped[datetime] = mapped_column(default=utcnow)
    chain_day: Mapped[date] = mapped_column(Date)
    chain_position: Mapped[int] = mapped_column()
    actor_kind: Mapped[str] = mapped_column(String(20))  # patient | representative | staff | api-client | system
    actor_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(60))
    # No foreign key (migration 0012): checking it locked the patient's row for every audited
    # read, most of the database's cost of writing the event; the hash covers the id.
    patient_id: Mapped[uuid.UUID | None] = mapped_column()
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    patients_digest: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditEventPatient(Base):
    """One patient in a batch event (so each patient can see the batch that read them).

    No foreign keys: a batch lists up to 1,000,000 patients, and checking each row against
    ``patients`` and ``audit_events`` took most of the time of a batch check (migration
    0011). The rows are written once, with their event, and the event's hash covers them."""

    __tablename__ = "audit_event_patients"

    audit_event_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    patient_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, index=True)


class AuditChainHead(Base):
    __tablename__ = "audit_chain_heads"

    chain_day: Mapped[date] = mapped_column(Date, primary_key=True)
    position: Mapped[int] = mapped_column()
    last_hash: Mapped[str] = mapped_column(String(64))


def genesis_hash(day: date) -> str:
    return hashlib.sha256(f"ai-choices-portal audit genesis {day.isoformat()}".encode()).hexdigest()


def digest_patients(patient_ids: Iterable[uuid.UUID | str], *, in_order: bool = False) -> str:
    """SHA-256 over the sorted patient ids (hex), one per line. Ids are UUIDs or their
    canonical text (36 characters, lower case); ``in_order``: already sorted (the text's
    order is the UUIDs' order)."""
    texts = patient_ids if in_order else sorted(str(p) for p in patient_ids)
    hasher = hashlib.sha256()
    lines: list[str] = []
    for patient_id in texts:
        lines.append(str(patient_id))
        if len(lines) == 10_000:
            hasher.update(("\n".join(lines) + "\n").encode())
            lines.clear()
    if lines:
        hasher.update(("\n".join(lines) + "\n").encode())
    return hasher.hexdigest()


def event_hash(event: AuditEvent) -> str:
    """SHA-256 of the event's canonical JSON (sorted keys) including ``prev_hash``."""
    return content_hash(
        id=event.id, occurred_at_utc=event.occurred_at_utc, chain_day=event.chain_day,
        chain_position=event.chain_position, actor_kind=event.actor_kind, actor_id=event.actor_id,
        action=event.action, patient_id=event.patient_id, details=event.details,
        patients_digest=event.patients_digest, prev_hash=event.prev_hash,
    )


# What ``json.dumps(content, sort_keys=True, separators=(",", ":"))`` builds on each call, built once.
_CANONICAL_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"))


def content_hash(*, id: uuid.UUID, occurred_at_utc: datetime, chain_day: date,  # noqa: A002 - the column
                 chain_position: int, actor_kind: str, actor_id: str | None, action: str,
                 patient_id: uuid.UUID | None, details: dict[str, Any], patients_digest: str | None,
                 prev_hash: str) -> str:
    """``event_hash`` from the event's values, for events not (yet) loaded as objects."""
    content = {
        "id": str(id),
        "occurred_at_utc": occurred_at_utc.isoformat(),
        "chain_day": chain_day.isoformat(),
        "chain_position": chain_position,
        "actor_kind": actor_kind,
        "actor_id": actor_id,
        "action": action,
        "patient_id": str(patient_id) if patient_id else None,
        "details": details,
        "patients_digest": patients_digest,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(_CANONICAL_JSON.encode(content).encode()).hexdigest()


def _lock_head(session: Session, day: date) -> AuditChainHead:
    # populate_existing: the session keeps objects across commits (expire_on_commit=False), so
    # without it a locked re-read could return a stale position from the identity map.
    statement = (select(AuditChainHead).where(AuditChainHead.chain_day == day).with_for_update()
                 .execution_options(populate_existing=True))
    head = session.execute(statement).scalar_one_or_none()
    if head is not None:
        return head
    try:
        with session.begin_nested():
            session.execute(insert(AuditChainHead).values(chain_day=day, position=0, last_hash=genesis_hash(day)))
    except IntegrityError:
        pass
    return session.execute(statement).scalar_one()


def append_event(session: Session, *, actor_kind: str, actor_id: str | None, action: str,
                 patient_id: uuid.UUID | None = None, details: dict[str, Any] | None = None,
                 batch_patient_ids: Sequence[uuid.UUID | str] | None = None,
                 occurred_at: datetime | None = None) -> AuditEvent:
    """Append one event to today's chain in the caller's transaction; flushes.

    ``batch_patient_ids``: UUIDs, or their canonical text (36 characters, lower case, as
    PostgreSQL and ``str(uuid)`` write them), which a batch of a million reads as it is."""
    occurred = occurred_at or utcnow()
    day = occurred.date()
    # As text, sorted once, for the digest and for inserting in key order.
    ordered = None if batch_patient_ids is None else sorted(
        p if isinstance(p, str) else str(p) for p in batch_patient_ids)
    head = _lock_head(session, day)
    event = AuditEvent(
        id=uuid.uuid4(), occurred_at_utc=occurred, chain_day=day, chain_position=head.position + 1,
        actor_kind=actor_kind, actor_id=actor_id, action=action, patient_id=patient_id,
        details=details or {}, prev_hash=head.last_hash,
        patients_digest=None if ordered is None else digest_patients(ordered, in_order=True),
    )
    event.hash = event_hash(event)
    head.position, head.last_hash = event.chain_position, event.hash
    session.add(event)
    session.flush()
    if ordered:
        _insert_batch_patients(session, event.id, ordered)
    return event


@dataclass(frozen=True)
class PendingEvent:
    """An event recorded but not yet written (``append_events`` writes many at once)."""

    occurred_at: datetime
    actor_kind: str
    actor_id: str | None
    action: str
    patient_id: uuid.UUID | None
    details: dict[str, Any]


def append_events(session: Session, pending: Sequence[PendingEvent]) -> int:
    """Append ``pending`` in order to their days' chains in the caller's transaction: each
    day's head is locked once, the events are hashed and linked exactly as ``append_event``
    does (so ``verify`` cannot tell them apart) and inserted in one statement. Returns how
    many were written."""
    by_day: dict[date, list[PendingEvent]] = {}
    for event in pending:
        by_day.setdefault(event.occurred_at.date(), []).append(event)
    for day in sorted(by_day):
        head = _lock_head(session, day)
        position, last_hash = head.position, head.last_hash
        rows = []
        for item in by_day[day]:
            position += 1
            row = {"id": uuid.uuid4(), "occurred_at_utc": item.occurred_at, "chain_day": day,
                   "chain_position": position, "actor_kind": item.actor_kind, "actor_id": item.actor_id,
                   "action": item.action, "patient_id": item.patient_id, "details": item.details,
                   "patients_digest": None, "prev_hash": last_hash}
            last_hash = row["hash"] = content_hash(**row)
            rows.append(row)
        _insert_events(session, rows)
        head.position, head.last_hash = position, last_hash
        session.flush()
    return len(pending)


_EVENTS = AuditEvent.__table__
# Per dialect object (not name): each engine may have its own JSON serializer.
_event_processors: WeakKeyDictionary[Any, tuple[tuple[str, Callable[[Any], Any] | None], ...]] = WeakKeyDictionary()


def _insert_events(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert event rows (dicts keyed by column name) straight through the driver: ``COPY`` on
    PostgreSQL, one ``executemany`` on SQLite, each value converted by SQLAlchemy's own bind
    processor for its column (so the stored values are those an ORM insert stores). The
    background flush runs beside every lookup, and SQLAlchemy's executemany cost more CPU
    than the rest of the flush (issue 8 point 9). Other databases: a Core executemany."""
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name not in ("postgresql", "sqlite"):
        connection.execute(insert(AuditEvent), rows)
        return
    processors = _event_processors.get(dialect)
    if processors is None:
        processors = _event_processors[dialect] = tuple(
            (name, column.type.dialect_impl(dialect).bind_processor(dialect)) for name, column in _EVENTS.columns.items())
    values = [tuple(row[name] if process is None else process(row[name])
                    for name, process in processors) for row in rows]
    names = ", ".join(name for name, _ in processors)
    if dialect.name == "sqlite":
        marks = ", ".join("?" for _ in processors)
        connection.exec_driver_sql(f"INSERT INTO audit_events ({names}) VALUES ({marks})", values)
        return
    statement = f"COPY audit_events ({names}) FROM STDIN"
    with (driver_errors_as_sqlalchemy(connection, statement), connection.connection.cursor() as cursor,
          cursor.copy(statement) as copy):
        for value in values:
            copy.write_row(value)


BATCH_INSERT_CHUNK = 10_000


def _insert_batch_patients(session: Session, event_id: uuid.UUID, patient_ids: Sequence[str]) -> None:
    """Store a batch's patients (canonical UUID text): ``COPY`` on PostgreSQL (a million rows
    in seconds), chunked ``executemany`` elsewhere, so memory stays flat however large the
    batch. ``patient_ids`` come sorted, the order of the primary key (the event, then the
    patient id), so each row is appended to the key's index instead of splitting its pages
    at random."""
    if session.get_bind().dialect.name == "postgresql":
        connection = session.connection()
        event = str(event_id)
        statement = "COPY audit_event_patients (audit_event_id, patient_id) FROM STDIN"
        with (driver_errors_as_sqlalchemy(connection, statement), connection.connection.cursor() as cursor,
              cursor.copy(statement) as copy):
            # COPY's text format in blocks: UUID text needs no escaping.
            for start in range(0, len(patient_ids), BATCH_INSERT_CHUNK):
                copy.write("".join([f"{event}\t{p}\n" for p in patient_ids[start:start + BATCH_INSERT_CHUNK]]))
        return
    if session.get_bind().dialect.name == "sqlite":
        # Straight to the driver: SQLAlchemy's Uuid stores 32 hex digits on SQLite.
        connection = session.connection()
        for start in range(0, len(patient_ids), BATCH_INSERT_CHUNK):
            chunk = patient_ids[start:start + BATCH_INSERT_CHUNK]
            connection.exec_driver_sql("INSERT INTO audit_event_patients (audit_event_id, patient_id) VALUES (?, ?)",
                                       [(event_id.hex, p.replace("-", "")) for p in chunk])
        return
    for start in range(0, len(patient_ids), BATCH_INSERT_CHUNK):
        chunk = patient_ids[start:start + BATCH_INSERT_CHUNK]
        session.execute(insert(AuditEventPatient),
                        [{"audit_event_id": event_id, "patient_id": uuid.UUID(p)} for p in chunk])


def iter_chain(session: Session) -> Iterator[tuple[AuditEvent, list[uuid.UUID]]]:
    """Every event in chain order (day, position) with its batch patient ids."""
    statement = select(AuditEvent).order_by(AuditEvent.chain_day, AuditEvent.chain_position)
    for event in session.execute(statement).scalars():
        patients: list[uuid.UUID] = []
        if event.patients_digest is not None:
            patients = list(session.execute(
                select(AuditEventPatient.patient_id).where(AuditEventPatient.audit_event_id == event.id)
                .order_by(AuditEventPatient.patient_id)).scalars())
        yield event, patients


def list_chain_heads(session: Session) -> list[AuditChainHead]:
    return list(session.execute(select(AuditChainHead).order_by(AuditChainHead.chain_day)).scalars())


def list_events_for_patient(session: Session, patient_id: uuid.UUID, actions: Sequence[str] | None = None,
                            limit: int = 200) -> list[AuditEvent]:
    """Events about the patient (direct or in a batch), newest first."""
    in_batch = select(AuditEventPatient.audit_event_id).where(AuditEventPatient.patient_id == patient_id)
    statement = select(AuditEvent).where((AuditEvent.patient_id == patient_id) | AuditEvent.id.in_(in_batch))
    if actions:
        statement = statement.where(AuditEvent.action.in_(list(actions)))
    statement = statement.order_by(AuditEvent.occurred_at_utc.desc(), AuditEvent.chain_position.desc()).limit(limit)
    return list(session.execute(statement).scalars())


def search_events(session: Session, *, patient_id: uuid.UUID | None = None, actor_kind: str | None = None,
                  actor_id: str | None = None, start: datetime | None = None, end: datetime | None = None,
                  limit: int = 200) -> list[AuditEvent]:
    """Events matching every filter given (patient: direct or in a batch; ``start`` inclusive,
    ``end`` exclusive), newest first, at most ``limit``."""
    statement = select(AuditEvent)
    if patient_id is not None:
        in_batch = select(AuditEventPatient.audit_event_id).where(AuditEventPatient.patient_id == patient_id)
        statement = statement.where((AuditEvent.patient_id == patient_id) | AuditEvent.id.in_(in_batch))
    if actor_kind is not None:
        statement = statement.where(AuditEvent.actor_kind == actor_kind)
    if actor_id is not None:
        statement = statement.where(AuditEvent.actor_id == actor_id)
    if start is not None:
        statement = statement.where(AuditEvent.occurred_at_utc >= start)
    if end is not None:
        statement = statement.where(AuditEvent.occurred_at_utc < end)
    statement = statement.order_by(AuditEvent.occurred_at_utc.desc(), AuditEvent.chain_position.desc()).limit(limit)
    return list(session.execute(statement).scalars())
