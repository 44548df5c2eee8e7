"""The back office's void pages (issue 5 point 3): an admin finds a patient by NHS number
(posted, never in a URL), sees every choice made for them, and makes one made in error void
with a reason. The void choice stays in the patient's history, marked, the decision falls
back per the rule (DESIGN.md section 3), and it is audited. SQLite and PostgreSQL."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select

from portal.data.audit import AuditEvent
from portal.data.choices import Choice
from portal.extensions import db
from portal.services import choices as choice_service
from portal.services.choices import ChoiceActor
from tests.factories import make_patient
from tests.helpers.auth import sign_in_as
from tests.helpers.staff import sign_in_staff
from tests.integration.api.conftest import bearer, fetch_token, register_client
from tests.integration.choices.conftest import hidden_fields
from tests.integration.choices.pages_helpers import h1s, text_of

ACCOUNT = uuid.uuid4()


def record(app, patient, decision: str, actor: ChoiceActor | None = None, channel: str = "web") -> Choice:  # type: ignore[no-untyped-def]
    with app.app_context():
        choice = choice_service.record_choice(
            db.session, patient_id=patient.id, tool_slug="chest-x-ray-triage", purpose="care", decision=decision,
            actor=actor or ChoiceActor.patient(ACCOUNT), channel=channel, idempotency_key=None)
        db.session.commit()
        return choice


def sentence(html: str) -> str:
    """The page's words with the spaces that removed tags leave before punctuation closed up."""
    return re.sub(r"\(\s+", "(", re.sub(r"\s+([,:)])", r"\1", text_of(html)))


def post(client, path: str, **fields: str):  # type: ignore[no-untyped-def]
    token = hidden_fields(client.get(path).get_data(as_text=True))["csrf_token"]
    return client.post(path, data={"csrf_token": token, **fields})


def find(client, nhs_number: str):  # type: ignore[no-untyped-def]
    return post(client, "/staff/choices", nhs_number=nhs_number)


@pytest.fixture()
def admin(client) -> uuid.UUID:  # type: ignore[no-untyped-def]
    return sign_in_staff(client, "admin")


@pytest.fixture()
def mistaken(app, world, admin):  # type: ignore[no-untyped-def]
    """The patient said no online; then staff recorded yes on the phone by mistake."""
    earlier = record(app, world.patient, "deny")
    wrong = record(app, world.patient, "permit", ChoiceActor.staff(admin), channel="phone")
    return earlier, wrong


@pytest.mark.parametrize("roles", [("auditor",), ("dispute-reviewer", "assisted-digital")])
def test_only_an_admin_may_use_the_pages(client, roles):
    sign_in_staff(client, *roles)
    for path in ("/staff/choices", "/staff/choices/patient", f"/staff/choices/{uuid.uuid4()}/void"):
        assert client.get(path).status_code == 403


def test_signed_out_staff_are_sent_to_sign_in(client):
    response = client.get("/staff/choices")
    assert response.status_code == 302 and "/staff/sign-in" in response.headers["Location"]


@pytest.mark.parametrize(("typed", "message"), [
    ("", "Enter the patient's NHS number"),
    ("943 476 5918", "NHS number"),  # wrong check digit: the domain's own message
    ("943 476 5919", "No patient with this NHS number is held here"),
])
def test_a_wrong_nhs_number_is_explained_and_kept(client, admin, typed, message):
    response = find(client, typed)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "nhsuk-error-summary" in html and message in text_of(html)
    assert f'value="{typed}"' in html
    assert html.count("<title>Error: ") == 1


def test_finding_a_patient_keeps_the_nhs_number_out_of_the_url_and_is_audited(app, client, world, admin, mistaken):
    response = find(client, world.patient.nhs_number)
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/choices/patient"
    page = client.get("/staff/choices/patient")
    words = text_of(page.get_data(as_text=True))
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert h1s(page.get_data(as_text=True)) == ["Choices made for this patient"]
    assert world.patient.family_name in words
    # newest first, each with a way to make it void
    assert words.index(mistaken[1].reference) < words.index(mistaken[0].reference)
    assert words.count("Make this choice void") == 2
    assert "NHS staff, by phone" in words and "The patient, online" in words
    with app.app_context():
        views = db.session.execute(select(AuditEvent).where(AuditEvent.action == "staff.patient.view")).scalars().all()
        assert [(v.actor_id, v.patient_id) for v in views] == [(str(admin), world.patient.id)]
    who = text_of(sign_in_as(app, world.patient).get("/who-checked-your-choices").get_data(as_text=True))
    assert "NHS staff" in who and "Looked at your choices" in who


def test_voiding_needs_a_reason_and_keeps_what_was_typed(app, client, world, admin, mistaken):
    find(client, world.patient.nhs_number)
    path = f"/staff/choices/{mistaken[1].id}/void"
    blank = post(client, path, reason="")
    assert blank.status_code == 200 and "Enter why this choice is being made void" in text_of(blank.get_data(as_text=True))
    spaces = post(client, path, reason="   ")
    assert spaces.status_code == 200 and "Enter why this choice is being made void" in text_of(spaces.get_data(as_text=True))
    long = post(client, path, reason="x" * 501)
    assert "The reason must be 500 characters or fewer" in text_of(long.get_data(as_text=True))
    assert "x" * 501 in long.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Choice, mistaken[1].id).voided_at_utc is None


def test_a_void_choice_stays_in_the_history_and_the_decision_falls_back(app, client, world, admin, mistaken, outbox):
    earlier, wrong = mistaken
    api = app.test_client()
    headers = bearer(fetch_token(api, register_client(app)))
    decisions_path = f"/api/v1/patients/{world.patient.nhs_number}/ai-decisions?tool=chest-x-ray-triage&purpose=care"
    assert api.get(decisions_path, headers=headers).get_json()["decisions"][0]["decision"] == "permit"
    find(client, world.patient.nhs_number)
    outbox.clear()

    response = post(client, f"/staff/choices/{wrong.id}/void", reason="Recorded yes on the phone; she said no")
    assert response.status_code == 303 and response.headers["Location"] == f"/staff/choices/{wrong.id}/voided"
    confirmation = client.get(response.headers["Location"]).get_data(as_text=True)
    assert h1s(confirmation) == ["Choice made void"]
    assert "Chest X-ray checker, used in decisions about their care: not used (an earlier choice counts again)" \
        in sentence(confirmation)

    answer = api.get(decisions_path, headers=headers).get_json()["decisions"][0]
    assert (answer["decision"], answer["basis"], answer["choice"]["id"]) == ("deny", "choice", str(earlier.id))
    with app.app_context():
        voided = db.session.get(Choice, wrong.id)
        assert voided.void_reason == "Recorded yes on the phone; she said no"
        assert voided.voided_by_staff_id == admin
        event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "choice.voided")).scalar_one()
        assert (event.actor_id, event.patient_id, event.details["reference"]) == (str(admin), world.patient.id, wrong.reference)
    assert [(n.template, n.to) for n in outbox.sent] == [("choice-voided", world.patient.email)]

    staff_page = text_of(client.get("/staff/choices/patient").get_data(as_text=True))
    assert staff_page.count("Make this choice void") == 1 and "Void" in staff_page
    history = text_of(sign_in_as(app, world.patient).get("/your-choices/history").get_data(as_text=True))
    assert history.count("Cancelled") == 1 and wrong.reference in history
    # a second attempt goes to the confirmation: nothing is voided twice
    again = client.get(f"/staff/choices/{wrong.id}/void")
    assert again.status_code == 302 and again.headers["Location"].endswith("/voided")


def test_voiding_the_only_choice_falls_back_to_the_standard_setting(app, client, world, admin):
    only = record(app, world.patient, "deny", ChoiceActor.staff(admin), channel="paper")
    find(client, world.patient.nhs_number)
    response = post(client, f"/staff/choices/{only.id}/void", reason="Paper form was for someone else")
    page = sentence(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "used in decisions about their care: used (the standard setting)" in page


def test_a_choice_of_another_patient_cannot_be_reached_through_the_chosen_one(app, client, world, admin, mistaken):
    with app.app_context():
        other = make_patient(db.session)
        db.session.commit()
    theirs = record(app, other, "deny")
    find(client, world.patient.nhs_number)
    assert client.get(f"/staff/choices/{theirs.id}/void").status_code == 404
    assert post(client, f"/staff/choices/{mistaken[1].id}/void", reason="x").status_code == 303
    assert client.get(f"/staff/choices/{theirs.id}/voided").status_code == 404
    with app.app_context():
        assert db.session.get(Choice, theirs.id).voided_at_utc is None


def test_without_a_chosen_patient_the_pages_start_at_find(client, admin, mistaken):
    assert client.get("/staff/choices/patient").headers["Location"] == "/staff/choices"
    assert client.get(f"/staff/choices/{mistaken[1].id}/void").headers["Location"] == "/staff/choices"


def test_another_staff_members_choice_of_patient_does_not_carry_over(app, client, world, mistaken):
    sign_in_staff(client, "admin")
    find(client, world.patient.nhs_number)
    sign_in_staff(client, "admin")  # someone else signs in on the same browser
    assert client.get("/staff/choices/patient").headers["Location"] == "/staff/choices"


def test_the_void_pages_are_valid_html_in_every_language(app, client, world, admin, mistaken, tmp_path):
    from tests.html_validation import validate_html
    from tests.pages import LANGUAGES

    documents = {}
    void_path = f"/staff/choices/{mistaken[1].id}/void"
    for lang in LANGUAGES:
        client.get("/staff/", query_string={"lang": lang})
        documents[f"find ({lang})"] = client.get("/staff/choices").get_data(as_text=True)
        documents[f"find error ({lang})"] = find(client, "123").get_data(as_text=True)
        find(client, world.patient.nhs_number)
        documents[f"patient ({lang})"] = client.get("/staff/choices/patient").get_data(as_text=True)
        documents[f"void ({lang})"] = client.get(void_path).get_data(as_text=True)
        documents[f"void error ({lang})"] = post(client, void_path, reason="").get_data(as_text=True)
    post(client, void_path, reason="Recorded by mistake")
    for lang in LANGUAGES:
        client.get("/staff/", query_string={"lang": lang})
        documents[f"voided ({lang})"] = client.get(f"{void_path[:-5]}/voided").get_data(as_text=True)
        documents[f"patient with a void choice ({lang})"] = client.get("/staff/choices/patient").get_data(as_text=True)
    assert validate_html(documents, tmp_path) == []


def test_the_help_page_explains_cancelled_choices(client):
    words = text_of(client.get("/help/how-choices-work").get_data(as_text=True))
    assert "A cancelled choice stays in your list of choices, but it no longer counts." in words


@pytest.mark.parametrize("token", ["", "not-a-token"])
def test_a_form_sent_without_a_good_token_comes_back_with_what_was_typed(app, client, world, admin, mistaken, token):
    found = client.post("/staff/choices", data={"csrf_token": token, "nhs_number": world.patient.nhs_number})
    assert found.status_code == 400
    assert "This page was open for too long, so nothing was saved" in text_of(found.get_data(as_text=True))
    assert f'value="{world.patient.nhs_number}"' in found.get_data(as_text=True)
    assert 'href="#nhs_number"' in found.get_data(as_text=True)
    find(client, world.patient.nhs_number)
    path = f"/staff/choices/{mistaken[1].id}/void"
    voided = client.post(path, data={"csrf_token": token, "reason": "Recorded by mistake"})
    assert voided.status_code == 400
    assert "Recorded by mistake</textarea>" in voided.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Choice, mistaken[1].id).voided_at_utc is None
