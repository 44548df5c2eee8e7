"""The details-and-code route, as the National Data Opt-out offers (DESIGN.md section 4).

A person gives their NHS number, date of birth and postcode; when all three match a Patient
record, a 6-digit code goes to the email (or else the mobile) already on record. The code
expires after 10 minutes, allows 5 tries in all (re-sending does not give more), and can be
re-sent after 60 seconds, at most 5 sends. Only an HMAC-SHA256 of the code, keyed with the
app's secret, is stored, so a copy of the database does not reveal codes. Failed attempts are
audited without the code; details that match nobody are audited without the details.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy.orm import Session

from portal.data import accounts as account_data
from portal.data import people
from portal.data.accounts import OneTimeCode
from portal.data.people import Patient
from portal.domain.contact import compact_postcode, mask_email, mask_mobile
from portal.domain.errors import DomainError
from portal.domain.nhs_number import NhsNumber
from portal.services import audit
from portal.services.audit import SYSTEM, Actor
from portal.services.delivery import EMAIL, SMS, CodeMessage, Sender

CODE_LIFETIME = timedelta(minutes=10)
RESEND_AFTER = timedelta(seconds=60)
MAX_TRIES = 5
MAX_SENDS = 5


class NoContactDetails(DomainError):
    """The matched patient has no email or mobile on record this service can send to."""


class ResendTooSoon(DomainError):
    """A new code was asked for too soon; ``seconds`` to wait (1-60)."""

    def __init__(self, seconds: int) -> None:
        super().__init__(f"wait {seconds} seconds")
        self.seconds = seconds


class TooManySends(DomainError):
    """Five codes have been sent for this sign-in: start again."""


class CodeStatus(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    EXPIRED = "expired"
    LOCKED = "locked"  # no tries left, or already used
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class IssuedCode:
    """A code sent: its id (kept by the browser's session), where it went (masked), and the
    code itself only when the sender ``shows_codes`` (development console)."""

    id: uuid.UUID
    channel: str
    destination_masked: str
    display_code: str | None


@dataclass(frozen=True)
class CodeCheck:
    status: CodeStatus
    patient_id: uuid.UUID | None = None
    tries_left: int = 0


def _hash(secret: str, code_id: uuid.UUID, code: str) -> str:
    return hmac.new(secret.encode(), f"{code_id}:{code}".encode(), hashlib.sha256).hexdigest()


def find_patient(session: Session, nhs_number: NhsNumber, date_of_birth: date, postcode: str) -> Patient | None:
    """The living Patient whose NHS number, date of birth and postcode all match, or None.
    Which detail failed is never reported (no enumeration); a miss is audited without them."""
    patient = people.get_patient_by_nhs_number(session, nhs_number.value)
    matched = (patient is not None and patient.date_of_death is None
               and patient.date_of_birth == date_of_birth
               and bool(patient.postcode) and compact_postcode(patient.postcode) == compact_postcode(postcode))
    if not matched:
        audit.record(session, SYSTEM, "sign-in.details-not-matched")
        return None
    return patient


def _destination(patient: Patient, sender: Sender) -> tuple[str, str, str]:
    """(channel, address, masked address): email first, then mobile."""
    if patient.email and sender.can_send(EMAIL):
        return EMAIL, patient.email, mask_email(patient.email)
    if patient.mobile and sender.can_send(SMS):
        return SMS, patient.mobile, mask_mobile(patient.mobile)
    raise NoContactDetails("no contact details this service can send a code to")


def _deliver(session: Session, record: OneTimeCode, address: str, sender: Sender,
             secret: str, now: datetime) -> IssuedCode:
    code = f"{secrets.randbelow(10 ** 6):06d}"
    record.code_hash = _hash(secret, record.id, code)
    record.sent_at_utc, record.expires_at_utc = now, now + CODE_LIFETIME
    session.flush()
    sender.send(CodeMessage(record.channel, address, code))
    audit.record(session, SYSTEM, "sign-in.code-sent", patient_id=record.patient_id,
                 details={"channel": record.channel, "send": record.sends})
    return IssuedCode(record.id, record.channel, record.destination_masked,
                      code if sender.shows_codes else None)


def send_code(session: Session, patient: Patient, sender: Sender, secret: str, now: datetime) -> IssuedCode:
    """Send a new code to ``patient``'s contact details; flushes. Raises ``NoContactDetails``
    or ``delivery.DeliveryFailed``."""
    channel, address, masked = _destination(patient, sender)
    record = account_data.add_one_time_code(session, OneTimeCode(
        id=uuid.uuid4(), patient_id=patient.id, code_hash="", channel=channel,
        destination_masked=masked, sent_at_utc=now, expires_at_utc=now + CODE_LIFETIME,
    ))
    return _deliver(session, record, address, sender, secret, now)


def resend_code(session: Session, code_id: uuid.UUID, sender: Sender, secret: str, now: datetime) -> IssuedCode:
    """Send a fresh code for the same sign-in (the old one stops working). Raises
    ``ResendTooSoon``, ``TooManySends``, ``NoContactDetails`` or ``delivery.DeliveryFailed``."""
    record = account_data.get_one_time_code(session, code_id)
    if record is None or record.used_at_utc is not None or record.tries >= MAX_TRIES:
        raise TooManySends("start again")
    wait = record.sent_at_utc + RESEND_AFTER - now
    if wait > timedelta(0):
        raise ResendTooSoon(max(1, int(wait.total_seconds() + 0.999)))
    if record.sends >= MAX_SENDS:
        raise TooManySends("start again")
    patient = session.get(Patient, record.patient_id)
    assert patient is not None
    channel, address, masked = _destination(patient, sender)
    record.channel, record.destination_masked, record.sends = channel, masked, record.sends + 1
    return _deliver(session, record, address, sender, secret, now)


def check_code(session: Session, code_id: uuid.UUID, entered: str, secret: str, now: datetime) -> CodeCheck:
    """Check ``entered`` (6 digits) against the code; counts the try; flushes.

    ``OK`` uses the code up (it works once). A wrong code leaves ``tries_left``; the fifth
    wrong try gives ``LOCKED``. Failures are audited (the code is never recorded)."""
    record = account_data.get_one_time_code(session, code_id)
    if record is None:
        return CodeCheck(CodeStatus.UNKNOWN)
    if record.used_at_utc is not None or record.tries >= MAX_TRIES:
        return CodeCheck(CodeStatus.LOCKED, record.patient_id)
    if now >= record.expires_at_utc:
        audit.record(session, SYSTEM, "sign-in.code-expired", patient_id=record.patient_id)
        return CodeCheck(CodeStatus.EXPIRED, record.patient_id, MAX_TRIES - record.tries)
    record.tries += 1
    if hmac.compare_digest(record.code_hash, _hash(secret, record.id, entered)):
        record.used_at_utc = now
        session.flush()
        return CodeCheck(CodeStatus.OK, record.patient_id, MAX_TRIES - record.tries)
    left = MAX_TRIES - record.tries
    session.flush()
    audit.record(session, Actor("system"), "sign-in.code-wrong", patient_id=record.patient_id,
                 details={"tries_left": left})
    return CodeCheck(CodeStatus.LOCKED if left == 0 else CodeStatus.WRONG, record.patient_id, left)
