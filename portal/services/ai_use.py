"""AI use reported by clinical systems (DESIGN.md section 3: AiUseEvent; issue 8 point 6).

A report names the patient, tool, purpose, when and where it was used, a plain summary and
the system's own reference. It is visible to the patient from ``visible_from`` (default 14
days after the use, so results reach them through their clinician first). The decision that
applied *at the time of use* (choices recorded by then, the register's policy as it stood
then) is stored with it; a use against a ``deny`` is accepted and flagged ``conflict`` with
``conflict_status`` ``open`` for staff (role ``auditor``) to look into.

Idempotency: a request carries a key; the same key with the same body replays the first
answer, the same key with a different body is refused (``IdempotencyKeyReused``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from portal.data import ai_use as ai_use_data
from portal.data import ai_use_reports, people
from portal.data import api_clients as client_data
from portal.data import register as register_data
from portal.domain import PurposePolicy
from portal.domain.nhs_number import NhsNumber
from portal.domain.values import ConsentModel, Purpose
from portal.services import audit, decisions
from portal.services.decision_reads import ReadContext

VISIBLE_AFTER = timedelta(days=14)
REPORT_ACTION = "ai-use.reported"


class IdempotencyKeyReused(ValueError):
    """The key was used before with a different body."""


class ReportRefused(ValueError):
    """The report names something the portal does not know; ``code`` says what:
    ``unknown-patient``, ``unknown-tool``, ``unknown-organisation``, ``purpose-not-served``,
    ``duplicate-external-reference``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True)
class UseReport:
    nhs_number: NhsNumber
    tool: str
    purpose: Purpose
    used_at: datetime
    organisation: str
    summary: str
    external_reference: str
    service: str | None = None
    visible_from: datetime | None = None


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict[str, Any]
    replayed: bool


def body_hash(body: dict[str, Any]) -> str:
    """SHA-256 of the body's canonical JSON: the same body however its keys are ordered."""
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _policy_at(session: Session, report: UseReport) -> PurposePolicy:
    current = decisions.filter_policies(decisions.load_policies(session), report.tool, report.purpose)
    policy = current.get((report.tool, report.purpose))
    if policy is None:
        raise ReportRefused("purpose-not-served", "The tool is not used for this purpose.")
    changes = ai_use_reports.list_policy_changes_for(session, report.tool, report.purpose.value)
    before = [c for c in changes if c.created_at_utc <= report.used_at]
    if before:
        return PurposePolicy(ConsentModel(before[-1].consent_model), before[-1].terms_version, policy.no_choice_reason)
    if changes and changes[0].previous_consent_model is not None:
        first = changes[0]
        return PurposePolicy(ConsentModel(first.previous_consent_model), first.previous_terms_version or 1,
                             policy.no_choice_reason)
    return policy


def _claim(session: Session, client_id: Any, key: str, digest: str) -> Reply | client_data.IdempotentReply:
    for _ in range(2):
        existing = client_data.get_idempotent_reply(session, client_id, key)
        if existing is not None:
            if existing.request_hash != digest:
                raise IdempotencyKeyReused(key)
            return Reply(existing.status, existing.body, True)
        claim = client_data.IdempotentReply(client_id=client_id, key=key, request_hash=digest, status=0, body={})
        if client_data.add_idempotent_reply(session, claim):
            return claim
    raise IdempotencyKeyReused(key)  # pragma: no cover - a third writer on the same key


def report_use(session: Session, context: ReadContext, key: str, raw_body: dict[str, Any],
               report: UseReport) -> Reply:
    """Record a report (or replay the first answer to ``key``). Raises ``ReportRefused``
    or ``IdempotencyKeyReused``; nothing is written when it raises."""
    claimed = _claim(session, context.client.id, key, body_hash(raw_body))
    if isinstance(claimed, Reply):
        return claimed
    event = _record(session, context, report)
    body = reply_body(event, report)
    claimed.status, claimed.body = 201, body
    session.flush()
    return Reply(201, body, False)


def _record(session: Session, context: ReadContext, report: UseReport) -> ai_use_data.AiUseEvent:
    patient = people.get_patient_by_nhs_number(session, report.nhs_number.value)
    tool = register_data.get_tool_by_slug(session, report.tool)
    organisation = people.get_organisation_by_ods_code(session, report.organisation)
    if patient is None:
        raise ReportRefused("unknown-patient", "The portal has no patient with this NHS number.")
    if tool is None or tool.retired_at_utc is not None:
        raise ReportRefused("unknown-tool", "No tool on the register has this slug.")
    if organisation is None:
        raise ReportRefused("unknown-organisation", "No organisation has this ODS code.")
    if ai_use_reports.get_ai_use_event_by_reference(session, context.client.id, report.external_reference):
        raise ReportRefused("duplicate-external-reference", "This system already reported this external reference.")
    key = (report.tool, report.purpose)
    decision = decisions.decisions_for_patient_at(session, patient.id, {key: _policy_at(session, report)},
                                                  report.used_at)[key]
    conflict = decision.decision.value == "deny"
    event = ai_use_data.add_ai_use_event(session, ai_use_data.AiUseEvent(
        patient_id=patient.id, tool_id=tool.id, organisation_id=organisation.id, purpose=report.purpose.value,
        used_at_utc=report.used_at, visible_from_utc=report.visible_from or report.used_at + VISIBLE_AFTER,
        service=report.service, plain_summary=report.summary, external_reference=report.external_reference,
        reported_by_client_id=context.client.id, decision_at_time=decision.decision.value,
        basis_at_time=decision.basis.value, conflict=conflict, conflict_status="open" if conflict else None,
    ))
    audit.record(session, context.actor, REPORT_ACTION, patient_id=patient.id,
                 details=context.details(event_id=str(event.id), conflict=conflict))
    return event


def reply_body(event: ai_use_data.AiUseEvent, report: UseReport) -> dict[str, Any]:
    def iso(value: datetime) -> str:
        return value.isoformat().replace("+00:00", "Z")

    return {
        "id": str(event.id), "nhs_number": report.nhs_number.value, "tool": report.tool,
        "purpose": event.purpose, "used_at": iso(event.used_at_utc), "visible_from": iso(event.visible_from_utc),
        "organisation": report.organisation, "external_reference": event.external_reference,
        "decision_at_time": event.decision_at_time, "basis_at_time": event.basis_at_time,
        "conflict": event.conflict, "conflict_status": event.conflict_status,
    }
