"""Which requests are for machines (the JSON API, FHIR, the OAuth 2 token endpoint), and the
session interface that never opens a browser session for them.

Machine routes authenticate with bearer tokens only (``portal.api.oauth``), so the hooks that
exist for web pages (session cookie, signed-in viewer, language cookie, page CSP nonce) do
nothing useful for them and cost more CPU than the lookup itself (issue 8 point 9). A machine
request runs only the app-wide hooks declared with ``runs_for_machines`` (``PortalFlask``
asks ``hooks_for``): its security headers (``portal.security``), its request log line
(``portal.logging_setup``) and, for the token endpoint, Flask-Limiter's; the API counts its
own rate limit and read audit in the views. The page hooks still return early when
``is_machine_request()``, should one ever be run for a machine request.

The test is by path, not by blueprint, so an unknown ``/api/...`` address (no blueprint
matched) is treated the same way and answered with a problem document.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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


MACHINE_HOOKS = "portal.machine_hooks"
_KINDS = {"before": "before_request_funcs", "after": "after_request_funcs", "teardown": "teardown_request_funcs"}


def runs_for_machines(app: Flask, hook: Callable[..., Any], prefixes: tuple[str, ...] = MACHINE_PREFIXES) -> None:
    """Declare that the app-wide request hook ``hook`` also runs for requests under
    ``prefixes`` (some or all of ``MACHINE_PREFIXES``). Every other app-wide hook runs for
    pages only: ``hooks_for`` leaves it out of machine requests, so it costs them nothing
    (issue 8 point 9), not even a call that returns at once."""
    app.extensions.setdefault(MACHINE_HOOKS, {})[hook] = prefixes


def hooks_for(app: Flask, kind: str, path: str) -> list[Callable[..., Any]] | None:
    """The app-wide hooks of ``kind`` (``before``, ``after`` or ``teardown``) that a request
    for ``path`` runs, in the order Flask runs them (``after`` and ``teardown``: last
    registered first); None for a page, or whenever a blueprint has hooks of its own or
    anything has a URL value preprocessor, so that Flask runs everything its usual way."""
    for prefix in MACHINE_PREFIXES:
        if path.startswith(prefix):
            break
    else:
        return None
    cache = app.extensions.setdefault("portal.machine_hook_lists", {})
    key = (kind, prefix)
    if key not in cache and _blueprint_hooks(app):
        cache[key] = None
    elif key not in cache:
        declared = app.extensions.get(MACHINE_HOOKS, {})
        registered = getattr(app, _KINDS[kind]).get(None, [])
        ordered = registered if kind == "before" else list(reversed(registered))
        # Flask allows no new hooks once the first request is handled, so this stays true.
        cache[key] = [hook for hook in ordered if prefix in declared.get(hook, ())]
    return cache[key]  # type: ignore[no-any-return]


def _blueprint_hooks(app: Flask) -> bool:
    """True if a blueprint has request hooks of its own, or anything has a URL value
    preprocessor: the machine lists know neither, so Flask's own way must run."""
    return any(funcs for funcs in app.url_value_preprocessors.values()) or any(
        name is not None and funcs for name, funcs in
        [*app.before_request_funcs.items(), *app.after_request_funcs.items(), *app.teardown_request_funcs.items()])
