"""The portal signs people in through the NHS login stand-in, a real OpenID provider process.

A browser is played by ``requests.Session``: it follows the portal's redirect to the
provider, fills in the provider's sign-in form, and follows the redirects back to the portal,
which runs on a real loopback port. Tokens are exchanged with ``private_key_jwt`` (RS512);
the provider's test behaviours give a wrong nonce, an expired ID token and too low a ``vot``.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlparse

import pytest
import requests
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from portal import create_app
from portal.data.accounts import Account, AccountSession
from portal.data.audit import AuditEvent
from portal.data.people import Patient
from portal.extensions import db
from portal.web.guards import patient_required
from tests.conftest import dispose, make_test_config, truncate_all
from tests.factories import make_patient
from tests.oidc.conftest import (
    CLIENT_ID,
    PASSWORD,
    USERS,
    ClientRegistration,
    free_port,
    login_of,
    make_client_key,
    make_users_file,
    start_idp,
    stop_idp,
)

STAFF_CLIENT_ID = "portal-staff-test"
WRONG_KEY_CLIENT_ID = "portal-wrong-key-test"
P5_VECTORS = ["P5.Cp.Cd", "P5.Cp.Ck", "P5.Cm"]
P9_VECTORS = ["P9.Cp.Cd", "P9.Cp.Ck", "P9.Cm"]


@dataclass
class Portal:
    url: str
    app: Flask

    def __call__(self, path: str) -> str:
        return self.url + path


def _serve(app: Flask, port: int) -> tuple[object, threading.Thread]:
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


def _clinical_page(app: Flask) -> None:
    """A stand-in for a page that shows clinical information (needs P9)."""

    @app.get("/test-clinical-page")
    @patient_required("P9")
    def clinical() -> str:
        return "clinical information"


@pytest.fixture(scope="module")
def setting(tmp_path_factory, database_url) -> Iterator[dict[str, object]]:  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("portal-oidc")
    users_file = tmp / "users.json"
    make_users_file(users_file)
    port, wrong_port = free_port(), free_port()
    staff_key, registered_key, unregistered_key = (make_client_key(k) for k in ("staff", "registered", "other"))
    idp = start_idp(
        tmp, users_file=users_file, test_mode=True,
        redirect_uri=f"http://127.0.0.1:{port}/sign-in/callback",
        post_logout_redirect_uri=f"http://127.0.0.1:{port}/signed-out",
        extra_clients=(
            ClientRegistration(STAFF_CLIENT_ID, staff_key, (f"http://127.0.0.1:{port}/staff/sign-in/oidc/callback",)),
            ClientRegistration(WRONG_KEY_CLIENT_ID, registered_key, (f"http://127.0.0.1:{wrong_port}/sign-in/callback",)),
        ),
    )
    keys = {}
    for name, key in (("portal", idp.client_key), ("staff", staff_key), ("unregistered", unregistered_key)):
        keys[name] = tmp / f"{name}.pem"
        keys[name].write_bytes(key.as_pem(private=True))
    app = create_app(make_test_config(
        database_url, NHS_LOGIN_ISSUER=idp.issuer, NHS_LOGIN_CLIENT_ID=CLIENT_ID,
        NHS_LOGIN_PRIVATE_KEY_FILE=str(keys["portal"]),
        NHS_LOGIN_REDIRECT_URI=f"http://127.0.0.1:{port}/sign-in/callback",
        STAFF_OIDC_ISSUER=idp.issuer, STAFF_OIDC_CLIENT_ID=STAFF_CLIENT_ID,
        STAFF_OIDC_PRIVATE_KEY_FILE=str(keys["staff"]),
    ))
    _clinical_page(app)
    wrong = create_app(make_test_config(
        database_url, NHS_LOGIN_ISSUER=idp.issuer, NHS_LOGIN_CLIENT_ID=WRONG_KEY_CLIENT_ID,
        NHS_LOGIN_PRIVATE_KEY_FILE=str(keys["unregistered"]),
    ))
    servers = [_serve(app, port), _serve(wrong, wrong_port)]
    yield {"idp": idp, "portal": Portal(f"http://127.0.0.1:{port}", app),
           "wrong_key_portal": Portal(f"http://127.0.0.1:{wrong_port}", wrong)}
    for server, thread in servers:
        server.shutdown()  # type: ignore[attr-defined]
        thread.join(timeout=5)
    stop_idp(idp)
    dispose(app)
    dispose(wrong)


@pytest.fixture()
def portal(setting) -> Iterator[Portal]:  # type: ignore[no-untyped-def]
    portal = setting["portal"]
    yield portal
    truncate_all(portal.app)


@pytest.fixture()
def browser() -> Iterator[requests.Session]:
    """A browser that remembers every address it was sent to (``browser.locations``)."""
    with requests.Session() as session:
        session.locations = []  # type: ignore[attr-defined]
        session.hooks["response"].append(
            lambda r, *a, **k: session.locations.append(r.headers["Location"]) if r.is_redirect else None)
        yield session


def follow_to_login_form(browser: requests.Session, url: str) -> requests.Response:
    """GET ``url`` and follow redirects (portal -> provider) to the provider's page."""
    return browser.get(url, timeout=10)


def submit_login(browser: requests.Session, page: requests.Response, name: str,
                 stop_before: str | None = None) -> requests.Response:
    """Fill in the provider's sign-in form; follow the redirects back to the portal, stopping
    (without following) at a URL starting with ``stop_before`` if given."""
    match = re.search(r'<form method="post" action="([^"]+)"', page.text)
    assert match, page.text
    response = browser.post(urljoin(page.url, match.group(1)), data={"email": login_of(name), "password": PASSWORD},
                            allow_redirects=stop_before is None, timeout=10)
    while stop_before and response.is_redirect:
        location = urljoin(response.url, response.headers["Location"])
        if location.startswith(stop_before):
            return response
        response = browser.get(location, allow_redirects=False, timeout=10)
    return response


def sign_in(browser: requests.Session, portal: Portal, name: str, level: str | None = None) -> requests.Response:
    start = portal("/sign-in/nhs-login") + (f"?level={level}" if level else "")
    page = follow_to_login_form(browser, start)
    if page.url.startswith(portal.url):  # answered by single sign-on
        return page
    return submit_login(browser, page, name)


def with_db(portal: Portal, work):  # type: ignore[no-untyped-def]
    with portal.app.app_context():
        return work(db.session)


def sessions_of(portal: Portal) -> list[AccountSession]:
    return with_db(portal, lambda s: list(s.execute(select(AccountSession).order_by(AccountSession.created_at_utc)).scalars()))


def audit_actions(portal: Portal) -> list[tuple[str, dict]]:
    return with_db(portal, lambda s: [(e.action, e.details) for e in s.execute(
        select(AuditEvent).order_by(AuditEvent.chain_position)).scalars()])


def authorization_request(browser: requests.Session) -> dict[str, list[str]]:
    """The query of the last authorization request the portal sent the browser with."""
    location = [url for url in browser.locations if "/authorize?" in url][-1]
    return parse_qs(urlparse(location).query)


def vtr_sent(browser: requests.Session) -> list[str]:
    return json.loads(authorization_request(browser)["vtr"][0])


# --- success ------------------------------------------------------------------------------------


def test_a_p5_user_signs_in_at_p5_and_gets_a_patient_record_from_the_claims(portal, browser):
    page = sign_in(browser, portal, "p5")
    assert page.url == portal("/signed-in")
    assert "You are signed in" in page.text
    number = USERS["p5"]["nhs_number"]
    assert f"••• ••• •{number[-3:]}" in page.text
    assert number not in page.text and f"{number[:3]} {number[3:6]}" not in page.text
    assert page.headers["Cache-Control"] == "no-store"
    assert vtr_sent(browser) == P5_VECTORS
    assert authorization_request(browser)["prompt"] == ["login"]  # never signed in as the last person
    patient, account = with_db(portal, lambda s: (
        s.execute(select(Patient).where(Patient.nhs_number == number)).scalar_one(),
        s.execute(select(Account)).scalar_one()))
    assert (patient.source, patient.family_name, patient.date_of_birth) == ("nhs-login", "Family-p5", date(1970, 1, 31))
    assert account.patient_id == patient.id and account.provider == "nhs-login"
    [record] = sessions_of(portal)
    assert (record.level, record.route, record.self_patient_id, record.subject_patient_id) == (
        "P5", "nhs-login", patient.id, patient.id)


def test_a_p9_user_asked_for_p9_signs_in_at_p9_linked_to_the_patient_already_known(portal, browser):
    known = with_db(portal, lambda s: (make_patient(s, nhs_number=USERS["p9"]["nhs_number"]), s.commit())[0].id)
    page = sign_in(browser, portal, "p9", level="P9")
    assert page.url == portal("/signed-in")
    assert "NHS login has checked your identity" in page.text
    assert vtr_sent(browser) == P9_VECTORS
    [record] = sessions_of(portal)
    assert (record.level, record.self_patient_id) == ("P9", known)
    assert with_db(portal, lambda s: s.execute(select(Patient)).scalars().all().__len__()) == 1
    assert ("sign-in.completed", {"route": "nhs-login", "level": "P9"}) in audit_actions(portal)


def test_a_page_that_needs_p9_steps_up_from_p5_and_rotates_the_session(portal, browser):
    sign_in(browser, portal, "p9")  # a P9 person signs in for choices: P5 is all that is asked
    first_token = browser.cookies.get("session")
    clinical = browser.get(portal("/test-clinical-page"), timeout=10)
    assert clinical.url.startswith(portal("/sign-in/prove-who-you-are"))
    assert "Prove who you are to see this page" in clinical.text
    button = re.search(r'href="(/sign-in/nhs-login\?level=P9)"', clinical.text)
    assert button, clinical.text
    after = browser.get(portal(button.group(1)), timeout=10)  # single sign-on at the provider: no form
    assert after.url == portal("/test-clinical-page")
    assert after.text == "clinical information"
    assert vtr_sent(browser) == P9_VECTORS
    assert "prompt" not in authorization_request(browser)
    old, new = sessions_of(portal)
    assert (old.level, old.ended_reason) == ("P5", "rotated")
    assert (new.level, new.ended_at_utc) == ("P9", None)
    assert browser.cookies.get("session") != first_token


def test_a_p5_user_cannot_step_up_and_stays_signed_in_at_p5(portal, browser):
    sign_in(browser, portal, "p5")
    refused = browser.get(portal("/sign-in/nhs-login?level=P9"), timeout=10)
    assert refused.status_code == 403
    assert "Your identity has not been checked yet" in refused.text
    assert "You are still signed in" in refused.text
    [record] = sessions_of(portal)
    assert (record.level, record.ended_at_utc) == ("P5", None)
    assert browser.get(portal("/signed-in"), timeout=10).url == portal("/signed-in")


# --- refusals ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "level", "reason"), [
    ("wrong-nonce", None, "token"),
    ("expired-id-token", None, "token"),
    ("insufficient-vot", "P9", "vot"),
])
def test_an_id_token_that_proves_the_wrong_thing_signs_nobody_in(portal, browser, name, level, reason):
    page = sign_in(browser, portal, name, level=level)
    assert page.status_code == 400
    assert "Sorry, we could not sign you in" in page.text
    assert sessions_of(portal) == []
    assert with_db(portal, lambda s: s.execute(select(Account)).first()) is None
    assert ("sign-in.failed", {"route": "nhs-login", "reason": reason}) in audit_actions(portal)
    assert browser.get(portal("/signed-in"), timeout=10).url.startswith(portal("/sign-in"))


def test_a_callback_with_a_state_this_browser_did_not_send_is_refused(portal, browser):
    page = follow_to_login_form(browser, portal("/sign-in/nhs-login"))
    redirect = submit_login(browser, page, "p9", stop_before=portal("/sign-in/callback"))
    callback = urljoin(redirect.url, redirect.headers["Location"])
    tampered = re.sub(r"state=[^&]+", "state=not-the-state-we-sent", callback)
    refused = browser.get(tampered, timeout=10)
    assert refused.status_code == 400
    assert sessions_of(portal) == []
    assert ("sign-in.failed", {"route": "nhs-login", "reason": "state"}) in audit_actions(portal)
    with requests.Session() as other_browser:  # the genuine answer, replayed in another browser
        assert other_browser.get(callback, timeout=10).status_code == 400
    assert sessions_of(portal) == []


def test_a_client_assertion_signed_with_a_key_the_provider_does_not_know_is_refused(setting, browser):
    portal = setting["wrong_key_portal"]
    try:
        page = sign_in(browser, portal, "p9")
        assert page.status_code == 400
        assert "Sorry, we could not sign you in" in page.text
        assert ("sign-in.failed", {"route": "nhs-login", "reason": "token"}) in audit_actions(portal)
        assert sessions_of(portal) == []
    finally:
        truncate_all(portal.app)


# --- signing out ----------------------------------------------------------------------------------


def test_signing_out_ends_the_session_and_signs_out_at_the_provider_too(portal, browser):
    sign_in(browser, portal, "p9")
    old_cookie = browser.cookies.get("session")
    page = browser.get(portal("/signed-in"), timeout=10)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    out = browser.post(portal("/sign-out"), data={"csrf_token": token}, allow_redirects=False, timeout=10)
    location = out.headers["Location"]
    assert f"form-action 'self' {setting_issuer(portal)};" in out.headers["Content-Security-Policy"]
    assert location.startswith(setting_issuer(portal) + "/session/end")
    assert parse_qs(urlparse(location).query)["post_logout_redirect_uri"] == [portal("/signed-out")]
    [record] = sessions_of(portal)
    assert record.ended_reason == "signed-out"
    with requests.Session() as thief:
        thief.cookies.set("session", old_cookie, domain="127.0.0.1", path="/")
        assert thief.get(portal("/signed-in"), timeout=10).url.startswith(portal("/sign-in"))
    again = follow_to_login_form(browser, portal("/sign-in/nhs-login"))
    assert again.url.startswith(setting_issuer(portal)), "a fresh sign-in asks the provider to sign in again"


def setting_issuer(portal: Portal) -> str:
    return portal.app.config["NHS_LOGIN_ISSUER"]


# --- staff through the staff provider -------------------------------------------------------------


def test_staff_sign_in_through_the_staff_provider_uses_the_portals_roles(portal, browser):
    from portal.services import staff_accounts

    with portal.app.app_context():
        staff_accounts.create_staff_user(db.session, login_of("p9"), ("auditor",), _now(), oidc_only=True)
        db.session.commit()
    page = follow_to_login_form(browser, portal("/staff/sign-in/oidc"))
    home = submit_login(browser, page, "p9")
    assert home.url == portal("/staff/")
    assert "Check the audit trail" in home.text
    with requests.Session() as stranger:
        page = follow_to_login_form(stranger, portal("/staff/sign-in/oidc"))
        refused = submit_login(stranger, page, "insufficient-vot")
    assert refused.status_code == 403
    assert "You do not have a staff account" in refused.text


def _now():  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return datetime.now(UTC)


def test_the_key_file_may_be_a_jwk(tmp_path):
    from portal.oidc import load_private_key

    key = make_client_key("jwk-file")
    path = tmp_path / "key.json"
    path.write_text(json.dumps(key.as_dict(private=True)), encoding="utf-8")
    assert load_private_key(str(path)).as_dict(private=False)["n"] == key.as_dict(private=False)["n"]
    public_only = tmp_path / "public.json"
    public_only.write_text(json.dumps(key.as_dict(private=False)), encoding="utf-8")
    with pytest.raises(ValueError, match="no private key"):
        load_private_key(str(public_only))
    assert isinstance(Path(path), Path)
