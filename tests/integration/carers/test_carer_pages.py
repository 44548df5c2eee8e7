"""Asking to act for someone through the pages (issue 7 point 3): bad input refused with a clear
message keeping what was typed; evidence checked by its content, at most 10 MB, stored outside
static/ and shown only to the requester; the request's state, withdrawing it."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.data.authorities import Authority
from portal.extensions import db
from tests.factories import make_patient
from tests.helpers.auth import sign_in_as

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"0" * 64


@pytest.fixture()
def people_here(app):
    from datetime import date

    with app.app_context():
        carer = make_patient(db.session, given_name="Gwen", family_name="Hughes")
        patient = make_patient(db.session, given_name="Eira", family_name="Jones", date_of_birth=date(1940, 5, 6),
                               postcode="SA1 1AA")
        db.session.commit()
        return carer, patient


@pytest.fixture()
def upload_dir(app, tmp_path):
    app.config["EVIDENCE_UPLOAD_DIR"] = str(tmp_path / "uploads")
    yield tmp_path / "uploads"
    app.config.pop("EVIDENCE_UPLOAD_DIR", None)


def token(client, path="/act-for-someone/ask"):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def form(client, patient, **changes):
    data = {"csrf_token": token(client), "nhs_number": patient.nhs_number,
            "date_of_birth-day": str(patient.date_of_birth.day), "date_of_birth-month": str(patient.date_of_birth.month),
            "date_of_birth-year": str(patient.date_of_birth.year), "postcode": patient.postcode,
            "relationship": "Daughter", "basis": "health-and-welfare-lpa", "reference": "7000 1234 5678",
            "court_order_number": ""}
    data.update(changes)
    return data


def authorities(app):
    with app.app_context():
        return db.session.execute(select(Authority)).scalars().all()


def test_asking_needs_p9(client, people_here):
    carer, _patient = people_here
    sign_in_as(client, carer, level="P5")
    assert client.get("/act-for-someone/ask").headers["Location"].startswith("/sign-in/prove-who-you-are")


def test_a_carer_asks_sees_the_state_and_can_withdraw(app, client, people_here, upload_dir):
    carer, patient = people_here
    sign_in_as(client, carer)
    data = form(client, patient, evidence=(io.BytesIO(PDF), "lpa.pdf"))
    response = client.post("/act-for-someone/ask", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    [authority] = authorities(app)
    assert (authority.state, authority.reference, authority.evidence_type) == (
        "requested", "7000-1234-5678", "application/pdf")
    assert (upload_dir / authority.evidence_path).read_bytes() == PDF
    assert "static" not in str(upload_dir)
    status = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your request to act for Eira Jones" in status and "Waiting to be checked" in status
    evidence = client.get(f"/act-for-someone/requests/{authority.id}/evidence")
    assert (evidence.status_code, evidence.data, evidence.mimetype) == (200, PDF, "application/pdf")
    assert evidence.headers["Cache-Control"] == "no-store"
    client.post(f"/act-for-someone/requests/{authority.id}/withdraw",
                data={"csrf_token": token(client, response.headers["Location"])})
    [authority] = authorities(app)
    assert authority.state == "withdrawn"


def test_someone_elses_request_and_evidence_are_not_found(app, client, people_here, upload_dir):
    carer, patient = people_here
    sign_in_as(client, carer)
    client.post("/act-for-someone/ask", data=form(client, patient, evidence=(io.BytesIO(PNG), "lpa.png")),
                content_type="multipart/form-data")
    [authority] = authorities(app)
    stranger = app.test_client()
    with app.app_context():
        other = make_patient(db.session)
        db.session.commit()
    sign_in_as(stranger, other)
    for path in ("", "/evidence"):
        assert stranger.get(f"/act-for-someone/requests/{authority.id}{path}").status_code == 404
    assert stranger.post(f"/act-for-someone/requests/{authority.id}/withdraw",
                         data={"csrf_token": token(stranger)}).status_code == 404
    assert authorities(app)[0].state == "requested"


@pytest.mark.parametrize(("changes", "message"), [
    ({"postcode": "ZZ9 9ZZ"}, "We could not find this person. Check their NHS number, date of birth and postcode"),
    ({"reference": "1234"}, "Enter the LPA reference number or access code exactly as it is shown"),
    ({"basis": "personal-welfare-deputy", "court_order_number": "12"},
     "Enter the court order number exactly as it is shown, like 12345678"),
    ({"nhs_number": "123"}, "Enter their 10 digit NHS number"),
    ({"relationship": " "}, "Enter how you are related to them"),
    ({"basis": ""}, "Select why you can act for them"),
    ({"evidence": (io.BytesIO(b"just some text pretending"), "lpa.pdf")}, "The file must be a PDF, JPG or PNG"),
])
def test_bad_requests_are_refused_keeping_what_was_typed(app, client, people_here, upload_dir, changes, message):
    carer, patient = people_here
    sign_in_as(client, carer)
    data = form(client, patient, relationship="Daughter-in-law", **{k: v for k, v in changes.items()
                                                                    if k != "relationship"})
    if "relationship" in changes:
        data["relationship"] = changes["relationship"]
    response = client.post("/act-for-someone/ask", data=data, content_type="multipart/form-data")
    body = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 400
    assert message in body
    assert "<title>Error: " in body
    if "relationship" not in changes:
        assert 'value="Daughter-in-law"' in body
    assert authorities(app) == []
    assert not upload_dir.exists() or list(upload_dir.iterdir()) == []


def test_a_png_named_pdf_is_kept_as_a_png(app, client, people_here, upload_dir):
    carer, patient = people_here
    sign_in_as(client, carer)
    response = client.post("/act-for-someone/ask", data=form(client, patient, evidence=(io.BytesIO(PNG), "lpa.pdf")),
                           content_type="multipart/form-data")
    assert response.status_code == 302
    [authority] = authorities(app)
    assert authority.evidence_type == "image/png" and authority.evidence_path.endswith(".png")


def test_nobody_may_ask_to_act_for_themselves(app, client, people_here, upload_dir):
    carer, _patient = people_here
    sign_in_as(client, carer)
    response = client.post("/act-for-someone/ask", data=form(client, carer), content_type="multipart/form-data")
    assert "You cannot ask to act for yourself" in response.get_data(as_text=True)
    assert authorities(app) == []
