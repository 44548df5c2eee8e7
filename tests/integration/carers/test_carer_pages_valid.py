"""The carers' pages in English, Welsh and Urdu: valid HTML (Nu Html Checker), one <h1>, a
title that starts with it, no duplicate ids, the page's language and direction."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from portal.data.authorities import Authority
from portal.extensions import db
from tests.factories import make_patient
from tests.helpers.auth import sign_in_as
from tests.helpers.carers import ask_in_pages, sign_in_as_carer, sign_in_with_code
from tests.html_validation import validate_html
from tests.integration.auth.test_staff import create_staff, set_up, sign_in
from tests.pages import LANGUAGES

DIRECTION = {"en": 'lang="en-GB" dir="ltr"', "cy": 'lang="cy" dir="ltr"', "ur": 'lang="ur" dir="rtl"'}


def csrf(client, path):
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def test_carer_and_verifier_pages_are_valid_in_every_language(app, tmp_path):
    app.config["EVIDENCE_UPLOAD_DIR"] = str(tmp_path / "uploads")
    with app.app_context():
        carer = make_patient(db.session, given_name="Gwen", family_name="Hughes")
        patient = make_patient(db.session, given_name="Eira", family_name="Jones", date_of_birth=date(1940, 5, 6),
                               postcode="SA1 1AA")
        other = make_patient(db.session, given_name="Tomos", family_name="Price")
        db.session.commit()
    client = sign_in_as(app.test_client(), carer)
    sent = ask_in_pages(client, patient, upload=(b"%PDF-1.7 x", "lpa.pdf"))
    with app.app_context():
        authority_id = db.session.execute(select(Authority.id)).scalar_one()
        deputy_patient = make_patient(db.session, date_of_birth=date(1950, 1, 2), postcode="LS1 4AP")
        db.session.commit()
    drafting = sign_in_with_code(app.test_client(), other)  # a code-route carer with a draft
    ask_in_pages(drafting, deputy_patient, basis="personal-welfare-deputy", reference="1234567T",
                 upload=(b"%PDF-1.7 y", "order.pdf"))
    with app.app_context():
        deputy_id = db.session.execute(select(Authority.id).where(Authority.patient_id == deputy_patient.id)).scalar_one()
    ask = "/act-for-someone/ask"
    acting = app.test_client()
    sign_in_as_carer(acting, carer, other)
    staff = app.test_client()
    sign_in(staff, set_up(staff, create_staff(app, "authority-verifier")))
    documents = {}
    for lang in LANGUAGES:
        for c in (client, acting, staff, drafting):
            c.get(f"/?lang={lang}")
        for step, data in (("their-details", {"nhs_number": patient.nhs_number, "date_of_birth-day": "6",
                                              "date_of_birth-month": "5", "date_of_birth-year": "1940",
                                              "postcode": "SA1 1AA"}),
                           ("legal-basis", {"basis": "personal-welfare-deputy"}), ("relationship", {"relationship": "Son"}),
                           ("reference", {"court_order_number": "12345678"})):
            drafting.post(f"{ask}/{step}", data={"csrf_token": csrf(drafting, f"{ask}/{step}"), **data})
        pages = {
            "start": client.get("/act-for-someone"),
            **{f"ask: {step}": drafting.get(f"{ask}/{step}") for step in (
                "their-details", "legal-basis", "relationship", "reference", "evidence", "check")},
            **{f"ask: {step}, every error": drafting.post(f"{ask}/{step}", data={
                "csrf_token": csrf(drafting, f"{ask}/{step}")}) for step in (
                "their-details", "legal-basis", "relationship", "reference")},
            "ask: LPA reference": client.get(f"{ask}/reference"),
            "sent": client.get(sent),
            "status": client.get(f"/act-for-someone/requests/{authority_id}"),
            "choose who (carer)": acting.get("/choose-who"),
            "your choices (acting, banner)": acting.get("/your-choices"),
            "staff queue": staff.get("/staff/authorities"),
            "staff request": staff.get(f"/staff/authorities/{authority_id}"),
            "staff request: identity check": staff.get(f"/staff/authorities/{deputy_id}"),
            "staff request: every error": staff.post(f"/staff/authorities/{deputy_id}/approve", data={
                "csrf_token": csrf(staff, f"/staff/authorities/{deputy_id}"), "approve-ends_on": "soon"}),
        }
        for name, response in pages.items():
            page = response.get_data(as_text=True)
            documents[f"{name} ({lang})"] = page
            h1s = re.findall(r"<h1[^>]*>(.*?)</h1>", page, re.S)
            assert response.status_code in (200, 400), name
            assert len(h1s) == 1, name
            assert DIRECTION[lang] in page, name
            ids = re.findall(r'\sid="([^"]+)"', page)
            assert len(ids) == len(set(ids)), name
    app.config.pop("EVIDENCE_UPLOAD_DIR", None)
    assert validate_html(documents, tmp_path) == []
