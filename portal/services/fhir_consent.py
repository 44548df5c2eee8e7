"""Choices as FHIR R4 ``Consent`` resources (issue 8 point 4).

One Choice is one Consent:

- ``status``: ``active`` while the choice decides at least one tool and purpose now (some
  effective decision from ``portal.services.decisions`` rests on it), ``inactive`` once
  nothing rests on it (a later choice replaced it, or it was a ``clear``),
  ``entered-in-error`` when staff voided it.
- ``scope`` ``patient-privacy``; the decision only in the root ``provision.type`` (``deny`` or
  ``permit``; a ``clear`` has no type: it is an inactive Consent with no effect).
- The tool as a ``Device`` actor (``Device/<slug>``); none for an all-tools choice.
- ``provision.purpose``: ``TREATDS``, ``MLTRAINING`` or ``HRESCH`` (HL7 v3 ActReason).
- ``performer``: the patient, or for a carer the ``RelatedPerson`` acting under the authority.
- ``patient`` by identifier, system ``https://fhir.nhs.uk/Id/nhs-number``.

This differs from the National Data Opt-out's older API, where an *active* Consent means
the patient opted out: here ``provision.type`` says which way the patient decided and
``status`` says whether that choice is the one in force.

Every read that returns a patient's Consents is audited (``consents.read``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from portal.data import choices as choice_data
from portal.data import people
from portal.data.choices import Choice
from portal.data.durability import relax_commit_durability
from portal.domain.nhs_number import NhsNumber
from portal.domain.values import Purpose
from portal.services import audit, decisions
from portal.services.decision_reads import ReadContext

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
CHOICE_REFERENCE_SYSTEM = "https://ai-choices.nhs.example/Id/choice-reference"
AUTHORITY_SYSTEM = "https://ai-choices.nhs.example/Id/authority"
SCOPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/consentscope"
CATEGORY = {"system": "http://loinc.org", "code": "59284-0", "display": "Patient Consent"}
PURPOSE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
ACT_CODE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
PARTICIPATION_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
STATUSES = ("draft", "proposed", "active", "rejected", "inactive", "entered-in-error")
READ_ACTION = "consents.read"


@dataclass(frozen=True)
class ConsentSearch:
    """The patient's Consents (all of them, oldest first) and whether the portal knows them."""

    patient_known: bool
    consents: list[dict[str, Any]]


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _patient_reference(nhs_number: str) -> dict[str, Any]:
    return {"type": "Patient", "identifier": {"system": NHS_NUMBER_SYSTEM, "value": nhs_number}}


def _performer(choice: Choice, nhs_number: str) -> dict[str, Any]:
    if choice.actor_kind == "representative" and choice.authority_id is not None:
        return {"type": "RelatedPerson", "identifier": {"system": AUTHORITY_SYSTEM, "value": str(choice.authority_id)},
                "display": "A carer acting under a registered authority"}
    return _patient_reference(nhs_number)


def _provision(choice: Choice) -> dict[str, Any]:
    provision: dict[str, Any] = {
        "purpose": [{"system": PURPOSE_SYSTEM, "code": Purpose(choice.purpose).fhir_code}],
    }
    if choice.decision in ("permit", "deny"):
        provision = {"type": choice.decision, **provision}
    if choice.tool is not None:
        provision["actor"] = [{
            "role": {"coding": [{"system": PARTICIPATION_SYSTEM, "code": "DEV", "display": "device"}]},
            "reference": {"reference": f"Device/{choice.tool.slug}", "display": choice.tool.name},
        }]
    return provision


def _policy_rule(choice: Choice) -> dict[str, Any]:
    if choice.decision == "permit":
        return {"coding": [{"system": ACT_CODE_SYSTEM, "code": "OPTIN", "display": "opt-in"}]}
    if choice.decision == "deny":
        return {"coding": [{"system": ACT_CODE_SYSTEM, "code": "OPTOUT", "display": "opt-out"}]}
    return {"text": "Withdraws the patient's earlier choice: no effect of its own."}


def consent_resource(choice: Choice, nhs_number: str, status: str) -> dict[str, Any]:
    """The FHIR R4 Consent for ``choice`` (references are relative: ``Device/<slug>``)."""
    return {
        "resourceType": "Consent",
        "id": str(choice.id),
        "identifier": [{"system": CHOICE_REFERENCE_SYSTEM, "value": choice.reference}],
        "status": status,
        "scope": {"coding": [{"system": SCOPE_SYSTEM, "code": "patient-privacy", "display": "Privacy Consent"}]},
        "category": [{"coding": [CATEGORY]}],
        "patient": _patient_reference(nhs_number),
        "dateTime": _iso(choice.signed_at_utc or choice.recorded_at_utc),
        "performer": [_performer(choice, nhs_number)],
        "policyRule": _policy_rule(choice),
        "provision": _provision(choice),
    }


def _statuses(session: Session, patient_id: uuid.UUID, choices: list[Choice]) -> dict[uuid.UUID, str]:
    in_force = {decision.choice.id for decision in decisions.decisions_for_patient_id(session, patient_id).decisions.values()
                if decision.choice is not None}
    return {choice.id: "entered-in-error" if choice.voided_at_utc is not None
            else "active" if str(choice.id) in in_force else "inactive" for choice in choices}


def consents_for_patient(session: Session, context: ReadContext, nhs_number: NhsNumber) -> ConsentSearch:
    """Every Consent of the patient with its current status, oldest first; audited."""
    patient = people.get_patient_by_nhs_number(session, nhs_number.value)
    if patient is None:
        audit.record(session, context.actor, READ_ACTION, details=context.details(patient_known=False))
        return ConsentSearch(False, [])
    choices = choice_data.list_choices_for_patient(session, patient.id)
    statuses = _statuses(session, patient.id, choices)
    relax_commit_durability(session)
    audit.record(session, context.actor, READ_ACTION, patient_id=patient.id, details=context.details(patient_known=True))
    return ConsentSearch(True, [consent_resource(c, nhs_number.value, statuses[c.id]) for c in choices])


def consent_by_id(session: Session, context: ReadContext, consent_id: str) -> dict[str, Any] | None:
    """One Consent by id (the choice's UUID), or None; audited when found."""
    try:
        choice = choice_data.get_choice(session, uuid.UUID(consent_id))
    except ValueError:
        return None
    if choice is None:
        return None
    statuses = _statuses(session, choice.patient_id, [choice])
    audit.record(session, context.actor, READ_ACTION, patient_id=choice.patient_id, details=context.details())
    return consent_resource(choice, choice.patient.nhs_number, statuses[choice.id])
