"""Every page this issue adds, filled with data, is valid HTML in English, Welsh and Urdu
(Nu Html Checker): the privacy notice, the conflict queue and a conflict (open, with an error,
closed), the audit search (empty, with results, with an error), and "Your information"."""

from __future__ import annotations

from tests.helpers.auth import sign_in_as
from tests.helpers.staff import sign_in_staff
from tests.html_validation import validate_html
from tests.integration.auth.pages import csrf
from tests.pages import LANGUAGES


def test_governance_pages_are_valid_html_in_every_language(app, client, conflicts_world, tmp_path):
    sign_in_staff(client, "auditor")
    patient = sign_in_as(app, conflicts_world.patient, level="P9")
    open_path, closed_path = (f"/staff/conflicts/{e.id}" for e in (conflicts_world.older, conflicts_world.newer))
    client.post(closed_path, data={"finding": "We looked into it.", "csrf_token": csrf(client, closed_path)})
    documents = {}
    for lang in LANGUAGES:
        client.get("/staff/", query_string={"lang": lang})
        patient.get("/privacy-notice", query_string={"lang": lang})
        documents[f"privacy ({lang})"] = patient.get("/privacy-notice").get_data(as_text=True)
        documents[f"your information ({lang})"] = patient.get("/your-information").get_data(as_text=True)
        documents[f"AI used ({lang})"] = patient.get("/ai-used-in-your-care").get_data(as_text=True)
        documents[f"tool page ({lang})"] = patient.get("/ai-tools/ai-scribe").get_data(as_text=True)
        documents[f"staff home ({lang})"] = client.get("/staff/").get_data(as_text=True)
        documents[f"queue ({lang})"] = client.get("/staff/conflicts").get_data(as_text=True)
        documents[f"closed queue ({lang})"] = client.get("/staff/conflicts?show=closed").get_data(as_text=True)
        documents[f"open conflict ({lang})"] = client.get(open_path).get_data(as_text=True)
        documents[f"conflict error ({lang})"] = client.post(
            open_path, data={"finding": "", "csrf_token": csrf(client, open_path)}).get_data(as_text=True)
        documents[f"closed conflict ({lang})"] = client.get(closed_path).get_data(as_text=True)
        documents[f"audit search ({lang})"] = client.get("/staff/audit").get_data(as_text=True)
        token = csrf(client, "/staff/audit")
        documents[f"audit results ({lang})"] = client.post("/staff/audit", data={
            "nhs_number": conflicts_world.patient.nhs_number, "csrf_token": token}).get_data(as_text=True)
        documents[f"audit error ({lang})"] = client.post("/staff/audit", data={
            "nhs_number": "123", "date_from": "x", "csrf_token": token}).get_data(as_text=True)
    assert validate_html(documents, tmp_path) == []
