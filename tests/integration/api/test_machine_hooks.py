"""Machine routes skip the page-only request hooks (issue 8 point 9) and keep what the API
needs: bearer tokens only (a browser's session cookie is neither read nor set), JSON security
headers, one request log line by route template."""

from __future__ import annotations

import gc
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


def test_machine_routes_run_only_the_hooks_declared_for_them_and_pages_run_every_hook(make_app):  # type: ignore[no-untyped-def]
    """A page-only hook is not even called for /api/, /fhir/ or /oauth2/; a hook declared
    for machines runs there and for pages; ``after_this_request`` still works on machine
    routes; the request log and the JSON security headers stay."""
    from flask import after_this_request

    from portal.machine_routes import runs_for_machines

    fresh = make_app()
    seen: list[str] = []
    fresh.before_request(lambda: seen.append("page-only before"))
    fresh.after_request(lambda response: seen.append("page-only after") or response)
    fresh.teardown_request(lambda exc: seen.append("page-only teardown"))

    def both(response):  # type: ignore[no-untyped-def]
        seen.append("both after")
        return response

    fresh.after_request(both)
    runs_for_machines(fresh, both)

    def later_view():  # type: ignore[no-untyped-def]
        @after_this_request
        def mark(response):  # type: ignore[no-untyped-def]
            response.headers["X-Later"] = "yes"
            return response

        return {"ok": True}

    fresh.add_url_rule("/api/test-only/later", "later_view", later_view)
    http = fresh.test_client()

    for path in ("/api/v1/no-such-thing", "/fhir/r4/metadata", "/api/test-only/later"):
        seen.clear()
        response = http.get(path)
        assert seen == ["both after"], path
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert http.get("/api/test-only/later").headers["X-Later"] == "yes"
    known = len(fresh._known_sync)  # the cache of plain-function checks forgets per-request ones
    for _ in range(50):
        http.get("/api/test-only/later")
    gc.collect()
    assert len(fresh._known_sync) <= known

    seen.clear()
    http.get("/")
    assert seen == ["page-only before", "both after", "page-only after", "page-only teardown"]


def test_the_token_endpoint_keeps_its_own_rate_limit_with_its_headers(make_app):  # type: ignore[no-untyped-def]
    """Flask-Limiter's hooks still run for /oauth2/ (its only machine route with a
    Flask-Limiter limit): the limit refuses with 429 and says when to try again."""
    limited = make_app(API_TOKEN_RATE_LIMIT="2 per minute").test_client()
    answers = [limited.post("/oauth2/token", data={"grant_type": "client_credentials"}) for _ in range(3)]
    assert [a.status_code for a in answers] == [401, 401, 429]
    assert int(answers[2].headers["Retry-After"]) > 0
    assert answers[0].headers["X-RateLimit-Limit"] == "2"


def test_a_url_value_preprocessor_makes_machine_routes_run_every_hook_the_flask_way(make_app):  # type: ignore[no-untyped-def]
    """The machine hook lists know nothing of URL value preprocessors: with one registered,
    machine routes fall back to Flask's own handling, which runs it (and every hook)."""
    fresh = make_app()
    seen: list[str] = []
    fresh.url_value_preprocessor(lambda endpoint, values: seen.append("preprocessor"))
    fresh.before_request(lambda: seen.append("page-only before"))
    fresh.test_client().get("/fhir/r4/metadata")
    assert seen == ["preprocessor", "page-only before"]
