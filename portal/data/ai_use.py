"""AI use reported by clinical systems (DESIGN.md section 3: AiUseEvent).

A report for a patient whose decision was ``deny`` at the time is accepted and flagged
``conflict``; staff (role ``auditor``) look into it and record what they found.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from portal.data.base import Base, IdMixin
from portal.data.people import Organisation, Patient
from portal.data.register import AiTool


class AiUseEvent(IdMixin, Base):
    __tablename__ = "ai_use_events"
    __table_args__ = (
        UniqueConstraint("reported_by_client_id", "external_reference"),
        Index("ix_ai_use_events_patient_used", "patient_id", "used_at_utc"),
    )

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"))
    tool_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ai_tools.id"))
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    purpose: Mapped[str] = mapped_column(String(20), default="care")
    used_at_utc: Mapped[datetime] = mapped_column()
    visible_from_utc: Mapped[datetime] = mapped_column()
    service: Mapped[str | None] = mapped_column(String(200))  # where, in plain words
    plain_summary: Mapped[str] = mapped_column(Text)  # what it produced, in plain words
    external_reference: Mapped[str] = mapped_column(String(100))
    reported_by_client_id: Mapped[uuid.UUID | None] = mapped_column()
    decision_at_time: Mapped[str] = mapped_column(String(10))  # permit | deny
    basis_at_time: Mapped[str] = mapped_column(String(30))
    conflict: Mapped[bool] = mapped_column(default=False)
    conflict_status: Mapped[str | None] = mapped_column(String(20))  # open | closed
    conflict_finding: Mapped[str | None] = mapped_column(Text)  # what staff found and did (patient sees)
    conflict_closed_at_utc: Mapped[datetime | None] = mapped_column()
    conflict_closed_by_staff_id: Mapped[uuid.UUID | None] = mapped_column()

    patient: Mapped[Patient] = relationship()
    tool: Mapped[AiTool] = relationship()
    organisation: Mapped[Organisation] = relationship()


def add_ai_use_event(session: Session, event: AiUseEvent) -> AiUseEvent:
    session.add(event)
    session.flush()
    return event


def list_visible_ai_use_for_patient(session: Session, patient_id: uuid.UUID, now: datetime) -> list[AiUseEvent]:
    """Events the patient may see now (``visible_from`` passed), newest use first."""
    statement = (select(AiUseEvent)
                 .where(AiUseEvent.patient_id == patient_id, AiUseEvent.visible_from_utc <= now)
                 .order_by(AiUseEvent.used_at_utc.desc(), AiUseEvent.id))
    return list(session.execute(statement).scalars())


def list_conflicts(session: Session, status: str | None = "open") -> list[AiUseEvent]:
    """AI used against a patient's wishes, newest first."""
    statement = select(AiUseEvent).where(AiUseEvent.conflict.is_(True))
    if status:
        statement = statement.where(AiUseEvent.conflict_status == status)
    return list(session.execute(statement.order_by(AiUseEvent.created_at_utc.desc(), AiUseEvent.id)).scalars())


def get_ai_use_event(session: Session, event_id: uuid.UUID) -> AiUseEvent | None:
    return session.get(AiUseEvent, event_id)


def lock_ai_use_event(session: Session, event_id: uuid.UUID) -> AiUseEvent | None:
    """The event, locked for update (PostgreSQL), re-read from the database."""
    statement = (select(AiUseEvent).where(AiUseEvent.id == event_id).with_for_update()
                 .execution_options(populate_existing=True))
    return session.execute(statement).scalar_one_or_none()


def count_conflicts_for_tool(session: Session, tool_id: uuid.UUID) -> dict[str, int]:
    """Conflicts reported for the tool by status: ``{"open": n, "closed": m}``."""
    statement = (select(AiUseEvent.conflict_status, func.count())
                 .where(AiUseEvent.tool_id == tool_id, AiUseEvent.conflict.is_(True))
                 .group_by(AiUseEvent.conflict_status).order_by(AiUseEvent.conflict_status))
    counts = {"open": 0, "closed": 0}
    for status, number in session.execute(statement):
        counts[status or "open"] = counts.get(status or "open", 0) + number
    return counts


def list_ai_use_for_patient(session: Session, patient_id: uuid.UUID) -> list[AiUseEvent]:
    """Every event about the patient, visible yet or not, newest use first (subject access)."""
    statement = (select(AiUseEvent).where(AiUseEvent.patient_id == patient_id)
                 .order_by(AiUseEvent.used_at_utc.desc(), AiUseEvent.id))
    return list(session.execute(statement).scalars())


def get_ai_use_event_by_reference(session: Session, client_id: uuid.UUID | None,
                                  external_reference: str) -> AiUseEvent | None:
    """The event a client reported under ``external_reference`` (client None: the demo/loader)."""
    client = (AiUseEvent.reported_by_client_id.is_(None) if client_id is None
              else AiUseEvent.reported_by_client_id == client_id)
    statement = select(AiUseEvent).where(client, AiUseEvent.external_reference == external_reference)
    return session.execute(statement).scalar_one_or_none()
