"""Disputes, their timelines and patients' unfinished drafts (DESIGN.md section 3: Dispute; issue 6).

A ``Dispute`` is a request for clinical review of an AI-supported decision (``kind`` dispute)
or an objection to a no-choice tool (``kind`` objection). ``submission_key`` makes submitting
idempotent: the draft's id, so sending the same draft twice finds the dispute already made.
``DisputeEvent`` rows are the timeline (status changes and messages), append-only.
``DisputeDraft`` keeps the answers server-side, one per account and subject, from the first
step, so nothing typed is lost to a timeout, a sign-out or a closed tab.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from portal.data.ai_use import AiUseEvent
from portal.data.base import Base, IdMixin, utcnow
from portal.data.people import Patient
from portal.data.register import AiTool


class Dispute(IdMixin, Base):
    __tablename__ = "disputes"
    __table_args__ = (Index("ix_disputes_status_decide_due", "status", "decide_due_on"),)

    reference: Mapped[str] = mapped_column(String(20), unique=True)
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # dispute | objection
    tool_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ai_tools.id"), index=True)
    ai_use_event_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("ai_use_events.id"))
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"))
    happened_on: Mapped[date | None] = mapped_column(Date)
    where_text: Mapped[str | None] = mapped_column(String(200))
    why: Mapped[str] = mapped_column(Text)  # the patient's words, at most 5,000 characters
    outcomes_wanted: Mapped[list[str]] = mapped_column(JSON, default=list)
    contact_preference: Mapped[str] = mapped_column(String(10))  # email | phone | post | portal
    status: Mapped[str] = mapped_column(String(20))  # portal.domain.disputes.DisputeStatus
    nation: Mapped[str] = mapped_column(String(20))
    received_on: Mapped[date] = mapped_column(Date)
    acknowledge_due_on: Mapped[date] = mapped_column(Date)
    decide_due_on: Mapped[date] = mapped_column(Date)
    assigned_staff_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_users.id"))
    outcome_explanation: Mapped[str | None] = mapped_column(Text)  # the patient sees it
    internal_note: Mapped[str | None] = mapped_column(Text)  # the patient never sees it
    authority_id: Mapped[uuid.UUID | None] = mapped_column()  # a carer's authority, if a carer raised it
    actor_account_id: Mapped[uuid.UUID | None] = mapped_column()
    closed_at_utc: Mapped[datetime | None] = mapped_column()
    updated_at_utc: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    patient: Mapped[Patient] = relationship()
    tool: Mapped[AiTool] = relationship()
    ai_use_event: Mapped[AiUseEvent | None] = relationship()
    events: Mapped[list[DisputeEvent]] = relationship(
        back_populates="dispute", order_by="(DisputeEvent.at_utc, DisputeEvent.id)")


class DisputeEvent(IdMixin, Base):
    """One line of a dispute's timeline: ``kind`` status | message | note."""

    __tablename__ = "dispute_events"

    dispute_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("disputes.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    status: Mapped[str | None] = mapped_column(String(20))  # the new status, for kind status
    message: Mapped[str | None] = mapped_column(Text)
    actor_kind: Mapped[str] = mapped_column(String(20))  # patient | representative | staff | system
    actor_id: Mapped[uuid.UUID | None] = mapped_column()
    at_utc: Mapped[datetime] = mapped_column(default=utcnow)
    visible_to_patient: Mapped[bool] = mapped_column(default=True)

    dispute: Mapped[Dispute] = relationship(back_populates="events")


class DisputeDraft(IdMixin, Base):
    """Answers so far, keyed by the signed-in account and the patient they act for."""

    __tablename__ = "dispute_drafts"
    __table_args__ = (UniqueConstraint("account_id", "patient_id"),)

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at_utc: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# Repositories ---------------------------------------------------------------------------------

def add_dispute(session: Session, dispute: Dispute) -> Dispute:
    session.add(dispute)
    session.flush()
    return dispute


def add_dispute_event(session: Session, event: DisputeEvent) -> DisputeEvent:
    session.add(event)
    session.flush()
    return event


def get_dispute_by_reference(session: Session, reference: str) -> Dispute | None:
    return session.execute(select(Dispute).where(Dispute.reference == reference)).scalar_one_or_none()


def get_dispute_by_submission_key(session: Session, key: str) -> Dispute | None:
    return session.execute(select(Dispute).where(Dispute.submission_key == key)).scalar_one_or_none()


def list_disputes_for_patient(session: Session, patient_id: uuid.UUID) -> list[Dispute]:
    """The patient's disputes, newest first."""
    statement = (select(Dispute).where(Dispute.patient_id == patient_id)
                 .order_by(Dispute.created_at_utc.desc(), Dispute.id))
    return list(session.execute(statement).scalars())


def list_disputes(session: Session, *, statuses: list[str] | None = None, tool_id: uuid.UUID | None = None,
                  organisation_id: uuid.UUID | None = None, due_by: date | None = None) -> list[Dispute]:
    """Disputes for the staff queue, the soonest decision due first. Filters are ANDed;
    ``due_by`` keeps those whose decision is due on or before that day."""
    statement = select(Dispute)
    if statuses:
        statement = statement.where(Dispute.status.in_(statuses))
    if tool_id is not None:
        statement = statement.where(Dispute.tool_id == tool_id)
    if organisation_id is not None:
        statement = statement.where(Dispute.organisation_id == organisation_id)
    if due_by is not None:
        statement = statement.where(Dispute.decide_due_on <= due_by)
    return list(session.execute(statement.order_by(Dispute.decide_due_on, Dispute.reference)).scalars())


def count_disputes_for_tool(session: Session, tool_id: uuid.UUID, since: datetime,
                            status: str | None = None) -> int:
    """Disputes (not objections) about the tool raised since ``since``, optionally in one status."""
    statement = (select(func.count()).select_from(Dispute)
                 .where(Dispute.tool_id == tool_id, Dispute.kind == "dispute", Dispute.created_at_utc >= since))
    if status is not None:
        statement = statement.where(Dispute.status == status)
    return session.execute(statement).scalar_one()


def get_draft(session: Session, account_id: uuid.UUID, patient_id: uuid.UUID) -> DisputeDraft | None:
    statement = select(DisputeDraft).where(DisputeDraft.account_id == account_id,
                                           DisputeDraft.patient_id == patient_id)
    return session.execute(statement).scalar_one_or_none()


def save_draft(session: Session, account_id: uuid.UUID, patient_id: uuid.UUID,
               answers: dict[str, Any]) -> DisputeDraft:
    """Create or replace the account's draft for the patient; flushes."""
    draft = get_draft(session, account_id, patient_id)
    if draft is None:
        draft = DisputeDraft(account_id=account_id, patient_id=patient_id, answers=dict(answers))
        session.add(draft)
    else:
        draft.answers = dict(answers)
        draft.updated_at_utc = utcnow()
    session.flush()
    return draft


def delete_draft(session: Session, draft: DisputeDraft) -> None:
    session.delete(draft)
    session.flush()


def get_ai_use_event(session: Session, event_id: uuid.UUID) -> AiUseEvent | None:
    return session.get(AiUseEvent, event_id)


def delete_abandoned_drafts(session: Session, inactive_before: datetime) -> int:
    """Delete drafts not touched since ``inactive_before`` (retention: RETAIN_DRAFTS_DAYS);
    returns how many. Sent disputes are never touched."""
    result = session.execute(delete(DisputeDraft).where(DisputeDraft.updated_at_utc < inactive_before))
    return result.rowcount or 0
