"""Every read of a patient's decisions by a clinical system shows on the patient's "who
checked" list with the system's name (issue 8 point 7): single lookups, FHIR Consent reads
and change-feed pages alike."""

from __future__ import annotations

from portal.extensions import db
from portal.services import transparency
from tests.factories import make_choice, make_patient, make_tool


def test_lookups_fhir_reads_and_feed_pages_each_show_with_the_systems_name(app, client, api_headers):
    with app.app_context():
        tool = make_tool(db.session, "eye-scan", {"care": "opt-out"})
        patient = make_patient(db.session)
        make_choice(db.session, patient, tool, "care", "deny")
        db.session.commit()
    assert client.get(f"/api/v1/patients/{patient.nhs_number}/ai-decisions", headers=api_headers).status_code == 200
    search = client.get("/fhir/r4/Consent", headers=api_headers,
                        query_string={"patient:identifier": f"https://fhir.nhs.uk/Id/nhs-number|{patient.nhs_number}"})
    assert search.status_code == 200
    assert client.get("/api/v1/ai-decision-changes", headers=api_headers).status_code == 200
    with app.app_context():
        checks = transparency.decision_checks(db.session, patient.id)
    assert sorted(c.kind for c in checks) == ["feed", "single", "single"]
    assert {(c.client_name, c.organisation) for c in checks} == {("Test EPR", "RH5")}
