"""A carer without NHS login at P9 (issue 7 point 3; DESIGN.md section 4): signed in with their
own details and a one-time code they may ask to act for someone, but the request is marked for
an identity check; the verifier's page says so and approval without recording the check (and
how) is refused; once approved with it, the carer may act through the code route."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from portal.data.authorities import Authority
from portal.data.choices import Choice
from portal.extensions import db
from tests.factories import make_patient, make_tool
from tests.helpers.carers import ask_in_pages, sign_in_with_code
from tests.helpers.staff import sign_in_staff


@pytest.fixture()
def asked(app, tmp_path):
    app.config["EVIDENCE_UPLOAD_DIR"] = str(tmp_path)
    with app.app_context():
        carer = make_patient(db.session, given_name="Gwen", family_name="Hughes")
        patient = make_patient(db.session, given_name="Eira", family_name="Jones", date_of_birth=date(1940, 5, 6),
                               postcode="SA1 1AA")
        make_tool(db.session, "chest-x-ray-triage", name="Chest X-ray checker", purposes={"care": "opt-out"})
        db.session.commit()
    carer_client = sign_in_with_code(app.test_client(), carer)
    sent = ask_in_pages(carer_client, patient)
    with app.app_context():
        authority = db.session.execute(select(Authority)).scalar_one()
    yield carer_client, authority, patient, sent
    app.config.pop("EVIDENCE_UPLOAD_DIR", None)


def csrf(client, path):
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def text(response):
    return response.get_data(as_text=True).replace("&#39;", "'")


APPROVAL = {"approve-lpa_registered": "y", "approve-attorneys_act": "jointly", "approve-review_on": "2030-01-01",
            "approve-lacks_capacity": "y", "approve-assessed_by": "Dr A Example, GP",
            "approve-assessed_on": "2026-10-01"}


def test_the_request_is_marked_and_the_carer_is_told_their_identity_will_be_checked(app, asked):
    carer_client, authority, _patient, sent = asked
    assert authority.carer_identity_check_needed is True
    assert "will also check who you are" in text(carer_client.get(sent))
    status = text(carer_client.get(f"/act-for-someone/requests/{authority.id}"))
    assert "A member of staff will check who you are" in status


def test_the_verifier_must_record_the_identity_check_before_approving(app, client, asked):
    carer_client, authority, _patient, _sent = asked
    sign_in_staff(client, "authority-verifier")
    queue = text(client.get("/staff/authorities"))
    assert "Identity check needed" in queue
    page = f"/staff/authorities/{authority.id}"
    shown = text(client.get(page))
    assert "Check the carer's identity" in shown and "With a code, not NHS login: check their identity" in shown
    refused = client.post(page + "/approve", data={"csrf_token": csrf(client, page), **APPROVAL})
    body = text(refused)
    assert refused.status_code == 400
    assert "Confirm you have checked the carer's identity, and how" in body
    assert "Select how you checked the carer's identity" in body
    assert "<title>Error: " in body and 'href="#approve-identity_checked"' in body
    with app.app_context():
        assert db.session.get(Authority, authority.id).state == "requested"
    approved = client.post(page + "/approve", data={
        "csrf_token": csrf(client, page), **APPROVAL, "approve-identity_checked": "y",
        "approve-identity_method": "photo-id-video-call"})
    assert approved.status_code == 302
    with app.app_context():
        stored = db.session.get(Authority, authority.id)
        assert (stored.state, stored.carer_identity_method) == ("active", "photo-id-video-call")
    assert "Photo ID seen on a video call" in text(client.get(page))


def test_once_checked_the_code_route_carer_can_act_and_the_choice_names_the_authority(app, client, asked):
    carer_client, authority, patient, _sent = asked
    sign_in_staff(client, "authority-verifier")
    page = f"/staff/authorities/{authority.id}"
    client.post(page + "/approve", data={"csrf_token": csrf(client, page), **APPROVAL,
                                         "approve-identity_checked": "y", "approve-identity_method": "photo-id-in-person"})
    choose = text(carer_client.get("/choose-who"))
    assert "Eira Jones, born 6 May 1940" in choose
    carer_client.post("/choose-who", data={"csrf_token": csrf(carer_client, "/choose-who"),
                                           "subject": str(authority.id)})
    question = text(carer_client.get("/your-choices/ai-tools/chest-x-ray-triage/care"))
    assert "You are acting for Eira Jones" in question
    fields = dict(re.findall(r'name="(subject|idempotency_key|csrf_token)"[^>]*value="([^"]+)"', question))
    answered = carer_client.post("/your-choices/ai-tools/chest-x-ray-triage/care", data={**fields, "decision": "deny"})
    assert answered.status_code == 302, text(answered)[:3000]
    with app.app_context():
        [choice] = db.session.execute(select(Choice)).scalars().all()
        assert (choice.patient_id, choice.authority_id, choice.actor_kind) == (patient.id, authority.id, "representative")


def test_a_code_route_carer_is_told_at_the_contact_details_on_their_record(app, asked):
    from portal.data.accounts import Account
    from portal.data.people import Patient
    from portal.services import notify

    _carer_client, authority, _patient, _sent = asked
    with app.app_context():
        account = db.session.get(Account, authority.account_id)
        carer = db.session.get(Patient, account.patient_id)
        assert account.provider == "code" and account.email is None and carer.email
        email = carer.email
    told = [m for m in notify.get_sender().sent if m.template == "authority-changed" and m.to == email]
    assert told and told[-1].personalisation["state"] == "requested"
