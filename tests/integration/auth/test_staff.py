"""Staff accounts: a set-up link from the command line, a password and an authenticator app,
roles checked on every staff page (DESIGN.md section 4)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import select

from portal.data.audit import AuditEvent
from portal.data.staff import StaffUser
from portal.staff.guards import staff_required
from tests.integration.auth.pages import csrf, error_summary, field_value, h1, inline_errors

EMAIL = "reviewer@trust.example.org"
PASSWORD = "correct horse battery staple"


def create_staff(app, *roles: str) -> str:  # type: ignore[no-untyped-def]
    """Run ``flask portal create-staff``; return the set-up path it printed."""
    args = ["portal", "create-staff", "--email", EMAIL]
    for role in roles:
        args += ["--role", role]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    link = re.search(r"http://127\.0\.0\.1:5000(/staff/set-up/\S+)", result.output)
    assert link, result.output
    return link.group(1)


def set_up(client, path: str) -> str:  # type: ignore[no-untyped-def]
    """Complete set-up; return the TOTP secret the page showed."""
    client.post(path, data={"password": PASSWORD, "confirm": PASSWORD, "csrf_token": csrf(client, path)})
    page = client.get(path + "/authenticator").get_data(as_text=True)
    secret = re.search(r'<p class="app-secret" dir="ltr" lang="en">([A-Z2-7 ]+)</p>', page).group(1).replace(" ", "")
    assert "otpauth://totp/" in page and f"secret={secret}" in page
    done = client.post(path + "/authenticator", data={"code": pyotp.TOTP(secret).now(),
                                                        "csrf_token": csrf(client, path + "/authenticator")})
    assert done.headers["Location"] == "/staff/sign-in?set_up=done"
    return secret


def sign_in(client, secret: str, *, password: str = PASSWORD, code: str | None = None, at: datetime | None = None):  # type: ignore[no-untyped-def]
    totp = pyotp.TOTP(secret)
    return client.post("/staff/sign-in", data={
        "email": EMAIL.upper(), "password": password,
        "code": code if code is not None else totp.at(at or datetime.now(UTC) + timedelta(seconds=30)),
        "csrf_token": csrf(client, "/staff/sign-in")})


def test_a_new_staff_member_sets_up_and_signs_in_with_password_and_code(app, client, db_session):
    path = create_staff(app, "dispute-reviewer", "auditor")
    secret = set_up(client, path)
    user = db_session.execute(select(StaffUser)).scalar_one()
    assert user.active and user.password_hash.startswith("$argon2id$")
    assert secret not in (user.totp_secret_encrypted or "")
    assert PASSWORD not in str([e.details for e in db_session.execute(select(AuditEvent)).scalars()])
    signed_in = sign_in(client, secret)
    assert signed_in.headers["Location"] == "/staff/"
    home = client.get("/staff/")
    page = home.get_data(as_text=True)
    assert h1(page) == "Staff home" and home.headers["Cache-Control"] == "no-store"
    assert "Review disputes about AI-supported decisions" in page
    assert "Check the audit trail" in page
    assert "Manage staff accounts" not in page
    assert client.get(path).status_code == 404  # the link works once


def test_the_set_up_link_expires_after_24_hours(app, client, db_session):
    path = create_staff(app, "admin")
    user = db_session.execute(select(StaffUser)).scalar_one()
    user.setup_expires_at_utc = datetime.now(UTC) - timedelta(seconds=1)
    db_session.commit()
    page = client.get(path)
    assert page.status_code == 404
    assert "This set-up link does not work" in page.get_data(as_text=True)


@pytest.mark.parametrize(("password", "confirm", "field", "messages"), [
    ("", "", "password", ["Create a password", "Type your password again"]),
    ("too short", "too short", "password", ["Your password must be at least 12 characters"]),
    (PASSWORD, "something else entirely", "confirm", ["The passwords do not match"]),
])
def test_set_up_password_errors(app, client, password, confirm, field, messages):
    path = create_staff(app, "admin")
    page = client.post(path, data={"password": password, "confirm": confirm,
                                   "csrf_token": csrf(client, path)}).get_data(as_text=True)
    assert error_summary(page) == messages and inline_errors(page) == messages
    assert f'href="#{field}"' in page
    assert field_value(page, "password") == "" and field_value(page, "confirm") == ""


@pytest.mark.parametrize("problem", ["password", "code", "replayed code"])
def test_a_wrong_password_or_code_is_refused_without_saying_which(app, client, db_session, problem):
    secret = set_up(client, create_staff(app, "auditor"))
    at = datetime.now(UTC) + timedelta(seconds=30)
    if problem == "replayed code":
        sign_in(client, secret, at=at)
        client.post("/staff/sign-out", data={"csrf_token": csrf(client, "/staff/")})
    response = sign_in(client, secret, password="wrong password!" if problem == "password" else PASSWORD,
                       code="000000" if problem == "code" else None, at=at)
    page = response.get_data(as_text=True)
    message = "The email address, password or code is not right. Check them and try again"
    assert error_summary(page) == [message]
    assert field_value(page, "email") == EMAIL.upper() and field_value(page, "password") == ""
    assert field_value(page, "code") == ""
    assert client.get("/staff/").headers["Location"].startswith("/staff/sign-in")
    failures = [e.details["reason"] for e in db_session.execute(select(AuditEvent)).scalars()
                if e.action == "staff.sign-in-failed"]
    assert failures == ["password" if problem == "password" else "code"]


def test_staff_pages_check_the_role_and_declare_it(make_app, db_session):
    app = make_app()

    @app.get("/staff/authorities-test")
    @staff_required("authority-verifier")
    def authorities() -> str:
        return "authorities"

    assert authorities.access.kind == "staff" and authorities.access.detail == ("authority-verifier",)
    client = app.test_client()
    assert client.get("/staff/authorities-test").headers["Location"].startswith("/staff/sign-in")
    secret = set_up(client, create_staff(app, "auditor"))
    sign_in(client, secret)
    assert client.get("/staff/authorities-test").status_code == 403
    with pytest.raises(ValueError, match="unknown staff role"):
        staff_required("superuser")


def test_staff_sign_out_ends_the_session_and_an_old_cookie_no_longer_works(app, client):
    secret = set_up(client, create_staff(app, "admin"))
    sign_in(client, secret)
    copied = client.get_cookie("session").value
    out = client.post("/staff/sign-out", data={"csrf_token": csrf(client, "/staff/")})
    assert out.headers["Location"].startswith("/staff/sign-in")
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/staff/").headers["Location"].startswith("/staff/sign-in")


def test_create_staff_refuses_an_unknown_role(app):
    result = app.test_cli_runner().invoke(args=["portal", "create-staff", "--email", EMAIL, "--role", "superuser"])
    assert result.exit_code != 0 and "superuser" in result.output
