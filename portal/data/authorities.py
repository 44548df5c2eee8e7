"""Carers' authorities, their history and capacity notes (DESIGN.md section 3: Authority).

An ``Authority`` is an Account's right to act for a Patient on a legal basis. Its ``state``
changes only through ``portal.services.authority`` (which applies the domain's state machine)
and every change appends an ``AuthorityEvent`` with a coded reason and who made it.
A ``CapacityNote`` records that a patient lacks capacity for decisions about AI in their care
(who assessed it, on which date); the newest note for a patient is the one that counts.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, String, Text, delete, false, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.data.base import Base, IdMixin, utcnow


class Authority(IdMixin, Base):
    __tablename__ = "authorities"
    __table_args__ = (Index("ix_authorities_patient_state", "patient_id", "state"),)

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"), index=True)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"))
    basis: Mapped[str] = mapped_column(String(40))
    relationship_to_patient: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str | None] = mapped_column(String(20))  # OPG reference or access code
    court_order_number: Mapped[str | None] = mapped_column(String(20))
    lpa_registered: Mapped[bool | None] = mapped_column(Boolean)
    attorneys_act: Mapped[str | None] = mapped_column(String(30))  # jointly | jointly-and-severally
    restrictions: Mapped[str | None] = mapped_column(Text)
    ends_on: Mapped[date | None] = mapped_column(Date)  # court order's end date
    review_on: Mapped[date | None] = mapped_column(Date)
    evidence_path: Mapped[str | None] = mapped_column(String(200))  # file name under the upload dir
    evidence_type: Mapped[str | None] = mapped_column(String(40))
    explanation: Mapped[str | None] = mapped_column(Text)  # plain words the requester sees
    reason: Mapped[str | None] = mapped_column(String(40))  # the latest coded reason
    # A patient-nominated authority: when the patient (signed in at P9) confirmed it.
    patient_confirmed_at_utc: Mapped[datetime | None] = mapped_column()
    # Parental responsibility: when the "review at 13 is coming" notice was sent (once).
    review_notice_sent_at_utc: Mapped[datetime | None] = mapped_column()
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True)  # the draft it came from
    # Asked through the details-and-code route (not NHS login P9): a verifier must check the
    # carer's own identity before approving (DESIGN.md section 4).
    carer_identity_check_needed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    carer_identity_method: Mapped[str | None] = mapped_column(String(40))
    carer_identity_checked_by: Mapped[str | None] = mapped_column(String(64))  # staff user id
    carer_identity_checked_at_utc: Mapped[datetime | None] = mapped_column()
    updated_at_utc: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AuthorityEvent(IdMixin, Base):
    """One change of an authority's state: from, to, coded reason, and who."""

    __tablename__ = "authority_events"

    authority_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("authorities.id"), index=True)
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(40))
    actor_kind: Mapped[str] = mapped_column(String(20))  # representative | patient | staff | system
    actor_id: Mapped[str | None] = mapped_column(String(64))
    at_utc: Mapped[datetime] = mapped_column(default=utcnow)


class CapacityNote(IdMixin, Base):
    """A patient lacks (or has regained) capacity for decisions about AI in their care."""

    __tablename__ = "capacity_notes"

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"), index=True)
    lacks_capacity: Mapped[bool] = mapped_column(Boolean)
    assessed_by: Mapped[str] = mapped_column(String(200))
    assessed_on: Mapped[date] = mapped_column(Date)


class AuthorityRequestDraft(IdMixin, Base):
    """A carer's answers so far to "ask to act for someone", one per account (issue 7 point 3).
    ``answers`` is JSON: strings as typed, plus the stored evidence file's name and type."""

    __tablename__ = "authority_request_drafts"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"), unique=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at_utc: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# Repositories ---------------------------------------------------------------------------------

def add_authority(session: Session, authority: Authority) -> Authority:
    session.add(authority)
    session.flush()
    return authority


def get_authority(session: Session, authority_id: uuid.UUID) -> Authority | None:
    return session.get(Authority, authority_id)


def add_authority_event(session: Session, event: AuthorityEvent) -> AuthorityEvent:
    session.add(event)
    session.flush()
    return event


def list_authority_events(session: Session, authority_id: uuid.UUID) -> Sequence[AuthorityEvent]:
    statement = (select(AuthorityEvent).where(AuthorityEvent.authority_id == authority_id)
                 .order_by(AuthorityEvent.at_utc, AuthorityEvent.id))
    return session.execute(statement).scalars().all()


def list_authorities_for_account(session: Session, account_id: uuid.UUID) -> Sequence[Authority]:
    statement = (select(Authority).where(Authority.account_id == account_id)
                 .order_by(Authority.created_at_utc, Authority.id))
    return session.execute(statement).scalars().all()


def list_authorities_for_patient(session: Session, patient_id: uuid.UUID) -> Sequence[Authority]:
    statement = (select(Authority).where(Authority.patient_id == patient_id)
                 .order_by(Authority.created_at_utc, Authority.id))
    return session.execute(statement).scalars().all()


def list_authorities_in_states(session: Session, states: Sequence[str]) -> Sequence[Authority]:
    statement = (select(Authority).where(Authority.state.in_(list(states)))
                 .order_by(Authority.created_at_utc, Authority.id))
    return session.execute(statement).scalars().all()


def mark_review_notice_sent(session: Session, authority_id: uuid.UUID, at: datetime) -> bool:
    """Stamp the notice as sent if nobody has yet, in one conditional UPDATE; True if this
    call stamped it. Two sweeps at once: the second waits for the first's row lock
    (PostgreSQL) or write lock (SQLite), then matches no row, so the notice goes once."""
    statement = (update(Authority).where(Authority.id == authority_id,
                                         Authority.review_notice_sent_at_utc.is_(None))
                 .values(review_notice_sent_at_utc=at).execution_options(synchronize_session="fetch"))
    return session.execute(statement).rowcount == 1


def add_capacity_note(session: Session, note: CapacityNote) -> CapacityNote:
    session.add(note)
    session.flush()
    return note


def get_latest_capacity_note(session: Session, patient_id: uuid.UUID) -> CapacityNote | None:
    statement = (select(CapacityNote).where(CapacityNote.patient_id == patient_id)
                 .order_by(CapacityNote.assessed_on.desc(), CapacityNote.created_at_utc.desc(),
                           CapacityNote.id.desc()).limit(1))
    return session.execute(statement).scalar_one_or_none()


def get_authority_by_submission_key(session: Session, key: str) -> Authority | None:
    return session.execute(select(Authority).where(Authority.submission_key == key)).scalar_one_or_none()


def get_request_draft(session: Session, account_id: uuid.UUID) -> AuthorityRequestDraft | None:
    statement = select(AuthorityRequestDraft).where(AuthorityRequestDraft.account_id == account_id)
    return session.execute(statement).scalar_one_or_none()


def save_request_draft(session: Session, account_id: uuid.UUID, answers: dict[str, Any]) -> AuthorityRequestDraft:
    """Create or replace the account's draft; flushes."""
    draft = get_request_draft(session, account_id)
    if draft is None:
        draft = AuthorityRequestDraft(account_id=account_id, answers=dict(answers))
        session.add(draft)
    else:
        draft.answers = dict(answers)
        draft.updated_at_utc = utcnow()
    session.flush()
    return draft


def delete_request_draft(session: Session, draft: AuthorityRequestDraft) -> None:
    session.delete(draft)
    session.flush()


def delete_abandoned_request_drafts(session: Session, inactive_before: datetime) -> tuple[int, list[str]]:
    """Delete drafts untouched since ``inactive_before``; returns how many, and the evidence
    file names they held (the caller deletes the files)."""
    statement = select(AuthorityRequestDraft).where(AuthorityRequestDraft.updated_at_utc < inactive_before)
    drafts = list(session.execute(statement.order_by(AuthorityRequestDraft.id)).scalars())
    files = [str(d.answers.get("evidence_path")) for d in drafts if d.answers.get("evidence_path")]
    if drafts:
        session.execute(delete(AuthorityRequestDraft).where(
            AuthorityRequestDraft.id.in_([d.id for d in drafts])))
    return len(drafts), files
