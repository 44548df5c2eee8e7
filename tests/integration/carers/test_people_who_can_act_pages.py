"""People who can act for you (issue 7 points 4 and 6), through the pages: the patient, signed in
themselves at P9, sees a nomination waiting, says yes or no, and can stop someone they
nominated; the answer for an authority about anyone else is 404 and nothing changes."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime

import pytest

from portal.data.authorities import Authority
from portal.domain.authority import AuthorityBasis
from portal.domain.nhs_number import NhsNumber
from portal.extensions import db
from portal.services import authority as authority_service
from portal.services import identity
from portal.services.authority_requests import AuthorityRequest, request_authority
from tests.factories import make_patient
from tests.helpers.auth import sign_in_as

PAGE = "/people-who-can-act-for-you"


@pytest.fixture()
def nomination(app):
    """Eira; Gareth (a patient too, with an NHS login account) asks to act for her as her nominee."""
    with app.app_context():
        eira = make_patient(db.session, given_name="Eira", family_name="Jones", date_of_birth=date(1950, 5, 6),
                            postcode="SA1 1AA")
        gareth = make_patient(db.session, given_name="Gareth", family_name="Jones", email="gareth@example.org")
        # The account NHS login would give Gareth (the one ``sign_in_as`` signs in), with his email.
        account = identity.link_verified_identity(db.session, identity.VerifiedIdentity(
            provider=identity.NHS_LOGIN, subject=f"test-{gareth.id}", level="P9",
            nhs_number=NhsNumber(gareth.nhs_number), birthdate=gareth.date_of_birth,
            family_name=gareth.family_name, given_name=gareth.given_name), datetime.now(UTC))
        account.email = "gareth@example.org"
        db.session.flush()
        asked = AuthorityRequest(NhsNumber(eira.nhs_number), eira.date_of_birth, eira.postcode,
                                 AuthorityBasis.PATIENT_NOMINATED, "Son")
        authority = request_authority(db.session, account.id, gareth.id, asked, datetime.now(UTC))
        db.session.commit()
        return eira, gareth, authority.id


def token(client):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(PAGE).get_data(as_text=True)).group(1)


def state(app, authority_id):
    with app.app_context():
        authority = db.session.get(Authority, authority_id)
        return authority.state, authority.reason or "", authority.patient_confirmed_at_utc is not None


def text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_the_patient_sees_the_nomination_and_says_yes(app, client, nomination, outbox):
    eira, _gareth, authority_id = nomination
    sign_in_as(client, eira, level="P9")
    page = client.get(PAGE)
    assert page.status_code == 200 and "no-store" in page.headers["Cache-Control"]
    assert "Did you ask Gareth Jones to act for you?" in text(page)
    outbox.clear()
    answer = client.post(f"{PAGE}/{authority_id}/confirm", data={"csrf_token": token(client)})
    assert answer.status_code == 302 and answer.headers["Location"] == f"{PAGE}?done=confirmed"
    assert state(app, authority_id) == ("requested", "", True)
    after = text(client.get(answer.headers["Location"]))
    assert "Our staff will now check the request" in after
    assert "Did you ask" not in after and "Waiting for our staff to check it" in after
    assert [(n.template, n.personalisation["reason"]) for n in outbox.sent] == [
        ("authority-changed", "patient-confirmed")]


def test_your_information_names_the_authority_in_the_same_words_as_this_page(app, client, nomination):
    """One patient-facing table (portal.labels) for bases and states: before it, "Your
    information" said "Waiting to be checked" where this page says "Waiting for our staff to check it"."""
    eira, _gareth, authority_id = nomination
    sign_in_as(client, eira, level="P9")
    client.post(f"{PAGE}/{authority_id}/confirm", data={"csrf_token": token(client)})
    people = text(client.get(PAGE))
    assert "You asked them to act for you" in people and "Waiting for our staff to check it" in people
    mine = text(client.get("/your-information"))
    assert "Son . You asked them to act for you: Waiting for our staff to check it" in mine
    assert "patient-nominated" not in mine and "requested" not in mine


def test_the_patient_says_no(app, client, nomination):
    eira, _gareth, authority_id = nomination
    sign_in_as(client, eira, level="P9")
    answer = client.post(f"{PAGE}/{authority_id}/decline", data={"csrf_token": token(client)})
    assert answer.headers["Location"] == f"{PAGE}?done=declined"
    assert state(app, authority_id) == ("rejected", "declined-by-patient", False)
    assert "Nobody can act for you." in text(client.get(PAGE))


def test_the_patient_stops_someone_they_nominated(app, client, nomination):
    eira, _gareth, authority_id = nomination
    sign_in_as(client, eira, level="P9")
    client.post(f"{PAGE}/{authority_id}/confirm", data={"csrf_token": token(client)})
    with app.app_context():
        authority_service.approve(db.session, authority_id, authority_service.Approval(review_on=date(2030, 1, 1)),
                                  uuid.uuid4(), datetime.now(UTC))
        db.session.commit()
    assert "Can act for you" in text(client.get(PAGE))
    answer = client.post(f"{PAGE}/{authority_id}/end", data={"csrf_token": token(client)})
    assert answer.headers["Location"] == f"{PAGE}?done=ended"
    assert state(app, authority_id)[:2] == ("ended", "ended-by-patient")


def test_the_page_needs_p9(client, nomination):
    eira, _gareth, _authority_id = nomination
    sign_in_as(client, eira, level="P5")
    response = client.get(PAGE)
    assert response.status_code == 302 and "level=P9" in response.headers["Location"]


def test_nobody_else_can_answer_for_the_patient(app, client, nomination):
    _eira, gareth, authority_id = nomination
    sign_in_as(client, gareth, level="P9")  # the requester answering their own request
    assert "Did you ask" not in text(client.get(PAGE))
    for step in ("confirm", "decline", "end"):
        assert client.post(f"{PAGE}/{authority_id}/{step}", data={"csrf_token": token(client)}).status_code == 404
    assert client.post(f"{PAGE}/{uuid.uuid4()}/confirm", data={"csrf_token": token(client)}).status_code == 404
    assert state(app, authority_id) == ("requested", "", False)


def test_an_answer_without_the_form_token_changes_nothing(app, client, nomination):
    eira, _gareth, authority_id = nomination
    sign_in_as(client, eira, level="P9")
    response = client.post(f"{PAGE}/{authority_id}/confirm", data={})
    assert response.status_code == 400
    assert state(app, authority_id) == ("requested", "", False)


def test_a_second_answer_is_refused_in_words(app, client, nomination):
    eira, _gareth, authority_id = nomination
    sign_in_as(client, eira, level="P9")
    client.post(f"{PAGE}/{authority_id}/decline", data={"csrf_token": token(client)})
    response = client.post(f"{PAGE}/{authority_id}/confirm", data={"csrf_token": token(client)})
    assert response.status_code == 409 and "You have already answered this request." in text(response)
    assert text(response).lstrip().startswith("Error:") or "<title>Error:" in response.get_data(as_text=True)
