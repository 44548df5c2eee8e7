"""OAuth 2 client credentials per SMART Backend Services (issue 8 point 1)."""

from __future__ import annotations

import base64
import hashlib
import time
from datetime import timedelta

import pytest
from joserfc.jwk import RSAKey
from sqlalchemy import select, update

from portal.api.oauth import CLIENT_AUTH_FAILED
from portal.data.api_clients import AccessToken
from portal.data.base import utcnow
from portal.extensions import db
from tests.factories import make_patient
from tests.integration.api.conftest import (
    assertion,
    assertion_form,
    basic,
    bearer,
    fetch_token,
    public_jwks,
    register_client,
)

DECISIONS = "/api/v1/patients/{}/ai-decisions"


def _token_with(client, form):  # type: ignore[no-untyped-def]
    return client.post("/oauth2/token", data=form)


def test_a_development_client_gets_a_five_minute_bearer_token_with_its_scope_and_no_refresh_token(app, client):
    made = register_client(app, scopes=("system/Consent.read",))
    response = client.post("/oauth2/token", data={"grant_type": "client_credentials", "scope": "system/Consent.read"},
                           headers=basic(made.client_id, made.secret))
    body = response.get_json()
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert body["token_type"] == "Bearer" and body["expires_in"] == 300
    assert body["scope"] == "system/Consent.read"
    assert "refresh_token" not in body


def test_only_the_hash_of_an_access_token_is_stored(app, client):
    token = fetch_token(client, register_client(app))
    with app.app_context():
        stored = db.session.execute(select(AccessToken)).scalars().all()
    assert [row.token_hash for row in stored] == [hashlib.sha256(token.encode()).hexdigest()]
    assert all(token not in (row.token_hash, row.scope) for row in stored)


@pytest.mark.parametrize("alg", ["RS384", "RS512"])
def test_a_client_signs_in_with_an_rsa_assertion_checked_against_its_jwks_url(app, client, jwks_server, rsa_key, alg):
    jwks_server.document = public_jwks(rsa_key)
    made = register_client(app, jwks_url=jwks_server.url)
    response = _token_with(client, assertion_form(assertion(rsa_key, made.client_id, alg)))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["scope"] == "system/Consent.read"


def test_an_es384_assertion_is_accepted(app, client, jwks_server, ec_key):
    jwks_server.document = public_jwks(ec_key)
    made = register_client(app, jwks_url=jwks_server.url)
    response = _token_with(client, assertion_form(assertion(ec_key, made.client_id, "ES384")))
    assert response.status_code == 200, response.get_json()


def test_keys_can_come_from_a_registered_jwks_file(app, client, rsa_key):
    made = register_client(app, jwks=public_jwks(rsa_key))
    response = _token_with(client, assertion_form(assertion(rsa_key, made.client_id)))
    assert response.status_code == 200


def test_the_jwks_is_fetched_once_then_cached_and_fetched_again_for_a_new_key_id(app, client, jwks_server, rsa_key):
    jwks_server.document = public_jwks(rsa_key)
    made = register_client(app, jwks_url=jwks_server.url)
    for _ in range(3):
        assert _token_with(client, assertion_form(assertion(rsa_key, made.client_id))).status_code == 200
    assert jwks_server.fetches == 1
    rotated = RSAKey.generate_key(2048, parameters={"kid": "rsa-2"})
    jwks_server.document = public_jwks(rsa_key, rotated)
    from portal.services import api_clients

    api_clients._jwks_cache._entries[jwks_server.url] = (time.monotonic() - 60, api_clients._jwks_cache._entries[jwks_server.url][1])
    assert _token_with(client, assertion_form(assertion(rotated, made.client_id))).status_code == 200
    assert jwks_server.fetches == 2


@pytest.mark.parametrize(("change", "description"), [
    ({"alg": "RS256"}, "Sign the assertion with RS384, ES384 or RS512."),
    ({"lifetime": 600}, "The assertion's exp is more than 5 minutes ahead."),
    ({"lifetime": -120}, "The token is expired"),
    ({"aud": "https://elsewhere.example/token"}, None),
    ({"iss": "someone-else"}, "Issuer and Subject MUST match."),
    ({"headers": {"jku": "https://attacker.example/jwks.json"}},
     "The jku header is not this client's registered JWKS URL."),
])
def test_a_bad_assertion_is_refused_as_invalid_client(app, client, jwks_server, rsa_key, change, description):
    jwks_server.document = public_jwks(rsa_key)
    made = register_client(app, jwks_url=jwks_server.url)
    response = _token_with(client, assertion_form(assertion(rsa_key, made.client_id, **change)))
    body = response.get_json()
    assert response.status_code in (400, 401)
    assert response.mimetype == "application/json"
    assert body["error"] == "invalid_client"
    if description:
        assert body["error_description"] == description


def test_an_assertion_signed_by_another_key_is_refused(app, client, jwks_server, rsa_key):
    jwks_server.document = public_jwks(rsa_key)
    made = register_client(app, jwks_url=jwks_server.url)
    stranger = RSAKey.generate_key(2048, parameters={"kid": "rsa-1"})
    response = _token_with(client, assertion_form(assertion(stranger, made.client_id)))
    assert response.get_json()["error"] == "invalid_client"


def test_a_replayed_assertion_is_refused(app, client, jwks_server, rsa_key):
    jwks_server.document = public_jwks(rsa_key)
    made = register_client(app, jwks_url=jwks_server.url)
    signed = assertion(rsa_key, made.client_id, jti="once-only")
    assert _token_with(client, assertion_form(signed)).status_code == 200
    replay = _token_with(client, assertion_form(signed))
    assert replay.get_json() == {"error": "invalid_client", "error_description": "JWT ID is used before."}


def test_a_client_with_keys_cannot_use_a_secret_and_a_development_secret_is_refused_in_production(
        app, client, make_app, rsa_key):
    made = register_client(app, jwks=public_jwks(rsa_key))
    refused = client.post("/oauth2/token", data={"grant_type": "client_credentials"},
                          headers=basic(made.client_id, "guess"))
    assert refused.get_json()["error"] == "invalid_client"
    development = register_client(app)
    production = make_app(PORTAL_ENV="production", SECRET_KEY="p" * 40, NHS_LOGIN_ISSUER="").test_client()
    response = production.post("/oauth2/token", data={"grant_type": "client_credentials"},
                               headers=basic(development.client_id, development.secret))
    assert response.get_json()["error"] == "invalid_client"


@pytest.mark.parametrize("scope", ["ai-use.write", "system/Consent.read ai-use.write", "system/*.read", "admin"])
def test_asking_for_a_scope_the_client_lacks_is_invalid_scope_never_narrowed(app, client, scope):
    made = register_client(app, scopes=("system/Consent.read",))
    response = client.post("/oauth2/token", data={"grant_type": "client_credentials", "scope": scope},
                           headers=basic(made.client_id, made.secret))
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_scope"


def test_the_smart_v2_scope_spelling_is_granted_and_opens_the_decisions_endpoint(app, client):
    made = register_client(app, scopes=("system/Consent.read",))
    token = fetch_token(client, made, scope="system/Consent.rs")
    response = client.get(DECISIONS.format("9434765919"), headers=bearer(token))
    assert response.status_code == 200


def test_no_token_is_401_with_www_authenticate(client):
    response = client.get(DECISIONS.format("9434765919"))
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer ")
    assert response.get_json()["type"].endswith("/unauthorized")


def test_an_unknown_or_expired_token_is_401_invalid_token(app, client):
    token = fetch_token(client, register_client(app))
    assert client.get(DECISIONS.format("9434765919"), headers=bearer("nonsense")).status_code == 401
    with app.app_context():
        db.session.execute(update(AccessToken).values(expires_at_utc=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    response = client.get(DECISIONS.format("9434765919"), headers=bearer(token))
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert response.get_json()["type"].endswith("/invalid-token")


def test_a_token_without_the_scope_is_403_insufficient_scope(app, client):
    made = register_client(app, scopes=("ai-use.write",))
    response = client.get(DECISIONS.format("9434765919"), headers=bearer(fetch_token(client, made, "ai-use.write")))
    assert response.status_code == 403
    assert response.get_json()["error"] == "insufficient_scope"
    assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]


def test_a_request_over_the_client_rate_limit_is_429_with_retry_after(app, make_app):
    limited_app = make_app(API_RATE_LIMIT="2 per minute")
    http = limited_app.test_client()
    made = register_client(limited_app)
    with limited_app.app_context():
        make_patient(db.session)
        db.session.commit()
    headers = bearer(fetch_token(http, made))
    statuses = [http.get(DECISIONS.format("9434765919"), headers=headers).status_code for _ in range(3)]
    limited = http.get(DECISIONS.format("9434765919"), headers=headers)
    assert statuses[:2] == [200, 200] and limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert limited.mimetype == "application/problem+json"
    other = bearer(fetch_token(http, register_client(limited_app)))
    assert http.get(DECISIONS.format("9434765919"), headers=other).status_code == 200


def test_basic_credentials_that_are_not_utf8_are_401_invalid_client_not_a_server_error(app, client):
    register_client(app)
    garbled = {"Authorization": "Basic " + base64.b64encode(b"\xff\xfe:\xff").decode()}
    response = client.post("/oauth2/token", data={"grant_type": "client_credentials"}, headers=garbled)
    assert response.status_code == 401
    assert response.get_json() == {"error": "invalid_client", "error_description": CLIENT_AUTH_FAILED}
    assert response.headers["Cache-Control"] == "no-store"


def test_a_token_request_without_credentials_does_not_list_the_servers_authentication_methods(app, client):
    response = client.post("/oauth2/token", data={"grant_type": "client_credentials"})
    body = response.get_json()
    assert response.status_code == 401 and body["error"] == "invalid_client"
    assert "client_secret_basic" not in response.get_data(as_text=True)
    assert "client_assertion" not in response.headers.get("WWW-Authenticate", "")
