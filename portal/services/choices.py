"""Recording and voiding patients' choices (DESIGN.md section 3: Choice; issue 5).

A choice is append-only. ``record_choice`` validates it against the register and the domain
rule, gives it the next number of the ``decision-changes`` sequence, stores the tool's terms
version, writes an AuditEvent in the same transaction and, when a carer or staff member made
it, queues a message to the patient (sent only if the transaction commits). The caller (the
request edge) commits once, so the choice and its audit row land together or not at all.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.data import choices as choice_data
from portal.data import people
from portal.data import register as register_data
from portal.data.base import utcnow
from portal.data.choices import Choice
from portal.data.sequences import next_sequence
from portal.domain import PurposePolicy, validate_new_choice
from portal.domain.errors import DomainError, InvalidChoice, InvalidTransition, NotFound, NotPermitted
from portal.domain.references import new_reference, normalise_reference
from portal.domain.values import ActorKind, Channel, ConsentModel, Decision, Purpose
from portal.services import audit, authority_children, notify, own_choices

log = logging.getLogger(__name__)
REFERENCE_PREFIX = "CHO"
REFERENCE_ATTEMPTS = 3
VOID_ROLE = "admin"
RECORDED_ACTION = "choice.recorded"
VOIDED_ACTION = "choice.voided"
TOLD_PATIENT_TEMPLATE = "choice-recorded-for-you"
RECEIPT_TEMPLATE = "choice-receipt"
VOIDED_TEMPLATE = "choice-voided"


class IdempotencyKeyReused(DomainError):
    """The form's one-time key was already used for a different answer (for example: sent,
    then the Back button, a new answer and sent again). Nothing is recorded; the edge shows
    the question again with a fresh key so the person can confirm their new answer."""

    def __init__(self) -> None:
        super().__init__("This form was already sent with a different answer")


@dataclass(frozen=True)
class ChoiceActor:
    """Who records a choice: the patient (``self``), a carer under ``authority_id``
    (``representative``), or a staff member on the patient's behalf (``staff``)."""

    kind: ActorKind
    account_id: uuid.UUID | None = None
    authority_id: uuid.UUID | None = None
    staff_user_id: uuid.UUID | None = None

    def __post_init__(self) -> None:
        if self.kind == ActorKind.REPRESENTATIVE and self.authority_id is None:
            raise NotPermitted("A carer records a choice only under a named authority")
        if self.kind == ActorKind.STAFF and self.staff_user_id is None:
            raise NotPermitted("A staff member must be named")

    @classmethod
    def patient(cls, account_id: uuid.UUID) -> ChoiceActor:
        return cls(ActorKind.SELF, account_id=account_id)

    @classmethod
    def representative(cls, account_id: uuid.UUID, authority_id: uuid.UUID) -> ChoiceActor:
        return cls(ActorKind.REPRESENTATIVE, account_id=account_id, authority_id=authority_id)

    @classmethod
    def staff(cls, staff_user_id: uuid.UUID) -> ChoiceActor:
        return cls(ActorKind.STAFF, staff_user_id=staff_user_id)

    def audit_actor(self) -> audit.Actor:
        if self.kind == ActorKind.STAFF:
            return audit.Actor("staff", str(self.staff_user_id))
        kind = "patient" if self.kind == ActorKind.SELF else "representative"
        return audit.Actor(kind, str(self.account_id) if self.account_id else None)


@dataclass(frozen=True)
class _Checked:
    tool_id: uuid.UUID | None
    purpose: Purpose
    decision: Decision
    terms_version: int | None


def _parse(enum: type, value: str, code: str, message: str):  # type: ignore[no-untyped-def]
    try:
        return enum(value)
    except ValueError:
        raise InvalidChoice(code, message) from None


def check_choice(session: Session, tool_slug: str | None, purpose: str, decision: str) -> _Checked:
    """Refuse a choice that can never be recorded; raises ``InvalidChoice`` with a code
    (``unknown-decision``, ``unknown-purpose``, ``unknown-tool``, ``purpose-not-served``,
    ``permit-on-all-tools``, ``no-choice-purpose``) and a message fit to show a patient."""
    checked_decision = _parse(Decision, decision, InvalidChoice.UNKNOWN_DECISION,
                              "Select yes, no or the standard setting")
    checked_purpose = _parse(Purpose, purpose, InvalidChoice.UNKNOWN_PURPOSE,
                             "AI tools are not used for this purpose")
    if tool_slug is None:
        validate_new_choice(None, checked_purpose, checked_decision, None)
        return _Checked(None, checked_purpose, checked_decision, None)
    tool = register_data.get_tool_by_slug(session, tool_slug)
    if tool is None or tool.retired_at_utc is not None:
        raise InvalidChoice(InvalidChoice.UNKNOWN_TOOL, "This AI tool is not on our list")
    row = next((p for p in tool.purposes if p.purpose == checked_purpose), None)
    policy = None if row is None else PurposePolicy(ConsentModel(row.consent_model), row.terms_version,
                                                     row.no_choice_reason)
    validate_new_choice(tool_slug, checked_purpose, checked_decision, policy)
    assert row is not None  # validate_new_choice refuses a purpose the tool does not serve
    return _Checked(tool.id, checked_purpose, checked_decision, row.terms_version)


def record_choice(session: Session, *, patient_id: uuid.UUID, tool_slug: str | None, purpose: str,
                  decision: str, actor: ChoiceActor, channel: str | Channel,
                  idempotency_key: str | None, reason: str | None = None,
                  signed_at: datetime | None = None) -> Choice:
    """Record one choice for ``patient_id``; returns it (flushed, not committed).

    ``tool_slug`` None is an all-tools choice. The same ``idempotency_key`` with the same
    answer returns the choice already recorded and records nothing new (a double-click, or
    two requests racing: the unique constraint decides, inside a savepoint); with a
    different answer it raises ``IdempotencyKeyReused``. Raises ``InvalidChoice`` (see
    ``check_choice``) and ``NotFound`` for an unknown patient. ``signed_at`` (aware) is when
    a paper form was signed.
    """
    checked = check_choice(session, tool_slug, purpose, decision)
    patient = people.get_patient(session, patient_id)
    if patient is None:
        raise NotFound("No such patient")
    replaced: list[Choice] = []
    if actor.kind == ActorKind.REPRESENTATIVE:  # never silently over the patient's own choice
        replaced = own_choices.check_representative_choice(session, patient_id, tool_slug, checked.purpose,
                                                           checked.decision)
    choice, created = _insert_once(session, checked, {
        "patient_id": patient_id, "tool_id": checked.tool_id, "purpose": checked.purpose.value,
        "decision": checked.decision.value, "terms_version": checked.terms_version,
        "signed_at_utc": signed_at, "actor_kind": actor.kind.value, "actor_account_id": actor.account_id,
        "authority_id": actor.authority_id, "staff_user_id": actor.staff_user_id,
        "channel": Channel(channel).value, "reason": reason, "idempotency_key": idempotency_key or None,
    })
    if created:
        _audit_recorded(session, choice, actor, tool_slug, [str(c.id) for c in replaced])
        if actor.kind != ActorKind.SELF:
            _tell_patient(session, patient, choice, replaced_own_choice=bool(replaced))
        else:  # a young person of 13 or over chose: the parent's authority is reviewed
            authority_children.young_person_chose(session, patient_id, actor.account_id, choice.recorded_at_utc)
    return choice


def unchanged_since(session: Session, patient_id: uuid.UUID, idempotency_key: str, decision: str) -> Choice | None:
    """The choice recorded with ``idempotency_key`` for ``patient_id``, if it has ``decision``
    and is still the newest choice (not voided) for its tool and purpose; otherwise None.

    Sending the same answer again from a page shown anew (the browser's Back button reloads a
    no-store page, with a new key) would change nothing: the web layer shows this choice's
    confirmation instead of recording a duplicate with a new reference."""
    choice = choice_data.get_choice_by_idempotency_key(session, idempotency_key)
    if choice is None or choice.patient_id != patient_id or choice.decision != decision or choice.voided_at_utc:
        return None
    same_question = [c for c in choice_data.list_choices_for_patient(session, patient_id, newest_first=True)
                     if c.tool_id == choice.tool_id and c.purpose == choice.purpose and c.voided_at_utc is None]
    return choice if same_question and same_question[0].id == choice.id else None


def _insert_once(session: Session, checked: _Checked, fields: dict[str, object]) -> tuple[Choice, bool]:
    """Insert the choice in a savepoint, or return the one already recorded with the same
    idempotency key (``created`` False). A unique-constraint clash (another request with the
    same key committed first, or a reference collision) rolls back the savepoint only."""
    key = fields["idempotency_key"]
    for _attempt in range(REFERENCE_ATTEMPTS):
        existing = choice_data.get_choice_by_idempotency_key(session, str(key)) if key else None
        if existing is not None:
            return _same_or_refuse(existing, fields["patient_id"], checked), False  # type: ignore[arg-type]
        try:
            with session.begin_nested():
                choice = choice_data.add_choice(session, Choice(
                    sequence=next_sequence(session), reference=new_reference(REFERENCE_PREFIX),
                    recorded_at_utc=utcnow(), **fields))
            return choice, True
        except IntegrityError:
            log.info("a new choice clashed with another (same form sent twice, or same reference)")
    raise RuntimeError("could not record the choice after several attempts")


def _same_or_refuse(existing: Choice, patient_id: uuid.UUID, checked: _Checked) -> Choice:
    same = (existing.patient_id == patient_id and existing.tool_id == checked.tool_id
            and existing.purpose == checked.purpose.value and existing.decision == checked.decision.value)
    if not same:
        raise IdempotencyKeyReused()
    return existing


def _audit_recorded(session: Session, choice: Choice, actor: ChoiceActor, tool_slug: str | None,
                    replaced: list[str]) -> None:
    audit.record(session, actor.audit_actor(), RECORDED_ACTION, patient_id=choice.patient_id, details={
        "choice_id": str(choice.id), "reference": choice.reference, "sequence": choice.sequence,
        "tool": tool_slug, "purpose": choice.purpose, "decision": choice.decision,
        "terms_version": choice.terms_version, "channel": choice.channel,
        "authority_id": str(choice.authority_id) if choice.authority_id else None,
        **({"replaced_patient_choices": replaced} if replaced else {}),
    })


def _tell_patient(session: Session, patient: people.Patient, choice: Choice, *,
                  replaced_own_choice: bool = False) -> None:
    """A carer or staff member recorded a choice: tell the patient (no clinical detail),
    saying so when it took the place of a choice they made themselves."""
    contact = notify.contact_for(patient.email, patient.mobile)
    if contact is None:
        log.info("patient has no contact details; not told about a choice made for them")
        return
    channel, to = contact
    notify.queue(session, notify.Notification(TOLD_PATIENT_TEMPLATE, channel, to, {
        "reference": choice.reference, "recorded_at_utc": choice.recorded_at_utc.isoformat(),
        "made_by": choice.actor_kind, "replaced_your_own_choice": "yes" if replaced_own_choice else "no",
    }))


def get_choice_for_patient(session: Session, patient_id: uuid.UUID, reference: str) -> Choice:
    """The choice with ``reference`` if it is this patient's; otherwise ``NotFound`` (the
    same answer whether it belongs to someone else or does not exist)."""
    canonical = normalise_reference(reference, prefix=REFERENCE_PREFIX)
    choice = choice_data.get_choice_by_reference(session, canonical) if canonical else None
    if choice is None or choice.patient_id != patient_id:
        raise NotFound("No such choice")
    return choice


def send_receipt(session: Session, *, patient_id: uuid.UUID, reference: str) -> bool:
    """Queue the receipt to the patient's email address on record (reference and time
    only). Returns False when there is no email address. Raises ``NotFound``."""
    choice = get_choice_for_patient(session, patient_id, reference)
    patient = people.get_patient(session, patient_id)
    if patient is None or not patient.email:
        return False
    notify.queue(session, notify.Notification(RECEIPT_TEMPLATE, "email", patient.email, {
        "reference": choice.reference, "recorded_at_utc": choice.recorded_at_utc.isoformat(),
    }))
    return True


def void_choice(session: Session, *, choice_id: uuid.UUID, staff_user_id: uuid.UUID,
                staff_roles: Collection[str], reason: str) -> Choice:
    """Mark a choice made in error as void (it stays in the history). Staff role ``admin``
    only (``NotPermitted``); ``reason`` required (``InvalidTransition`` if blank or if the
    choice is already void); ``NotFound`` for no such choice. The void takes a new number of
    the ``decision-changes`` sequence so the change feed reports it; audited. The patient is
    told through their contact details on record (reference only), after commit."""
    if VOID_ROLE not in staff_roles:
        raise NotPermitted("Only an administrator can void a choice")
    if not reason or not reason.strip():
        raise InvalidTransition("Give a reason for voiding the choice")
    choice = choice_data.get_choice_for_update(session, choice_id)  # two admins at once: one voids
    if choice is None:
        raise NotFound("No such choice")
    if choice.voided_at_utc is not None:
        raise InvalidTransition("This choice is already void")
    voided_at = utcnow()
    choice_data.void_choice(session, choice, staff_id=staff_user_id, reason=reason.strip(),
                            sequence=next_sequence(session), at=voided_at)
    audit.record(session, audit.Actor("staff", str(staff_user_id)), VOIDED_ACTION,
                 patient_id=choice.patient_id, details={
                     "choice_id": str(choice.id), "reference": choice.reference,
                     "void_sequence": choice.void_sequence})
    patient = people.get_patient(session, choice.patient_id)
    contact = notify.contact_for(patient.email, patient.mobile) if patient is not None else None
    if contact is not None:
        notify.queue(session, notify.Notification(VOIDED_TEMPLATE, contact[0], contact[1], {
            "reference": choice.reference, "voided_at_utc": voided_at.isoformat()}))
    return choice
