"""NHS login through the stand-in provider in real Chromium: sign in at P5, then a page that
needs P9 steps up (the provider's single sign-on answers without a form), then sign out at
the portal and the provider."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from portal import create_app
from portal.web.guards import patient_required
from tests.browser.conftest import axe_violations, horizontal_overflow
from tests.conftest import dispose, make_test_config, truncate_all
from tests.oidc.conftest import CLIENT_ID, PASSWORD, free_port, login_of, make_users_file, start_idp, stop_idp


@pytest.fixture(scope="module")
def nhs_login_portal(tmp_path_factory, database_url) -> Iterator[str]:  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("browser-idp")
    users = tmp / "users.json"
    make_users_file(users)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    idp = start_idp(tmp, users_file=users, test_mode=False, redirect_uri=f"{base}/sign-in/callback",
                    post_logout_redirect_uri=f"{base}/signed-out")
    key_file = tmp / "portal.pem"
    key_file.write_bytes(idp.client_key.as_pem(private=True))
    app = create_app(make_test_config(database_url, NHS_LOGIN_ISSUER=idp.issuer, NHS_LOGIN_CLIENT_ID=CLIENT_ID,
                                      NHS_LOGIN_PRIVATE_KEY_FILE=str(key_file),
                                      NHS_LOGIN_REDIRECT_URI=f"{base}/sign-in/callback"))

    @app.get("/test-clinical-page")
    @patient_required("P9")
    def clinical() -> str:
        return "<!DOCTYPE html><title>Clinical</title><h1>Clinical information</h1>"

    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    thread.join(timeout=5)
    stop_idp(idp)
    truncate_all(app)
    dispose(app)


def provider_sign_in(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.locator("#email").fill(login_of(name))
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()


@pytest.mark.parametrize("lang", ["en", "cy", "ur"])
def test_sign_in_at_p5_then_step_up_to_p9_for_a_clinical_page(page, nhs_login_portal, axe, lang):
    base = nhs_login_portal
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{base}/sign-in?lang={lang}")
    page.locator('a[href="/sign-in/nhs-login"]').click()
    provider_sign_in(page, "p9")
    expect(page).to_have_url(re.compile(r"/signed-in$"))
    page.goto(f"{base}/test-clinical-page")
    expect(page).to_have_url(re.compile(r"/sign-in/prove-who-you-are"))
    page.wait_for_load_state("load")
    assert axe_violations(axe, page) == []
    assert horizontal_overflow(page) <= 0
    page.locator('a[href="/sign-in/nhs-login?level=P9"]').click()
    expect(page.locator("h1")).to_have_text("Clinical information")
    page.goto(f"{base}/signed-in")
    page.locator(".nhsuk-header__account-button").click()  # sign out: portal, then provider
    expect(page).to_have_url(re.compile(r"/signed-out(\?state=[^&]+)?$"), timeout=15000)
    page.goto(f"{base}/sign-in/nhs-login")
    expect(page.locator("#email")).to_be_visible()  # the provider asks again: nobody is still signed in


def test_a_p5_person_asked_for_p9_stays_at_p5(page, nhs_login_portal):
    base = nhs_login_portal
    page.goto(f"{base}/sign-in/nhs-login")
    provider_sign_in(page, "p5")
    expect(page).to_have_url(re.compile(r"/signed-in$"))
    page.goto(f"{base}/test-clinical-page")
    page.locator('a[href="/sign-in/nhs-login?level=P9"]').click()
    expect(page.locator("h1")).to_have_text("Your identity has not been checked yet")
    page.goto(f"{base}/signed-in")
    expect(page).to_have_url(re.compile(r"/signed-in$"))
