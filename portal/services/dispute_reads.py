"""Reads of a patient's disputes by clinical systems (issue 8 point 6, last sentence), audited
like every other read that names a patient (point 7).

Clinicians need to know that an AI-supported decision is under review, not what the patient
wrote: each dispute is given as its reference, tool, kind (``dispute`` or ``objection``),
status and dates, never the patient's words, the reviewer's explanation or the staff note.
Every read appends one AuditEvent in the caller's transaction: actor the API client, action
``disputes.read``, the patient (none for an NHS number the portal has never seen), and the
endpoint and organisation, the same shape as ``decision_reads``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from portal.data import disputes as dispute_data
from portal.data import people
from portal.data.durability import relax_commit_durability
from portal.domain.disputes import DisputeStatus, is_closed
from portal.domain.nhs_number import NhsNumber
from portal.services import audit
from portal.services.decision_reads import ReadContext

READ_ACTION = "disputes.read"
DECIDED = frozenset({DisputeStatus.UPHELD, DisputeStatus.NOT_UPHELD})


@dataclass(frozen=True)
class DisputeSummary:
    """One dispute as a clinical system sees it. ``under_review`` is True while it is open
    (received, acknowledged or in review); ``decided_on`` is the day the outcome was recorded
    (upheld or not upheld) and ``withdrawn_on`` the day it was withdrawn (London dates from
    the closing time in UTC; None otherwise)."""

    reference: str
    tool_slug: str
    kind: str
    status: str
    under_review: bool
    received_on: date
    acknowledge_due_on: date
    decide_due_on: date
    decided_on: date | None
    withdrawn_on: date | None


@dataclass(frozen=True)
class PatientDisputes:
    patient_known: bool
    patient_id: uuid.UUID | None
    disputes: list[DisputeSummary]


def _summary(dispute: dispute_data.Dispute) -> DisputeSummary:
    status = DisputeStatus(dispute.status)
    closed_on = dispute.closed_at_utc.date() if dispute.closed_at_utc is not None else None
    return DisputeSummary(
        reference=dispute.reference, tool_slug=dispute.tool.slug, kind=dispute.kind, status=status.value,
        under_review=not is_closed(status), received_on=dispute.received_on,
        acknowledge_due_on=dispute.acknowledge_due_on, decide_due_on=dispute.decide_due_on,
        decided_on=closed_on if status in DECIDED else None,
        withdrawn_on=closed_on if status is DisputeStatus.WITHDRAWN else None,
    )


def read_disputes(session: Session, context: ReadContext, nhs_number: NhsNumber) -> PatientDisputes:
    """The patient's disputes and objections, newest first, audited. A valid NHS number the
    portal has never seen has none (``patient_known`` False); that read is audited too."""
    patient = people.get_patient_by_nhs_number(session, nhs_number.value)
    if patient is None:
        result = PatientDisputes(False, None, [])
    else:
        result = PatientDisputes(True, patient.id, [
            _summary(d) for d in dispute_data.list_disputes_for_patient(session, patient.id)])
    relax_commit_durability(session)
    audit.record(session, context.actor, READ_ACTION, patient_id=result.patient_id,
                 details=context.details(patient_known=result.patient_known))
    return result
