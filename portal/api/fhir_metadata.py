"""``GET /fhir/r4/metadata``: the CapabilityStatement, stating the Consent semantics plainly."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, url_for

from portal.access import public
from portal.api.fhir import fhir_json

bp = Blueprint("fhir_metadata", __name__, url_prefix="/fhir/r4")
SOFTWARE_VERSION = "0.1.0"
RELEASE_DATE = "2026-11-30"

CONSENT_SEMANTICS = (
    "Each Consent is one choice a patient (or a carer acting under a registered authority) "
    "made about one AI tool, or all AI tools, for one purpose: TREATDS (used in decisions "
    "about my care), MLTRAINING (my data used to train or improve the tool) or HRESCH "
    "(research). The decision is only in the root provision.type: deny means the patient said "
    "no, permit means yes. status is active while that choice is the one in force for at least "
    "one tool and purpose, inactive once a later choice replaced it (or it was a withdrawal, "
    "which has no provision.type and no effect), and entered-in-error when staff voided it. "
    "The tool is the provision's Device actor; an all-tools choice has no actor. This differs "
    "from the National Data Opt-out's older API, where an active Consent means the patient "
    "opted out: here an active Consent may be a permit. To ask what applies now (including "
    "defaults when there is no choice), use GET /api/v1/patients/{nhs_number}/ai-decisions."
)


def capability_statement() -> dict[str, Any]:
    token_url = url_for("oauth.token", _external=True)
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": RELEASE_DATE,
        "publisher": current_app.config["ORGANISATION_NAME"],
        "kind": "instance",
        "software": {"name": "AI choices portal", "version": SOFTWARE_VERSION},
        "implementation": {"description": "Patients' choices about AI tools in their care",
                           "url": url_for("fhir_metadata.metadata", _external=True).rsplit("/metadata", 1)[0]},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "description": CONSENT_SEMANTICS,
        "rest": [{
            "mode": "server",
            "documentation": CONSENT_SEMANTICS,
            "security": {
                "service": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                         "code": "SMART-on-FHIR"}]}],
                "description": ("OAuth 2 client credentials (SMART Backend Services, signed JWT client "
                                f"assertion) at {token_url}; scope system/Consent.read (or system/Consent.rs). "
                                "Every read is recorded and shown to the patient."),
            },
            "resource": [
                {"type": "Consent", "interaction": [{"code": "read"}, {"code": "search-type"}],
                 "documentation": CONSENT_SEMANTICS,
                 "searchParam": [
                     {"name": "patient", "type": "reference",
                      "documentation": ("Required: patient:identifier=https://fhir.nhs.uk/Id/nhs-number|{nhs_number} "
                                        "or patient.identifier=...; POST Consent/_search keeps it out of URLs.")},
                     {"name": "status", "type": "token", "documentation": "active, inactive or entered-in-error"},
                     {"name": "category", "type": "token", "documentation": "http://loinc.org|59284-0"},
                     {"name": "_count", "type": "number", "documentation": "Page size, 1 to 100 (default 50)."},
                 ]},
                {"type": "Device", "interaction": [{"code": "read"}],
                 "documentation": "An AI tool on the register, by its slug: Device/{slug}."},
            ],
        }],
    }


@bp.get("/metadata")
@public
def metadata():  # type: ignore[no-untyped-def]
    return fhir_json(capability_statement())
