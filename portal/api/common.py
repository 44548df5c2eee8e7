"""Request parsing shared by the API's endpoint modules: query parameters checked against
what each endpoint takes, NHS numbers, purposes, JSON bodies, and times in ISO 8601 UTC."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from flask import request

from portal.api import problems
from portal.domain.nhs_number import InvalidNhsNumber, NhsNumber
from portal.domain.values import Purpose

MAX_JSON_BYTES = 64 * 1024


def route_template() -> str:
    """This request's route template (``/api/v1/patients/<nhs_number>/...``), never its URL."""
    return request.url_rule.rule if request.url_rule is not None else "<unmatched>"


def check_query(allowed: Iterable[str]) -> None:
    """Refuse query parameters the endpoint does not take, and repeated ones."""
    given = list(request.args.lists())
    if not given:
        return
    allowed = set(allowed)
    unknown = [name for name, _ in given if name not in allowed]
    if unknown:
        raise problems.unknown_parameter(unknown)
    for name, values in given:
        if len(values) > 1:
            raise problems.invalid_parameter(name, f"Give '{name}' once.")
        if has_control_characters(values[0]):
            raise problems.invalid_parameter(name, f"'{name}' has control characters.")


_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def has_control_characters(text: str) -> bool:
    """True for text with a C0 control character other than tab, CR and LF (a NUL cannot
    even be stored in PostgreSQL text)."""
    return _CONTROL_CHARACTERS.search(text) is not None


def parse_nhs_number(text: str) -> NhsNumber:
    """An NHS number with or without spaces; raises the ``invalid-nhs-number`` problem."""
    try:
        return NhsNumber.parse(text)
    except InvalidNhsNumber as error:
        detail = {"empty": "The NHS number is empty.",
                  "not-10-digits": "An NHS number is 10 digits (spaces are allowed).",
                  "check-digit": "The last digit is not the check digit of the first nine."}[error.reason]
        raise problems.invalid_nhs_number(str(error.reason), detail) from None


def parse_purpose(value: str | None) -> Purpose | None:
    if value is None:
        return None
    try:
        return Purpose(value)
    except ValueError:
        raise problems.unknown_purpose(value) from None


def json_body() -> dict[str, Any]:
    """The request's JSON object; refuses another content type, malformed JSON, a body that
    is not an object, or one over ``MAX_JSON_BYTES``."""
    if request.mimetype != "application/json":
        raise problems.unsupported_media_type("application/json")
    if (request.content_length or 0) > MAX_JSON_BYTES:
        raise problems.too_large(f"Send at most {MAX_JSON_BYTES // 1024} KB of JSON.")
    raw = request.get_data(cache=True)
    if len(raw) > MAX_JSON_BYTES:
        raise problems.too_large(f"Send at most {MAX_JSON_BYTES // 1024} KB of JSON.")
    try:
        body = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise problems.malformed_json("The body is not UTF-8.") from None
    except json.JSONDecodeError as error:
        raise problems.malformed_json(f"{error.msg} at line {error.lineno}, column {error.colno}.") from None
    if not isinstance(body, dict):
        raise problems.malformed_json("The body must be a JSON object.")
    return body


def iso(value: datetime | None) -> str | None:
    """An aware time as ISO 8601 in UTC with a ``Z`` (None stays None)."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def iso_date(value: date | None) -> str | None:
    """A calendar date as ISO 8601 (``2026-11-30``); None stays None."""
    return None if value is None else value.isoformat()
