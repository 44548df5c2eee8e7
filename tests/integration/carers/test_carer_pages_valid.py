"""The carers' pages in English, Welsh and Urdu: valid HTML (Nu Html Checker), one <h1>, a
title that starts with it, no duplicate ids, the page's language and direction."""

from __future__ import annotations

import io
import re
from datetime import date

from sqlalchemy import select

from portal.data.authorities import Authority
from portal.extensions import db
from tests.factories import make_patient
from tests.helpers.auth import sign_in_as
from tests.helpers.carers import sign_in_as_carer
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
    client.post("/act-for-someone/ask", content_type="multipart/form-data", data={
        "csrf_token": csrf(client, "/act-for-someone/ask"), "nhs_number": patient.nhs_number,
        "date_of_birth-day": "6", "date_of_birth-month": "5", "date_of_birth-year": "1940", "postcode": "SA1 1AA",
        "relationship": "Son", "basis": "health-and-welfare-lpa", "reference": "7000-1234-5678",
        "evidence": (io.BytesIO(b"%PDF-1.7 x"), "lpa.pdf")})
    with app.app_context():
        authority_id = db.session.execute(select(Authority.id)).scalar_one()
    acting = app.test_client()
    sign_in_as_carer(acting, carer, other)
    staff = app.test_client()
    sign_in(staff, set_up(staff, create_staff(app, "authority-verifier")))
    documents = {}
    for lang in LANGUAGES:
        for c in (client, acting, staff):
            c.get(f"/?lang={lang}")
        pages = {
            "start": client.get("/act-for-someone"),
            "ask": client.get("/act-for-someone/ask"),
            "ask: every error": client.post("/act-for-someone/ask", data={"csrf_token": csrf(client, "/act-for-someone/ask")}),
            "status": client.get(f"/act-for-someone/requests/{authority_id}"),
            "choose who (carer)": acting.get("/choose-who"),
            "your choices (acting, banner)": acting.get("/your-choices"),
            "staff queue": staff.get("/staff/authorities"),
            "staff request": staff.get(f"/staff/authorities/{authority_id}"),
        }
        for name, response in pages.items():
            page = response.get_data(as_text=True)
            documents[f"{name} ({lang})"] = page
            h1s = re.findall(r"<h1[^>]*>(.*?)</h1>", page, re.S)
            assert len(h1s) == 1, name
            assert DIRECTION[lang] in page, name
            ids = re.findall(r'\sid="([^"]+)"', page)
            assert len(ids) == len(set(ids)), name
    app.config.pop("EVIDENCE_UPLOAD_DIR", None)
    assert validate_html(documents, tmp_path) == []
