"""The OAuth 2 authorization server and resource protector (SMART Backend Services), in one
module (habit from Authlib's example server).

``POST /oauth2/token``: grant ``client_credentials``; the client authenticates with a JWT
assertion (``client_assertion_type`` jwt-bearer; ``iss`` = ``sub`` = client id; ``aud`` = this
URL; a ``jti`` never used before; ``exp`` at most 5 minutes ahead; RS384, ES384 or RS512),
or, for a development client only, ``client_secret_basic``. Tokens last 300 seconds, carry the
granted ``scope``, have no refresh token, and are stored as hashes. Errors are RFC 6749 JSON.

``require_scopes(...)`` guards an API view: a missing, unknown or expired token is 401 with
``WWW-Authenticate``; a token without the scope is 403 ``insufficient_scope``. Source:
SMART App Launch 2.x "Backend Services"; RFC 6749, 6750, 7523.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import ClientMixin, InvalidClientError, InvalidScopeError, scope_to_list
from authlib.oauth2.rfc6749.grants import ClientCredentialsGrant
from authlib.oauth2.rfc6750 import BearerTokenValidator, InsufficientScopeError
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from flask import Blueprint, Flask, current_app, g, request, url_for
from flask_limiter.util import get_remote_address
from joserfc import jwt
from joserfc.errors import JoseError

from portal.access import AccessRule, declare, public
from portal.api import rate
from portal.api.problems import ApiProblem
from portal.extensions import csrf, db, limiter
from portal.services import api_clients
from portal.services.api_clients import ClientView, TokenView

bp = Blueprint("oauth", __name__)
ASSERTION_METHOD = JWTBearerClientAssertion.CLIENT_AUTH_METHOD  # Authlib's name for private_key_jwt
ALGORITHMS = ["RS384", "ES384", "RS512"]
MAX_ASSERTION_LIFETIME = 300
CLOCK_TOLERANCE_SECONDS = 30


class OAuthClient(ClientMixin):
    """Authlib's view of a registered client."""

    def __init__(self, view: ClientView) -> None:
        self.view = view

    def get_client_id(self) -> str:
        return self.view.client_id

    def get_default_redirect_uri(self) -> None:
        return None

    def get_allowed_scope(self, scope: str | None) -> str:
        # Already checked by BackendServicesGrant.validate_requested_scope: never narrowed here.
        return scope if scope else " ".join(self.view.scopes)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return False

    def check_client_secret(self, client_secret: str) -> bool:
        return self.view.development and api_clients.secret_matches(self.view, client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if endpoint != "token":
            return False
        if method == "client_secret_basic":
            return self.view.development and current_app.config["PORTAL_ENV"] != "production"
        return method == ASSERTION_METHOD and self.view.has_keys

    def check_response_type(self, response_type: str) -> bool:
        return False

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "client_credentials"


class BackendServicesGrant(ClientCredentialsGrant):
    """Client credentials with a signed assertion (or a development secret), refusing any
    scope the client was not given (``invalid_scope``) instead of narrowing it silently."""

    TOKEN_ENDPOINT_AUTH_METHODS = [ASSERTION_METHOD, "client_secret_basic"]

    def validate_requested_scope(self) -> None:
        requested = scope_to_list(self.request.payload.scope) or []
        unknown = [s for s in requested if s not in api_clients.SUPPORTED_SCOPES]
        if unknown:
            raise InvalidScopeError(description="Unknown scope: " + " ".join(unknown)[:200])
        if not api_clients.scopes_allowed(requested, self.request.client.view.scopes):
            raise InvalidScopeError(description="The client may not have every scope it asked for.")


class SmartClientAssertion(JWTBearerClientAssertion):
    """RFC 7523 client authentication with the SMART Backend Services rules Authlib leaves
    to us: the algorithm list, ``exp`` at most 5 minutes ahead, ``jku`` only if it is the
    registered JWKS URL, ``jti`` replay, and keys from the registered JWKS."""

    def __init__(self) -> None:
        super().__init__(validate_jti=True, leeway=CLOCK_TOLERANCE_SECONDS)

    def get_audiences(self) -> list[str]:
        return [url_for("oauth.token", _external=True)]

    def extract_assertion(self, assertion: str) -> tuple[dict[str, Any], dict[str, Any]]:
        headers, claims = super().extract_assertion(assertion)
        if headers.get("alg") not in ALGORITHMS:
            raise InvalidClientError(description="Sign the assertion with RS384, ES384 or RS512.")
        g._assertion_headers = headers
        return headers, claims

    def resolve_client_public_key(self, client: OAuthClient) -> Any:
        headers = g.get("_assertion_headers", {})
        jku = headers.get("jku")
        if jku is not None and jku != client.view.jwks_url:
            raise InvalidClientError(description="The jku header is not this client's registered JWKS URL.")
        g._assertion_client = client.view
        try:
            keys = api_clients.client_keys(client.view)
            kid = headers.get("kid")
            if kid and client.view.jwks_url and all(key.kid != kid for key in keys):
                keys = api_clients.client_keys(client.view, refresh=True)
        except api_clients.JwksUnavailable:
            raise InvalidClientError(description="The client's public keys could not be read.") from None
        return keys

    def process_assertion_claims(self, assertion: str, resolve_key: Any) -> Any:
        try:
            token = jwt.decode(assertion, resolve_key, algorithms=ALGORITHMS)
        except JoseError as error:
            raise InvalidClientError(description="The assertion's signature does not verify.") from error
        except ValueError:
            raise InvalidClientError(description="No registered key matches the assertion.") from None
        self.verify_claims(token.claims)
        return token.claims

    def verify_claims(self, claims: Any) -> None:
        expires = claims.get("exp")
        if isinstance(expires, (int, float)) and expires > time.time() + MAX_ASSERTION_LIFETIME + self.leeway:
            raise InvalidClientError(description="The assertion's exp is more than 5 minutes ahead.")
        super().verify_claims(claims)

    def validate_jti(self, claims: Any, jti: Any) -> bool:
        client = g.get("_assertion_client")
        if client is None or not isinstance(jti, str) or not jti or len(jti) > 255:
            return False
        expires = datetime.fromtimestamp(float(claims["exp"]), UTC)
        return api_clients.remember_assertion(db.session, client, jti, expires)


class HashedBearerTokenValidator(BearerTokenValidator):
    def authenticate_token(self, token_string: str) -> _Token | None:
        view = api_clients.find_token(db.session, token_string)
        return None if view is None or view.client.disabled else _Token(view)


class _Token:
    def __init__(self, view: TokenView) -> None:
        self.view = view

    def is_expired(self) -> bool:
        return self.view.expired()

    def is_revoked(self) -> bool:
        return False

    def get_scope(self) -> str:
        return " ".join({self.view.scope, *(api_clients.canonical_scope(s) for s in self.view.scope.split())})


def _query_client(client_id: str) -> OAuthClient | None:
    view = api_clients.find_client(db.session, client_id) if isinstance(client_id, str) else None
    return None if view is None or view.disabled else OAuthClient(view)


def _save_token(token: dict[str, Any], oauth_request: Any) -> None:
    api_clients.save_token(db.session, oauth_request.client.view, token["access_token"],
                           token.get("scope", ""), int(token["expires_in"]))


CLIENT_AUTH_FAILED = "The client could not be authenticated."


class _Server(AuthorizationServer):
    """Authlib's server, with client authentication failures made safe and uniform: Basic
    credentials that are not UTF-8 (Authlib's ``extract_basic_authorization`` raises
    ``UnicodeDecodeError``) are 401 ``invalid_client`` rather than a 500, and "no method
    worked" no longer lists the server's authentication methods (RFC 6749 section 5.2 asks only
    for ``error``; the description is free text, so it says nothing about internals)."""

    def authenticate_client(self, request: Any, methods: Any, endpoint: str = "token") -> Any:
        try:
            return super().authenticate_client(request, methods, endpoint)
        except UnicodeDecodeError:
            raise InvalidClientError(status_code=401, description=CLIENT_AUTH_FAILED) from None
        except InvalidClientError as error:
            if (error.description or "").startswith("The client cannot authenticate with methods"):
                raise InvalidClientError(status_code=error.status_code, description=CLIENT_AUTH_FAILED) from None
            raise


server = _Server()
protector = ResourceProtector()
_registered: list[bool] = []  # the singletons are configured once per process


def _token_rate_key() -> str:
    claimed = request.authorization.username if request.authorization else None
    return f"{get_remote_address()}|{claimed or request.form.get('client_id', '')}"[:200]


@bp.post("/oauth2/token")
@public
@limiter.limit(lambda: current_app.config["API_TOKEN_RATE_LIMIT"], key_func=_token_rate_key)
def token():  # type: ignore[no-untyped-def]
    """Issue an access token (client credentials). Errors as RFC 6749 section 5.2 JSON."""
    response = server.create_token_response()
    if response.status_code == 200:
        db.session.commit()
    else:
        db.session.rollback()
    response.headers["Cache-Control"] = "no-store"
    return response


# The resource side -----------------------------------------------------------------------------

def current_client() -> ClientView:
    """The client whose token this request carries (inside a ``require_scopes`` view)."""
    return g.api_token.client


def _www_authenticate(error: str, description: str, scope: str | None = None) -> str:
    parts = ['realm="ai-choices-portal"', f'error="{error}"', f'error_description="{description}"']
    if scope:
        parts.append(f'scope="{scope}"')
    return "Bearer " + ", ".join(parts)


def _quick_token(scopes: tuple[str, ...]) -> TokenView | None:
    """The token, if this request carries a known, unexpired bearer token of an enabled
    client with every scope in ``scopes``; None for anything else, which Authlib then
    examines to give the precise error (the same lookup, cached by hash in
    ``api_clients.find_token``)."""
    kind, _, value = request.headers.get("Authorization", "").partition(" ")
    value = value.strip()
    if kind.lower() != "bearer" or not value or " " in value:
        return None
    view = api_clients.cached_token(value) or api_clients.find_token(db.session, value)
    if view is None or view.client.disabled or view.expired():
        return None
    granted = {api_clients.canonical_scope(s) for s in view.scope.split()}
    return view if all(scope in granted for scope in scopes) else None


def _authenticate(scopes: tuple[str, ...]) -> TokenView:
    quick = _quick_token(scopes)
    if quick is not None:
        return quick
    alternatives = [" ".join(scopes)]
    if api_clients.CONSENT_READ in scopes:
        alternatives.append(" ".join(api_clients.CONSENT_READ_V2 if s == api_clients.CONSENT_READ else s
                                     for s in scopes))
    try:
        token = protector.acquire_token(alternatives)
    except InsufficientScopeError:
        description = "This token does not carry the scope this endpoint needs."
        raise ApiProblem(403, "insufficient-scope", "Insufficient scope",
                         f"Needs scope: {' '.join(scopes)}.", error="insufficient_scope",
                         headers={"WWW-Authenticate": _www_authenticate("insufficient_scope", description,
                                                                          " ".join(scopes))}) from None
    except OAuth2Error as error:
        missing = request.headers.get("Authorization") is None
        code = "invalid_request" if missing else "invalid_token"
        description = ("Send an access token: Authorization: Bearer <token>." if missing
                       else "The access token is unknown or has expired.")
        header = 'Bearer realm="ai-choices-portal"' if missing else _www_authenticate(code, description)
        raise ApiProblem(401, "unauthorized" if missing else "invalid-token", "Not authorised",
                         description, error=code, headers={"WWW-Authenticate": header}) from error
    return token.view


def require_scopes(*scopes: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Guard an API view: a valid token carrying every scope in ``scopes`` (either spelling
    of ``system/Consent.read``), then the per-client rate limit (``API_RATE_LIMIT``)."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            g.api_token = _authenticate(scopes)
            rate.check(g.api_token.client.client_id)
            return view(*args, **kwargs)

        wrapper.portal_api_limited = True  # type: ignore[attr-defined]
        return declare(wrapper, AccessRule("oauth", scopes))

    return decorator


def init_app(app: Flask) -> None:
    app.config.setdefault("OAUTH2_TOKEN_EXPIRES_IN", {"client_credentials": api_clients.ACCESS_TOKEN_SECONDS})
    app.config.setdefault("OAUTH2_SCOPES_SUPPORTED", list(api_clients.SUPPORTED_SCOPES))
    app.config.setdefault("OAUTH2_REFRESH_TOKEN_GENERATOR", False)
    server.init_app(app, query_client=_query_client, save_token=_save_token)
    if not _registered:
        server.register_client_auth_method(ASSERTION_METHOD, SmartClientAssertion())
        server.register_grant(BackendServicesGrant)
        protector.register_token_validator(HashedBearerTokenValidator(realm="ai-choices-portal"))
        _registered.append(True)
    csrf.exempt(bp)
    app.register_blueprint(bp)
