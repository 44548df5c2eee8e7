"""Clinical systems as OAuth 2 clients (SMART Backend Services): registering them, their
keys, the scopes they may ask for, and the access tokens they hold.

Rules (issue 8 point 1; SMART App Launch "Backend Services"):

- Scopes: ``system/Consent.read`` (its SMART v2 spelling ``system/Consent.rs`` is the same
  permission), ``disputes.read``, ``ai-use.write``.
- A client authenticates with a JWT signed by a key in its registered JWKS (a URL, fetched
  with a timeout and cached for ``JWKS_CACHE_SECONDS``, or a JWKS stored from a file). Only a
  development client has a secret, and only for ``client_secret_basic``.
- Access tokens live ``ACCESS_TOKEN_SECONDS`` (300) and are stored as SHA-256 hashes only.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy.orm import Session

from portal.data import api_clients as client_data
from portal.data.base import utcnow

CONSENT_READ = "system/Consent.read"
CONSENT_READ_V2 = "system/Consent.rs"
DISPUTES_READ = "disputes.read"
AI_USE_WRITE = "ai-use.write"
SCOPES = (CONSENT_READ, DISPUTES_READ, AI_USE_WRITE)
SCOPE_ALIASES = {CONSENT_READ_V2: CONSENT_READ}
SUPPORTED_SCOPES = (*SCOPES, CONSENT_READ_V2)
ACCESS_TOKEN_SECONDS = 300
JWKS_CACHE_SECONDS = 300
JWKS_TIMEOUT_SECONDS = 5
JWKS_MAX_BYTES = 256 * 1024


class ApiClientError(ValueError):
    """A client cannot be registered as asked; the message says why."""


class JwksUnavailable(RuntimeError):
    """The client's JWKS could not be fetched or read."""


@dataclass(frozen=True)
class ClientView:
    """What the OAuth edge needs to know about a registered client."""

    id: uuid.UUID
    client_id: str
    name: str
    ods_code: str
    scopes: tuple[str, ...]
    development: bool
    has_keys: bool
    jwks_url: str | None
    jwks: dict[str, Any] | None
    secret_hash: str | None
    disabled: bool


@dataclass(frozen=True)
class TokenView:
    """An access token as the resource server sees it (the value itself is never stored)."""

    client: ClientView
    scope: str
    expires_at: datetime

    def expired(self, now: datetime | None = None) -> bool:
        return (now or utcnow()) >= self.expires_at


@dataclass(frozen=True)
class NewClient:
    client_id: str
    secret: str | None


def canonical_scope(scope: str) -> str:
    """``system/Consent.rs`` -> ``system/Consent.read``; other scopes unchanged."""
    return SCOPE_ALIASES.get(scope, scope)


def scopes_allowed(requested: Iterable[str], allowed: Iterable[str]) -> bool:
    """True if every requested scope (either spelling) is one the client was given."""
    granted = {canonical_scope(s) for s in allowed}
    return all(canonical_scope(s) in granted for s in requested)


def hash_secret(value: str) -> str:
    """SHA-256 hex of a high-entropy secret or token (not a password: no salt needed)."""
    return hashlib.sha256(value.encode()).hexdigest()


def _view(client: client_data.ApiClient) -> ClientView:
    return ClientView(
        id=client.id, client_id=client.client_id, name=client.name, ods_code=client.ods_code,
        scopes=tuple(client.scopes), development=client.development,
        has_keys=bool(client.jwks_url or client.jwks), jwks_url=client.jwks_url, jwks=client.jwks,
        secret_hash=client.secret_hash, disabled=client.disabled_at_utc is not None,
    )


def _check_jwks_url(url: str) -> None:
    parts = urlsplit(url)
    host = parts.hostname or ""
    loopback = host == "localhost" or _is_loopback(host)
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        raise ApiClientError("A JWKS URL must use https (http only on this machine's loopback).")


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def read_jwks_file(path: Path) -> dict[str, Any]:
    """A public JWKS from a file. Raises ``ApiClientError`` if it is not one."""
    try:
        jwks = json.loads(path.read_text(encoding="utf-8"))
        key_set = KeySet.import_key_set(jwks)
    except (OSError, ValueError, JoseError, TypeError) as error:
        raise ApiClientError(f"{path} is not a readable JWKS file ({type(error).__name__}).") from None
    if any(key.is_private for key in key_set):
        raise ApiClientError(f"{path} holds a private key: register only the public keys.")
    return jwks


def create_client(session: Session, *, name: str, ods_code: str, scopes: Iterable[str],
                  jwks_url: str | None = None, jwks: dict[str, Any] | None = None,
                  development_secret: bool = False) -> NewClient:
    """Register a client; exactly one of ``jwks_url``, ``jwks`` or ``development_secret``.

    Returns the new client id and, for a development client, its secret (shown once; only
    its hash is kept). Raises ``ApiClientError`` for an unknown scope or a bad key source."""
    chosen = [bool(jwks_url), jwks is not None, development_secret]
    if sum(chosen) != 1:
        raise ApiClientError("Give exactly one of a JWKS URL, a JWKS file or a development secret.")
    wanted = [canonical_scope(s) for s in scopes]
    unknown = sorted(set(wanted) - set(SCOPES))
    if unknown or not wanted:
        raise ApiClientError(f"Scopes must be some of: {', '.join(SCOPES)}.")
    if jwks_url:
        _check_jwks_url(jwks_url)
    secret = secrets.token_urlsafe(32) if development_secret else None
    client = client_data.add_api_client(session, client_data.ApiClient(
        client_id=str(uuid.uuid4()), name=name.strip(), ods_code=ods_code.strip().upper(),
        scopes=sorted(set(wanted)), jwks_url=jwks_url, jwks=jwks, development=development_secret,
        secret_hash=hash_secret(secret) if secret else None,
    ))
    return NewClient(client.client_id, secret)


def find_client(session: Session, client_id: str) -> ClientView | None:
    client = client_data.get_api_client_by_client_id(session, client_id)
    return None if client is None else _view(client)


def secret_matches(client: ClientView, secret: str) -> bool:
    return client.secret_hash is not None and hmac.compare_digest(client.secret_hash, hash_secret(secret))


def remember_assertion(session: Session, client: ClientView, jti: str, expires_at: datetime) -> bool:
    """Record a client assertion's ``jti`` until it expires; False if seen before (replay)."""
    client_data.delete_expired_assertions(session, utcnow() - timedelta(minutes=10))
    return client_data.add_used_assertion(session, client.id, jti, expires_at)


def save_token(session: Session, client: ClientView, access_token: str, scope: str,
               expires_in: int = ACCESS_TOKEN_SECONDS) -> None:
    """Store the hash of a new access token; expired tokens are swept at the same time."""
    now = utcnow()
    client_data.delete_expired_access_tokens(session, now - timedelta(minutes=10))
    client_data.add_access_token(session, client_data.AccessToken(
        token_hash=hash_secret(access_token), client_id=client.id, scope=scope,
        issued_at_utc=now, expires_at_utc=now + timedelta(seconds=expires_in),
    ))


TOKEN_CACHE_SECONDS = 10
TOKEN_CACHE_SIZE = 10_000
_token_cache: dict[str, tuple[float, TokenView]] = {}


def cached_token(access_token: str) -> TokenView | None:
    """The token if this process looked it up less than ``TOKEN_CACHE_SECONDS`` ago (no
    database, no session), else None: then ask ``find_token``."""
    cached = _token_cache.get(hash_secret(access_token))
    return cached[1] if cached is not None and cached[0] > time.monotonic() else None


def find_token(session: Session, access_token: str) -> TokenView | None:
    """The token with this value (looked up by hash) and its client, or None.

    A token found is remembered in this process for ``TOKEN_CACHE_SECONDS`` (10 s), saving a
    query per request: a client disabled in the database is refused within 10 seconds;
    expiry is always checked against the token's own time."""
    digest = hash_secret(access_token)
    cached = _token_cache.get(digest)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    found = client_data.get_access_token_with_client(session, digest)
    if found is None:
        return None
    token, client = found
    view = TokenView(_view(client), token.scope, token.expires_at_utc)
    if len(_token_cache) >= TOKEN_CACHE_SIZE:
        _token_cache.clear()
    _token_cache[digest] = (time.monotonic() + TOKEN_CACHE_SECONDS, view)
    return view


def client_keys(client: ClientView, *, refresh: bool = False) -> KeySet:
    """The client's public keys: its stored JWKS, or its JWKS URL (cached; ``refresh``
    fetches again). Raises ``JwksUnavailable``."""
    if client.jwks_url:
        return _jwks_cache.get(client.jwks_url, refresh=refresh)
    if client.jwks is None:
        raise JwksUnavailable("no keys registered")
    return KeySet.import_key_set(client.jwks)  # type: ignore[arg-type]


class _JwksCache:
    """JWKS documents by URL for ``JWKS_CACHE_SECONDS``; one fetch at a time per process.
    A refresh is allowed at most every 10 seconds per URL (a bad ``kid`` cannot make us
    hammer the client's server)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, KeySet]] = {}

    def get(self, url: str, *, refresh: bool = False) -> KeySet:
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(url)
            if entry and (now - entry[0] < JWKS_CACHE_SECONDS) and not (refresh and now - entry[0] > 10):
                return entry[1]
            key_set = _fetch_jwks(url)
            self._entries[url] = (now, key_set)
            return key_set

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def _fetch_jwks(url: str) -> KeySet:
    try:
        response = requests.get(url, timeout=JWKS_TIMEOUT_SECONDS, allow_redirects=False,
                                headers={"Accept": "application/json"})
        response.raise_for_status()
        if len(response.content) > JWKS_MAX_BYTES:
            raise JwksUnavailable("the JWKS is too large")
        return KeySet.import_key_set(response.json())
    except (requests.RequestException, ValueError, JoseError, TypeError) as error:
        raise JwksUnavailable(type(error).__name__) from None


_jwks_cache = _JwksCache()


def clear_jwks_cache() -> None:
    """Forget every cached JWKS (tests; a key rotated in an emergency)."""
    _jwks_cache.clear()


def clear_token_cache() -> None:
    """Forget every remembered access token (tests; a client disabled in an emergency)."""
    _token_cache.clear()


DEMO_CLIENT_NAME = "Demo EPR (development client)"
DEMO_CLIENT_ODS = "RH5"


def ensure_demo_client(session: Session, known: dict[str, Any] | None) -> NewClient:
    """The demo's development client with every scope: the one in ``known`` (a client id and
    secret saved by an earlier run) if it still works, else a new one."""
    if known and isinstance(known.get("client_id"), str) and isinstance(known.get("secret"), str):
        found = find_client(session, known["client_id"])
        if found is not None and found.development and secret_matches(found, known["secret"]):
            return NewClient(found.client_id, known["secret"])
    return create_client(session, name=DEMO_CLIENT_NAME, ods_code=DEMO_CLIENT_ODS, scopes=SCOPES,
                         development_secret=True)
