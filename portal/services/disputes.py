"""Raising and following disputes (DESIGN.md section 3: Dispute; issue 6).

A patient (or a carer under an authority) builds a dispute step by step in a server-side
draft, checks the answers and submits. Submitting is idempotent on the draft's id: the same
draft sent twice gives one dispute and the same reference. Due dates come from the nation of
the organisation that used the tool (the AI-use event's organisation, else the tool's first
deploying organisation, else England) in that nation's working days. Every change is audited
in the caller's transaction; status changes tell the patient by their contact preference,
without clinical detail. Staff actions are in ``portal.services.dispute_reviews``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.data import disputes as dispute_data
from portal.data import people
from portal.data import register as register_data
from portal.data.base import utcnow
from portal.data.disputes import Dispute, DisputeEvent
from portal.domain.disputes import DisputeStatus, is_closed, next_status
from portal.domain.errors import InvalidTransition, NotFound
from portal.domain.references import new_reference, normalise_reference
from portal.services import audit, notify
from portal.services.dispute_answers import (  # noqa: F401  (re-exported for the edges)
    CONTACT_PREFERENCES, OUTCOMES, WHERE_LIMIT, WHY_LIMIT, CheckedAnswers, InvalidDispute, check_answers,
    check_tool, check_why, default_contact, event_answers, event_for_patient, london_today, parse_day,
    patient_uses_tool, tool_by_slug, tool_options,
)
from portal.services.working_days import ACKNOWLEDGE_WITHIN, DECIDE_WITHIN_DEFAULTS, add_working_days

log = logging.getLogger(__name__)
REFERENCE_PREFIX = "AID"
REFERENCE_ATTEMPTS = 3
UPDATE_TEMPLATE = "dispute-update"
PUBLIC_COUNT_FLOOR = 5


@dataclass(frozen=True)
class DisputeActor:
    """Who acts for the patient: ``patient`` or ``representative`` (a carer, with authority)."""

    kind: str
    account_id: uuid.UUID
    authority_id: uuid.UUID | None = None

    def audit_actor(self) -> audit.Actor:
        return audit.Actor(self.kind, str(self.account_id))


# Drafts ---------------------------------------------------------------------------------------

def draft_answers(session: Session, account_id: uuid.UUID, patient_id: uuid.UUID) -> tuple[str | None, dict[str, Any]]:
    """(draft id or None, answers so far) for this account acting for this patient."""
    draft = dispute_data.get_draft(session, account_id, patient_id)
    return (None, {}) if draft is None else (str(draft.id), dict(draft.answers))


def save_step(session: Session, account_id: uuid.UUID, patient_id: uuid.UUID,
              answers: Mapping[str, Any], *, start: bool = False) -> str:
    """Merge ``answers`` into the draft (a new draft when ``start``); returns the draft id.
    Values must be JSON-friendly (strings, lists, booleans, None)."""
    draft = dispute_data.get_draft(session, account_id, patient_id)
    merged = {} if (draft is None or start) else dict(draft.answers)
    merged.update(answers)
    if draft is not None and start:
        dispute_data.delete_draft(session, draft)
    return str(dispute_data.save_draft(session, account_id, patient_id, merged).id)


# Submitting -----------------------------------------------------------------------------------

def nation_for(session: Session, tool: register_data.AiTool,
               event: dispute_data.AiUseEvent | None) -> tuple[str, uuid.UUID | None]:
    """(nation, organisation id) whose rules set the due dates (see module docstring)."""
    if event is not None:
        return event.organisation.nation, event.organisation_id
    if tool.deployments:
        first = tool.deployments[0].organisation
        return first.nation, first.id
    return "england", None


def due_dates(received_on: date, nation: str, decide_within: Mapping[str, int] | None = None,
              acknowledge_within: Mapping[str, int] | None = None) -> tuple[date, date]:
    """(acknowledge by, decide by), each the nation's target in working days after
    ``received_on`` (defaults 3, then 20 England, 30 Wales; the mappings, by nation, override:
    the ``DISPUTE_*_DAYS_<NATION>`` settings)."""
    decide = {**DECIDE_WITHIN_DEFAULTS, **(decide_within or {})}
    acknowledge = (acknowledge_within or {}).get(nation, ACKNOWLEDGE_WITHIN)
    return (add_working_days(received_on, acknowledge, nation),
            add_working_days(received_on, decide[nation], nation))


def submit(session: Session, *, patient_id: uuid.UUID, actor: DisputeActor, submission_key: str,
           decide_within: Mapping[str, int] | None = None, today: date | None = None,
           acknowledge_within: Mapping[str, int] | None = None) -> Dispute:
    """Make the dispute from the draft ``submission_key``; returns it (flushed, not committed).

    The same key again returns the dispute already made (same reference), even after the
    draft is gone. ``NotFound`` when there is neither; ``InvalidDispute`` for a bad answer.
    """
    existing = dispute_data.get_dispute_by_submission_key(session, submission_key)
    if existing is not None and existing.patient_id == patient_id:
        return existing
    draft = dispute_data.get_draft(session, actor.account_id, patient_id)
    if existing is not None or draft is None or str(draft.id) != submission_key:
        raise NotFound("No such draft")
    today = today or london_today()
    checked = check_answers(session, patient_id, draft.answers, today)
    nation, organisation_id = nation_for(session, checked.tool, checked.event)
    acknowledge_by, decide_by = due_dates(today, nation, decide_within, acknowledge_within)
    dispute, created = _insert_once(session, submission_key, {
        "patient_id": patient_id, "kind": checked.kind.value, "tool_id": checked.tool.id,
        "ai_use_event_id": checked.event.id if checked.event else None, "organisation_id": organisation_id,
        "happened_on": checked.happened_on, "where_text": checked.where_text, "why": checked.why,
        "outcomes_wanted": list(checked.outcomes), "contact_preference": checked.contact,
        "status": DisputeStatus.RECEIVED.value, "nation": nation, "received_on": today,
        "acknowledge_due_on": acknowledge_by, "decide_due_on": decide_by,
        "authority_id": actor.authority_id, "actor_account_id": actor.account_id,
    })
    if created:
        add_event(session, dispute, kind="status", status=DisputeStatus.RECEIVED,
                  actor_kind=actor.kind, actor_id=actor.account_id)
        audit.record(session, actor.audit_actor(), "dispute.raised", patient_id=patient_id, details={
            "dispute_id": str(dispute.id), "reference": dispute.reference, "kind": dispute.kind,
            "tool": checked.tool.slug, "nation": nation})
        tell_patient(session, dispute)
        dispute_data.delete_draft(session, draft)
    return dispute


def _insert_once(session: Session, key: str, fields: dict[str, Any]) -> tuple[Dispute, bool]:
    for _attempt in range(REFERENCE_ATTEMPTS):
        existing = dispute_data.get_dispute_by_submission_key(session, key)
        if existing is not None:
            return existing, False
        try:
            with session.begin_nested():
                dispute = dispute_data.add_dispute(session, Dispute(
                    reference=new_reference(REFERENCE_PREFIX), submission_key=key, **fields))
            return dispute, True
        except IntegrityError:
            log.info("a new dispute clashed with another (same draft sent twice, or same reference)")
    raise RuntimeError("could not save the dispute after several attempts")


# Timeline, notifications, status ---------------------------------------------------------------

def add_event(session: Session, dispute: Dispute, *, kind: str, actor_kind: str, actor_id: uuid.UUID | None,
              status: DisputeStatus | None = None, message: str | None = None,
              visible_to_patient: bool = True) -> DisputeEvent:
    return dispute_data.add_dispute_event(session, DisputeEvent(
        dispute_id=dispute.id, kind=kind, status=status.value if status else None, message=message,
        actor_kind=actor_kind, actor_id=actor_id, at_utc=utcnow(), visible_to_patient=visible_to_patient))


def tell_patient(session: Session, dispute: Dispute) -> str | None:
    """Queue "there is an update" by the contact preference; returns the channel used or
    None (portal only, or no contact details). Only the reference is sent: never clinical detail."""
    patient = dispute.patient or people.get_patient(session, dispute.patient_id)
    preference = dispute.contact_preference
    if preference == "portal" or patient is None:
        return None
    channel, to = {"email": ("email", patient.email), "phone": ("sms", patient.mobile),
                   "post": ("post", str(patient.id))}[preference]
    if not to:
        log.info("no %(channel)s contact on record; dispute update not sent", {"channel": channel})
        return None
    notify.queue(session, notify.Notification(UPDATE_TEMPLATE, channel, to, {"reference": dispute.reference}))
    return channel


def move(session: Session, dispute: Dispute, target: DisputeStatus, *, actor: audit.Actor,
         actor_id: uuid.UUID | None, action: str, details: dict[str, Any] | None = None) -> Dispute:
    """Change status through ``next_status`` (``InvalidTransition`` outside the graph), add
    the timeline line, audit ``action`` and tell the patient."""
    dispute.status = next_status(DisputeStatus(dispute.status), target).value
    if is_closed(target):
        dispute.closed_at_utc = utcnow()
    add_event(session, dispute, kind="status", status=target, actor_kind=actor.kind, actor_id=actor_id)
    audit.record(session, actor, action, patient_id=dispute.patient_id, details={
        "dispute_id": str(dispute.id), "reference": dispute.reference, "status": target.value, **(details or {})})
    tell_patient(session, dispute)
    session.flush()
    return dispute


# The patient's side after submitting ---------------------------------------------------------

def get_for_patient(session: Session, patient_id: uuid.UUID, reference: str) -> Dispute:
    """The dispute if it is this patient's; ``NotFound`` otherwise (same answer either way)."""
    canonical = normalise_reference(reference, prefix=REFERENCE_PREFIX)
    dispute = dispute_data.get_dispute_by_reference(session, canonical) if canonical else None
    if dispute is None or dispute.patient_id != patient_id:
        raise NotFound("No such dispute")
    return dispute


def list_for_patient(session: Session, patient_id: uuid.UUID) -> list[Dispute]:
    return dispute_data.list_disputes_for_patient(session, patient_id)


def withdraw(session: Session, *, patient_id: uuid.UUID, reference: str, actor: DisputeActor) -> Dispute:
    """Withdraw an open dispute; ``InvalidTransition`` if it is closed."""
    dispute = get_for_patient(session, patient_id, reference)
    return move(session, dispute, DisputeStatus.WITHDRAWN, actor=actor.audit_actor(),
                actor_id=actor.account_id, action="dispute.withdrawn")


def add_information(session: Session, *, patient_id: uuid.UUID, reference: str, actor: DisputeActor,
                    message: str) -> DisputeEvent:
    """Add the patient's words to the timeline; refused (``InvalidTransition``) once closed."""
    dispute = get_for_patient(session, patient_id, reference)
    if is_closed(DisputeStatus(dispute.status)):
        raise InvalidTransition("This request is closed")
    text = check_why(message)
    event = add_event(session, dispute, kind="message", message=text, actor_kind=actor.kind, actor_id=actor.account_id)
    audit.record(session, actor.audit_actor(), "dispute.information-added", patient_id=patient_id,
                 details={"dispute_id": str(dispute.id), "reference": dispute.reference})
    return event


# Transparency ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class ToolDisputeCounts:
    """Disputes about one tool in the last 12 months. ``None`` means fewer than 5 (small
    numbers are not published, so nobody can be picked out)."""

    raised: int | None
    upheld: int | None


def public_count(count: int) -> int | None:
    return None if count < PUBLIC_COUNT_FLOOR else count


def counts_for_tool(session: Session, tool_id: uuid.UUID, now: datetime | None = None) -> ToolDisputeCounts:
    since = (now or utcnow()) - timedelta(days=365)
    raised = dispute_data.count_disputes_for_tool(session, tool_id, since)
    upheld = dispute_data.count_disputes_for_tool(session, tool_id, since, DisputeStatus.UPHELD.value)
    return ToolDisputeCounts(public_count(raised), public_count(upheld))
