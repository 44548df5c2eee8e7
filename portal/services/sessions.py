"""Server-side sessions for patients, carers and staff (DESIGN.md section 4, shared computers).

The browser holds a random token; the database keeps only its SHA-256. A session ends when
the person signs out, after ``idle`` without a request (30 minutes), or ``absolute`` after it
started (12 hours), whichever comes first; an ended session never comes back, so a copied
cookie is useless after sign-out. Signing in or raising the level of assurance always makes a
new token (the old session ends as ``rotated``), so a token planted before sign-in is worthless.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.orm import Session

from portal.data import accounts as account_data
from portal.data import staff as staff_data
from portal.data.accounts import AccountSession, SessionColumns
from portal.data.staff import StaffSession

TOUCH_EVERY = timedelta(seconds=15)  # write last-seen at most this often


class SessionStatus(StrEnum):
    ACTIVE = "active"
    IDLE = "idle"
    ABSOLUTE = "absolute"
    ENDED = "ended"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class SessionPolicy:
    """Timeouts in seconds: ``idle`` (default 30 minutes) and ``absolute`` (12 hours)."""

    idle: int = 30 * 60
    absolute: int = 12 * 60 * 60

    def expires_at(self, record: SessionColumns) -> datetime:
        """When ``record`` ends if nothing more happens."""
        return min(record.last_seen_at_utc + timedelta(seconds=self.idle),
                   record.created_at_utc + timedelta(seconds=self.absolute))

    def status(self, record: SessionColumns | None, now: datetime) -> SessionStatus:
        if record is None:
            return SessionStatus.UNKNOWN
        if record.ended_at_utc is not None:
            return SessionStatus.ENDED
        if now >= record.created_at_utc + timedelta(seconds=self.absolute):
            return SessionStatus.ABSOLUTE
        if now >= record.last_seen_at_utc + timedelta(seconds=self.idle):
            return SessionStatus.IDLE
        return SessionStatus.ACTIVE


def hash_token(token: str) -> str:
    """SHA-256 hex of a session token (the only form the database keeps)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A fresh session token: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def resume(record: SessionColumns | None, policy: SessionPolicy, now: datetime,
           *, touch: bool = True, force_touch: bool = False) -> SessionStatus:
    """Check ``record`` at ``now``: end it if it timed out, else note the activity (at most
    every 15 seconds unless ``force_touch``). The caller's transaction holds the change."""
    status = policy.status(record, now)
    if record is None:
        return status
    if status in (SessionStatus.IDLE, SessionStatus.ABSOLUTE):
        end(record, str(status), now)
    elif status is SessionStatus.ACTIVE and touch and (
            force_touch or now - record.last_seen_at_utc >= TOUCH_EVERY):
        record.last_seen_at_utc = now
    return status


def end(record: SessionColumns, reason: str, now: datetime) -> None:
    """End ``record`` for ``reason`` (``signed-out``, ``idle``, ``absolute``, ``rotated``)."""
    if record.ended_at_utc is None:
        record.ended_at_utc, record.ended_reason = now, reason


# Patients and carers ---------------------------------------------------------------------------

def start_account_session(session: Session, *, account_id: uuid.UUID, level: str, route: str,
                          self_patient_id: uuid.UUID | None, subject_patient_id: uuid.UUID | None,
                          now: datetime, replacing: str | None = None) -> tuple[str, AccountSession]:
    """Start a session and return ``(token, record)``; the session ``replacing`` (a token)
    ends as ``rotated``. Flushes."""
    if replacing:
        old = account_data.get_account_session_by_token_hash(session, hash_token(replacing))
        if old is not None:
            end(old, "rotated", now)
    token = new_token()
    record = account_data.add_account_session(session, AccountSession(
        token_hash=hash_token(token), account_id=account_id, level=level, route=route,
        self_patient_id=self_patient_id, subject_patient_id=subject_patient_id,
        created_at_utc=now, last_seen_at_utc=now,
    ))
    return token, record


def act_for(record: AccountSession, patient_id: uuid.UUID, authority_id: uuid.UUID | None) -> None:
    """Make ``patient_id`` the person whose pages this session shows (``authority_id`` None:
    themselves). The caller has checked the choice is one ``identity.subjects_for`` offers."""
    record.subject_patient_id, record.authority_id = patient_id, authority_id


def stop_acting(record: AccountSession) -> None:
    """Forget whose pages this session shows (the authority it acted under no longer holds):
    the next patient page asks again whom to see."""
    record.subject_patient_id, record.authority_id = None, None


def find_account_session(session: Session, token: str) -> AccountSession | None:
    return account_data.get_account_session_by_token_hash(session, hash_token(token))


# Staff -----------------------------------------------------------------------------------------

def start_staff_session(session: Session, *, staff_user_id: uuid.UUID, method: str, now: datetime,
                        replacing: str | None = None) -> tuple[str, StaffSession]:
    """Start a staff session and return ``(token, record)``; flushes."""
    if replacing:
        old = staff_data.get_staff_session_by_token_hash(session, hash_token(replacing))
        if old is not None:
            end(old, "rotated", now)
    token = new_token()
    record = staff_data.add_staff_session(session, StaffSession(
        token_hash=hash_token(token), staff_user_id=staff_user_id, method=method,
        created_at_utc=now, last_seen_at_utc=now,
    ))
    return token, record


def find_staff_session(session: Session, token: str) -> StaffSession | None:
    return staff_data.get_staff_session_by_token_hash(session, hash_token(token))
