"""App-level error pages: NHS-styled HTML, a problem document (RFC 9457) under ``/api/``.

A broken database connection becomes the 503 page in plain words, never a traceback.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import OperationalError, DBAPIError
from werkzeug.exceptions import HTTPException

from portal.extensions import db
from portal.machine_routes import is_machine_request

log = logging.getLogger(__name__)
PROBLEM_BASE = "https://ai-choices.nhs.example/problems/"
HTML_ERROR_PAGES = {404: "errors/404.html", 500: "errors/500.html", 503: "errors/503.html"}


def wants_problem_json() -> bool:
    """True for machine routes (``/api/``, ``/oauth2/``, ``/fhir/``)."""
    return is_machine_request()


def problem(status: int, type_slug: str, title: str, detail: str | None = None, **extra: object) -> Response:
    """An ``application/problem+json`` response with a stable ``type`` per error."""
    body: dict[str, object] = {"type": PROBLEM_BASE + type_slug, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


FHIR_JSON = "application/fhir+json"
# FHIR issue-type codes (http://hl7.org/fhir/issue-type) for the HTTP statuses we answer.
_FHIR_ISSUE_CODES = {400: "invalid", 401: "login", 403: "forbidden", 404: "not-found", 405: "not-supported",
                     406: "not-supported", 410: "deleted", 413: "too-costly", 415: "not-supported",
                     422: "processing", 429: "throttled", 500: "exception", 503: "transient"}


def operation_outcome(status: int, type_slug: str, text: str) -> Response:
    """A FHIR R4 ``OperationOutcome`` with one error issue (the FHIR routes' error format);
    the stable ``type_slug`` is its ``details`` coding."""
    body = {
        "resourceType": "OperationOutcome",
        "issue": [{
            "severity": "error",
            "code": _FHIR_ISSUE_CODES.get(status, "processing"),
            "details": {"coding": [{"system": PROBLEM_BASE.rstrip("/"), "code": type_slug}], "text": text},
            "diagnostics": text,
        }],
    }
    response = jsonify(body)
    response.status_code = status
    response.mimetype = FHIR_JSON
    return response


def machine_error(status: int, type_slug: str, title: str, detail: str | None = None) -> Response:
    """An OperationOutcome under ``/fhir/``, a problem document elsewhere."""
    if request.path.startswith("/fhir/"):
        return operation_outcome(status, type_slug, detail or title)
    return problem(status, type_slug, title, detail)


def _html(status: int) -> Response:
    template = HTML_ERROR_PAGES.get(status, "errors/generic.html")
    response = Response(render_template(template, status=status), status=status)
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):  # type: ignore[no-untyped-def]
        status = error.code or 500
        if wants_problem_json():
            slug = (error.name or "error").lower().replace(" ", "-")
            return machine_error(status, slug, error.name, error.description)
        if status in (404, 500, 503):
            return _html(status)
        return Response(render_template("errors/generic.html", status=status,
                                        title=error.name), status=status)

    @app.errorhandler(OperationalError)
    @app.errorhandler(DBAPIError)
    def _database_unavailable(error: Exception):  # type: ignore[no-untyped-def]
        log.error("database unavailable: %(kind)s", {"kind": type(error).__name__})
        db.session.rollback()
        if wants_problem_json():
            return machine_error(503, "service-unavailable", _("Service unavailable"),
                                 "The database cannot be reached. Try again later.")
        response = _html(503)
        response.headers["Retry-After"] = "60"
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):  # type: ignore[no-untyped-def]
        log.exception("unhandled error: %(kind)s", {"kind": type(error).__name__})
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - the original error matters more
            log.warning("rollback after error failed")
        if wants_problem_json():
            return machine_error(500, "internal-error", "Internal server error")
        return _html(500)
