"""Errors the API answers, each with a stable ``type``: problem documents (RFC 9457) under
``/api/v1`` and ``/oauth2``, FHIR ``OperationOutcome`` under ``/fhir/r4``.

Views raise ``ApiProblem``; ``init_app`` renders it in the caller's format. The slugs are a
contract with integrators: add new ones, never rename one.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request

from portal.errors import operation_outcome, problem


class ApiProblem(Exception):
    """A refusal the caller can act on: HTTP ``status``, stable ``slug``, short ``title``
    (the same for every occurrence of the slug), ``detail`` for this occurrence, and extra
    members (for example ``error`` for OAuth-style errors). ``headers`` are added."""

    def __init__(self, status: int, slug: str, title: str, detail: str | None = None, *,
                 headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(title)
        self.status, self.slug, self.title, self.detail = status, slug, title, detail
        self.headers = headers or {}
        self.extra = extra


def is_fhir_request() -> bool:
    return request.path.startswith("/fhir/")


def render(error: ApiProblem) -> Response:
    """``error`` as a problem document, or as an OperationOutcome on FHIR routes."""
    if is_fhir_request():
        response = operation_outcome(error.status, error.slug, error.detail or error.title)
    else:
        response = problem(error.status, error.slug, error.title, error.detail, **error.extra)
    for name, value in error.headers.items():
        response.headers[name] = value
    return response


def init_app(app: Flask) -> None:
    app.register_error_handler(ApiProblem, render)


# The catalogue: one constructor per problem type, so a slug and its title never drift.

def invalid_nhs_number(reason: str, detail: str) -> ApiProblem:
    return ApiProblem(400, "invalid-nhs-number", "Not a valid NHS number",
                      detail + " Rule: 10 digits, the last a modulus 11 check digit "
                      "(NHS Data Dictionary, NHS Number).", reason=reason)


def unknown_tool(slug: str) -> ApiProblem:
    return ApiProblem(400, "unknown-tool", "No such AI tool on the register",
                      f"'{slug[:80]}' is not the slug of a tool on the register (see GET /api/v1/ai-tools).")


def unknown_purpose(value: str) -> ApiProblem:
    return ApiProblem(400, "unknown-purpose", "No such purpose",
                      f"'{value[:40]}' is not a purpose: use care, improvement or research.")


def unknown_parameter(names: list[str]) -> ApiProblem:
    return ApiProblem(400, "unknown-parameter", "Unknown query parameter",
                      "This endpoint does not take: " + ", ".join(sorted(n[:40] for n in names)) + ".")


def missing_parameter(name: str) -> ApiProblem:
    return ApiProblem(400, "missing-parameter", "A required query parameter is missing",
                      f"Add the '{name}' query parameter.")


def invalid_parameter(name: str, detail: str) -> ApiProblem:
    return ApiProblem(400, "invalid-parameter", "A query parameter has a value that is not allowed",
                      detail, parameter=name)


def unsupported_media_type(expected: str) -> ApiProblem:
    return ApiProblem(415, "unsupported-media-type", "Unsupported content type",
                      f"Send the body as {expected}.")


def malformed_json(detail: str) -> ApiProblem:
    return ApiProblem(400, "malformed-json", "The body is not valid JSON", detail)


def invalid_body(errors: list[str]) -> ApiProblem:
    return ApiProblem(422, "invalid-body", "The body has missing or invalid fields",
                      "; ".join(errors), errors=errors)


def too_large(detail: str) -> ApiProblem:
    return ApiProblem(413, "body-too-large", "The body is too large", detail)


def too_many_rows(limit: int) -> ApiProblem:
    return ApiProblem(413, "too-many-rows", "Too many rows in one batch",
                      f"Send at most {limit:,} NHS numbers in one request; split the file.")
