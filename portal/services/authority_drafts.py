"""Asking to act for someone, one question per page (issue 7 point 3): the server-side draft.

Every answer is saved to the account's draft as it is sent, before it is checked, so an error,
a timed-out form or a closed tab never loses what was typed. ``answers`` hold what was typed
(strings), and the stored evidence file's name, type and original name. ``submit`` turns the
draft into a request exactly once: the draft's id is the request's ``submission_key``, so a
second press of "Send request" (or a second tab) gets the same request back.

Answer keys: ``nhs_number``, ``day``, ``month``, ``year`` (their date of birth), ``postcode``,
``basis``, ``relationship``, ``reference``, ``court_order_number``, ``evidence_path``,
``evidence_type``, ``evidence_name``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.config import INSTANCE_DIR
from portal.data import authorities as data
from portal.data.authorities import Authority
from portal.domain import authority as rules
from portal.domain.authority import AuthorityBasis
from portal.domain.contact import is_valid_postcode
from portal.domain.errors import NotFound
from portal.domain.nhs_number import InvalidNhsNumber, NhsNumber
from portal.services.authority_requests import (AuthorityRequest, RequestRefused, check_basis_for,
                                                check_references, match_patient, request_authority)

RELATIONSHIP_LIMIT = 100


def draft_answers(session: Session, account_id: uuid.UUID) -> tuple[str | None, dict[str, Any]]:
    """(draft id or None, the answers so far)."""
    draft = data.get_request_draft(session, account_id)
    return (None, {}) if draft is None else (str(draft.id), dict(draft.answers))


def save_answers(session: Session, account_id: uuid.UUID, answers: Mapping[str, Any]) -> str:
    """Merge ``answers`` (JSON-friendly values) into the draft, making one if needed; returns
    the draft id. Flushes."""
    draft = data.get_request_draft(session, account_id)
    merged = {} if draft is None else dict(draft.answers)
    merged.update(answers)
    return str(data.save_request_draft(session, account_id, merged).id)


def discard(session: Session, account_id: uuid.UUID) -> str | None:
    """Delete the draft; returns the evidence file it held (for the caller to delete), or None."""
    draft = data.get_request_draft(session, account_id)
    if draft is None:
        return None
    evidence = draft.answers.get("evidence_path")
    data.delete_request_draft(session, draft)
    return str(evidence) if evidence else None


def delete_abandoned(session: Session, inactive_before: datetime, upload_dir: str | Path | None) -> int:
    """Delete drafts untouched since ``inactive_before`` and the evidence files stored for them
    (in ``upload_dir``, default ``instance/uploads``); returns how many drafts. Retention:
    ``RETAIN_DRAFTS_DAYS``. Sent requests keep their files."""
    count, files = data.delete_abandoned_request_drafts(session, inactive_before)
    directory = Path(upload_dir) if upload_dir else INSTANCE_DIR / "uploads"
    for name in files:
        if Path(name).name == name:
            (directory / name).unlink(missing_ok=True)
    return count


def steps_for(answers: Mapping[str, Any]) -> list[str]:
    """The question pages, in order, for these answers: the reference page only for an LPA
    or a deputy (parental responsibility and patient-nominated have no reference)."""
    steps = ["their-details", "legal-basis", "relationship"]
    basis = answers.get("basis")
    if basis in {b.value for b in AuthorityBasis} and (rules.is_lpa(basis)
                                                       or basis == AuthorityBasis.PERSONAL_WELFARE_DEPUTY):
        steps.append("reference")
    return [*steps, "evidence"]


def date_of_birth(answers: Mapping[str, Any]) -> date | None:
    try:
        return date(int(answers.get("year", "")), int(answers.get("month", "")), int(answers.get("day", "")))
    except (TypeError, ValueError):
        return None


def check_details(session: Session, account_id: uuid.UUID, self_patient_id: uuid.UUID | None,
                  answers: Mapping[str, Any]) -> None:
    """The details match someone the requester may ask to act for (``RequestRefused``)."""
    born = date_of_birth(answers)
    try:
        number = NhsNumber.parse(str(answers.get("nhs_number", "")))
    except InvalidNhsNumber:
        raise RequestRefused("nhs_number", "nhs-number", "Enter their 10 digit NHS number") from None
    if born is None:
        raise RequestRefused("date_of_birth", "date-of-birth", "Enter their date of birth")
    match_patient(session, account_id, self_patient_id, number, born, str(answers.get("postcode", "")))


def check_basis(session: Session, account_id: uuid.UUID, self_patient_id: uuid.UUID | None,
                answers: Mapping[str, Any], now: datetime) -> None:
    """A basis was chosen, and (parental responsibility) the child is under 16 now."""
    try:
        basis = AuthorityBasis(str(answers.get("basis", "")))
    except ValueError:
        raise RequestRefused("basis", "no-basis", "Select why you can act for them") from None
    born = date_of_birth(answers)
    number = _number(answers)
    if number is not None and born is not None:
        patient = match_patient(session, account_id, self_patient_id, number, born, str(answers.get("postcode", "")))
        check_basis_for(patient, basis, now)


def check_relationship(answers: Mapping[str, Any]) -> None:
    text = str(answers.get("relationship") or "").strip()
    if not text:
        raise RequestRefused("relationship", "no-relationship", "Enter how you are related to them")
    if len(text) > RELATIONSHIP_LIMIT:
        raise RequestRefused("relationship", "relationship-too-long", "How you are related must be 100 characters or fewer")


def check_reference(answers: Mapping[str, Any]) -> None:
    try:
        basis = AuthorityBasis(str(answers.get("basis", "")))
    except ValueError:
        raise RequestRefused("basis", "no-basis", "Select why you can act for them") from None
    check_references(basis, answers.get("reference"), answers.get("court_order_number"))


def _number(answers: Mapping[str, Any]) -> NhsNumber | None:
    try:
        return NhsNumber.parse(str(answers.get("nhs_number", "")))
    except InvalidNhsNumber:
        return None


def to_request(answers: Mapping[str, Any]) -> AuthorityRequest:
    """The request the answers make; ``RequestRefused`` naming the first answer to fix."""
    number, born = _number(answers), date_of_birth(answers)
    if number is None:
        raise RequestRefused("nhs_number", "nhs-number", "Enter their 10 digit NHS number")
    if born is None:
        raise RequestRefused("date_of_birth", "date-of-birth", "Enter their date of birth")
    if not is_valid_postcode(str(answers.get("postcode", ""))):
        raise RequestRefused("postcode", "postcode", "Enter their postcode, like LS1 4AP")
    check_reference(answers)
    check_relationship(answers)
    basis = AuthorityBasis(str(answers["basis"]))
    keep = rules.is_lpa(basis), basis is AuthorityBasis.PERSONAL_WELFARE_DEPUTY
    return AuthorityRequest(
        nhs_number=number, date_of_birth=born, postcode=str(answers["postcode"]), basis=basis,
        relationship=str(answers["relationship"]), reference=answers.get("reference") if keep[0] else None,
        court_order_number=answers.get("court_order_number") if keep[1] else None,
        evidence_path=answers.get("evidence_path"), evidence_type=answers.get("evidence_type"))


def submit(session: Session, account_id: uuid.UUID, self_patient_id: uuid.UUID | None, submission_key: str,
           now: datetime, *, carer_identity_check_needed: bool) -> Authority:
    """Make the request from the draft ``submission_key``, once; returns it (flushed).

    The same key again returns the request already made, even after the draft is gone.
    ``NotFound`` when there is neither; ``RequestRefused`` for an answer to fix."""
    existing = data.get_authority_by_submission_key(session, submission_key)
    if existing is not None and existing.account_id == account_id:
        return existing
    draft = data.get_request_draft(session, account_id)
    if existing is not None or draft is None or str(draft.id) != submission_key:
        raise NotFound("No such draft")
    asked = to_request(draft.answers)
    try:
        return _make(session, account_id, self_patient_id, asked, submission_key, now, draft,
                     carer_identity_check_needed)
    except RequestRefused as refused:  # "already held": this very draft, sent from another tab
        made = data.get_authority_by_submission_key(session, submission_key)
        if refused.code != "already-held" or made is None or made.account_id != account_id:
            raise
        return made


def _make(session: Session, account_id: uuid.UUID, self_patient_id: uuid.UUID | None, asked: AuthorityRequest,
          submission_key: str, now: datetime, draft: Any, carer_identity_check_needed: bool) -> Authority:
    try:
        with session.begin_nested():
            authority = request_authority(session, account_id, self_patient_id, asked, now,
                                          carer_identity_check_needed=carer_identity_check_needed,
                                          submission_key=submission_key)
    except IntegrityError:  # the same draft sent at the same moment from another tab
        made = data.get_authority_by_submission_key(session, submission_key)
        if made is None or made.account_id != account_id:
            raise
        return made
    data.delete_request_draft(session, draft)
    return authority
