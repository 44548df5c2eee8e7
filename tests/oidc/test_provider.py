"""The NHS login stand-in (idp/server.mjs), driven as a real OpenID provider.

Each server fixture starts the node process (``tests/oidc/conftest.py``) on a
free loopback port with its own clients and users files, and stops it at the end. The authorization code flow is driven with requests (no
browser): authorize, the sign-in form, the redirects up to the client's
redirect_uri (never contacted), then the code is exchanged by Authlib's
OAuth2Session with private_key_jwt client authentication signed with RS512,
as NHS login requires.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urljoin, urlparse

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session, OAuthError
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from joserfc import jwt
from joserfc.errors import ExpiredTokenError
from joserfc.jwk import KeySet, RSAKey

from tests.oidc.conftest import (
    BEHAVIOURS,
    CLIENT_ID,
    DEMO_CLIENTS,
    DEMO_USERS,
    P5_VTR,
    P9_VTR,
    PASSWORD,
    REDIRECT_URI,
    USERS,
    Idp,
    login_of,
    make_client_key,
    make_users_file,
    start_idp,
    stop_idp,
    sub_of,
)


@pytest.fixture(scope="module")
def idp(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("idp")
    users_file = tmp / "users.json"
    make_users_file(users_file)
    server = start_idp(tmp, users_file=users_file, test_mode=True)
    yield server
    stop_idp(server)


# --- driving the flow -------------------------------------------------------------


@dataclass
class Authorization:
    state: str
    nonce: str
    redirect: str | None = None  # the redirect_uri URL the provider sent the browser to
    page: requests.Response | None = None  # the last page, when no redirect came

    @property
    def params(self) -> dict[str, str]:
        assert self.redirect is not None, "the provider did not redirect to the client"
        query = parse_qs(urlparse(self.redirect).query)
        return {key: values[0] for key, values in query.items()}


def follow(browser: requests.Session, response: requests.Response) -> tuple[str | None, requests.Response]:
    """Follow redirects, stopping at the client's redirect_uri without contacting it."""
    for _ in range(10):
        if not response.is_redirect:
            return None, response
        location = urljoin(response.url, response.headers["Location"])
        if location.split("?")[0] == REDIRECT_URI:
            return location, response
        response = browser.get(location, allow_redirects=False, timeout=10)
    raise AssertionError("too many redirects")


def authorize_url(idp: Idp, *, state: str, nonce: str | None, vtr: str | None, scope: str) -> str:
    params = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "scope": scope,
        "state": state,
    }
    if nonce is not None:
        params["nonce"] = nonce
    if vtr is not None:
        params["vtr"] = vtr
    return idp.url("/authorize") + "?" + urlencode(params)


def login_form_action(page: requests.Response) -> str:
    match = re.search(r'<form method="post" action="([^"]+)"', page.text)
    assert match, page.text
    return urljoin(page.url, match.group(1))


def sign_in(
    idp: Idp,
    email: str,
    password: str = PASSWORD,
    *,
    vtr: str | None = P9_VTR,
    scope: str = "openid profile",
    nonce: str | None = "generate",
    browser: requests.Session | None = None,
) -> Authorization:
    """Run the browser side of the flow; with an existing browser, single sign-on may skip the form."""
    if browser is None:
        with requests.Session() as fresh:
            return sign_in(idp, email, password, vtr=vtr, scope=scope, nonce=nonce, browser=fresh)
    state = secrets.token_urlsafe(16)
    if nonce == "generate":
        nonce = secrets.token_urlsafe(16)
    auth = Authorization(state=state, nonce=nonce)
    first = browser.get(
        authorize_url(idp, state=state, nonce=nonce, vtr=vtr, scope=scope), allow_redirects=False, timeout=10
    )
    auth.redirect, page = follow(browser, first)
    if auth.redirect is not None:  # answered without the sign-in form: an error, or single sign-on
        return auth
    assert page.status_code == 200, page.text
    posted = browser.post(
        login_form_action(page),
        data={"email": email, "password": password},
        allow_redirects=False,
        timeout=10,
    )
    auth.redirect, auth.page = follow(browser, posted)
    return auth


def oauth_client(idp: Idp, key: RSAKey | None = None) -> OAuth2Session:
    session = OAuth2Session(
        CLIENT_ID,
        key or idp.client_key,
        token_endpoint_auth_method="private_key_jwt",
        redirect_uri=REDIRECT_URI,
    )
    session.register_client_auth_method(PrivateKeyJWT(idp.url("/token"), alg="RS512"))
    return session


def exchange(idp: Idp, code: str, key: RSAKey | None = None) -> dict:
    with oauth_client(idp, key) as client:
        return dict(client.fetch_token(idp.url("/token"), code=code, grant_type="authorization_code"))


def decode_id_token(idp: Idp, id_token: str) -> jwt.Token:
    jwks = requests.get(idp.discovery()["jwks_uri"], timeout=10).json()
    return jwt.decode(id_token, KeySet.import_key_set(jwks), algorithms=["RS512"])


def validate(idp: Idp, token: jwt.Token, nonce: str) -> None:
    registry = jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": idp.issuer},
        aud={"essential": True, "value": CLIENT_ID},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
        vot={"essential": True},
        vtm={"essential": True, "value": f"{idp.issuer}/trustmark"},
    )
    registry.validate(token.claims)


def sign_in_and_get_tokens(idp: Idp, name: str, **kwargs) -> tuple[Authorization, dict, jwt.Token]:
    auth = sign_in(idp, login_of(name), **kwargs)
    params = auth.params
    assert "code" in params, params
    assert params["state"] == auth.state
    tokens = exchange(idp, params["code"])
    return auth, tokens, decode_id_token(idp, tokens["id_token"])


# --- the ordinary journeys --------------------------------------------------------------


def test_discovery_describes_an_nhs_login_like_provider(idp):
    config = idp.discovery()
    assert config["issuer"] == idp.issuer
    assert config["authorization_endpoint"] == idp.url("/authorize")
    assert config["token_endpoint"] == idp.url("/token")
    assert config["userinfo_endpoint"] == idp.url("/userinfo")
    assert config["jwks_uri"] == idp.url("/.well-known/jwks.json")
    assert config["response_types_supported"] == ["code"]
    assert config["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]
    assert config["token_endpoint_auth_signing_alg_values_supported"] == ["RS512"]
    assert config["id_token_signing_alg_values_supported"] == ["RS512"]
    assert {"openid", "profile", "profile_extended", "email", "phone"} <= set(config["scopes_supported"])
    trustmark = requests.get(idp.url("/trustmark"), timeout=10).json()
    assert trustmark["idp"] == idp.issuer
    assert trustmark["P"] == ["P0", "P5", "P9"]


def test_p5_user_signs_in_at_p5(idp):
    auth, tokens, id_token = sign_in_and_get_tokens(idp, "p5", vtr=P5_VTR)
    assert auth.params["iss"] == idp.issuer
    assert id_token.header["alg"] == "RS512"
    validate(idp, id_token, auth.nonce)
    claims = id_token.claims
    assert claims["vot"] == "P5.Cp.Cd"
    assert claims["nhs_number"] == USERS["p5"]["nhs_number"]
    assert claims["identity_proofing_level"] == "P5"
    assert claims["sub"] == sub_of("p5")
    assert claims["family_name"] == "Family-p5"
    assert claims["birthdate"] == "1970-01-31"
    assert tokens["token_type"].lower() == "bearer"


def test_p9_user_signs_in_at_p9_and_userinfo_gives_the_other_claims(idp):
    auth, tokens, id_token = sign_in_and_get_tokens(
        idp, "p9", vtr=P9_VTR, scope="openid profile profile_extended email phone"
    )
    validate(idp, id_token, auth.nonce)
    claims = id_token.claims
    assert claims["vot"] == "P9.Cp.Cd"
    assert claims["nhs_number"] == USERS["p9"]["nhs_number"]
    assert claims["identity_proofing_level"] == "P9"
    # As NHS login: email, phone and given name come from the userinfo endpoint.
    assert "email" not in claims
    userinfo = requests.get(
        idp.url("/userinfo"), headers={"Authorization": f"Bearer {tokens['access_token']}"}, timeout=10
    )
    assert userinfo.status_code == 200, userinfo.text
    info = userinfo.json()
    assert info["sub"] == claims["sub"]
    assert info["given_name"] == "Given-p9"
    assert info["email"] == login_of("p9")
    assert info["email_verified"] is True
    assert info["phone_number"] == "07700900999"
    assert info["nhs_number"] == USERS["p9"]["nhs_number"]


def test_missing_vtr_is_treated_as_p9(idp):
    auth, _, id_token = sign_in_and_get_tokens(idp, "p9", vtr=None)
    validate(idp, id_token, auth.nonce)
    assert id_token.claims["vot"] == "P9.Cp.Cd"

    refused = sign_in(idp, login_of("p5"), vtr=None)
    assert refused.params["error"] == "access_denied"


def test_vot_is_the_highest_requested_vector_the_user_meets(idp):
    either = '["P5.Cp.Cd","P9.Cp.Cd"]'
    _, _, p9 = sign_in_and_get_tokens(idp, "p9", vtr=either)
    assert p9.claims["vot"] == "P9.Cp.Cd"
    _, _, p5 = sign_in_and_get_tokens(idp, "p5", vtr=either)
    assert p5.claims["vot"] == "P5.Cp.Cd"
    # A P9 user asked only for P5 gets a P5 vector; their level is still in the token.
    _, _, p9_at_p5 = sign_in_and_get_tokens(idp, "p9", vtr=P5_VTR)
    assert p9_at_p5.claims["vot"] == "P5.Cp.Cd"
    assert p9_at_p5.claims["identity_proofing_level"] == "P9"


def test_p9_asked_of_a_p5_user_is_refused_with_access_denied(idp):
    auth = sign_in(idp, login_of("p5"), vtr=P9_VTR)
    params = auth.params
    assert params["error"] == "access_denied"
    assert "insufficient" in params["error_description"]
    assert params["state"] == auth.state
    assert "code" not in params


def test_single_sign_on_skips_the_form_but_still_checks_the_vtr(idp):
    with requests.Session() as browser:
        first = sign_in(idp, login_of("p5"), vtr=P5_VTR, browser=browser)
        # Same browser, no credentials: the provider's session signs the user in.
        again = sign_in(idp, "", "", vtr=P5_VTR, browser=browser)
        higher = sign_in(idp, "", "", vtr=P9_VTR, browser=browser)
    assert higher.params["error"] == "access_denied"
    for auth in (first, again):
        id_token = decode_id_token(idp, exchange(idp, auth.params["code"])["id_token"])
        validate(idp, id_token, auth.nonce)
        assert id_token.claims["sub"] == sub_of("p5")
        assert id_token.claims["vot"] == "P5.Cp.Cd"


@pytest.mark.parametrize(
    "vtr",
    [
        "P9.Cp.Cd",  # not JSON
        "[]",
        '"P9.Cp.Cd"',  # JSON, but not an array
        '["P9.Cp.Xx"]',
        '["P7.Cp.Cd"]',
        '["P9.Cp.Cd", 9]',
    ],
)
def test_a_malformed_vtr_is_an_invalid_request(idp, vtr):
    auth = sign_in(idp, login_of("p9"), vtr=vtr)
    assert auth.params["error"] == "invalid_request"
    assert "vtr" in auth.params["error_description"]
    assert auth.params["state"] == auth.state


def test_nonce_is_required_as_by_nhs_login(idp):
    auth = sign_in(idp, login_of("p9"), nonce=None)
    assert auth.params["error"] == "invalid_request"
    assert "nonce" in auth.params["error_description"]


def test_a_code_can_be_exchanged_only_once(idp):
    auth = sign_in(idp, login_of("p9"))
    code = auth.params["code"]
    exchange(idp, code)
    with pytest.raises(OAuthError) as refused:
        exchange(idp, code)
    assert refused.value.error == "invalid_grant"


# --- refusals at the token endpoint and the sign-in page -------------------------------------


@pytest.mark.parametrize("kid", ["test-client-key-1", "someone-elses-key"])
def test_a_client_assertion_signed_with_an_unregistered_key_is_refused(idp, kid):
    auth = sign_in(idp, login_of("p9"))
    code = auth.params["code"]
    impostor = make_client_key(kid)
    with pytest.raises(OAuthError) as refused:
        exchange(idp, code, key=impostor)
    assert refused.value.error == "invalid_client"
    # The genuine client can still redeem the code.
    tokens = exchange(idp, code)
    assert decode_id_token(idp, tokens["id_token"]).claims["sub"] == sub_of("p9")


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        (login_of("p9"), "not the password", "The email address or password is not right"),
        ("nobody@example.org", PASSWORD, "The email address or password is not right"),
        ("", "", "Enter your email address"),
    ],
)
def test_wrong_sign_in_details_are_refused(idp, email, password, message):
    auth = sign_in(idp, email, password)
    assert auth.redirect is None
    page = auth.page
    assert page.status_code == 200
    assert message in page.text
    assert "There is a problem" in page.text
    assert page.text.count("<h1>") == 1
    assert "code=" not in page.headers.get("Location", "")


def test_the_sign_in_page_is_plain_and_labelled(idp):
    with requests.Session() as browser:
        first = browser.get(
            authorize_url(idp, state="s", nonce="n", vtr=P9_VTR, scope="openid profile"),
            allow_redirects=False,
            timeout=10,
        )
        _, page = follow(browser, first)
    html = page.text
    assert page.headers["Content-Type"].startswith("text/html")
    assert '<html lang="en">' in html
    assert html.count("<h1>") == 1
    assert '<label for="email">' in html and 'id="email"' in html
    assert '<label for="password">' in html and 'id="password"' in html
    assert re.search(r'<button type="submit">Continue</button>', html)
    assert "http://" not in html and "https://" not in html  # no external assets


# --- test behaviours (IDP_TEST_MODE=1) ---------------------------------------------------


def test_wrong_nonce_user_gets_an_id_token_with_another_nonce(idp):
    auth, _, id_token = sign_in_and_get_tokens(idp, "wrong-nonce")
    assert id_token.claims["nonce"] != auth.nonce
    assert id_token.claims["vot"] == "P9.Cp.Cd"


def test_expired_id_token_user_gets_an_expired_id_token(idp):
    auth, _, id_token = sign_in_and_get_tokens(idp, "expired-id-token")
    now = int(time.time())
    assert id_token.claims["exp"] < now - 1000
    assert id_token.claims["iat"] < now - 3000
    with pytest.raises(ExpiredTokenError):
        validate(idp, id_token, auth.nonce)


def test_insufficient_vot_user_gets_p5_when_p9_was_asked(idp):
    auth, _, id_token = sign_in_and_get_tokens(idp, "insufficient-vot", vtr='["P9.Cp.Cd"]')
    validate(idp, id_token, auth.nonce)
    assert id_token.claims["vot"] == "P5.Cp.Cd"


# --- the shipped demo data, test mode off --------------------------------------------------


def nhs_number_is_valid(number: str) -> bool:
    if not re.fullmatch(r"\d{10}", number):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(number[:9], range(10, 1, -1)))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(number[9])


def test_demo_files_are_well_formed():
    users = json.loads(DEMO_USERS.read_text(encoding="utf-8"))
    assert {u["identity_proofing_level"] for u in users} >= {"P5", "P9"}
    assert {u.get("test_behaviour") for u in users} >= BEHAVIOURS
    for user in users:
        assert user["nhs_number"].startswith("999")
        assert nhs_number_is_valid(user["nhs_number"]), user
        assert user["login"].endswith("@example.org")
        assert re.fullmatch(r"07700900\d{3}", user["phone_number"])
    for user in USERS.values():
        assert nhs_number_is_valid(user["nhs_number"])
    clients = json.loads(DEMO_CLIENTS.read_text(encoding="utf-8"))
    portal = next(c for c in clients if c["client_id"] == "ai-choices-portal")
    assert portal["redirect_uris"] == ["http://127.0.0.1:5000/sign-in/callback"]
    assert portal["post_logout_redirect_uris"] == ["http://127.0.0.1:5000/signed-out"]
    assert portal["token_endpoint_auth_method"] == "private_key_jwt"
    assert portal["token_endpoint_auth_signing_alg"] == "RS512"


def test_demo_users_without_test_mode_behave_normally_and_sigterm_stops_cleanly(tmp_path):
    demo = {u["login"]: u for u in json.loads(DEMO_USERS.read_text(encoding="utf-8"))}
    ordinary_p9 = next(
        login for login, u in demo.items() if u["identity_proofing_level"] == "P9" and "test_behaviour" not in u
    )
    by_behaviour = {u["test_behaviour"]: login for login, u in demo.items() if "test_behaviour" in u}
    server = start_idp(tmp_path, users_file=DEMO_USERS, test_mode=False)

    def id_token_for(login: str) -> tuple[Authorization, jwt.Token]:
        auth = sign_in(server, login, demo[login]["password"])
        return auth, decode_id_token(server, exchange(server, auth.params["code"])["id_token"])

    try:
        auth, id_token = id_token_for(ordinary_p9)
        validate(server, id_token, auth.nonce)
        assert id_token.claims["vot"] == "P9.Cp.Cd"
        assert id_token.claims["nhs_number"] == demo[ordinary_p9]["nhs_number"]

        for behaviour in ("wrong-nonce", "expired-id-token"):
            auth, id_token = id_token_for(by_behaviour[behaviour])
            validate(server, id_token, auth.nonce)  # right nonce, not expired

        login = by_behaviour["insufficient-vot"]
        assert demo[login]["identity_proofing_level"] == "P5"
        refused = sign_in(server, login, demo[login]["password"], vtr=P9_VTR)
        assert refused.params["error"] == "access_denied"
    finally:
        returncode = stop_idp(server)
    assert returncode == 0, server.output
    assert not any("test mode is on" in line for line in server.output)
