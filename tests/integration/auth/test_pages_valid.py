"""Every sign-in page, in every state a person can meet it, in English, Welsh and Urdu: valid
HTML (Nu Html Checker), one <h1>, a title that starts with it, no duplicate ids, the page's
language and direction, and no full NHS number anywhere."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from flask import Flask
from flask_babel import force_locale, gettext
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.data.accounts import AccountSession
from portal.extensions import db
from tests.factories import make_patient
from tests.helpers.auth import sign_in_as
from tests.html_validation import validate_html
from tests.integration.auth.pages import csrf
from tests.integration.auth.test_code_route import details, send_details
from tests.integration.auth.test_staff import PASSWORD, create_staff
from tests.pages import LANGUAGES

DIRECTION = {"en": ('lang="en-GB"', "ltr"), "cy": ('lang="cy"', "ltr"), "ur": ('lang="ur"', "rtl")}


def _patient(app: Flask, **fields: object):  # type: ignore[no-untyped-def]
    with app.app_context():
        person = make_patient(db.session, **fields)
        db.session.commit()
        return person


def _code_pages(app: Flask, client: FlaskClient) -> dict[str, str]:
    person = _patient(app)
    pages = {"details: every error": client.post("/sign-in/your-details", data={
        "csrf_token": csrf(client, "/sign-in/your-details")}).get_data(as_text=True)}
    pages["details: no match"] = send_details(client, details(person, postcode="SW1A 1AA")).get_data(as_text=True)
    send_details(client, details(person))
    client.post("/sign-in/resend-code", data={"csrf_token": csrf(client, "/sign-in/enter-code")})
    pages["enter code: development box and notice"] = client.get("/sign-in/enter-code").get_data(as_text=True)
    pages["enter code: wrong code"] = client.post("/sign-in/enter-code", data={
        "code": "12", "csrf_token": csrf(client, "/sign-in/enter-code")}).get_data(as_text=True)
    failed = client.get("/sign-in/callback?state=not-ours&code=x")
    assert failed.status_code == 400
    pages["NHS login: sign-in failed"] = failed.get_data(as_text=True)
    unavailable = client.get("/sign-in/nhs-login")  # nothing listens at the default stand-in address here
    assert unavailable.status_code == 503
    pages["NHS login: unavailable"] = unavailable.get_data(as_text=True)
    return pages


def _signed_in_pages(app: Flask, client: FlaskClient) -> dict[str, str]:
    sign_in_as(client, _patient(app), level="P5")
    pages = {"signed in (P5)": client.get("/signed-in").get_data(as_text=True),
             "choose who": client.get("/choose-who").get_data(as_text=True),
             "choose who: no answer": client.post("/choose-who", data={
                 "csrf_token": csrf(client, "/choose-who")}).get_data(as_text=True)}
    with app.app_context():
        db.session.execute(select(AccountSession)).scalar_one().route = "code"
        db.session.commit()
    pages["step up (code route)"] = client.get("/sign-in/prove-who-you-are?level=P9").get_data(as_text=True)
    with app.app_context():
        record = db.session.execute(select(AccountSession)).scalar_one()
        record.last_seen_at_utc -= timedelta(minutes=31)
        record.created_at_utc -= timedelta(minutes=31)
        db.session.commit()
    client.get("/signed-in")
    pages["sign in: timed out"] = client.get("/sign-in").get_data(as_text=True)
    return pages


def _staff_pages(app: Flask, client: FlaskClient) -> dict[str, str]:
    path = create_staff(app, "dispute-reviewer", "admin")
    pages = {"staff set-up: errors": client.post(path, data={"password": "short", "confirm": "other",
                                                              "csrf_token": csrf(client, path)}).get_data(as_text=True)}
    client.post(path, data={"password": PASSWORD, "confirm": PASSWORD, "csrf_token": csrf(client, path)})
    page = client.get(path + "/authenticator").get_data(as_text=True)
    pages["staff set-up: authenticator"] = page
    secret = re.search(r'<p class="app-secret"[^>]*>([A-Z2-7 ]+)</p>', page).group(1).replace(" ", "")
    client.post(path + "/authenticator", data={"code": pyotp.TOTP(secret).now(),
                                               "csrf_token": csrf(client, path + "/authenticator")})
    pages["staff set-up: used link"] = client.get(path).get_data(as_text=True)
    pages["staff sign in: wrong"] = client.post("/staff/sign-in", data={
        "email": "x@example.org", "password": "y", "code": "123456",
        "csrf_token": csrf(client, "/staff/sign-in")}).get_data(as_text=True)
    client.post("/staff/sign-in", data={
        "email": "reviewer@trust.example.org", "password": PASSWORD,
        "code": pyotp.TOTP(secret).at(datetime.now(UTC) + timedelta(seconds=30)),
        "csrf_token": csrf(client, "/staff/sign-in")})
    pages["staff home"] = client.get("/staff/").get_data(as_text=True)
    return pages


def _limited_pages(app: Flask, client: FlaskClient) -> dict[str, str]:
    limited = app.test_client()
    limited.set_cookie("lang", client.get_cookie("lang").value if client.get_cookie("lang") else "en")
    with app.app_context():
        app.config["RATELIMIT_SIGN_IN_PER_ADDRESS"] = "1 per hour"
        try:
            limited.get("/sign-in/nhs-login")
            refused = limited.get("/sign-in/nhs-login")
        finally:
            app.config["RATELIMIT_SIGN_IN_PER_ADDRESS"] = "60 per hour"
    assert refused.status_code == 429
    return {"too many attempts": refused.get_data(as_text=True)}


JOURNEYS: dict[str, Callable[[Flask, FlaskClient], dict[str, str]]] = {
    "code route": _code_pages, "signed in": _signed_in_pages, "staff": _staff_pages,
    "limited": _limited_pages}


@pytest.mark.parametrize("journey", JOURNEYS)
def test_sign_in_pages_are_valid_and_well_formed_in_every_language(app, tmp_path, journey):
    documents = {}
    error_prefix = {}
    for lang in LANGUAGES:
        with app.test_request_context(), force_locale(lang):
            error_prefix[lang] = gettext("Error")
        client = app.test_client()
        client.get(f"/?lang={lang}")  # the language cookie
        for name, page in JOURNEYS[journey](app, client).items():
            documents[f"{name} ({lang})"] = page
            h1s = re.findall(r"<h1[^>]*>(.*?)</h1>", page, re.S)
            assert len(h1s) == 1, name
            title = re.search(r"<title>(.*?)</title>", page, re.S).group(1).strip()
            title = title.removeprefix(error_prefix[lang] + ": ")
            assert title.startswith(h1s[0].strip()), (name, title)
            ids = re.findall(r'\sid="([^"]+)"', page)
            assert len(ids) == len(set(ids)), f"duplicate ids on {name}"
            html_lang, direction = DIRECTION[lang]
            assert f'<html {html_lang} dir="{direction}"' in page, name
            shown = re.sub(r'<input[^>]*name="nhs_number"[^>]*>', "", page)  # what they typed stays in the box
            assert not re.search(r"\b999\d{7}\b", shown), f"a full NHS number on {name}"
        with app.app_context():
            from tests.conftest import truncate_all

            truncate_all(app)
    assert validate_html(documents, tmp_path) == []
