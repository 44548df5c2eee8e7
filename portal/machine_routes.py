"""Which requests are for machines (the JSON API, FHIR, the OAuth 2 token endpoint), and the
session interface that never opens a browser session for them.

Machine routes authenticate with bearer tokens only (``portal.api.oauth``), so the hooks that
exist for web pages (session cookie, signed-in viewer, language cookie, page CSP nonce) do
nothing useful for them and cost more CPU than the lookup itself (issue 8 point 9). Each such
hook returns early when ``is_machine_request()``; the API keeps its own security headers
(``portal.security``), its request log line (``portal.logging_setup``), its rate limits and
its read audit.

The test is by path, not by blueprint, so an unknown ``/api/...`` address (no blueprint
matched) is treated the same way and answered with a problem document.
"""

from __future__ import annotations

from flask import Flask, Request, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

MACHINE_PREFIXES = ("/api/", "/fhir/", "/oauth2/")


def is_machine_path(path: str) -> bool:
    """True for a path under ``/api/``, ``/fhir/`` or ``/oauth2/``."""
    return path.startswith(MACHINE_PREFIXES)


def is_machine_request() -> bool:
    """True while handling a request to a machine route (needs a request context)."""
    return request.path.startswith(MACHINE_PREFIXES)


class PageSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session for pages; for machine routes a null session.

    A null session is empty, refuses writes, and Flask neither reads the request's session
    cookie for it nor sets one on the response (``Flask.process_response`` skips saving a
    null session), so a browser's cookie can never authenticate an API call."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if is_machine_path(request.path):
            return None  # Flask then uses ``make_null_session``
        return super().open_session(app, request)
