"""API test helpers: register clients, fetch tokens, and a loopback JWKS server."""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, RSAKey

from portal.extensions import db
from portal.services import api_clients

TOKEN_URL = "http://localhost/oauth2/token"
ALL_SCOPES = ("system/Consent.read", "disputes.read", "ai-use.write")


def register_client(app, scopes=ALL_SCOPES, ods="RH5", **keys: Any) -> api_clients.NewClient:  # type: ignore[no-untyped-def]
    """A committed client: development secret unless ``jwks_url`` or ``jwks`` is given."""
    if not keys:
        keys = {"development_secret": True}
    with app.app_context():
        made = api_clients.create_client(db.session, name="Test EPR", ods_code=ods, scopes=scopes, **keys)
        db.session.commit()
    return made


def basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def fetch_token(http, made: api_clients.NewClient, scope: str = " ".join(ALL_SCOPES)) -> str:  # type: ignore[no-untyped-def]
    response = http.post("/oauth2/token", data={"grant_type": "client_credentials", "scope": scope},
                         headers=basic(made.client_id, made.secret))
    assert response.status_code == 200, response.get_json()
    return response.get_json()["access_token"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture()
def api_headers(app, client) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Authorization for a development client with every scope."""
    return bearer(fetch_token(client, register_client(app)))


def assertion(key: Any, client_id: str, alg: str = "RS384", *, aud: str = TOKEN_URL, lifetime: int = 240,
              jti: str | None = None, headers: dict[str, Any] | None = None, **claims: Any) -> str:
    now = int(time.time())
    payload = {"iss": client_id, "sub": client_id, "aud": aud, "exp": now + lifetime,
               "jti": jti or uuid.uuid4().hex, **claims}
    header = {"alg": alg, "typ": "JWT", "kid": key.kid, **(headers or {})}
    return jwt.encode(header, payload, key, algorithms=[alg])


def assertion_form(signed: str, scope: str = "system/Consent.read") -> dict[str, str]:
    return {"grant_type": "client_credentials", "scope": scope,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": signed}


@pytest.fixture(scope="session")
def rsa_key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": "rsa-1", "use": "sig"})


@pytest.fixture(scope="session")
def ec_key() -> ECKey:
    return ECKey.generate_key("P-384", parameters={"kid": "ec-1", "use": "sig"})


def public_jwks(*keys: Any) -> dict[str, Any]:
    return KeySet(list(keys)).as_dict(private=False)  # type: ignore[return-value]


class JwksServer:
    """Serves a JWKS from 127.0.0.1 and counts fetches."""

    def __init__(self) -> None:
        self.document: dict[str, Any] = {"keys": []}
        self.fetches = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                outer.fetches += 1
                body = json.dumps(outer.document).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/jwks.json"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> JwksServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture()
def jwks_server() -> Iterator[JwksServer]:
    api_clients.clear_jwks_cache()
    with JwksServer() as server:
        yield server
    api_clients.clear_jwks_cache()
