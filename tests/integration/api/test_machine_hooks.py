"""Machine routes skip the page-only request hooks (issue 8 point 9) and keep what the API
needs: bearer tokens only (a browser's session cookie is neither read nor set), JSON security
headers, one request log line by route template."""

from __future__ import annotations

import logging

import pytest

from portal.extensions import db
from tests.factories import make_patient, make_tool
from tests.helpers.auth import sign_in_as

URL = "/api/v1/patients/{}/ai-decisions?tool=eye-scan&purpose=care"


@pytest.fixture()
def patient(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        make_tool(db.session, "eye-scan", {"care": "opt-out"})
        made = make_patient(db.session)
        db.session.commit()
        return made


@pytest.fixture()
def session_reads(app, monkeypatch):  # type: ignore[no-untyped-def]
    """Counts every time Flask's cookie session is opened or saved with a signing key."""
    calls: list[str] = []
    interface = app.session_interface
    original = interface.get_signing_serializer

    def counted(app_):  # type: ignore[no-untyped-def]
        calls.append("serializer")
        return original(app_)

    monkeypatch.setattr(interface, "get_signing_serializer", counted)
    return calls


def test_a_signed_in_browser_calling_the_api_is_not_authenticated_by_its_cookie(app, client, patient, session_reads):
    sign_in_as(client, patient)
    assert client.get("/your-choices").status_code == 200 and session_reads  # a page reads the cookie
    session_reads.clear()

    response = client.get(URL.format(patient.nhs_number))

    assert response.status_code == 401 and response.mimetype == "application/problem+json"
    assert session_reads == []
    assert "Set-Cookie" not in response.headers and "Cookie" not in response.headers.get("Vary", "")


def test_an_api_lookup_neither_reads_nor_sets_a_cookie_and_keeps_its_headers_and_log_line(
        app, client, api_headers, patient, session_reads, caplog):  # type: ignore[no-untyped-def]
    sign_in_as(client, patient)  # the browser also holds a patient session cookie
    session_reads.clear()

    with caplog.at_level(logging.INFO, logger="portal.request"):
        response = client.get(URL.format(patient.nhs_number), headers=api_headers)

    assert response.status_code == 200 and response.get_json()["patient_known"] is True
    assert session_reads == []
    assert "Set-Cookie" not in response.headers and "Cookie" not in response.headers.get("Vary", "")
    headers = response.headers
    assert headers["Cache-Control"] == "no-store"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY" and headers["Referrer-Policy"] == "no-referrer"
    assert headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert "nonce-" not in headers["Content-Security-Policy"]
    [line] = [r for r in caplog.records if r.name == "portal.request"]
    assert (line.method, line.route, line.status) == ("GET", "/api/v1/patients/<nhs_number>/ai-decisions", 200)
    assert line.duration_ms >= 0
    assert patient.nhs_number not in line.getMessage() + " ".join(str(v) for v in line.__dict__.values())


@pytest.mark.parametrize(("method", "path"), [("GET", "/fhir/r4/metadata"), ("POST", "/oauth2/token"),
                                               ("GET", "/api/v1/no-such-thing")])
def test_fhir_oauth_and_unknown_api_addresses_set_no_cookie(client, patient, session_reads, method, path):
    sign_in_as(client, patient)
    session_reads.clear()

    response = client.open(path, method=method)

    assert session_reads == [] and "Set-Cookie" not in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_keep_their_session_and_nonce(client, patient):
    sign_in_as(client, patient)
    response = client.get("/your-choices?lang=cy")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "nonce-" in response.headers["Content-Security-Policy"]
    assert "Set-Cookie" in response.headers  # the language cookie and the refreshed session


def test_in_production_machine_routes_send_hsts_once_and_the_json_headers(make_app):  # type: ignore[no-untyped-def]
    production = make_app(PORTAL_ENV="production", SECRET_KEY="p" * 40, NHS_LOGIN_ISSUER="").test_client()
    for path in ("/fhir/r4/metadata", "/api/v1/no-such-thing"):
        response = production.get(path)
        assert response.headers.getlist("Strict-Transport-Security") == ["max-age=31536000; includeSubDomains"]
        assert response.headers.getlist("X-Content-Type-Options") == ["nosniff"]
        assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    page = production.get("/")
    assert page.headers.getlist("Strict-Transport-Security") == ["max-age=31536000; includeSubDomains"]
