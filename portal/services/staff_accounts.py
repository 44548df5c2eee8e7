"""Staff accounts: a one-time set-up link, a password and an authenticator app (DESIGN.md 4).

``create_staff_user`` (the ``flask portal create-staff`` command) returns a set-up token valid
for 24 hours; only its SHA-256 is kept. Set-up stores an argon2id password hash and a TOTP
secret (RFC 6238, 30-second steps, 6 digits) encrypted with a key derived from the app's
secret (HKDF-SHA256 -> Fernet), so the secret never sits in the database in the clear.
Signing in needs the email, the password and a current code; each code works once.
Failures are audited with the reason, never the password or code.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.orm import Session

from portal.data import staff as staff_data
from portal.data.staff import STAFF_ROLES, StaffUser
from portal.domain.errors import DomainError
from portal.services import audit
from portal.services.audit import SYSTEM, Actor

SETUP_LIFETIME = timedelta(hours=24)
MIN_PASSWORD_LENGTH = 12
ISSUER_NAME = "AI choices portal"
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a real password, used to even out timing")


class InvalidStaffDetails(DomainError):
    """An unknown role or a malformed email address for a new staff user."""


@dataclass(frozen=True)
class SetUpLink:
    user: StaffUser
    token: str
    expires_at: datetime


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=b"ai-choices-portal staff totp secret").derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def create_staff_user(session: Session, email: str, roles: tuple[str, ...], now: datetime,
                      *, oidc_only: bool = False) -> SetUpLink | None:
    """Create the staff user (or re-issue the set-up link of an existing one, replacing its
    roles); flushes. Raises ``InvalidStaffDetails``. A re-issued link deactivates the account
    until set-up is done again. ``oidc_only``: active at once, no password or link (None
    returned): they can sign in only through the staff identity provider."""
    email = email.strip().lower()
    unknown = [role for role in roles if role not in STAFF_ROLES]
    if unknown or not roles:
        raise InvalidStaffDetails(f"roles must be among: {', '.join(STAFF_ROLES)}")
    if "@" not in email.strip("@"):
        raise InvalidStaffDetails("give the staff member's work email address")
    token = secrets.token_urlsafe(32)
    user = staff_data.get_staff_user_by_email(session, email)
    if user is None:
        user = staff_data.add_staff_user(session, StaffUser(email=email), roles)
    else:
        staff_data.set_staff_roles(session, user, roles)
    if oidc_only:
        user.active, user.password_hash, user.totp_secret_encrypted = True, None, None
        user.setup_token_hash = user.setup_expires_at_utc = None
        session.flush()
        audit.record(session, SYSTEM, "staff.created-for-oidc", details={"staff_user_id": str(user.id)})
        return None
    user.setup_token_hash, user.setup_expires_at_utc = hash_token(token), now + SETUP_LIFETIME
    user.active, user.password_hash, user.totp_secret_encrypted = False, None, None
    session.flush()
    audit.record(session, SYSTEM, "staff.set-up-link-issued", details={"staff_user_id": str(user.id),
                                                                        "roles": list(user.roles)})
    return SetUpLink(user, token, user.setup_expires_at_utc)


def user_for_setup(session: Session, token: str, now: datetime) -> StaffUser | None:
    """The staff user whose unexpired set-up link carries ``token``, or None."""
    user = staff_data.get_staff_user_by_setup_token_hash(session, hash_token(token))
    if user is None or user.setup_expires_at_utc is None or now >= user.setup_expires_at_utc:
        return None
    return user


def set_password(session: Session, user: StaffUser, password: str, secret_key: str) -> str:
    """Store the argon2 hash of ``password`` and a new TOTP secret; return the secret (base32)
    to show once on the set-up page. Flushes."""
    user.password_hash = _hasher.hash(password)
    totp_secret = pyotp.random_base32()
    user.totp_secret_encrypted = _fernet(secret_key).encrypt(totp_secret.encode()).decode()
    session.flush()
    return totp_secret


def totp_secret_of(user: StaffUser, secret_key: str) -> str | None:
    """The user's TOTP secret (base32), or None if not set or not decryptable."""
    if not user.totp_secret_encrypted:
        return None
    try:
        return _fernet(secret_key).decrypt(user.totp_secret_encrypted.encode()).decode()
    except InvalidToken:
        return None


def provisioning_uri(user: StaffUser, totp_secret: str) -> str:
    """The ``otpauth://totp/...`` URI authenticator apps read."""
    return pyotp.TOTP(totp_secret).provisioning_uri(name=user.email, issuer_name=ISSUER_NAME)


def _code_ok(user: StaffUser, code: str, secret_key: str, now: datetime) -> bool:
    """True if ``code`` is this or the neighbouring 30-second step and newer than the last
    code used (so a code seen over a shoulder cannot be used again)."""
    totp_secret = totp_secret_of(user, secret_key)
    if totp_secret is None or not code.isdigit() or len(code) != 6:
        return False
    totp = pyotp.TOTP(totp_secret)
    step = int(now.timestamp()) // totp.interval
    for candidate in (step, step - 1, step + 1):
        if secrets.compare_digest(totp.generate_otp(candidate), code) and candidate > (user.totp_last_step or -1):
            user.totp_last_step = candidate
            return True
    return False


def complete_setup(session: Session, user: StaffUser, code: str, secret_key: str, now: datetime) -> bool:
    """Activate ``user`` when ``code`` proves the authenticator app is set up; the link then
    stops working. Flushes."""
    if not _code_ok(user, code, secret_key, now):
        return False
    user.active, user.setup_token_hash, user.setup_expires_at_utc = True, None, None
    session.flush()
    audit.record(session, Actor("staff", str(user.id)), "staff.set-up-completed")
    return True


def authenticate(session: Session, email: str, password: str, code: str, secret_key: str,
                 now: datetime) -> StaffUser | None:
    """The active staff user these credentials prove, or None (audited with the reason)."""
    user = staff_data.get_staff_user_by_email(session, email)
    try:
        password_ok = _hasher.verify(user.password_hash if user and user.password_hash else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        password_ok = False
    reason = None
    if user is None or not user.password_hash or not password_ok:
        reason = "password"
    elif not user.active:
        reason = "inactive"
    elif not _code_ok(user, code, secret_key, now):
        reason = "code"
    if reason:
        audit.record(session, SYSTEM, "staff.sign-in-failed",
                     details={"reason": reason, "staff_user_id": str(user.id) if user else None})
        return None
    assert user is not None
    user.last_signed_in_at_utc = now
    session.flush()
    audit.record(session, Actor("staff", str(user.id)), "staff.signed-in", details={"method": "password-totp"})
    return user


def user_for_oidc(session: Session, subject: str, email: str | None, now: datetime) -> StaffUser | None:
    """The active staff user a staff identity provider vouched for: by its ``sub`` once linked,
    else by email (then linked). Roles always come from the portal, never the provider."""
    user = staff_data.get_staff_user_by_oidc_subject(session, subject)
    if user is None and email:
        user = staff_data.get_staff_user_by_email(session, email)
        if user is not None and user.oidc_subject is None:
            user.oidc_subject = subject
    if user is None or not user.active:
        audit.record(session, SYSTEM, "staff.sign-in-failed", details={"reason": "oidc-unknown"})
        return None
    user.last_signed_in_at_utc = now
    session.flush()
    audit.record(session, Actor("staff", str(user.id)), "staff.signed-in", details={"method": "oidc"})
    return user


@dataclass(frozen=True)
class StaffIdentity:
    """A signed-in staff member as pages see them."""

    id: uuid.UUID
    email: str
    roles: tuple[str, ...]


def identity_of(session: Session, staff_user_id: uuid.UUID) -> StaffIdentity | None:
    """The active staff user ``staff_user_id`` as a ``StaffIdentity``, or None."""
    user = staff_data.get_staff_user(session, staff_user_id)
    if user is None or not user.active:
        return None
    return StaffIdentity(user.id, user.email, user.roles)


def set_up_for_demo(session: Session, email: str, roles: tuple[str, ...], password: str, totp_secret: str,
                    secret_key: str, now: datetime) -> StaffUser:
    """Create or reset a demo staff user, ready to sign in (demo data only); flushes."""
    create_staff_user(session, email, roles, now)
    user = staff_data.get_staff_user_by_email(session, email)
    assert user is not None
    user.password_hash = _hasher.hash(password)
    user.totp_secret_encrypted = _fernet(secret_key).encrypt(totp_secret.encode()).decode()
    user.active, user.setup_token_hash, user.setup_expires_at_utc, user.totp_last_step = True, None, None, None
    session.flush()
    return user
