"""``GET /api/v1/openapi.json``: the OpenAPI 3.1 document of every ``/api/v1`` route.

A test checks that every ``/api/v1`` rule in the app is described here, and schemathesis
checks every response against it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from portal.access import public
from portal.api.openapi_schemas import PURPOSES, SCHEMAS
from portal.services import api_clients, batch_checks, change_feed

bp = Blueprint("api_openapi", __name__, url_prefix="/api/v1")
JSON, PROBLEM_JSON = "application/json", "application/problem+json"
_PROBLEM = {"content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
_AUTH_HEADER = {"WWW-Authenticate": {"schema": {"type": "string"}, "required": True}}
NHS_NUMBER_PARAM = {
    "name": "nhs_number", "in": "path", "required": True,
    "description": "10 digits, spaces or hyphens allowed; the last is a modulus 11 check digit (NHS Data Dictionary).",
    "schema": {"type": "string", "pattern": "^[0-9][0-9 -]{8,12}[0-9]$"},
}


def _problems(*statuses: int) -> dict[str, Any]:
    described = {
        400: "Bad request: see the problem `type`", 401: "No valid access token",
        403: "The token lacks the scope (insufficient_scope)", 409: "Conflict", 413: "Too large",
        415: "Wrong content type", 422: "Unprocessable", 429: "Rate limit: see Retry-After",
    }
    responses: dict[str, Any] = {}
    for status in (*statuses, 401, 403, 429):
        response: dict[str, Any] = {"description": described[status], **_PROBLEM}
        if status in (401, 403):
            response["headers"] = _AUTH_HEADER
        if status == 429:
            response["headers"] = {"Retry-After": {"schema": {"type": "string"}, "required": True}}
        responses[str(status)] = response
    return responses


def _json(ref: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


def _query(name: str, schema: dict[str, Any], description: str, required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": schema, "description": description}


def _operations() -> dict[str, Any]:
    consent = [{"smart": [api_clients.CONSENT_READ]}]
    return {
        "/api/v1/patients/{nhs_number}/ai-decisions": {"get": {
            "operationId": "getPatientDecisions", "summary": "What applies for one patient, per tool and purpose",
            "description": ("Same rule as every other read (DESIGN.md section 3). A valid NHS number never seen "
                            "gets the defaults with patient_known false. Audited: the patient sees the read."),
            "security": consent,
            "parameters": [NHS_NUMBER_PARAM, _query("tool", {"type": "string"}, "A tool's slug"),
                           _query("purpose", {"enum": PURPOSES}, "One purpose")],
            "responses": {"200": _json("PatientDecisions", "Decisions"), **_problems(400)},
        }},
        "/api/v1/ai-decision-checks": {"post": {
            "operationId": "checkDecisionsInBatch", "summary": "One tool and purpose for many NHS numbers (CSV)",
            "description": (f"Up to {batch_checks.MAX_ROWS:,} rows, one NHS number each, optional header "
                            "nhs_number. Answer (streamed CSV): row,nhs_number,decision,basis,reason; one row per "
                            "input row in order, row numbers as in a spreadsheet, invalid rows answered invalid with "
                            "the reason. One audit event lists every known patient, committed before the first byte."),
            "security": consent,
            "parameters": [_query("tool", {"type": "string"}, "A tool's slug", True),
                           _query("purpose", {"enum": PURPOSES}, "The purpose", True)],
            "requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}},
            "responses": {"200": {"description": "CSV answers", "content": {"text/csv": {"schema": {"type": "string"}}}},
                          **_problems(400, 413, 415)},
        }},
        "/api/v1/ai-decision-changes": {"get": {
            "operationId": "listDecisionChanges", "summary": "The change feed",
            "description": ("Choices, voided choices and register policy changes, in order. Keep a local copy at "
                            "most 15 minutes stale: call again with next_cursor at least every 15 minutes. A "
                            "tool-policy change may change every patient's decision for that tool and purpose: "
                            "check them again (a batch check). Pages naming patients are audited."),
            "security": consent,
            "parameters": [_query("since", {"type": "string"}, "next_cursor from the previous page; leave out to start"),
                           _query("limit", {"type": "integer", "minimum": 1, "maximum": change_feed.MAX_LIMIT},
                                  f"Page size (default {change_feed.DEFAULT_LIMIT})")],
            "responses": {"200": _json("ChangePage", "A page of changes"), **_problems(400)},
        }},
        "/api/v1/ai-use-events": {"post": {
            "operationId": "reportAiUse", "summary": "Report that an AI tool was used in a patient's care",
            "description": ("Accepted even when the patient's decision was deny at the time: then conflict is true "
                            "and staff look into it. The same Idempotency-Key and body replay the first answer."),
            "security": [{"smart": [api_clients.AI_USE_WRITE]}],
            "parameters": [{"name": "Idempotency-Key", "in": "header", "required": True,
                            "schema": {"type": "string", "pattern": "^[!-~]{1,255}$"}}],
            "requestBody": {"required": True,
                            "content": {JSON: {"schema": {"$ref": "#/components/schemas/AiUseReport"}}}},
            "responses": {"201": {**_json("AiUseEvent", "Stored (or replayed)"),
                                  "headers": {"Idempotent-Replayed": {"schema": {"const": "true"}}}},
                          **_problems(400, 409, 413, 415, 422)},
        }},
        "/api/v1/patients/{nhs_number}/disputes": {"get": {
            "operationId": "getPatientDisputes", "summary": "A patient's requests for review and objections",
            "description": ("So clinicians know a decision is under review: reference, tool, kind, status and "
                            "dates, newest first; never what the patient wrote. A valid NHS number never seen has "
                            "none (patient_known false). Audited: the patient sees the read."),
            "security": [{"smart": [api_clients.DISPUTES_READ]}],
            "parameters": [NHS_NUMBER_PARAM],
            "responses": {"200": _json("PatientDisputes", "Disputes"), **_problems(400)},
        }},
        "/api/v1/ai-tools": {"get": {
            "operationId": "listAiTools", "summary": "The AI tool register (public)", "security": [],
            "description": "Every tool on the register now, by name. No sign-in. Fields are only ever added.",
            "responses": {"200": _json("ToolList", "The register")},
        }},
        "/api/v1/ai-tools/{slug}": {"get": {
            "operationId": "getAiTool", "summary": "One register entry (public)", "security": [],
            "parameters": [{"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": _json("Tool", "The tool"),
                          "404": {"description": "No tool with that slug", **_PROBLEM}},
        }},
        "/api/v1/openapi.json": {"get": {
            "operationId": "getOpenApi", "summary": "This document", "security": [],
            "responses": {"200": {"description": "OpenAPI 3.1", "content": {JSON: {"schema": {"type": "object"}}}}},
        }},
    }


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "AI choices portal API for clinical systems", "version": "1.0.0",
                 "description": ("Ask, before running an AI tool, what this patient decided. Errors are "
                                 "application/problem+json (RFC 9457) with a stable type.")},
        "paths": _operations(),
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"smart": {
                "type": "oauth2", "description": "SMART Backend Services: client credentials with a signed JWT.",
                "flows": {"clientCredentials": {"tokenUrl": "/oauth2/token", "scopes": {
                    api_clients.CONSENT_READ: "Read decisions, batch checks, the change feed, FHIR Consent "
                                              "(also system/Consent.rs)",
                    api_clients.DISPUTES_READ: "Read a patient's disputes",
                    api_clients.AI_USE_WRITE: "Report AI use in a patient's care",
                }}},
            }},
        },
    }


@bp.get("/openapi.json")
@public
def openapi():  # type: ignore[no-untyped-def]
    return jsonify(document())
