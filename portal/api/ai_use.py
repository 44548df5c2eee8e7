"""``POST /api/v1/ai-use-events``: a clinical system reports that an AI tool was used in a
patient's care (scope ``ai-use.write``; header ``Idempotency-Key``).

201 with the stored report, including ``conflict`` (the patient's decision was ``deny`` at
the time). The same key and body again: the first answer, replayed (header
``Idempotent-Replayed: true``). Errors: 400 ``idempotency-key-required``, ``malformed-json``;
415 ``unsupported-media-type``; 413 ``body-too-large``; 409 ``duplicate-external-reference``;
422 ``invalid-body``, ``unknown-patient``, ``idempotency-key-reused``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, jsonify, request

from portal.api import problems
from portal.api.common import check_query, has_control_characters, json_body, route_template
from portal.api.oauth import current_client, require_scopes
from portal.domain.nhs_number import InvalidNhsNumber, NhsNumber
from portal.domain.values import Purpose
from portal.extensions import db
from portal.security import mark_no_store
from portal.services import ai_use
from portal.services.api_clients import AI_USE_WRITE
from portal.services.decision_reads import ReadContext

bp = Blueprint("api_ai_use", __name__, url_prefix="/api/v1")
FIELDS = {"nhs_number", "tool", "purpose", "used_at", "organisation", "service", "summary",
          "external_reference", "visible_from"}
REQUIRED = ("nhs_number", "tool", "used_at", "organisation", "summary", "external_reference")
LIMITS = {"tool": 80, "organisation": 12, "service": 200, "summary": 2000, "external_reference": 100}
KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")
EARLIEST, LATEST = datetime(2000, 1, 2), datetime(2099, 12, 30)


def _time(body: dict[str, Any], name: str, errors: list[str]) -> datetime | None:
    value = body.get(name)
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        errors.append(f"{name}: give a date and time with a time zone, e.g. 2026-11-30T09:15:00Z")
        return None
    if not EARLIEST <= parsed.replace(tzinfo=None) <= LATEST:
        errors.append(f"{name}: give a time between the years 2000 and 2100")
        return None
    return parsed.astimezone(UTC)


def _strings(body: dict[str, Any], errors: list[str]) -> None:
    errors += [f"{name}: this field is not part of a report" for name in sorted(set(body) - FIELDS)]
    errors += [f"{name}: required" for name in REQUIRED if body.get(name) is None]
    for name in FIELDS - {"used_at", "visible_from"}:
        value = body.get(name)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            errors.append(f"{name}: must be a non-empty string")
        elif isinstance(value, str) and len(value) > LIMITS.get(name, 40):
            errors.append(f"{name}: at most {LIMITS.get(name, 40)} characters")
        elif isinstance(value, str) and has_control_characters(value):
            errors.append(f"{name}: has control characters")


def parse_report(body: dict[str, Any]) -> ai_use.UseReport:
    """The report in ``body``, or the ``invalid-body`` problem listing every field at fault."""
    errors: list[str] = []
    _strings(body, errors)
    used_at, visible_from = _time(body, "used_at", errors), _time(body, "visible_from", errors)
    number = purpose = None
    if isinstance(body.get("nhs_number"), str):
        try:
            number = NhsNumber.parse(body["nhs_number"])
        except InvalidNhsNumber as error:
            errors.append(f"nhs_number: not a valid NHS number ({error.reason}; modulus 11, NHS Data Dictionary)")
    try:
        purpose = Purpose(body.get("purpose", "care"))
    except ValueError:
        errors.append("purpose: one of care, improvement, research")
    if used_at and visible_from and visible_from < used_at:
        errors.append("visible_from: cannot be before used_at")
    if used_at and used_at > datetime.now(UTC) + timedelta(minutes=5):
        errors.append("used_at: cannot be in the future")
    if errors or number is None or used_at is None or purpose is None:
        raise problems.invalid_body(errors)
    return ai_use.UseReport(
        nhs_number=number, tool=body["tool"], purpose=purpose, used_at=used_at,
        organisation=body["organisation"].strip().upper(), summary=body["summary"].strip(),
        external_reference=body["external_reference"].strip(), service=body.get("service"),
        visible_from=visible_from,
    )


def _refused(error: ai_use.ReportRefused) -> problems.ApiProblem:
    if error.code == "unknown-patient":
        return problems.ApiProblem(422, "unknown-patient", "The portal does not know this patient", error.message)
    if error.code == "duplicate-external-reference":
        return problems.ApiProblem(409, "duplicate-external-reference", "Already reported", error.message)
    field = {"unknown-tool": "tool", "unknown-organisation": "organisation", "purpose-not-served": "purpose"}[error.code]
    return problems.invalid_body([f"{field}: {error.message}"])


@bp.post("/ai-use-events")
@require_scopes(AI_USE_WRITE)
def report_ai_use():  # type: ignore[no-untyped-def]
    check_query(())
    key = request.headers.get("Idempotency-Key", "")
    if not KEY_PATTERN.fullmatch(key):
        raise problems.ApiProblem(400, "idempotency-key-required", "An Idempotency-Key header is required",
                                  "Send a unique Idempotency-Key header (1 to 255 visible ASCII characters).")
    body = json_body()
    report = parse_report(body)
    context = ReadContext(current_client(), route_template())
    try:
        reply = ai_use.report_use(db.session, context, key, body, report)
    except ai_use.IdempotencyKeyReused:
        raise problems.ApiProblem(422, "idempotency-key-reused", "This Idempotency-Key was used with another body",
                                  "Use a new key for a new report.") from None
    except ai_use.ReportRefused as error:
        raise _refused(error) from None
    db.session.commit()
    response = jsonify(reply.body)
    response.status_code = reply.status
    if reply.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return mark_no_store(response)
