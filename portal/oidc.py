"""OpenID Connect sign-in with Authlib's Flask client, for NHS login and a staff provider.

One ``OidcProvider`` per identity provider, from settings: discovery from the issuer, the
authorization code flow with ``state`` and ``nonce``, client authentication by
``private_key_jwt`` signed RS512 with the portal's key (PEM or JWK file), and for NHS login an
explicit ``vtr`` in every request with the ``vot`` in the ID token checked against it (NHS login
External Interface Specification v1.9, sections 3 and 5). Both edges (patient and staff) use
this module, so it sits beside ``portal.security`` rather than inside either.

Each app gets its own ``authlib.integrations.flask_client.OAuth`` (its registry is per app).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from flask import Flask, current_app, redirect, request, session
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey
from werkzeug.wrappers import Response

from portal.domain.assurance import AssuranceError, level_achieved

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 10
LEEWAY_SECONDS = 120


class SignInFailed(Exception):
    """The provider's answer cannot sign anyone in. ``reason`` (for the audit and the page):
    ``access-denied`` (the person stopped, or their level is too low), ``state`` (the answer is
    not to a request this browser made), ``token`` (bad or expired ID token, wrong nonce, or
    the token request was refused), ``vot`` (a level not asked for), ``unavailable``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class OidcProvider:
    """Settings for one identity provider. ``redirect_uri`` empty: built with ``url_for``."""

    name: str
    issuer: str
    client_id: str
    private_key_file: str
    callback_endpoint: str
    scope: str = "openid profile"
    redirect_uri: str = ""
    uses_vectors_of_trust: bool = False

    @property
    def configured(self) -> bool:
        return bool(self.issuer and self.client_id and self.private_key_file)


@dataclass(frozen=True)
class OidcResult:
    """A verified sign-in: the ID token's ``claims``, the ``userinfo`` answer (same ``sub``),
    the ``level`` achieved (``vot``'s level; None without vectors of trust) and the ``pending``
    data saved when the sign-in started."""

    claims: dict[str, Any]
    userinfo: dict[str, Any]
    level: str | None
    pending: dict[str, Any] = field(default_factory=dict)


def load_private_key(path: str) -> RSAKey:
    """The RSA private key in ``path``: a PEM file, or a JWK as JSON. Raises ``ValueError``."""
    text = Path(path).read_text(encoding="utf-8")
    data: Any = json.loads(text) if text.lstrip().startswith("{") else text
    if isinstance(data, dict) and "keys" in data:
        data = data["keys"][0]
    key = RSAKey.import_key(data)
    if not key.is_private:
        raise ValueError("the client key file holds no private key")
    return key


def providers_from_config(config: Any) -> list[OidcProvider]:
    """NHS login (``nhs_login``, with vectors of trust) and the staff provider (``staff``, as
    NHS CIS2), from the ``NHS_LOGIN_*`` and ``STAFF_OIDC_*`` settings."""
    return [
        OidcProvider("nhs_login", config["NHS_LOGIN_ISSUER"], config["NHS_LOGIN_CLIENT_ID"],
                     config["NHS_LOGIN_PRIVATE_KEY_FILE"], "auth.callback",
                     scope="openid profile profile_extended email", redirect_uri=config["NHS_LOGIN_REDIRECT_URI"],
                     uses_vectors_of_trust=True),
        OidcProvider("staff", config["STAFF_OIDC_ISSUER"], config["STAFF_OIDC_CLIENT_ID"],
                     config["STAFF_OIDC_PRIVATE_KEY_FILE"], "staff.oidc_callback",
                     scope="openid email", redirect_uri=config["STAFF_OIDC_REDIRECT_URI"]),
    ]


def init_app(app: Flask, providers: list[OidcProvider]) -> None:
    """Give ``app`` its own Authlib registry and remember ``providers`` by name."""
    app.extensions["portal.oidc"] = {"oauth": OAuth(app), "providers": {p.name: p for p in providers},
                                     "registered": set()}
    # Sign-out (a form) redirects to the provider's end-session endpoint: allow its origin.
    origins = {_origin(p.issuer) for p in providers if p.configured}
    app.config["CSP_FORM_ACTION_SOURCES"] = sorted(origins)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def provider(name: str) -> OidcProvider:
    return current_app.extensions["portal.oidc"]["providers"][name]


def _client(name: str) -> Any:
    state = current_app.extensions["portal.oidc"]
    oauth: OAuth = state["oauth"]
    if name not in state["registered"]:  # registered on first use: the key file may appear later
        config = provider(name)
        oauth.register(
            name, client_id=config.client_id, client_secret=load_private_key(config.private_key_file),
            server_metadata_url=f"{config.issuer}/.well-known/openid-configuration",
            client_kwargs={"scope": config.scope, "token_endpoint_auth_method": "private_key_jwt",
                           "default_timeout": TIMEOUT_SECONDS},
            client_auth_methods=[PrivateKeyJWT(alg="RS512")],
        )
        state["registered"].add(name)
    return oauth.create_client(name)


def _redirect_uri(config: OidcProvider) -> str:
    from flask import url_for

    return config.redirect_uri or url_for(config.callback_endpoint, _external=True)


def start(name: str, *, vectors: list[str] | None = None, prompt_login: bool = False,
          pending: dict[str, Any] | None = None) -> Response:
    """Redirect the browser to the provider. ``vectors``: the ``vtr`` to ask for; ``pending``
    comes back in ``OidcResult.pending``. Raises ``SignInFailed("unavailable")`` when the
    provider's discovery document cannot be read or the key cannot be loaded."""
    config = provider(name)
    extra: dict[str, str] = {}
    if vectors:
        extra["vtr"] = json.dumps(vectors, separators=(",", ":"))
    if prompt_login:
        extra["prompt"] = "login"
    try:
        client = _client(name)
        redirect_uri = _redirect_uri(config)
        created = client.create_authorization_url(redirect_uri, **extra)
    except (OSError, ValueError, JoseError, AuthlibBaseError, requests.RequestException):
        raise SignInFailed("unavailable") from None
    client.save_authorize_data(redirect_uri=redirect_uri, **created)
    session[f"oidc.{name}"] = {"state": created["state"], "vectors": vectors or [], **(pending or {})}
    return redirect(created["url"])


def _check_trust(config: OidcProvider, claims: dict[str, Any], pending: dict[str, Any]) -> str | None:
    if not config.uses_vectors_of_trust:
        return None
    try:
        level = level_achieved(claims.get("vot"), list(pending.get("vectors") or []))
    except AssuranceError:
        raise SignInFailed("vot") from None
    if not str(claims.get("vtm", "")).startswith(f"{config.issuer}/trustmark"):
        raise SignInFailed("vot")
    return level


def complete(name: str) -> OidcResult:
    """Finish the sign-in on the callback: check ``state`` (and ``iss`` when sent), exchange
    the code with ``private_key_jwt``, verify the ID token (RS512 signature, ``iss``, ``aud``,
    ``exp``, ``iat``, ``nonce``), check ``vot`` is a vector asked for, and read ``userinfo``.
    Raises ``SignInFailed``."""
    config = provider(name)
    pending = session.pop(f"oidc.{name}", None)
    if request.args.get("error"):
        raise SignInFailed("access-denied" if request.args["error"] == "access_denied" else "token")
    if pending is None or request.args.get("state") != pending.get("state"):
        raise SignInFailed("state")
    if request.args.get("iss") not in (None, config.issuer):
        raise SignInFailed("state")
    client = _client(name)
    options = {"iss": {"essential": True, "value": config.issuer}}
    try:
        token = client.authorize_access_token(claims_options=options, leeway=LEEWAY_SECONDS)
        claims = dict(token.get("userinfo") or {})
        if not claims:
            raise SignInFailed("token")
        level = _check_trust(config, claims, pending)
        userinfo = dict(client.userinfo(token=token))
    except (AuthlibBaseError, JoseError, requests.RequestException, KeyError, ValueError) as error:
        log.info("OpenID Connect answer refused: %(kind)s %(error)s",
                 {"kind": type(error).__name__, "error": getattr(error, "error", "")})
        raise SignInFailed("token") from None
    if userinfo.get("sub") != claims.get("sub"):
        raise SignInFailed("token")
    return OidcResult(claims, userinfo, level, pending)


def end_session_url(name: str, post_logout_redirect_uri: str) -> str | None:
    """The provider's end-session URL (RP-initiated logout), or None if it has none or cannot
    be reached."""
    config = provider(name)
    if not config.configured:
        return None
    try:
        client = _client(name)
        return client.create_logout_url(post_logout_redirect_uri=post_logout_redirect_uri,
                                        client_id=config.client_id)["url"]
    except (OSError, ValueError, RuntimeError, JoseError, AuthlibBaseError, requests.RequestException):
        return None
