"""Carers' authority: asking, checking, acting and ending (issue 7; DESIGN.md sections 3, 4).

Every change goes through ``_move``: the domain's state machine, an ``AuthorityEvent`` with a
coded reason and who, an audit event, and a message queued to the carer (and the patient where
they should know). ``can_act`` is the one check every submit makes: it applies the time rules
first, so a stale state never grants access. Requests are made in ``authority_requests``.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from portal.data import accounts as account_data
from portal.data import authorities as data
from portal.data import people
from portal.data.authorities import Authority, AuthorityEvent, CapacityNote
from portal.domain import authority as rules
from portal.domain.age import LONDON, age_at
from portal.domain.authority import AuthorityBasis, AuthorityReason, AuthorityState
from portal.domain.errors import DomainError, NotFound
from portal.domain.values import Purpose
from portal.services import audit, notify
from portal.services.audit import Actor

log = logging.getLogger(__name__)
CHANGED_TEMPLATE = "authority-changed"
SYSTEM_ACTOR = audit.SYSTEM
ACTING_STATES = (AuthorityState.ACTIVE,)
TIMED_STATES = (AuthorityState.ACTIVE, AuthorityState.SUSPENDED, AuthorityState.REVIEW_DUE)


class CannotAct(DomainError):
    """The carer may not act for this patient now. ``code`` is one of ``not-active`` (never
    active, withdrawn, ended, expired), ``suspended``, ``review-due``, ``wrong-subject`` (the
    form was for someone else), ``purpose-not-covered`` and ``no-capacity-note``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def staff_actor(staff_user_id: uuid.UUID) -> Actor:
    return Actor("staff", str(staff_user_id))


def carer_actor(account_id: uuid.UUID) -> Actor:
    return Actor("representative", str(account_id))


def _move(session: Session, authority: Authority, to: AuthorityState, reason: AuthorityReason,
          actor: Actor, now: datetime, *, tell_patient: bool = False) -> Authority:
    """Apply one transition (``InvalidTransition`` if not allowed), record it, tell people."""
    before = authority.state
    authority.state = rules.transition(before, to).value
    authority.reason = reason.value
    data.add_authority_event(session, AuthorityEvent(
        authority_id=authority.id, from_state=before, to_state=to.value, reason=reason.value,
        actor_kind=actor.kind, actor_id=actor.id, at_utc=now))
    audit.record(session, actor, f"authority.{to.value}", patient_id=authority.patient_id, details={
        "authority_id": str(authority.id), "from": before, "to": to.value, "reason": reason.value,
        "basis": authority.basis})
    _tell(session, authority, reason, tell_patient)
    return authority


def _tell(session: Session, authority: Authority, reason: AuthorityReason, tell_patient: bool) -> None:
    personalisation = {"state": authority.state, "reason": reason.value}
    account = account_data.get_account(session, authority.account_id)
    carer = people.get_patient(session, account.patient_id) if account and account.patient_id else None
    if account is not None and account.email:
        notify.queue(session, notify.Notification(CHANGED_TEMPLATE, "email", account.email,
                                                  personalisation))
    elif carer is not None and (to := notify.contact_for(carer.email, carer.mobile)) is not None:
        # a carer who signed in with the details-and-code route: their own contact details on record
        notify.queue(session, notify.Notification(CHANGED_TEMPLATE, to[0], to[1], personalisation))
    if tell_patient:
        patient = people.get_patient(session, authority.patient_id)
        contact = notify.contact_for(patient.email, patient.mobile) if patient else None
        if contact is not None:
            notify.queue(session, notify.Notification(f"{CHANGED_TEMPLATE}-patient", contact[0],
                                                      contact[1], personalisation))


def move(session: Session, authority: Authority, to: AuthorityState, reason: AuthorityReason, actor: Actor,
         now: datetime, *, tell_patient: bool = False) -> Authority:
    """One change of state, recorded, audited and told (for the other authority modules)."""
    return _move(session, authority, to, reason, actor, now, tell_patient=tell_patient)


def record_step(session: Session, authority: Authority, reason: AuthorityReason, actor: Actor, now: datetime,
                *, tell_patient: bool = False) -> None:
    """A step that leaves the state as it is (the patient confirmed a nomination): an event
    from and to the current state with its coded reason and who, audited, the carer told."""
    data.add_authority_event(session, AuthorityEvent(
        authority_id=authority.id, from_state=authority.state, to_state=authority.state, reason=reason.value,
        actor_kind=actor.kind, actor_id=actor.id, at_utc=now))
    audit.record(session, actor, f"authority.{reason.value}", patient_id=authority.patient_id, details={
        "authority_id": str(authority.id), "state": authority.state, "basis": authority.basis})
    _tell(session, authority, reason, tell_patient)


def record_start(session: Session, authority: Authority, actor: Actor, now: datetime) -> None:
    """The first event of a new request (state ``requested``)."""
    data.add_authority_event(session, AuthorityEvent(
        authority_id=authority.id, from_state=None, to_state=AuthorityState.REQUESTED.value,
        reason=AuthorityReason.REQUESTED.value, actor_kind=actor.kind, actor_id=actor.id, at_utc=now))
    audit.record(session, actor, "authority.requested", patient_id=authority.patient_id,
                 details={"authority_id": str(authority.id), "basis": authority.basis})
    # A nomination waits for the patient's own confirmation: tell them there is one to answer.
    _tell(session, authority, AuthorityReason.REQUESTED, authority.basis == AuthorityBasis.PATIENT_NOMINATED)


def get_for_account(session: Session, authority_id: uuid.UUID, account_id: uuid.UUID) -> Authority:
    """The authority if ``account_id`` holds it; else ``NotFound`` (same for missing)."""
    authority = data.get_authority(session, authority_id)
    if authority is None or authority.account_id != account_id:
        raise NotFound("No such request")
    return authority


def get(session: Session, authority_id: uuid.UUID) -> Authority:
    authority = data.get_authority(session, authority_id)
    if authority is None:
        raise NotFound("No such authority")
    return authority


def withdraw(session: Session, authority_id: uuid.UUID, account_id: uuid.UUID, now: datetime) -> Authority:
    """The requester withdraws a request not yet checked."""
    authority = get_for_account(session, authority_id, account_id)
    return _move(session, authority, AuthorityState.WITHDRAWN, AuthorityReason.WITHDRAWN_BY_REQUESTER,
                 carer_actor(account_id), now)


def stop_acting(session: Session, authority_id: uuid.UUID, account_id: uuid.UUID, now: datetime) -> Authority:
    """The carer stops acting (reason ``revoked-by-carer``); the patient is told."""
    authority = get_for_account(session, authority_id, account_id)
    return _move(session, authority, AuthorityState.ENDED, AuthorityReason.REVOKED_BY_CARER,
                 carer_actor(account_id), now, tell_patient=True)


def end_by_patient(session: Session, authority_id: uuid.UUID, patient_id: uuid.UUID,
                   account_id: uuid.UUID, now: datetime) -> Authority:
    """The patient ends an authority they nominated; any other kind -> ``NotFound``."""
    authority = data.get_authority(session, authority_id)
    if (authority is None or authority.patient_id != patient_id
            or authority.basis != AuthorityBasis.PATIENT_NOMINATED):
        raise NotFound("No such authority")
    return _move(session, authority, AuthorityState.ENDED, AuthorityReason.ENDED_BY_PATIENT,
                 Actor("patient", str(account_id)), now)


CARER_IDENTITY_METHODS = ("photo-id-in-person", "photo-id-video-call", "known-to-care-team")
"""How a verifier may have checked the identity of a carer who asked without NHS login at P9."""


class ApprovalRefused(ValueError, DomainError):
    """An approval missing what the basis needs. ``code``: ``lpa-not-registered``,
    ``attorneys-act``, ``deputy-end-date``, ``review-date``, ``carer-identity``, (a nomination
    the patient has not confirmed yet) ``patient-not-confirmed``, or (the person's age rules the
    basis out, ``domain.authority.age_refusal``) ``child-16-or-over``, ``lpa-under-18``,
    ``deputy-under-16``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Approval:
    """What a verifier records when approving. ``review_on`` or (deputy) ``ends_on`` is needed.
    ``carer_identity_method`` (one of ``CARER_IDENTITY_METHODS``) is needed when the request
    came through the details-and-code route."""

    review_on: date | None
    ends_on: date | None = None
    lpa_registered: bool | None = None
    attorneys_act: str | None = None  # jointly | jointly-and-severally
    restrictions: str | None = None
    carer_identity_method: str | None = None


def approve(session: Session, authority_id: uuid.UUID, approval: Approval, staff_user_id: uuid.UUID,
            now: datetime) -> Authority:
    """Verify a request and make it active (two events: ``verified``, then ``active``).

    Raises ``ApprovalRefused`` (a ``ValueError``) when the details the basis needs are missing:
    an LPA must be registered and say how attorneys act; a deputy needs the order's end date;
    every approval needs a review date or an end date; a carer who asked through the
    details-and-code route needs their identity checked, and how (DESIGN.md section 4). The
    person's age at ``now`` must allow the basis (an LPA 18 or over, a personal welfare deputy
    16 or over, parental responsibility under 16: ``domain.authority.age_refusal``)."""
    authority = get(session, authority_id)
    _check_age(session, authority, now)
    _check_approval(authority, approval)
    if authority.basis == AuthorityBasis.PATIENT_NOMINATED and authority.patient_confirmed_at_utc is None:
        raise ApprovalRefused("patient-not-confirmed", "the person has not confirmed that they asked for this yet")
    authority.review_on, authority.ends_on = approval.review_on, approval.ends_on
    authority.lpa_registered, authority.attorneys_act = approval.lpa_registered, approval.attorneys_act
    authority.restrictions = approval.restrictions
    if authority.carer_identity_check_needed:
        authority.carer_identity_method = approval.carer_identity_method
        authority.carer_identity_checked_by, authority.carer_identity_checked_at_utc = str(staff_user_id), now
    actor = staff_actor(staff_user_id)
    _move(session, authority, AuthorityState.VERIFIED, AuthorityReason.VERIFIED, actor, now)
    return _move(session, authority, AuthorityState.ACTIVE, AuthorityReason.VERIFIED, actor, now,
                 tell_patient=True)


def _check_age(session: Session, authority: Authority, now: datetime) -> None:
    patient = people.get_patient(session, authority.patient_id)
    code = rules.age_refusal(authority.basis, age_at(patient.date_of_birth, now))
    if code is not None:
        raise ApprovalRefused(code, "the person's age rules out this basis")


def _check_approval(authority: Authority, approval: Approval) -> None:
    basis = authority.basis
    if rules.is_lpa(basis) and approval.lpa_registered is not True:
        raise ApprovalRefused("lpa-not-registered", "an LPA must be registered and say how the attorneys act")
    if rules.is_lpa(basis) and approval.attorneys_act not in ("jointly", "jointly-and-severally"):
        raise ApprovalRefused("attorneys-act", "an LPA must be registered and say how the attorneys act")
    if basis == AuthorityBasis.PERSONAL_WELFARE_DEPUTY and approval.ends_on is None:
        raise ApprovalRefused("deputy-end-date", "a deputyship needs the court order's end date")
    if approval.review_on is None and approval.ends_on is None:
        raise ApprovalRefused("review-date", "give a review date or an end date")
    if authority.carer_identity_check_needed and approval.carer_identity_method not in CARER_IDENTITY_METHODS:
        raise ApprovalRefused("carer-identity", "the carer's identity must be checked, and how recorded")


def may_act_at(authority: Authority, level: str, route: str) -> bool:
    """True when a session at ``level`` through ``route`` is assured enough to act under
    ``authority`` (DESIGN.md section 4): NHS login at P9, or the details-and-code route when
    a verifier checked the carer's identity with this authority."""
    if level == "P9":
        return True
    return route == "code" and authority.carer_identity_checked_at_utc is not None


def reject(session: Session, authority_id: uuid.UUID, reason: str, explanation: str,
           staff_user_id: uuid.UUID, now: datetime) -> Authority:
    """Reject a request with a coded reason and a plain explanation the requester sees."""
    coded = AuthorityReason(reason)
    if coded not in rules.REJECTION_REASONS or not explanation.strip():
        raise ValueError("a rejection needs one of the rejection reasons and an explanation")
    authority = get(session, authority_id)
    authority.explanation = explanation.strip()
    return _move(session, authority, AuthorityState.REJECTED, coded, staff_actor(staff_user_id), now)


def suspend(session: Session, authority_id: uuid.UUID, staff_user_id: uuid.UUID, now: datetime) -> Authority:
    """Staff suspend an active authority (safeguarding)."""
    return _move(session, get(session, authority_id), AuthorityState.SUSPENDED, AuthorityReason.SAFEGUARDING,
                 staff_actor(staff_user_id), now)


def lift_suspension(session: Session, authority_id: uuid.UUID, staff_user_id: uuid.UUID,
                    now: datetime) -> Authority:
    """Active again; but a parent's authority goes straight on to ``review-due`` if the young
    person made a choice themselves while it was suspended (``young-person-chose``)."""
    authority = _move(session, get(session, authority_id), AuthorityState.ACTIVE,
                      AuthorityReason.SUSPENSION_LIFTED, staff_actor(staff_user_id), now)
    if _young_person_chose_unreviewed(session, authority):
        _move(session, authority, AuthorityState.REVIEW_DUE, AuthorityReason.YOUNG_PERSON_CHOSE,
              staff_actor(staff_user_id), now, tell_patient=True)
    return authority


def _young_person_chose_unreviewed(session: Session, authority: Authority) -> bool:
    """A ``young-person-chose`` step recorded while suspended, with no review since."""
    pending = False
    for event in data.list_authority_events(session, authority.id):
        if event.reason == AuthorityReason.YOUNG_PERSON_CHOSE and event.to_state == AuthorityState.SUSPENDED:
            pending = True
        elif event.to_state == AuthorityState.REVIEW_DUE or event.reason == AuthorityReason.REVIEW_CONFIRMED:
            pending = False
    return pending


def confirm_review(session: Session, authority_id: uuid.UUID, staff_user_id: uuid.UUID,
                   now: datetime) -> Authority:
    """A verifier confirms a young person is not yet able to decide: active again (to 16)."""
    return _move(session, get(session, authority_id), AuthorityState.ACTIVE,
                 AuthorityReason.REVIEW_CONFIRMED, staff_actor(staff_user_id), now)


def end(session: Session, authority_id: uuid.UUID, reason: str, staff_user_id: uuid.UUID,
        now: datetime) -> Authority:
    """Staff end an authority with a coded reason (``patient-died``, ``safeguarding`` ...)."""
    coded = AuthorityReason(reason)
    if coded not in rules.STAFF_ENDING_REASONS:
        raise ValueError("not a reason staff may give for ending an authority")
    return _move(session, get(session, authority_id), AuthorityState.ENDED, coded,
                 staff_actor(staff_user_id), now, tell_patient=coded is not AuthorityReason.PATIENT_DIED)


def record_capacity_note(session: Session, patient_id: uuid.UUID, *, lacks_capacity: bool,
                         assessed_by: str, assessed_on: date, actor: Actor) -> CapacityNote:
    """Record a capacity assessment for decisions about AI in the patient's care.

    A note that the patient lacks capacity (when it is the latest note: an older assessment
    entered late does not count) ends every nomination of theirs that is not final
    (requested, active, suspended, review-due), reason ``capacity-lost``, in the same
    transaction: a nomination made by a patient with capacity does not survive its loss
    (DESIGN.md section 3). The carer (and the patient) are told."""
    note = data.add_capacity_note(session, CapacityNote(
        patient_id=patient_id, lacks_capacity=lacks_capacity, assessed_by=assessed_by[:200],
        assessed_on=assessed_on))
    audit.record(session, actor, "capacity-note.recorded", patient_id=patient_id,
                 details={"capacity_note_id": str(note.id), "lacks_capacity": lacks_capacity})
    latest = data.get_latest_capacity_note(session, patient_id)
    if lacks_capacity and latest is not None and latest.lacks_capacity:
        now = datetime.now(UTC)
        for authority in data.list_authorities_for_patient(session, patient_id):
            if authority.basis == AuthorityBasis.PATIENT_NOMINATED and not rules.is_final(authority.state):
                _move(session, authority, AuthorityState.ENDED, AuthorityReason.CAPACITY_LOST, actor, now,
                      tell_patient=True)
    return note


def lacks_capacity(session: Session, patient_id: uuid.UUID) -> bool:
    note = data.get_latest_capacity_note(session, patient_id)
    return note is not None and note.lacks_capacity


# Time rules ---------------------------------------------------------------------------------

def apply_time_rules(session: Session, now: datetime) -> int:
    """End authorities past the order's end date or a child's 16th birthday, and move
    parental responsibility to ``review-due`` at 13 (ages reached at 00:00 Europe/London).
    Returns how many authorities changed; flushes. Idempotent."""
    changed = 0
    for authority in data.list_authorities_in_states(session, [s.value for s in TIMED_STATES]):
        changed += _apply_to(session, authority, now)
    return changed


def _apply_to(session: Session, authority: Authority, now: datetime) -> int:
    today = now.astimezone(LONDON).date()
    if authority.ends_on is not None and today > authority.ends_on:
        reason = (AuthorityReason.DEPUTYSHIP_ENDED if authority.basis == AuthorityBasis.PERSONAL_WELFARE_DEPUTY
                  else AuthorityReason.EXPIRED)
        _move(session, authority, AuthorityState.ENDED, reason, audit.SYSTEM, now, tell_patient=True)
        return 1
    if authority.basis != AuthorityBasis.PARENTAL_RESPONSIBILITY:
        return 0
    patient = people.get_patient(session, authority.patient_id)
    age = age_at(patient.date_of_birth, now) if patient is not None else 16
    if age >= 16:
        _move(session, authority, AuthorityState.ENDED, AuthorityReason.CHILD_REACHED_16, audit.SYSTEM, now,
              tell_patient=True)
        return 1
    if age >= 13 and authority.state == AuthorityState.ACTIVE and not _review_confirmed(session, authority):
        _move(session, authority, AuthorityState.REVIEW_DUE, AuthorityReason.CHILD_REACHED_13, audit.SYSTEM,
              now, tell_patient=True)
        return 1
    return 0


def _review_confirmed(session: Session, authority: Authority) -> bool:
    return any(event.reason == AuthorityReason.REVIEW_CONFIRMED
               for event in data.list_authority_events(session, authority.id))


# Acting -------------------------------------------------------------------------------------

def check_can_act(session: Session, authority_id: uuid.UUID, account_id: uuid.UUID,
                  patient_id: uuid.UUID, purpose: Purpose | str | None, at: datetime) -> Authority:
    """The authority, if ``account_id`` may act under it for ``patient_id`` (and ``purpose``,
    when given) at ``at``; otherwise ``CannotAct``. Applies the time rules first."""
    apply_time_rules(session, at)
    authority = data.get_authority(session, authority_id)
    if authority is None or authority.account_id != account_id:
        raise CannotAct("not-active", "You can no longer act for this person")
    if authority.patient_id != patient_id:
        raise CannotAct("wrong-subject", "This page was for someone else")
    if authority.state == AuthorityState.SUSPENDED:
        raise CannotAct("suspended", "Your permission to act for this person is on hold")
    if authority.state == AuthorityState.REVIEW_DUE:
        raise CannotAct("review-due", "Your permission to act for this person is being reviewed")
    if authority.state != AuthorityState.ACTIVE:
        raise CannotAct("not-active", "You can no longer act for this person")
    if rules.needs_capacity_note(authority.basis) and not lacks_capacity(session, patient_id):
        raise CannotAct("no-capacity-note", "We have no record that this person cannot decide for themselves")
    if purpose is not None and Purpose(purpose) not in rules.purposes_covered(authority.basis):
        raise CannotAct("purpose-not-covered", "Your permission does not cover this choice")
    return authority


def authority_covers(session: Session, authority_id: uuid.UUID, patient_id: uuid.UUID,
                     purpose: Purpose | str, at: datetime, account_id: uuid.UUID | None = None) -> bool:
    """True when the authority lets its holder decide ``purpose`` for ``patient_id`` at ``at``."""
    authority = data.get_authority(session, authority_id)
    if authority is None:
        return False
    try:
        check_can_act(session, authority_id, account_id or authority.account_id, patient_id, purpose, at)
    except CannotAct:
        return False
    return True


def acting_authorities(session: Session, account_id: uuid.UUID, now: datetime) -> list[Authority]:
    """The account's authorities it may act under now (active, capacity note where needed)."""
    apply_time_rules(session, now)
    result = []
    for authority in data.list_authorities_for_account(session, account_id):
        if authority.state != AuthorityState.ACTIVE:
            continue
        if rules.needs_capacity_note(authority.basis) and not lacks_capacity(session, authority.patient_id):
            continue
        result.append(authority)
    return result


def list_for_account(session: Session, account_id: uuid.UUID, now: datetime) -> list[Authority]:
    """Every request and authority the account holds, oldest first (time rules applied)."""
    apply_time_rules(session, now)
    return list(data.list_authorities_for_account(session, account_id))


def describe_for_carer(session: Session, authority: Authority) -> dict[str, str]:
    """The name and date of birth (ISO) of the person a request is about."""
    patient = people.get_patient(session, authority.patient_id)
    if patient is None:
        return {"name": "", "date_of_birth": ""}
    return {"name": f"{patient.given_name} {patient.family_name}".strip(),
            "date_of_birth": patient.date_of_birth.isoformat()}


def queue(session: Session, now: datetime) -> list[Authority]:
    """What verifiers have to do: requests to check and authorities due for review."""
    apply_time_rules(session, now)
    return list(data.list_authorities_in_states(session, [AuthorityState.REQUESTED.value,
                                                          AuthorityState.REVIEW_DUE.value]))
