"""Subject access (UK GDPR article 15; issue 9 point 4): everything the portal holds about a
patient, in one read, as plain data (JSON-ready: strings, numbers, lists, dicts).

Each section is a small function ``(session, patient) -> list | dict``. Sections owned by
journeys built elsewhere (authorities, disputes) run when their data module offers
``list_<name>_for_patient(session, patient_id)`` returning rows with ``export()``, and are
left out otherwise. The export itself is audited (``subject-access.exported``) by the caller's
actor; the audit event holds no personal data beyond the patient id.

The patient's own online copy holds back AI-use reports not yet visible to them (their
``visible_from``, by default 14 days after the use, gives the clinician time to tell them
first: hazard HAZ-007); it says how many are held back (``ai_use_held_back``). A formal
request answered by staff (``flask portal export-patient``) includes them: staff apply the
serious harm test (Data Protection Act 2018 Schedule 3 Part 2 paragraph 5) with the clinician.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from portal.data import accounts as accounts_data
from portal.data import ai_use as ai_use_data
from portal.data import audit as audit_data
from portal.data import choices as choices_data
from portal.data import authorities as authority_data
from portal.data import disputes as dispute_data
from portal.data import people
from portal.data.people import Patient
from portal.domain.errors import NotFound
from portal.domain.nhs_number import NhsNumber
from portal.services import audit

EXPORT_ACTION = "subject-access.exported"
MAX_AUDIT_EVENTS = 10_000


def _when(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _details(session: Session, patient: Patient) -> dict[str, Any]:
    return {
        "nhs_number": patient.nhs_number, "given_name": patient.given_name, "family_name": patient.family_name,
        "date_of_birth": _when(patient.date_of_birth), "postcode": patient.postcode, "email": patient.email,
        "mobile": patient.mobile, "date_of_death": _when(patient.date_of_death), "source": patient.source,
        "organisations": [{"ods_code": link.organisation.ods_code, "name": link.organisation.name}
                          for link in patient.organisations],
    }


def _choices(session: Session, patient: Patient) -> list[dict[str, Any]]:
    return [{
        "reference": c.reference, "sequence": c.sequence, "tool": c.tool.slug if c.tool else "all-tools",
        "tool_name": c.tool.name if c.tool else None, "purpose": c.purpose, "decision": c.decision, "terms_version": c.terms_version,
        "recorded_at": _when(c.recorded_at_utc), "signed_at": _when(c.signed_at_utc),
        "made_by": c.actor_kind, "authority_id": str(c.authority_id) if c.authority_id else None,
        "channel": c.channel, "reason": c.reason, "voided_at": _when(c.voided_at_utc), "void_reason": c.void_reason,
    } for c in choices_data.list_choices_for_patient(session, patient.id)]


def _ai_use(session: Session, patient: Patient) -> list[dict[str, Any]]:
    return [_ai_use_row(e) for e in ai_use_data.list_ai_use_for_patient(session, patient.id)]


def _ai_use_row(e: ai_use_data.AiUseEvent) -> dict[str, Any]:
    return {
        "tool": e.tool.slug, "tool_name": e.tool.name, "organisation": e.organisation.name, "service": e.service, "purpose": e.purpose,
        "used_at": _when(e.used_at_utc), "visible_from": _when(e.visible_from_utc), "what_it_did": e.plain_summary,
        "decision_at_the_time": e.decision_at_time, "basis_at_the_time": e.basis_at_time,
        "against_your_wishes": e.conflict,
        "what_staff_found": e.conflict_finding if e.conflict_status == "closed" else None,
    }


def _audit(session: Session, patient: Patient) -> list[dict[str, Any]]:
    return [{
        "at": _when(e.occurred_at_utc), "who": e.actor_kind, "action": e.action,
        "client_name": (e.details or {}).get("client_name"), "organisation": (e.details or {}).get("organisation"),
    } for e in audit_data.list_events_for_patient(session, patient.id, limit=MAX_AUDIT_EVENTS)]


def _accounts(session: Session, patient: Patient) -> list[dict[str, Any]]:
    return [{"signs_in_with": a.provider, "email": a.email, "highest_level": a.highest_level,
             "last_signed_in_at": _when(a.last_signed_in_at_utc)}
            for a in accounts_data.list_accounts_for_patient(session, patient.id)]


def _authorities(session: Session, patient: Patient) -> list[dict[str, Any]]:
    """Everyone who asked to act, or acts, for the patient, and on what basis."""
    return [{
        "basis": a.basis, "relationship": a.relationship_to_patient, "state": a.state,
        "reference": a.reference, "court_order_number": a.court_order_number,
        "lpa_registered": a.lpa_registered, "attorneys_act": a.attorneys_act, "restrictions": a.restrictions,
        "ends_on": _when(a.ends_on), "review_on": _when(a.review_on), "evidence_type": a.evidence_type,
        "explanation": a.explanation, "reason": a.reason, "asked_at": _when(a.created_at_utc),
    } for a in authority_data.list_authorities_for_patient(session, patient.id)]


def _disputes(session: Session, patient: Patient) -> list[dict[str, Any]]:
    """Requests for review, with what the patient wrote and was told (never the staff's
    internal note, which the dispute pages never show either)."""
    return [{
        "reference": d.reference, "kind": d.kind, "status": d.status, "happened_on": _when(d.happened_on),
        "where": d.where_text, "why": d.why, "outcomes_wanted": list(d.outcomes_wanted),
        "contact_preference": d.contact_preference, "received_on": _when(d.received_on),
        "acknowledge_due_on": _when(d.acknowledge_due_on), "decide_due_on": _when(d.decide_due_on),
        "outcome_explanation": d.outcome_explanation, "closed_at": _when(d.closed_at_utc),
    } for d in dispute_data.list_disputes_for_patient(session, patient.id)]


SECTIONS: tuple[tuple[str, Callable[[Session, Patient], Any]], ...] = (
    ("your_details", _details), ("sign_in_accounts", _accounts), ("choices", _choices),
    ("ai_use", _ai_use), ("authorities", _authorities), ("disputes", _disputes),
    ("who_checked_or_changed", _audit),
)


def export_patient(session: Session, patient_id: uuid.UUID, actor: audit.Actor, now: datetime, *,
                   hold_back_unreleased: bool = False) -> dict[str, Any]:
    """Everything held about the patient, audited. ``hold_back_unreleased``: leave out AI-use
    reports whose ``visible_from`` is after ``now`` (the patient's own copy) and count them in
    ``ai_use_held_back``. Raises ``NotFound``."""
    patient = people.get_patient(session, patient_id)
    if patient is None:
        raise NotFound("no such patient")
    export: dict[str, Any] = {"exported_at": now.isoformat()}
    for name, section in SECTIONS:
        export[name] = section(session, patient)
    export["ai_use_held_back"] = 0
    if hold_back_unreleased:
        events = ai_use_data.list_ai_use_for_patient(session, patient.id)
        export["ai_use"] = [_ai_use_row(e) for e in events if e.visible_from_utc <= now]
        export["ai_use_held_back"] = len(events) - len(export["ai_use"])
    audit.record(session, actor, EXPORT_ACTION, patient_id=patient.id, details={"sections": sorted(export)})
    return export


def patient_id_for_nhs_number(session: Session, text: str) -> uuid.UUID:
    """The patient with this NHS number. Raises ``InvalidNhsNumber`` or ``NotFound``."""
    number = NhsNumber.parse(text)
    patient = people.get_patient_by_nhs_number(session, number.value)
    if patient is None:
        raise NotFound("no patient with this NHS number")
    return patient.id
