"""``flask portal load-demo`` makes demo accounts a newcomer can sign in with: the NHS login
stand-in's users as patients, code-route patients, and one ready staff member per role."""

import json
import re
from datetime import UTC, date, datetime, timedelta

import pyotp
from sqlalchemy import select

from portal.data.people import Patient
from portal.data.staff import STAFF_ROLES
from portal.domain.age import age_at
from tests.integration.auth.pages import csrf
from tests.oidc.conftest import DEMO_USERS


def test_load_demo_writes_accounts_that_work(app, client, db_session, tmp_path):
    target = tmp_path / "demo-accounts.json"
    result = app.test_cli_runner().invoke(args=["portal", "load-demo", "--accounts-file", str(target)])
    assert result.exit_code == 0, result.output
    accounts = json.loads(target.read_text(encoding="utf-8"))
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    idp_users = json.loads(DEMO_USERS.read_text(encoding="utf-8"))
    numbers = set(db_session.execute(select(Patient.nhs_number)).scalars())
    assert {u["nhs_number"] for u in idp_users} <= numbers
    assert {u["level"] for u in accounts["nhs_login"]} == {"P5", "P9"}
    assert "amelia.hughes@example.org / demo-password" in result.output
    assert [s["roles"] for s in accounts["staff"]] == [[role] for role in STAFF_ROLES]
    assert any(p["expect"] == "code by email" for p in accounts["details_and_code"])
    for held_or_asked in ("acts_for", "ask_to_act_for"):  # an LPA's donor is 18 or over (MCA 2005 s.9(2)(c))
        born = date.fromisoformat(accounts["carer"][held_or_asked]["date_of_birth"])
        assert age_at(born, datetime.now(UTC)) >= 18, held_or_asked
    assert "LPA" in accounts["carer"]["ask_to_act_for"]["note"]
    auditor = next(s for s in accounts["staff"] if s["roles"] == ["auditor"])
    assert auditor["totp_secret"] in result.output
    signed_in = client.post("/staff/sign-in", data={
        "email": auditor["email"], "password": auditor["password"],
        "code": pyotp.TOTP(auditor["totp_secret"]).at(datetime.now(UTC) + timedelta(seconds=30)),
        "csrf_token": csrf(client, "/staff/sign-in")})
    assert signed_in.headers["Location"] == "/staff/"
    again = app.test_cli_runner().invoke(args=["portal", "load-demo", "--accounts-file", str(target)])
    assert again.exit_code == 0
    assert json.loads(target.read_text(encoding="utf-8")) == accounts, "running it again changes nothing"
    assert not re.search(r"\b999\d{7}\b", result.output), "NHS numbers are printed grouped, for people to read"
