"""Choices: append-only (DESIGN.md section 3: Choice).

A choice is never updated in place, except to void it (staff, a choice made in error), which
stamps ``voided_*`` and takes a new number from the ``decision-changes`` sequence so the
change feed reports it. ``sequence`` orders everything; times are for people to read.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from portal.data.base import Base, IdMixin, utcnow
from portal.data.people import Patient
from portal.data.register import AiTool


class Choice(IdMixin, Base):
    __tablename__ = "choices"
    __table_args__ = (Index("ix_choices_patient_sequence", "patient_id", "sequence"),)

    sequence: Mapped[int] = mapped_column(BigInteger, unique=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"))
    tool_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("ai_tools.id"))  # None: all tools
    purpose: Mapped[str] = mapped_column(String(20))
    decision: Mapped[str] = mapped_column(String(10))  # permit | deny | clear
    terms_version: Mapped[int | None] = mapped_column()
    recorded_at_utc: Mapped[datetime] = mapped_column(default=utcnow)
    signed_at_utc: Mapped[datetime | None] = mapped_column()  # paper forms: when signed
    actor_kind: Mapped[str] = mapped_column(String(20))  # self | representative | staff
    actor_account_id: Mapped[uuid.UUID | None] = mapped_column()
    authority_id: Mapped[uuid.UUID | None] = mapped_column()
    staff_user_id: Mapped[uuid.UUID | None] = mapped_column()
    channel: Mapped[str] = mapped_column(String(10))  # web | phone | paper
    reason: Mapped[str | None] = mapped_column(Text)
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    voided_at_utc: Mapped[datetime | None] = mapped_column()
    voided_by_staff_id: Mapped[uuid.UUID | None] = mapped_column()
    void_reason: Mapped[str | None] = mapped_column(Text)
    void_sequence: Mapped[int | None] = mapped_column(BigInteger, unique=True)

    patient: Mapped[Patient] = relationship()
    tool: Mapped[AiTool | None] = relationship()


# Repositories ---------------------------------------------------------------------------------

def add_choice(session: Session, choice: Choice) -> Choice:
    session.add(choice)
    session.flush()
    return choice


def get_choice(session: Session, choice_id: uuid.UUID) -> Choice | None:
    return session.get(Choice, choice_id)


def get_choice_for_update(session: Session, choice_id: uuid.UUID) -> Choice | None:
    """The choice, read afresh and locked until the transaction ends (``SELECT ... FOR
    UPDATE`` on PostgreSQL; SQLite's write transactions already run one at a time)."""
    return session.get(Choice, choice_id, with_for_update=True, populate_existing=True)


def get_choice_by_idempotency_key(session: Session, key: str) -> Choice | None:
    return session.execute(select(Choice).where(Choice.idempotency_key == key)).scalar_one_or_none()


def get_choice_by_reference(session: Session, reference: str) -> Choice | None:
    return session.execute(select(Choice).where(Choice.reference == reference)).scalar_one_or_none()


def list_choices_for_patient(session: Session, patient_id: uuid.UUID, newest_first: bool = False) -> list[Choice]:
    """Every choice for the patient (voided ones too), ordered by sequence."""
    order = Choice.sequence.desc() if newest_first else Choice.sequence
    statement = select(Choice).where(Choice.patient_id == patient_id).order_by(order)
    return list(session.execute(statement).scalars())


def list_choice_rows_for_patients(
    session: Session, patient_ids: Sequence[uuid.UUID]
) -> list[tuple[uuid.UUID, uuid.UUID, int, str | None, str, str, int | None, bool, datetime]]:
    """Lean rows for the decision rule: (patient id, choice id, sequence, tool slug or None,
    purpose, decision, terms version, voided, recorded at), ordered by patient then sequence."""
    if not patient_ids:
        return []
    statement = (
        select(Choice.patient_id, Choice.id, Choice.sequence, AiTool.slug, Choice.purpose,
               Choice.decision, Choice.terms_version, Choice.voided_at_utc.is_not(None),
               Choice.recorded_at_utc)
        .outerjoin(AiTool, AiTool.id == Choice.tool_id)
        .where(Choice.patient_id.in_(list(patient_ids)))
        .order_by(Choice.patient_id, Choice.sequence)
    )
    return [tuple(row) for row in session.execute(statement)]  # type: ignore[misc]


def list_choices_after(session: Session, after_sequence: int, limit: int) -> list[Choice]:
    """Choices with ``sequence`` above the cursor, oldest first (the change feed)."""
    statement = (select(Choice).where(Choice.sequence > after_sequence)
                 .order_by(Choice.sequence).limit(limit))
    return list(session.execute(statement).scalars())


def void_choice(session: Session, choice: Choice, *, staff_id: uuid.UUID, reason: str,
                sequence: int, at: datetime) -> Choice:
    choice.voided_at_utc, choice.voided_by_staff_id = at, staff_id
    choice.void_reason, choice.void_sequence = reason, sequence
    session.flush()
    return choice


def patient_ids_with_choices(session: Session, patient_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    ids = list(patient_ids)
    if not ids:
        return set()
    statement = select(Choice.patient_id).where(Choice.patient_id.in_(ids)).distinct()
    return set(session.execute(statement).scalars())
