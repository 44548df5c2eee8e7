"""People who sign in, their server-side sessions and one-time codes (DESIGN.md section 4).

An ``Account`` is keyed by its identity provider and that provider's subject (``nhs-login`` +
NHS login's ``sub``; ``code`` + the matched Patient's id for the details-and-code route) and
linked to a Patient once identity is verified. A session's id reaches the browser only as a
random token; the database keeps its SHA-256 (``token_hash``), so a database copy cannot be
replayed, and ``ended_at_utc`` makes a copied old cookie useless after sign-out.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.data.base import Base, IdMixin, utcnow


class Account(IdMixin, Base):
    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("provider", "subject"),)

    provider: Mapped[str] = mapped_column(String(20))  # nhs-login | code
    subject: Mapped[str] = mapped_column(String(255))
    patient_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("patients.id"), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    highest_level: Mapped[str] = mapped_column(String(3), default="P0")
    last_signed_in_at_utc: Mapped[datetime | None] = mapped_column()


class SessionColumns(IdMixin):
    """What every server-side session keeps: a hashed token and its times."""

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    last_seen_at_utc: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at_utc: Mapped[datetime | None] = mapped_column()
    ended_reason: Mapped[str | None] = mapped_column(String(20))  # signed-out | idle | absolute | rotated


class AccountSession(SessionColumns, Base):
    """A patient's or carer's signed-in session: level of assurance, route, and for whom."""

    __tablename__ = "account_sessions"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"), index=True)
    level: Mapped[str] = mapped_column(String(3))  # P5 | P9
    route: Mapped[str] = mapped_column(String(20))  # nhs-login | code
    self_patient_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("patients.id"))
    subject_patient_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("patients.id"))
    authority_id: Mapped[uuid.UUID | None] = mapped_column()


class OneTimeCode(IdMixin, Base):
    """A 6-digit code sent to the contact details on record. Only a keyed hash is kept."""

    __tablename__ = "one_time_codes"

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(10))  # email | sms
    destination_masked: Mapped[str] = mapped_column(String(100))
    sent_at_utc: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at_utc: Mapped[datetime] = mapped_column()
    tries: Mapped[int] = mapped_column(default=0)
    sends: Mapped[int] = mapped_column(default=1)
    used_at_utc: Mapped[datetime | None] = mapped_column()


# Repositories ---------------------------------------------------------------------------------

def get_account(session: Session, account_id: uuid.UUID) -> Account | None:
    return session.get(Account, account_id)


def get_account_by_subject(session: Session, provider: str, subject: str) -> Account | None:
    statement = select(Account).where(Account.provider == provider, Account.subject == subject)
    return session.execute(statement).scalar_one_or_none()


def add_account(session: Session, account: Account) -> Account:
    session.add(account)
    session.flush()
    return account


def add_account_session(session: Session, record: AccountSession) -> AccountSession:
    session.add(record)
    session.flush()
    return record


def get_account_session_by_token_hash(session: Session, token_hash: str) -> AccountSession | None:
    statement = select(AccountSession).where(AccountSession.token_hash == token_hash)
    return session.execute(statement).scalar_one_or_none()


def add_one_time_code(session: Session, code: OneTimeCode) -> OneTimeCode:
    session.add(code)
    session.flush()
    return code


def get_one_time_code(session: Session, code_id: uuid.UUID) -> OneTimeCode | None:
    return session.get(OneTimeCode, code_id)


def list_accounts_for_patient(session: Session, patient_id: uuid.UUID) -> list[Account]:
    statement = select(Account).where(Account.patient_id == patient_id).order_by(Account.created_at_utc, Account.id)
    return list(session.execute(statement).scalars())
