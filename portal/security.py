"""Security headers for every response, and ``no_store`` for pages with personal data.

Machine routes (``/api/``, ``/fhir/``, ``/oauth2/``) get ``MACHINE_HEADERS``, a fixed set
for JSON (``nosniff``, no framing, ``default-src 'none'``) and no nonce; each API view sets
``Cache-Control: no-store`` on what carries patient data or tokens.

The Content-Security-Policy has no ``unsafe-inline``: the few inline scripts carry the
per-request nonce (``csp_nonce()`` in templates). ``no_store`` marks a response so shared
computers keep no copy (the browser's Back button after sign-out shows nothing personal).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, Response, g, make_response

from portal.machine_routes import is_machine_request, runs_for_machines

NO_STORE = "no-store"
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)
# JSON and FHIR responses load nothing and must never be framed or run as a page: a fixed
# policy (no nonce to make), the same sniffing, referrer and framing rules as pages.
MACHINE_HEADERS = (
    ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
)
HSTS = "max-age=31536000; includeSubDomains"


def csp_nonce() -> str:
    """This request's script nonce (created on first use)."""
    nonce = g.get("_csp_nonce")
    if nonce is None:
        nonce = g._csp_nonce = secrets.token_urlsafe(16)
    return nonce


def content_security_policy(nonce: str, form_targets: tuple[str, ...] = ()) -> str:
    """The policy; ``form_targets`` are other origins a form may lead to (browsers apply
    ``form-action`` to a form's redirects too, e.g. sign-out passing by the identity provider)."""
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            " ".join(("form-action 'self'", *form_targets)),
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "object-src 'none'",
        )
    )


def mark_no_store(response: Response) -> Response:
    """Tell browsers and proxies to keep no copy of ``response``."""
    response.headers["Cache-Control"] = NO_STORE
    response.headers["Pragma"] = "no-cache"
    return response


def no_store(view: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator for every view that shows personal data: ``Cache-Control: no-store``."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        return mark_no_store(make_response(view(*args, **kwargs)))

    wrapper.no_store = True  # type: ignore[attr-defined]
    return wrapper


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    production = app.config["PORTAL_ENV"] == "production"
    machine_headers = ((("Strict-Transport-Security", HSTS),) if production else ()) + MACHINE_HEADERS

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        if is_machine_request():
            # One pass over the response's headers instead of one per header set.
            present = {name.lower() for name in headers.keys()}
            headers.extend([(name, value) for name, value in machine_headers if name.lower() not in present])
            return response
        if production:
            headers.setdefault("Strict-Transport-Security", HSTS)
        form_targets = tuple(app.config.get("CSP_FORM_ACTION_SOURCES", ()))
        headers.setdefault("Content-Security-Policy", content_security_policy(csp_nonce(), form_targets))
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response

    runs_for_machines(app, _security_headers)
