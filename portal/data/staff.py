"""Staff users, their roles and server-side sessions (DESIGN.md section 4).

A staff user is created with a one-time set-up token (only its SHA-256 is kept, with an expiry);
set-up stores an argon2 password hash and a TOTP secret encrypted at rest. Roles live in their
own table so "who can verify authorities" is one indexed query.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from portal.data.accounts import SessionColumns
from portal.data.base import Base, IdMixin

STAFF_ROLES = ("dispute-reviewer", "authority-verifier", "register-editor", "assisted-digital",
               "auditor", "admin")


class StaffUser(IdMixin, Base):
    __tablename__ = "staff_users"

    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    totp_secret_encrypted: Mapped[str | None] = mapped_column(String(300))
    totp_last_step: Mapped[int | None] = mapped_column()  # a TOTP code works once
    setup_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    setup_expires_at_utc: Mapped[datetime | None] = mapped_column()
    oidc_subject: Mapped[str | None] = mapped_column(String(255), unique=True)
    active: Mapped[bool] = mapped_column(default=False)
    last_signed_in_at_utc: Mapped[datetime | None] = mapped_column()

    role_rows: Mapped[list[StaffUserRole]] = relationship(
        cascade="all, delete-orphan", order_by="StaffUserRole.role", lazy="selectin")

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(row.role for row in self.role_rows)


class StaffUserRole(Base):
    __tablename__ = "staff_user_roles"

    staff_user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(30), primary_key=True, index=True)


class StaffSession(SessionColumns, Base):
    __tablename__ = "staff_sessions"

    staff_user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_users.id"), index=True)
    method: Mapped[str] = mapped_column(String(20))  # password-totp | oidc


# Repositories ---------------------------------------------------------------------------------

def get_staff_user(session: Session, staff_user_id: uuid.UUID) -> StaffUser | None:
    return session.get(StaffUser, staff_user_id)


def get_staff_user_by_email(session: Session, email: str) -> StaffUser | None:
    statement = select(StaffUser).where(StaffUser.email == email.strip().lower())
    return session.execute(statement).scalar_one_or_none()


def get_staff_user_by_setup_token_hash(session: Session, token_hash: str) -> StaffUser | None:
    statement = select(StaffUser).where(StaffUser.setup_token_hash == token_hash)
    return session.execute(statement).scalar_one_or_none()


def get_staff_user_by_oidc_subject(session: Session, subject: str) -> StaffUser | None:
    statement = select(StaffUser).where(StaffUser.oidc_subject == subject)
    return session.execute(statement).scalar_one_or_none()


def add_staff_user(session: Session, user: StaffUser, roles: tuple[str, ...]) -> StaffUser:
    user.role_rows = [StaffUserRole(role=role) for role in sorted(set(roles))]
    session.add(user)
    session.flush()
    return user


def set_staff_roles(session: Session, user: StaffUser, roles: tuple[str, ...]) -> None:
    wanted = sorted(set(roles))
    user.role_rows[:] = [row for row in user.role_rows if row.role in wanted]
    present = {row.role for row in user.role_rows}
    user.role_rows.extend(StaffUserRole(role=role) for role in wanted if role not in present)
    session.flush()


def add_staff_session(session: Session, record: StaffSession) -> StaffSession:
    session.add(record)
    session.flush()
    return record


def get_staff_session_by_token_hash(session: Session, token_hash: str) -> StaffSession | None:
    statement = select(StaffSession).where(StaffSession.token_hash == token_hash)
    return session.execute(statement).scalar_one_or_none()
