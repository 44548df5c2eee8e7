"""Verifiers check carers' authority (issue 7 point 4): a queue, the request with its evidence,
approve with details and a review date (recording the capacity note), reject with a coded
reason and a plain explanation the requester then sees, suspend and end. Role-checked."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from portal.data.authorities import Authority
from portal.extensions import db
from portal.services import authority as authority_service
from tests.factories import make_patient
from tests.helpers.auth import sign_in_as
from tests.helpers.carers import ask_in_pages
from tests.integration.auth.test_staff import create_staff, set_up, sign_in

PDF = b"%PDF-1.7\n" + b"0" * 32


def csrf(client, path):
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


@pytest.fixture()
def request_made(app, tmp_path):
    app.config["EVIDENCE_UPLOAD_DIR"] = str(tmp_path)
    with app.app_context():
        carer = make_patient(db.session, given_name="Gwen", family_name="Hughes")
        patient = make_patient(db.session, given_name="Eira", family_name="Jones", date_of_birth=date(1940, 5, 6),
                               postcode="SA1 1AA")
        db.session.commit()
    carer_client = sign_in_as(app.test_client(), carer)
    ask_in_pages(carer_client, patient, upload=(PDF, "lpa.pdf"))
    with app.app_context():
        authority_id = db.session.execute(select(Authority.id)).scalar_one()
    yield carer_client, authority_id, patient
    app.config.pop("EVIDENCE_UPLOAD_DIR", None)


def verifier(app, client, role="authority-verifier"):
    sign_in(client, set_up(client, create_staff(app, role)))
    return client


def state(app, authority_id):
    with app.app_context():
        return db.session.get(Authority, authority_id).state


def test_other_staff_roles_may_not_check_authority(app, client, request_made):
    verifier(app, client, role="auditor")
    assert client.get("/staff/authorities").status_code == 403


def test_a_verifier_approves_and_the_carer_can_act(app, client, request_made):
    carer_client, authority_id, patient = request_made
    verifier(app, client)
    assert f"/staff/authorities/{authority_id}" in client.get("/staff/authorities").get_data(as_text=True)
    page = f"/staff/authorities/{authority_id}"
    assert client.get(page + "/evidence").data == PDF
    response = client.post(page + "/approve", data={
        "csrf_token": csrf(client, page), "approve-lpa_registered": "y",
        "approve-attorneys_act": "jointly-and-severally", "approve-review_on": "2027-11-30",
        "approve-lacks_capacity": "y", "approve-assessed_by": "Dr A Example, GP", "approve-assessed_on": "2026-10-01"})
    assert response.status_code == 302
    assert state(app, authority_id) == "active"
    choose = carer_client.get("/choose-who").get_data(as_text=True).replace("&#39;", "'")
    assert "Eira Jones, born 6 May 1940" in choose
    assert carer_client.get(f"/act-for-someone/requests/{authority_id}").status_code == 200


def test_approving_an_lpa_needs_it_registered(app, client, request_made):
    _carer, authority_id, _patient = request_made
    verifier(app, client)
    page = f"/staff/authorities/{authority_id}"
    response = client.post(page + "/approve", data={"csrf_token": csrf(client, page), "approve-review_on": "2027-11-30"})
    assert response.status_code == 400
    assert state(app, authority_id) == "requested"


def test_a_rejection_shows_the_requester_the_reason_and_explanation(app, client, request_made):
    carer_client, authority_id, _patient = request_made
    verifier(app, client)
    page = f"/staff/authorities/{authority_id}"
    client.post(page + "/reject", data={"csrf_token": csrf(client, page), "reject-reason": "evidence-unclear",
                                        "reject-explanation": "The copy was too blurred to read."})
    assert state(app, authority_id) == "rejected"
    seen = carer_client.get(f"/act-for-someone/requests/{authority_id}").get_data(as_text=True)
    assert "Not accepted" in seen and "We could not read or check the evidence." in seen
    assert "The copy was too blurred to read." in seen


def test_suspend_and_end(app, client, request_made):
    _carer, authority_id, patient = request_made
    with app.app_context():
        authority_service.record_capacity_note(db.session, patient.id, lacks_capacity=True, assessed_by="Dr A",
                                               assessed_on=date(2026, 1, 1), actor=authority_service.SYSTEM_ACTOR)
        authority_service.approve(db.session, authority_id, authority_service.Approval(
            review_on=date(2027, 1, 1), lpa_registered=True, attorneys_act="jointly"), authority_id, _now())
        db.session.commit()
    verifier(app, client)
    page = f"/staff/authorities/{authority_id}"
    client.post(page + "/suspend", data={"csrf_token": csrf(client, page)})
    assert state(app, authority_id) == "suspended"
    client.post(page + "/end", data={"csrf_token": csrf(client, page), "end-reason": "patient-died"})
    assert state(app, authority_id) == "ended"


def _now():
    from datetime import UTC, datetime

    return datetime.now(UTC)
