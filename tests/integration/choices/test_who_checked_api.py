""""Who checked your choices" (issue 5 point 6, issue 8 point 7) as the API really writes
its audit: every kind of read by a clinical system shows the system's registered name and
its organisation's name, and the demo seeds single and batch reads for its P9 user."""

from __future__ import annotations

import re

from sqlalchemy import select

from portal.data.people import Patient
from portal.extensions import db
from portal.services import demo_reads
from tests.helpers.auth import sign_in_as
from tests.integration.api.conftest import bearer, fetch_token, register_client
from tests.integration.choices.pages_helpers import text_of


def rows(html: str) -> list[str]:
    found = re.findall(r'<tr class="nhsuk-table__row">(.*?)</tr>', html, re.S)
    return [re.sub(r"^When .*? Who ", "", text_of(row)) for row in found]


def test_every_kind_of_api_read_is_listed_with_the_system_and_organisation_names(app, client, world):
    headers = bearer(fetch_token(client, register_client(app, ods="RH5")))
    number = world.patient.nhs_number
    assert client.get(f"/api/v1/patients/{number}/ai-decisions", headers=headers).status_code == 200
    consent = client.get("/fhir/r4/Consent", headers=headers,
                         query_string={"patient:identifier": f"https://fhir.nhs.uk/Id/nhs-number|{number}"})
    assert consent.status_code == 200
    batch = client.post("/api/v1/ai-decision-checks?tool=chest-x-ray-triage&purpose=care", headers={
        **headers, "Content-Type": "text/csv"}, data=f"{number}\n9434765919\n")
    assert batch.status_code == 200 and batch.get_data(as_text=True)
    html = sign_in_as(app, world.patient).get("/who-checked-your-choices").get_data(as_text=True)
    assert rows(html) == [
        "Test EPR Somerset NHS Foundation Trust What Checked in a batch with other patients",
        "Test EPR Somerset NHS Foundation Trust What Checked your choices",
        "Test EPR Somerset NHS Foundation Trust What Checked your choices",
    ]


def test_the_demo_shows_single_and_batch_checks_by_the_demo_system(app, tmp_path):
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["portal", "load-demo", "--accounts-file", str(tmp_path / "a.json")])
        assert result.exit_code == 0, result.output
    assert "Added 0 demo read(s)" in result.output  # the second run adds nothing
    with app.app_context():
        amelia = db.session.execute(select(Patient).where(Patient.nhs_number == "9991001239")).scalar_one()
    html = sign_in_as(app, amelia).get("/who-checked-your-choices").get_data(as_text=True)
    system = "Demo EPR (development client) Somerset NHS Foundation Trust"
    assert rows(html) == [f"{system} What Checked in a batch with other patients"] + (
        [f"{system} What Checked your choices"] * demo_reads.SINGLE_READS)
    date = re.search(r"When </span>(.*?)</td>", html, re.S)
    assert date and re.fullmatch(r"\d{1,2} [A-Z][a-z]+ 20\d\d, \d{1,2}:\d\d[ap]m", date.group(1).strip())


def test_an_auditor_searching_the_patients_audit_trail_is_listed_as_nhs_staff(app, client, world):
    from tests.helpers.staff import sign_in_staff
    from tests.integration.auth.pages import csrf

    sign_in_staff(client, "auditor")
    searched = client.post("/staff/audit", data={"nhs_number": world.patient.nhs_number,
                                                 "csrf_token": csrf(client, "/staff/audit")})
    assert searched.status_code == 200
    html = sign_in_as(app, world.patient).get("/who-checked-your-choices").get_data(as_text=True)
    assert rows(html) == ["NHS staff What Looked at your choices"]
