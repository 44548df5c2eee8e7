"""Register a benchmark client with an RS384 key and fetch a token the SMART way."""

from __future__ import annotations

import time
import uuid

import requests
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from sqlalchemy.orm import Session

from portal.extensions import build_engine
from portal.services import api_clients


def register_and_token(url: str, base: str) -> str:
    key = RSAKey.generate_key(2048, parameters={"kid": "bench"})
    engine = build_engine(url)
    with Session(engine) as session:
        made = api_clients.create_client(session, name="Benchmark EPR", ods_code="RH5", scopes=api_clients.SCOPES,
                                         jwks=KeySet([key]).as_dict(private=False))
        session.commit()
    engine.dispose()
    now = int(time.time())
    assertion = jwt.encode({"alg": "RS384", "kid": "bench"},
                           {"iss": made.client_id, "sub": made.client_id, "aud": f"{base}/oauth2/token",
                            "exp": now + 240, "jti": uuid.uuid4().hex}, key, algorithms=["RS384"])
    response = requests.post(f"{base}/oauth2/token", timeout=10, data={
        "grant_type": "client_credentials", "scope": "system/Consent.read",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion})
    response.raise_for_status()
    return response.json()["access_token"]
