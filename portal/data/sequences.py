"""Database-assigned sequence numbers that follow commit order.

``next_sequence`` increments one counter row inside the caller's transaction. The row stays
locked until that transaction ends (PostgreSQL row lock; SQLite's single writer), so a reader
that sees number N committed also sees every number below N that will ever commit: a change
feed that reads "after cursor" never skips a change, even when transactions start in one order
and commit in another (DESIGN.md section 3; issue 8 point 5).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, String, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.data.base import Base

DECISION_CHANGES = "decision-changes"


class SequenceCounter(Base):
    __tablename__ = "sequence_counters"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


def next_sequence(session: Session, name: str = DECISION_CHANGES) -> int:
    """Return the next number of counter ``name`` (starting at 1), locking it until commit."""
    statement = (
        update(SequenceCounter)
        .where(SequenceCounter.name == name)
        .values(value=SequenceCounter.value + 1)
        .returning(SequenceCounter.value)
    )
    value = session.execute(statement).scalar_one_or_none()
    if value is not None:
        return value
    try:
        with session.begin_nested():
            session.execute(insert(SequenceCounter).values(name=name, value=1))
        return 1
    except IntegrityError:
        return session.execute(statement).scalar_one()


def current_sequence(session: Session, name: str = DECISION_CHANGES) -> int:
    """The highest number handed out so far for ``name`` (0 if none)."""
    value = session.execute(select(SequenceCounter.value).where(SequenceCounter.name == name)).scalar()
    return value or 0
