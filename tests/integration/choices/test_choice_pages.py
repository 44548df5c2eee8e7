"""The choices pages through the Flask client: what a patient sees and what is recorded."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from portal.data.choices import Choice
from portal.extensions import db
from tests.helpers.auth import sign_in_as
from tests.factories import make_patient
from tests.integration.choices.conftest import hidden_fields, set_terms_version
from tests.integration.choices.pages_helpers import (
    TRIAGE_CARE, answer, checked_value, choices_in_db, h1s, links, text_of, title,
)



def test_the_overview_says_what_applies_and_why_in_plain_words(client, signed_in):
    response = client.get("/your-choices")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert h1s(html) == ["Your choices about AI"] and title(html).startswith("Your choices about AI")
    words = text_of(html)
    assert "Do not use AI tools in decisions about my care" in words
    assert "Do not use my data to train or improve AI tools" in words
    assert "Used Used unless you say no" in words
    assert "Not used Only used if you say yes" in words
    assert "You cannot opt out of this: The law says it must be used" in words
    assert "Object to this" in words
    assert "Eye scan checker" not in words  # used only by an organisation not caring for them


def test_saying_no_to_one_tool_shows_the_confirmation_and_then_what_applies(app, client, signed_in):
    response = answer(client, TRIAGE_CARE, "deny")
    assert response.status_code == 302
    [choice] = choices_in_db(app)
    assert response.headers["Location"] == f"/your-choices/recorded/{choice.reference}"
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    words = text_of(html)
    assert h1s(html) == ["Choice saved"] and choice.reference in words
    assert "No, do not use Chest X-ray checker in decisions about my care" in words
    assert "we tell it your new choice straight away" in words
    assert "at least every 15 minutes" in words
    assert "does not undo AI use that has already happened" in words
    assert "If your data was already used to train an AI tool, that is not undone" in words
    assert f'href="/your-choices/receipt/{choice.reference}"' in html
    saved_on = choice.recorded_at_utc.astimezone(ZoneInfo("Europe/London"))
    assert f"Saved on {saved_on.day} {saved_on:%B %Y}," in words
    overview = text_of(client.get("/your-choices").get_data(as_text=True))
    assert f"Not used You said no on {saved_on.day} {saved_on:%B %Y}" in overview


def test_the_question_preselects_the_current_answer_and_offers_the_standard_setting_only_once_answered(client, signed_in):
    first = client.get(TRIAGE_CARE).get_data(as_text=True)
    assert checked_value(first) is None and "Go back to the standard setting" not in first
    answer(client, TRIAGE_CARE, "deny")
    again = client.get(TRIAGE_CARE).get_data(as_text=True)
    assert checked_value(again) == "deny" and "Go back to the standard setting" in again


def test_sending_no_answer_asks_for_one(app, client, signed_in):
    response = answer(client, TRIAGE_CARE, None)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert title(html).startswith("Error: Do you want Chest X-ray checker")
    assert re.search(r'href="#decision">\s*Select yes or no\s*</a>', html)
    assert choices_in_db(app) == []


def test_an_unknown_tool_or_purpose_page_is_not_found(client, signed_in):
    assert client.get("/your-choices/ai-tools/no-such-tool/care").status_code == 404
    assert client.get("/your-choices/ai-tools/chest-x-ray-triage/research").status_code == 404
    assert client.get("/your-choices/all-ai-tools/research").status_code == 404


def test_a_no_choice_tool_leads_to_the_objection_page(client, signed_in):
    response = client.get("/your-choices/ai-tools/feedback-reader/care")
    assert response.headers["Location"] == "/your-choices/ai-tools/feedback-reader/care/object"
    words = text_of(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Objecting starts a review. It does not change what happens while the review goes on." in words


def test_opting_out_of_all_training_then_withdrawing_brings_back_the_answer_for_each_tool(client, signed_in):
    answer(client, "/your-choices/ai-tools/chest-x-ray-triage/improvement", "permit")
    answer(client, "/your-choices/all-ai-tools/improvement", "deny")
    words = text_of(client.get("/your-choices").get_data(as_text=True))
    assert "Not used You said no to your data being used to train or improve any AI tool on" in words
    assert checked_value(client.get("/your-choices/all-ai-tools/improvement").get_data(as_text=True)) == "deny"
    answer(client, "/your-choices/all-ai-tools/improvement", "clear")
    words = text_of(client.get("/your-choices").get_data(as_text=True))
    assert "To train or improve the tool Used You said yes on" in words


def test_new_terms_ask_the_patient_again(app, client, signed_in, world):
    answer(client, "/your-choices/ai-tools/chest-x-ray-triage/improvement", "permit")
    with app.app_context():
        set_terms_version(db.session, world.triage, "improvement", 2)
        db.session.commit()
    words = text_of(client.get("/your-choices").get_data(as_text=True))
    assert "Please answer again" in words
    assert "Not used The terms changed, please answer again" in words


@pytest.mark.parametrize("page", ["recorded", "receipt"])
def test_another_patients_reference_is_not_found(app, client, signed_in, page):
    answer(client, TRIAGE_CARE, "deny")
    [choice] = choices_in_db(app)
    with app.app_context():
        other = make_patient(db.session)
        db.session.commit()
    sign_in_as(client, other, level="P9")
    assert client.get(f"/your-choices/{page}/{choice.reference}").status_code == 404
    fields = hidden_fields(client.get(TRIAGE_CARE).get_data(as_text=True))
    assert client.post(f"/your-choices/receipt/{choice.reference}/send", data=fields).status_code == 404
    assert client.post(f"/your-choices/receipt/{choice.reference}/send").status_code == 404  # no form token either


@pytest.mark.parametrize(("recorded_utc", "shown"), [
    (datetime(2026, 7, 1, 23, 30, tzinfo=UTC), "2 July 2026, 12:30am (UK time)"),  # BST
    (datetime(2026, 1, 15, 12, 0, tzinfo=UTC), "15 January 2026, 12:00pm (UK time)"),  # GMT
    (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "25 October 2026, 1:30am (UK time)"),  # the second 1:30
])
def test_the_receipt_shows_uk_time(app, client, signed_in, recorded_utc, shown):
    answer(client, TRIAGE_CARE, "deny")
    [choice] = choices_in_db(app)
    with app.app_context():
        db.session.execute(update(Choice).values(recorded_at_utc=recorded_utc))
        db.session.commit()
    html = client.get(f"/your-choices/receipt/{choice.reference}").get_data(as_text=True)
    words = text_of(html)
    assert shown in words
    assert "Siân O'Brien" in words and "NHS number" in words and choice.reference in words
    assert "How to change your choice" in words


def test_the_receipt_can_be_sent_to_the_email_on_record(app, client, signed_in, world, outbox):
    answer(client, TRIAGE_CARE, "deny")
    [choice] = choices_in_db(app)
    receipt = client.get(f"/your-choices/receipt/{choice.reference}").get_data(as_text=True)
    response = client.post(f"/your-choices/receipt/{choice.reference}/send", data=hidden_fields(receipt))
    assert response.headers["Location"] == f"/your-choices/receipt/{choice.reference}?sent=1"
    assert [(m.template, m.to) for m in outbox.sent] == [("choice-receipt", world.patient.email)]
    assert "We sent this receipt to your email address" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_there_is_no_send_button_without_an_email_address(app, client, signed_in, world):
    from portal.data.people import Patient

    answer(client, TRIAGE_CARE, "deny")
    [choice] = choices_in_db(app)
    with app.app_context():
        db.session.execute(update(Patient).values(email=None))
        db.session.commit()
    html = client.get(f"/your-choices/receipt/{choice.reference}").get_data(as_text=True)
    assert "Send this receipt to my email" not in html


def test_the_history_offers_dont_recognise_this_only_for_choices_made_by_someone_else(app, client, signed_in, world):
    from portal.services import choices as choice_service

    answer(client, TRIAGE_CARE, "deny")
    with app.app_context():
        choice_service.record_choice(
            db.session, patient_id=world.patient.id, tool_slug="ai-scribe", purpose="care", decision="permit",
            actor=choice_service.ChoiceActor.staff(uuid.uuid4()), channel="phone", idempotency_key=None)
        db.session.commit()
    html = client.get("/your-choices/history").get_data(as_text=True)
    words = text_of(html)
    assert words.index("Yes, use AI note taker") < words.index("No, do not use Chest X-ray checker")
    assert "NHS staff, for you" in words and "By phone" in words and "Online" in words
    assert html.count("Don't recognise this?") == 1 or html.count("Don&#39;t recognise this?") == 1
    assert 'href="/help/if-you-do-not-recognise-something#a-choice"' in html


def test_no_personal_data_in_any_link_or_form_address(app, client, signed_in, world):
    answer(client, TRIAGE_CARE, "deny")
    [choice] = choices_in_db(app)
    pages = ["/your-choices", TRIAGE_CARE, "/your-choices/history", f"/your-choices/recorded/{choice.reference}",
             f"/your-choices/receipt/{choice.reference}", "/ai-used-in-your-care", "/who-checked-your-choices"]
    personal = [world.patient.nhs_number, "Siân", "O'Brien", "O&#39;Brien", str(world.patient.id),
                world.patient.email, world.patient.postcode.replace(" ", "")]
    for page in pages:
        for link in links(client.get(page).get_data(as_text=True)):
            assert not any(p and p.lower() in link.lower() for p in personal), (page, link)


@pytest.mark.parametrize("lang", ["en", "cy", "ur"])
def test_every_choices_page_has_one_h1_and_a_title_starting_with_it(app, client, signed_in, lang):
    answer(client, TRIAGE_CARE, "deny")
    [choice] = choices_in_db(app)
    for path in ["/your-choices", TRIAGE_CARE, "/your-choices/all-ai-tools/care", "/your-choices/history",
                 "/your-choices/ai-tools/feedback-reader/care/object", f"/your-choices/recorded/{choice.reference}",
                 f"/your-choices/receipt/{choice.reference}", "/ai-used-in-your-care", "/who-checked-your-choices"]:
        response = client.get(path, query_string={"lang": lang})
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store", path
        assert len(h1s(html)) == 1, path
        assert title(html).startswith(h1s(html)[0]), path
        ids = re.findall(r'\sid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), path


def test_a_welsh_page_marks_untranslated_tool_names_as_english(client, signed_in):
    html = client.get("/your-choices?lang=cy").get_data(as_text=True)
    assert h1s(html) == ["Eich dewisiadau am AI"]
    assert '<span lang="en" dir="ltr">Chest X-ray checker</span>' in html


def test_signed_out_people_are_sent_to_sign_in_and_p5_is_asked_to_step_up_for_clinical_pages(client, world):
    response = client.get("/your-choices")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")
    assert response.headers["Cache-Control"] == "no-store"
    sign_in_as(client, world.patient, level="P5")
    assert client.get("/your-choices").status_code == 200
    for path in ["/ai-used-in-your-care", "/who-checked-your-choices"]:
        assert client.get(path).headers["Location"].startswith("/sign-in/prove-who-you-are")


def test_a_carer_records_a_choice_under_their_authority_and_the_patient_is_told(app, client, world, outbox):
    from tests.helpers.carers import sign_in_as_carer

    with app.app_context():
        carer = make_patient(db.session, given_name="Gwen", family_name="Hughes")
        db.session.commit()
    sign_in_as_carer(client, carer, world.patient, level="P5")
    refused = answer(client, TRIAGE_CARE, "deny")  # acting for someone needs P9: asked whom to see
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/choose-who")
    assert choices_in_db(app) == []
    authority = sign_in_as_carer(client, carer, world.patient, level="P9")
    outbox.clear()
    assert answer(client, TRIAGE_CARE, "deny").status_code == 302
    [choice] = choices_in_db(app)
    assert (choice.actor_kind, choice.authority_id) == ("representative", authority)
    assert [m.template for m in outbox.sent] == ["choice-recorded-for-you"]
    words = text_of(client.get("/your-choices").get_data(as_text=True))
    assert "Not used You said no on" in words  # the carer made it: "you" is the carer
