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


def test_the_verifier_sees_the_lpa_reference_not_html_tags(app, client, request_made):
    _carer_client, authority_id, _patient = request_made
    verifier(app, client)
    page = client.get(f"/staff/authorities/{authority_id}").get_data(as_text=True)
    assert '<span dir="ltr">7000-1234-5678</span>' in page
    assert "&lt;span" not in page and "&lt;/span" not in page


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


def visible_text(page: str) -> str:
    """The words a person reads: the main content without tags or attribute values."""
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


CODES = ("health-and-welfare-lpa", "requested", "evidence-unclear", "jointly-and-severally", "no-legal-basis",
         "revoked-by-carer", "withdrawn-by-requester")


def test_states_bases_and_reasons_are_shown_in_plain_words_never_as_codes(app, client, request_made):
    _carer, authority_id, _patient = request_made
    verifier(app, client)
    queue = client.get("/staff/authorities").get_data(as_text=True)
    page = client.get(f"/staff/authorities/{authority_id}").get_data(as_text=True).replace("&#39;", "'")
    for words in ("Lasting power of attorney for health and welfare", "Waiting to be checked"):
        assert words in visible_text(queue) and words in visible_text(page)
    assert "NHS login, with their identity checked" in page and "Capacity note" in page
    for code in CODES:
        assert code not in visible_text(queue) and code not in visible_text(page), code
    client.post(f"/staff/authorities/{authority_id}/reject", data={
        "csrf_token": csrf(client, f"/staff/authorities/{authority_id}"), "reject-reason": "evidence-unclear",
        "reject-explanation": "Too blurred."})
    rejected = visible_text(client.get(f"/staff/authorities/{authority_id}").get_data(as_text=True))
    assert "Rejected" in rejected and "Evidence unclear" in rejected
    assert not any(code in rejected for code in CODES)


@pytest.mark.parametrize(("sent", "messages"), [
    ({}, ["Confirm the LPA is registered with the Office of the Public Guardian", "Select how the attorneys act",
          "Enter a review date",
          "Confirm a capacity assessment says they cannot decide about AI in their care"]),
    ({"approve-lpa_registered": "y", "approve-attorneys_act": "jointly", "approve-review_on": "2001-01-01",
      "approve-lacks_capacity": "y"}, ["The date must be in the future", "Enter who assessed their capacity",
                                       "Enter the date of the assessment"]),
    ({"approve-lpa_registered": "y", "approve-attorneys_act": "jointly", "approve-review_on": "2030-02-31",
      "approve-lacks_capacity": "y", "approve-assessed_by": "Dr A", "approve-assessed_on": "2026-01-01"},
     ["Enter a real date, like 2027-11-30"]),
])
def test_an_approval_missing_details_is_refused_with_clear_errors_keeping_what_was_typed(app, client, request_made,
                                                                                      sent, messages):
    _carer, authority_id, _patient = request_made
    verifier(app, client)
    page = f"/staff/authorities/{authority_id}"
    response = client.post(page + "/approve", data={"csrf_token": csrf(client, page),
                                                    "approve-restrictions": "Not about research", **sent})
    body = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 400
    assert "<title>Error: " in body and "There is a problem" in body
    for message in messages:
        assert message in body
    assert "Not about research" in body
    for name, value in sent.items():
        if name.endswith("_on") or name.endswith("_by"):
            assert f'value="{value}"' in body
    assert state(app, authority_id) == "requested"


def test_a_deputy_needs_the_court_order_end_date(app, client):
    with app.app_context():
        carer = make_patient(db.session)
        patient = make_patient(db.session, date_of_birth=date(1950, 1, 2), postcode="LS1 4AP")
        db.session.commit()
    carer_client = sign_in_as(app.test_client(), carer)
    ask_in_pages(carer_client, patient, basis="personal-welfare-deputy", reference="1234567T")
    with app.app_context():
        authority_id = db.session.execute(select(Authority.id)).scalar_one()
    verifier(app, client)
    page = f"/staff/authorities/{authority_id}"
    shown = client.get(page).get_data(as_text=True)
    assert '<span dir="ltr">1234567T</span>' in shown and "&lt;span" not in shown
    data = {"csrf_token": csrf(client, page), "approve-lacks_capacity": "y", "approve-assessed_by": "Dr A",
            "approve-assessed_on": "2026-01-01"}
    refused = client.post(page + "/approve", data=data)
    assert "Enter the date the court order ends" in refused.get_data(as_text=True)
    data["csrf_token"] = csrf(client, page)
    assert client.post(page + "/approve", data={**data, "approve-ends_on": "2031-06-30"}).status_code == 302
    with app.app_context():
        stored = db.session.get(Authority, authority_id)
        assert (stored.state, stored.ends_on) == ("active", date(2031, 6, 30))
