"""Validation of what the FHIR endpoints emit: the R4B models (``fhir.resources.R4B``; its
default models are R5) plus what R4 requires that the models do not check."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.consent import Consent
from fhir.resources.R4B.operationoutcome import OperationOutcome

MODELS = {"Consent": Consent, "Bundle": Bundle, "CapabilityStatement": CapabilityStatement,
          "OperationOutcome": OperationOutcome}
NHS = "https://fhir.nhs.uk/Id/nhs-number"


def check_consent(resource: dict[str, Any]) -> None:
    """R4 Consent invariants the models skip: ppc-1 (a policy or policyRule), ppc-2 (a
    privacy Consent names its patient), plus ours: the decision sits in the root
    provision.type for every permit or deny."""
    Consent.model_validate(resource)
    assert resource["patient"]["identifier"]["system"] == NHS and resource["patient"]["identifier"]["value"]
    assert resource.get("policy") or resource.get("policyRule")
    assert resource["scope"]["coding"][0]["code"] == "patient-privacy"
    assert resource["category"] and resource["status"] in ("active", "inactive", "entered-in-error")
    provision = resource["provision"]
    is_clear = "OPTIN" not in str(resource["policyRule"]) and "OPTOUT" not in str(resource["policyRule"])
    assert ("type" in provision) is not is_clear
    assert all("type" not in nested for nested in provision.get("provision", []))


def check_resource(resource: dict[str, Any]) -> None:
    """Validate any emitted resource (a Bundle's entries too)."""
    MODELS[resource["resourceType"]].model_validate(resource)
    if resource["resourceType"] == "Consent":
        check_consent(resource)
    for entry in resource.get("entry", []):
        check_resource(entry["resource"])
