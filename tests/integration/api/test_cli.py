"""flask portal create-api-client, and the demo's development client (issue 8 points 1, 9)."""

from __future__ import annotations

import json

import pytest

from portal import cli
from portal.extensions import db
from portal.services import api_clients
from tests.integration.api.conftest import basic, public_jwks


def test_a_development_client_is_printed_with_its_secret_once_and_can_get_a_token(app, client):
    result = app.test_cli_runner().invoke(args=["portal", "create-api-client", "--name", "Ward EPR", "--ods", "rh5",
                                                "--development-secret", "--scope", "system/Consent.read"])
    assert result.exit_code == 0, result.output
    client_id = result.output.split("Client id: ")[1].split()[0]
    secret = result.output.split("(shown once, keep it safe): ")[1].split()[0]
    response = client.post("/oauth2/token", data={"grant_type": "client_credentials"}, headers=basic(client_id, secret))
    assert response.status_code == 200 and response.get_json()["scope"] == "system/Consent.read"
    with app.app_context():
        stored = api_clients.find_client(db.session, client_id)
    assert stored.ods_code == "RH5" and stored.secret_hash != secret


def test_a_client_with_a_jwks_file_has_no_secret(app, tmp_path, rsa_key):
    keys = tmp_path / "jwks.json"
    keys.write_text(json.dumps(public_jwks(rsa_key)))
    result = app.test_cli_runner().invoke(args=["portal", "create-api-client", "--name", "EPR", "--ods", "RH5",
                                                "--jwks-file", str(keys), "--scope", "system/Consent.read",
                                                "--scope", "ai-use.write"])
    assert result.exit_code == 0 and "secret" not in result.output.lower()


@pytest.mark.parametrize(("extra", "message"), [
    ([], "Give exactly one of a JWKS URL, a JWKS file or a development secret."),
    (["--jwks-url", "http://keys.example/jwks.json"], "A JWKS URL must use https (http only on this machine's loopback)."),
    (["--jwks-url", "https://keys.example/jwks.json", "--development-secret"],
     "Give exactly one of a JWKS URL, a JWKS file or a development secret."),
])
def test_a_bad_registration_is_refused_with_the_reason(app, extra, message):
    result = app.test_cli_runner().invoke(args=["portal", "create-api-client", "--name", "EPR", "--ods", "RH5",
                                                "--scope", "system/Consent.read", *extra])
    assert result.exit_code != 0 and message in result.output


def test_a_jwks_file_holding_a_private_key_is_refused(app, tmp_path, rsa_key):
    keys = tmp_path / "jwks.json"
    keys.write_text(json.dumps({"keys": [rsa_key.as_dict(private=True)]}))
    result = app.test_cli_runner().invoke(args=["portal", "create-api-client", "--name", "EPR", "--ods", "RH5",
                                                "--jwks-file", str(keys), "--scope", "system/Consent.read"])
    assert result.exit_code != 0 and "holds a private key" in result.output


def test_the_demo_registers_a_development_client_and_keeps_it_on_a_second_run(app, client, tmp_path, monkeypatch):
    accounts = tmp_path / "demo-accounts.json"
    args = ["portal", "load-demo", "--accounts-file", str(accounts)]
    first = app.test_cli_runner().invoke(args=args)
    saved = json.loads(accounts.read_text())
    assert first.exit_code == 0, first.output
    assert f"client id {saved['api_client']['client_id']}, secret {saved['api_client']['secret']}" in first.output
    assert saved["staff"] and saved["nhs_login"]  # the other demo accounts are in the same file
    app.test_cli_runner().invoke(args=args)
    assert json.loads(accounts.read_text())["api_client"] == saved["api_client"]
    token = client.post("/oauth2/token", data={"grant_type": "client_credentials"},
                        headers=basic(saved["api_client"]["client_id"], saved["api_client"]["secret"]))
    assert sorted(token.get_json()["scope"].split()) == ["ai-use.write", "disputes.read", "system/Consent.read"]
