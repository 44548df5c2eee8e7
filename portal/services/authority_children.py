"""Children: telling the family before the review at 13, and a young person's own choice
(issue 7 point 2; DESIGN.md section 3 "Authority", the age rule).

- ``send_review_notices(session, now)``: for every active parental responsibility whose
  child turns 13 within ``REVIEW_NOTICE_DAYS`` days, tell the parent and (where contact
  details are on record) the young person that the authority will move to review. Once per
  authority: the send is stamped with a conditional UPDATE, so running the sweep again, or
  twice at the same time, sends nothing more. ``flask portal authority-review`` runs it.
- ``young_person_chose(session, patient_id, actor, now)``: a young person of 13 or over made
  a choice themselves, so every active parental responsibility for them moves to
  ``review-due`` (reason ``young-person-chose``), the parent told, in the caller's
  transaction (the one that records the choice). A suspended one records the step and moves
  to review when the suspension is lifted (``authority.lift_suspension``).

Ages are reached at 00:00 Europe/London on the birthday (``portal.domain.age``).
"""

from __future__ import annotations

import logging
import uuid
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from portal.data import accounts as account_data
from portal.data import authorities as data
from portal.data import people
from portal.data.authorities import Authority
from portal.domain.age import LONDON, age_at, date_reaching_age
from portal.domain.authority import AuthorityBasis, AuthorityReason, AuthorityState
from portal.services import audit, notify
from portal.services import authority as authority_service

log = logging.getLogger(__name__)

REVIEW_AGE = 13
"""Parental responsibility moves to review at 13 (DESIGN.md section 3; issue 7 point 2)."""

REVIEW_NOTICE_DAYS = 30
"""How many days before the 13th birthday the parent and the young person are told.

Source: issue 7 says only "before the child's 13th birthday". 30 days is this service's
choice: long enough for a message by post (the slowest channel a person can choose) and for
the family to talk about it before the review starts, short enough to be remembered. Change
it here; the sweep uses it on its next run (a notice already sent is never sent again)."""

PARENT_TEMPLATE = "authority-review-coming"
YOUNG_PERSON_TEMPLATE = "authority-review-coming-young-person"
NOTICE_ACTION = "authority.review-notice-sent"


def notice_window(date_of_birth: date) -> tuple[datetime, datetime]:
    """(from, until) as aware instants: from 00:00 Europe/London ``REVIEW_NOTICE_DAYS`` days
    before the 13th birthday, until 00:00 Europe/London on it (29 February: 1 March)."""
    birthday = date_reaching_age(date_of_birth, REVIEW_AGE)
    start = datetime.combine(birthday - timedelta(days=REVIEW_NOTICE_DAYS), time(0), tzinfo=LONDON)
    end = datetime.combine(birthday, time(0), tzinfo=LONDON)
    return start, end


def send_review_notices(session: Session, now: datetime) -> int:
    """Tell families whose child turns 13 within ``REVIEW_NOTICE_DAYS`` days; returns how
    many authorities' notices were sent by this call (0 when all were sent before). Flushes;
    the messages go when the caller commits (``notify``)."""
    sent = 0
    for authority in data.list_authorities_in_states(session, [AuthorityState.ACTIVE.value]):
        if authority.basis != AuthorityBasis.PARENTAL_RESPONSIBILITY or authority.review_notice_sent_at_utc:
            continue
        patient = people.get_patient(session, authority.patient_id)
        if patient is None:
            continue
        start, end = notice_window(patient.date_of_birth)
        if start <= now < end and data.mark_review_notice_sent(session, authority.id, now):
            _send_notice(session, authority, patient, date_reaching_age(patient.date_of_birth, REVIEW_AGE))
            sent += 1
    return sent


def _send_notice(session: Session, authority: Authority, patient: people.Patient, birthday: date) -> None:
    personalisation = {"review_from": birthday.isoformat()}
    told = []
    account = account_data.get_account(session, authority.account_id)
    if account is not None and account.email:
        notify.queue(session, notify.Notification(PARENT_TEMPLATE, "email", account.email, personalisation))
        told.append("parent")
    contact = notify.contact_for(patient.email, patient.mobile)
    if contact is not None:
        notify.queue(session, notify.Notification(YOUNG_PERSON_TEMPLATE, contact[0], contact[1], personalisation))
        told.append("young-person")
    audit.record(session, audit.SYSTEM, NOTICE_ACTION, patient_id=authority.patient_id, details={
        "authority_id": str(authority.id), "review_from": birthday.isoformat(), "told": told})


def young_person_chose(session: Session, patient_id: uuid.UUID, account_id: uuid.UUID | None,
                       now: datetime) -> int:
    """The patient made a choice themselves at ``now``: if they are 13 or over (and under
    16, when parental responsibility still exists), move each active parental responsibility
    for them to ``review-due`` with reason ``young-person-chose``; the parent (and the young
    person) told. Returns how many moved. Must run in the transaction recording the choice."""
    patient = people.get_patient(session, patient_id)
    if patient is None or age_at(patient.date_of_birth, now) < REVIEW_AGE:
        return 0
    actor = audit.Actor("patient", str(account_id) if account_id else None)
    moved = 0
    for authority in data.list_authorities_for_patient(session, patient_id):
        if authority.basis != AuthorityBasis.PARENTAL_RESPONSIBILITY:
            continue
        if authority.state == AuthorityState.ACTIVE:
            authority_service.move(session, authority, AuthorityState.REVIEW_DUE, AuthorityReason.YOUNG_PERSON_CHOSE,
                                   actor, now, tell_patient=True)
            moved += 1
        elif authority.state == AuthorityState.SUSPENDED:  # reviewed when the suspension is lifted
            authority_service.record_step(session, authority, AuthorityReason.YOUNG_PERSON_CHOSE, actor, now)
    return moved
