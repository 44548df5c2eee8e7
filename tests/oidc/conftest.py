"""The NHS login stand-in (``idp/server.mjs``) as a real process for the OpenID Connect tests.

``start_idp`` starts node on a free loopback port with its own clients and users files and waits
for its "idp listening on" line; ``stop_idp`` stops it with SIGTERM and returns its exit code.
Shared by the provider's own tests (``test_provider.py``) and the portal's sign-in tests.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from joserfc.jwk import RSAKey

ROOT = Path(__file__).resolve().parents[2]
SERVER = ROOT / "idp" / "server.mjs"
DEMO_USERS = ROOT / "idp" / "demo-users.json"
DEMO_CLIENTS = ROOT / "idp" / "demo-clients.example.json"

CLIENT_ID = "ai-choices-portal-test"
# Nothing listens here: the flow stops when the provider redirects to it.
REDIRECT_URI = "http://127.0.0.1:5999/sign-in/callback"
PASSWORD = "a test password 42"

P5_VTR = '["P5.Cp.Cd","P5.Cp.Ck","P5.Cm"]'
P9_VTR = '["P9.Cp.Cd","P9.Cp.Ck","P9.Cm"]'

USERS = {
    "p9": {"nhs_number": "9991001247", "identity_proofing_level": "P9"},
    "p5": {"nhs_number": "9992003464", "identity_proofing_level": "P5"},
    "wrong-nonce": {"nhs_number": "9993005681", "identity_proofing_level": "P9"},
    "expired-id-token": {"nhs_number": "9994007904", "identity_proofing_level": "P9"},
    "insufficient-vot": {"nhs_number": "9995009021", "identity_proofing_level": "P5"},
}
BEHAVIOURS = {"wrong-nonce", "expired-id-token", "insufficient-vot"}


def login_of(name: str) -> str:
    return f"{name}@example.org"


def sub_of(name: str) -> str:
    return f"test-user-{name}"


def make_users_file(path: Path) -> None:
    users = []
    for name, extra in USERS.items():
        user = {
            "sub": sub_of(name),
            "login": login_of(name),
            "password": PASSWORD,
            "birthdate": "1970-01-31",
            "family_name": f"Family-{name}",
            "given_name": f"Given-{name}",
            "email": login_of(name),
            "phone_number": "07700900999",
            **extra,
        }
        if name in BEHAVIOURS:
            user["test_behaviour"] = name
        users.append(user)
    path.write_text(json.dumps(users), encoding="utf-8")


def make_client_key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "alg": "RS512", "use": "sig"}, private=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Idp:
    issuer: str
    client_key: RSAKey
    process: subprocess.Popen
    output: list[str] = field(default_factory=list)
    reader: threading.Thread | None = None

    def url(self, path: str) -> str:
        return f"{self.issuer}{path}"

    def discovery(self) -> dict:
        response = requests.get(self.url("/.well-known/openid-configuration"), timeout=10)
        response.raise_for_status()
        return response.json()


@dataclass(frozen=True)
class ClientRegistration:
    """Another client of the stand-in: its id, public key (from ``key``) and redirect URIs."""

    client_id: str
    key: RSAKey
    redirect_uris: tuple[str, ...]
    post_logout_redirect_uris: tuple[str, ...] = ()


def start_idp(tmp: Path, *, users_file: Path, test_mode: bool, redirect_uri: str = REDIRECT_URI,
              post_logout_redirect_uri: str = "http://127.0.0.1:5999/signed-out",
              extra_clients: tuple[ClientRegistration, ...] = ()) -> Idp:
    """Start ``node idp/server.mjs`` on a free loopback port and wait until it listens. The
    test client ``CLIENT_ID`` gets a fresh key (``Idp.client_key``); ``extra_clients`` are
    registered too, each with its own key."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH; the NHS login stand-in needs Node.js")
    client_key = make_client_key("test-client-key-1")
    jwks_file = tmp / "client.jwks.json"
    jwks_file.write_text(json.dumps({"keys": [client_key.as_dict(private=False)]}), encoding="utf-8")
    clients = [
        {
            "client_id": CLIENT_ID,
            "client_name": "Portal under test",
            "redirect_uris": [redirect_uri],
            "post_logout_redirect_uris": [post_logout_redirect_uri],
            "jwks_file": jwks_file.name,
        }
    ]
    for extra in extra_clients:
        clients.append({
            "client_id": extra.client_id,
            "client_name": extra.client_id,
            "redirect_uris": list(extra.redirect_uris),
            "post_logout_redirect_uris": list(extra.post_logout_redirect_uris),
            "jwks": {"keys": [extra.key.as_dict(private=False)]},
        })
    clients_file = tmp / "clients.json"
    clients_file.write_text(json.dumps(clients), encoding="utf-8")
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "IDP_HOST": "127.0.0.1",
        "IDP_PORT": str(port),
        "IDP_ISSUER": issuer,
        "IDP_CLIENTS_FILE": str(clients_file),
        "IDP_USERS_FILE": str(users_file),
        "IDP_TEST_MODE": "1" if test_mode else "0",
    }
    env.pop("IDP_KEYS_FILE", None)
    process = subprocess.Popen(
        [node, str(SERVER)],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    idp = Idp(issuer=issuer, client_key=client_key, process=process)
    ready = threading.Event()

    def pump() -> None:
        for line in process.stdout:
            idp.output.append(line.rstrip("\n"))
            if line.startswith("idp listening on "):
                ready.set()

    idp.reader = threading.Thread(target=pump, daemon=True)
    idp.reader.start()
    deadline = time.monotonic() + 30
    while not ready.wait(0.1):
        if process.poll() is not None or time.monotonic() > deadline:
            stop_idp(idp)
            pytest.fail("the stand-in did not start:\n" + "\n".join(idp.output))
    assert f"idp listening on {issuer}" in idp.output
    return idp


def stop_idp(idp: Idp) -> int:
    process = idp.process
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    if idp.reader is not None:
        idp.reader.join(timeout=10)
    process.stdout.close()
    return process.returncode
