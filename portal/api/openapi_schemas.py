"""JSON Schemas (OpenAPI 3.1 dialect) of every ``/api/v1`` body: strict, so a missing or
misnamed field fails validation (``additionalProperties: false`` and ``required`` lists)."""

from __future__ import annotations

from typing import Any

PURPOSES = ["care", "improvement", "research"]
BASES = ["choice", "all-tools-choice", "default-opt-in", "default-opt-out", "no-choice"]
TIME = {"type": "string", "format": "date-time"}
NULLABLE_STRING = {"type": ["string", "null"]}


def strict(properties: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False, "properties": properties,
            "required": list(properties) if required is None else required, **extra}


PROBLEM = strict({
    "type": {"type": "string", "format": "uri"},
    "title": {"type": "string"},
    "status": {"type": "integer"},
    "detail": {"type": "string"},
    "reason": {"type": "string", "description": "invalid-nhs-number: empty, not-10-digits or check-digit"},
    "parameter": {"type": "string"},
    "errors": {"type": "array", "items": {"type": "string"}},
    "error": {"type": "string", "description": "OAuth error code (invalid_token, insufficient_scope ...)"},
}, ["type", "title", "status"], description="RFC 9457 problem document; `type` is stable per error.")

CHOICE_REF = strict({
    "id": {"type": "string", "format": "uuid"},
    "sequence": {"type": "integer", "minimum": 1},
    "recorded_at": TIME,
    "applies_to": {"enum": ["this-tool", "all-tools"]},
})

DECISION = strict({
    "tool": {"type": "string"},
    "device": {"type": "string", "description": "FHIR reference to the tool: Device/{slug}"},
    "purpose": {"enum": PURPOSES},
    "decision": {"enum": ["permit", "deny"]},
    "basis": {"enum": BASES},
    "consent_model": {"enum": ["opt-in", "opt-out", "no-choice"]},
    "terms_version": {"type": "integer"},
    "no_choice_reason": NULLABLE_STRING,
    "choice": {"oneOf": [{"$ref": "#/components/schemas/ChoiceReference"}, {"type": "null"}]},
})

PATIENT_DECISIONS = strict({
    "nhs_number": {"type": "string", "pattern": "^[0-9]{10}$"},
    "patient_known": {"type": "boolean", "description": "False: the portal has never seen this patient (defaults)."},
    "decisions": {"type": "array", "items": {"$ref": "#/components/schemas/Decision"}},
})

DECISION_NOW = strict({"tool": {"type": "string"}, "purpose": {"enum": PURPOSES},
                       "decision": {"enum": ["permit", "deny"]}, "basis": {"enum": BASES}})

CHOICE_CHANGE = strict({
    "sequence": {"type": "integer"},
    "kind": {"enum": ["choice", "choice-voided"]},
    "at": TIME,
    "tool": {**NULLABLE_STRING, "description": "null: a choice about all tools"},
    "purpose": {"enum": PURPOSES},
    "choice_id": {"type": "string", "format": "uuid"},
    "nhs_number": {"type": "string"},
    "decision": {"enum": ["permit", "deny", "clear"]},
    "decisions_now": {"type": "array", "items": {"$ref": "#/components/schemas/DecisionNow"}},
})

POLICY_CHANGE = strict({
    "sequence": {"type": "integer"},
    "kind": {"const": "tool-policy"},
    "at": TIME,
    "tool": {"type": "string"},
    "purpose": {"enum": PURPOSES},
    "consent_model": {"enum": ["opt-in", "opt-out", "no-choice"]},
    "terms_version": {"type": "integer"},
})

CHANGE_PAGE = strict({
    "changes": {"type": "array", "items": {"oneOf": [{"$ref": "#/components/schemas/ChoiceChange"},
                                                     {"$ref": "#/components/schemas/PolicyChange"}]}},
    "next_cursor": {"type": "string"},
    "has_more": {"type": "boolean"},
})

AI_USE_REPORT = strict({
    "nhs_number": {"type": "string", "description": "10 digits (spaces allowed), modulus 11 check digit"},
    "tool": {"type": "string", "maxLength": 80, "description": "The tool's slug on the register"},
    "purpose": {"enum": PURPOSES, "default": "care"},
    "used_at": {**TIME, "description": "When the tool was used, with a time zone"},
    "organisation": {"type": "string", "maxLength": 12, "description": "ODS code of where it was used"},
    "service": {"type": "string", "maxLength": 200},
    "summary": {"type": "string", "minLength": 1, "maxLength": 2000, "description": "What it produced, in plain words"},
    "external_reference": {"type": "string", "minLength": 1, "maxLength": 100},
    "visible_from": {**TIME, "description": "Default: 14 days after used_at"},
}, ["nhs_number", "tool", "used_at", "organisation", "summary", "external_reference"])

AI_USE_EVENT = strict({
    "id": {"type": "string", "format": "uuid"},
    "nhs_number": {"type": "string"},
    "tool": {"type": "string"},
    "purpose": {"enum": PURPOSES},
    "used_at": TIME,
    "visible_from": TIME,
    "organisation": {"type": "string"},
    "external_reference": {"type": "string"},
    "decision_at_time": {"enum": ["permit", "deny"]},
    "basis_at_time": {"enum": BASES},
    "conflict": {"type": "boolean", "description": "True: the patient's decision was deny when the tool was used"},
    "conflict_status": {"enum": ["open", None]},
})

DATE = {"type": "string", "format": "date"}
NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}

DISPUTE_SUMMARY = strict({
    "reference": {"type": "string", "pattern": "^AID-[0-9A-Z]{4}-[0-9A-Z]{4}$"},
    "tool": {"type": "string", "description": "The tool's slug on the register"},
    "device": {"type": "string", "description": "FHIR reference to the tool: Device/{slug}"},
    "kind": {"enum": ["dispute", "objection"],
             "description": "dispute: review of an AI-supported decision; objection: to a no-choice tool"},
    "status": {"enum": ["received", "acknowledged", "in-review", "upheld", "not-upheld", "withdrawn"]},
    "under_review": {"type": "boolean", "description": "True while received, acknowledged or in review"},
    "received_on": DATE,
    "acknowledge_due_on": DATE,
    "decide_due_on": {**DATE, "description": "Working days by the nation of the organisation that used the tool"},
    "decided_on": {**NULLABLE_DATE, "description": "The day the outcome (upheld, not-upheld) was recorded"},
    "withdrawn_on": NULLABLE_DATE,
})

PATIENT_DISPUTES = strict({
    "nhs_number": {"type": "string", "pattern": "^[0-9]{10}$"},
    "patient_known": {"type": "boolean", "description": "False: the portal has never seen this patient (no disputes)."},
    "disputes": {"type": "array", "items": {"$ref": "#/components/schemas/DisputeSummary"}},
})

SCHEMAS = {
    "Problem": PROBLEM, "ChoiceReference": CHOICE_REF, "Decision": DECISION,
    "PatientDecisions": PATIENT_DECISIONS, "DecisionNow": DECISION_NOW, "ChoiceChange": CHOICE_CHANGE,
    "PolicyChange": POLICY_CHANGE, "ChangePage": CHANGE_PAGE, "AiUseReport": AI_USE_REPORT,
    "AiUseEvent": AI_USE_EVENT, "DisputeSummary": DISPUTE_SUMMARY, "PatientDisputes": PATIENT_DISPUTES,
}


# The public register (portal/api/register.py documents every field; fields are only ever added).
_TEXT = {"type": "string"}
_NULLABLE_TEXT = {"type": ["string", "null"]}
_TRANSLATIONS = {"type": "object", "additionalProperties": {"type": "object", "additionalProperties": _TEXT}}
_LINK = strict({"title": _TEXT, "url": _TEXT}, ["title", "url"])


def _register_purpose(detail: bool) -> dict[str, Any]:
    properties: dict[str, Any] = {"purpose": {"enum": ["care", "improvement", "research"]},
                                  "consent_model": {"enum": ["opt-in", "opt-out", "no-choice"]},
                                  "terms_version": {"type": "integer", "minimum": 1}}
    if detail:
        properties |= {"plain_terms": _TEXT, "no_choice_reason": _NULLABLE_TEXT, "translations": _TRANSLATIONS}
    return strict(properties, list(properties))


def _register_tool(detail: bool) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "slug": _TEXT, "name": _TEXT, "product_name": _TEXT, "version": _TEXT,
        "supplier": strict({"name": _TEXT, "url": _NULLABLE_TEXT}, ["name", "url"]),
        "category": {"enum": ["administration", "clinical-decision-making", "service-delivery",
                              "population-health", "research"]},
        "phase": {"enum": ["pilot", "in-use", "retired"]}, "phase_since": _NULLABLE_TEXT,
        "jurisdictions": {"type": "array", "items": {"enum": ["england", "wales", "scotland", "northern-ireland"]}},
        "offers_choice": {"type": "boolean"},
        "purposes": {"type": "array", "items": _register_purpose(detail)},
        "deployments": {"type": "array", "items": strict(
            {"ods_code": _TEXT, "organisation": _TEXT, "services": {"type": "array", "items": _TEXT}},
            ["ods_code", "organisation", "services"])},
        "review_status": {"enum": ["unreviewed", "reviewed"]},
        "last_updated": _NULLABLE_TEXT, "retired_at": _NULLABLE_TEXT, "content_hash": _TEXT,
        "links": strict({"self": _TEXT, "page": _TEXT, "fhir_device": _TEXT}, ["self", "page", "fhir_device"]),
    }
    if detail:
        properties |= {name: _TEXT for name in ("summary", "how_it_works", "data_used", "human_oversight",
                                                  "limitations", "groups_less_well", "monitoring",
                                                  "regulatory_status", "contact")}
        properties |= {
            "no_choice_here_reason": _NULLABLE_TEXT, "translations": _TRANSLATIONS,
            "evidence": {"type": "array", "items": strict(
                {"kind": {"enum": ["trial", "real-world-evaluation", "lab-study", "guidance", "other"]},
                 "title": _TEXT, "url": _TEXT}, ["kind", "title", "url"])},
            "sources": {"type": "array", "items": _LINK},
            "review": strict({"status": {"enum": ["unreviewed", "reviewed"]}, "reviewed_by": _NULLABLE_TEXT,
                              "reviewed_on": _NULLABLE_TEXT}, ["status", "reviewed_by", "reviewed_on"]),
        }
    return strict(properties, list(properties))


SCHEMAS["ToolList"] = strict({"count": {"type": "integer", "minimum": 0},
                              "tools": {"type": "array", "items": _register_tool(detail=False)}}, ["count", "tools"])
SCHEMAS["Tool"] = _register_tool(detail=True)
