"""A carer acts for someone (issue 7 point 5): chooses whom, sees a banner on every page, and
every answer is checked again when sent. A stale tab, a suspended, ended or expired authority,
a subject swapped in another tab, or a purpose the authority does not cover: refused in
words, nothing recorded. The patient later sees who made the choice."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from portal.data.authorities import Authority
from portal.domain.authority import AuthorityBasis
from portal.extensions import db
from portal.services import authority as authority_service
from tests.factories import make_patient
from tests.helpers.auth import sign_in_as
from tests.helpers.carers import VERIFIER, sign_in_as_carer
from tests.integration.choices.conftest import hidden_fields
from tests.integration.choices.pages_helpers import choices_in_db, text_of

TRIAGE_CARE = "/your-choices/ai-tools/chest-x-ray-triage/care"
TRIAGE_IMPROVEMENT = "/your-choices/ai-tools/chest-x-ray-triage/improvement"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.fixture()
def carer(app, world):
    with app.app_context():
        person = make_patient(db.session, given_name="Gwen", family_name="Hughes", date_of_birth=date(1970, 3, 4))
        db.session.expunge_all()
        db.session.commit()
        return person


def _change(app, authority_id, step):
    with app.app_context():
        step(db.session, authority_id)
        db.session.commit()


def open_form(client, path):
    return hidden_fields(client.get(path).get_data(as_text=True))


def test_the_carer_chooses_whom_to_act_for_and_every_page_says_so(app, client, world, carer):
    sign_in_as(client, carer, level="P9")
    assert "Siân O'Brien" not in text_of(client.get("/choose-who").get_data(as_text=True))
    sign_in_as_carer(client, carer, world.patient)
    page = text_of(client.get("/choose-who").get_data(as_text=True))
    assert "Yourself" in page and "Siân O'Brien, born 29 February 1980" in page
    words = text_of(client.get("/your-choices").get_data(as_text=True))
    assert "You are acting for Siân O'Brien, born 29 February 1980" in words
    assert "Switch to someone else or yourself" in words


def test_a_patient_signed_in_as_themselves_sees_no_banner(client, world):
    sign_in_as(client, world.patient, level="P9")
    assert "You are acting for" not in text_of(client.get("/your-choices").get_data(as_text=True))


def test_the_patient_later_sees_who_made_the_choice(app, client, world, carer):
    sign_in_as_carer(client, carer, world.patient)
    client.post(TRIAGE_CARE, data={**open_form(client, TRIAGE_CARE), "decision": "deny"})
    assert len(choices_in_db(app)) == 1
    patient_client = app.test_client()
    sign_in_as(patient_client, world.patient, level="P5")
    raw = patient_client.get("/your-choices/history").get_data(as_text=True)
    history = text_of(raw)
    assert "Gwen Hughes, acting for you as your attorney" in history
    assert history.count("Made by") == 1, "the row's label says 'Made by' once, not again in its value"


def test_the_carer_reads_a_choice_they_made_for_someone_as_made_by_them_as_attorney(app, client, world, carer):
    sign_in_as_carer(client, carer, world.patient)
    question = text_of(client.get(TRIAGE_CARE).get_data(as_text=True))
    assert "to be used in decisions about their care?" in question and "your care" not in question
    all_tools = text_of(client.get("/your-choices/all-ai-tools/care").get_data(as_text=True))
    assert "Do you want to say no to all AI tools in decisions about their care?" in all_tools
    saved = client.post(TRIAGE_CARE, data={**open_form(client, TRIAGE_CARE), "decision": "deny"})
    confirmation = text_of(client.get(saved.headers["Location"]).get_data(as_text=True))
    [choice] = choices_in_db(app)
    receipt = text_of(client.get(f"/your-choices/receipt/{choice.reference}").get_data(as_text=True))
    history = text_of(client.get("/your-choices/history").get_data(as_text=True))
    for page in (receipt, history):
        assert "Gwen Hughes, acting as their attorney" in page
        assert "Made by You" not in page
    assert "No, do not use Chest X-ray checker in decisions about their care" in confirmation
    assert "my care" not in confirmation and "your care" not in confirmation


@pytest.mark.parametrize("step", [
    lambda s, a: authority_service.suspend(s, a, VERIFIER, NOW),
    lambda s, a: authority_service.end(s, a, "patient-died", VERIFIER, NOW),
    lambda s, a: authority_service.end(s, a, "safeguarding", VERIFIER, NOW),
    lambda s, a: setattr(s.get(Authority, a), "ends_on", date(2020, 1, 1)),  # expired
], ids=["suspended", "patient-died", "ended", "expired"])
def test_a_stale_tab_after_the_authority_stopped_records_nothing(app, client, world, carer, step):
    authority = sign_in_as_carer(client, carer, world.patient)
    fields = open_form(client, TRIAGE_CARE)
    _change(app, authority, step)
    response = client.post(TRIAGE_CARE, data={**fields, "decision": "deny"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/choose-who")
    assert choices_in_db(app) == []
    page = text_of(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "You are no longer acting for someone" in page
    assert "Nothing was saved for them." in page
    assert "Siân O'Brien" not in page  # no longer offered
    assert "You are acting for" not in text_of(client.get("/choose-who").get_data(as_text=True))


def test_a_suspended_authority_says_it_is_on_hold(app, client, world, carer):
    authority = sign_in_as_carer(client, carer, world.patient)
    _change(app, authority, lambda s, a: authority_service.suspend(s, a, VERIFIER, NOW))
    page = text_of(client.get("/choose-who").get_data(as_text=True))
    assert "Your permission to act for this person is on hold. Nothing was saved for them." in page


def test_a_subject_swapped_in_another_tab_is_refused(app, client, world, carer):
    sign_in_as_carer(client, carer, world.patient)
    fields = open_form(client, TRIAGE_CARE)  # tab 1: the patient's page
    client.post("/choose-who", data={"subject": "self", "csrf_token": fields["csrf_token"]})  # tab 2: yourself
    response = client.post(TRIAGE_CARE, data={**fields, "decision": "deny"})
    assert response.status_code == 409
    assert ("This page was for someone else, so nothing was saved. Check whose information you are "
            "looking at, then try again") in text_of(response.get_data(as_text=True))
    assert choices_in_db(app) == []


def test_a_form_without_its_subject_is_refused(app, client, world):
    sign_in_as(client, world.patient, level="P5")
    fields = open_form(client, TRIAGE_CARE)
    fields.pop("subject")
    assert client.post(TRIAGE_CARE, data={**fields, "decision": "deny"}).status_code == 409
    assert choices_in_db(app) == []


def test_a_property_and_financial_attorney_decides_data_uses_only(app, client, world, carer):
    sign_in_as_carer(client, carer, world.patient, basis=AuthorityBasis.PROPERTY_AND_FINANCIAL_LPA)
    refused = client.post(TRIAGE_CARE, data={**open_form(client, TRIAGE_CARE), "decision": "deny"})
    assert refused.status_code == 409
    assert ("Your permission to act for this person does not cover this choice, so nothing was saved"
            in text_of(refused.get_data(as_text=True)))
    assert choices_in_db(app) == []
    allowed = client.post(TRIAGE_IMPROVEMENT, data={**open_form(client, TRIAGE_IMPROVEMENT), "decision": "deny"})
    assert allowed.status_code == 302
    assert [c.purpose for c in choices_in_db(app)] == ["improvement"]
