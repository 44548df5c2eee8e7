"""The choices pages through the Flask client: what a patient sees and what is recorded."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import itsdangerous.timed
import pytest
from sqlalchemy import func, select, update

from portal.data.choices import Choice
from portal.extensions import db
from tests.factories import make_patient
from tests.integration.choices.conftest import hidden_fields, set_terms_version
from tests.integration.choices.pages_helpers import answer, checked_value, h1s, links, text_of, title
from tests.helpers.viewer import sign_in

TRIAGE_CARE = "/your-choices/ai-tools/chest-x-ray-triage/care"


def choices_in_db(app) -> list[Choice]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return list(db.session.execute(select(Choice).order_by(Choice.sequence)).scalars())


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
    today = datetime.now(UTC).astimezone().strftime("%Y")
    assert f"Not used You said no on " in text_of(client.get("/your-choices").get_data(as_text=True))
    assert today in words


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


def test_a_double_click_records_one_choice_and_shows_the_same_confirmation(app, client, signed_in):
    fields = hidden_fields(client.get(TRIAGE_CARE).get_data(as_text=True))
    first = client.post(TRIAGE_CARE, data={**fields, "decision": "deny"})
    second = client.post(TRIAGE_CARE, data={**fields, "decision": "deny"})
    assert first.headers["Location"] == second.headers["Location"]
    assert len(choices_in_db(app)) == 1


def test_the_same_form_sent_again_with_another_answer_asks_to_check_it(app, client, signed_in):
    fields = hidden_fields(client.get(TRIAGE_CARE).get_data(as_text=True))
    client.post(TRIAGE_CARE, data={**fields, "decision": "deny"})
    response = client.post(TRIAGE_CARE, data={**fields, "decision": "permit"})
    html = response.get_data(as_text=True)
    assert "You sent this page before with a different answer" in html
    assert checked_value(html) == "permit"
    assert hidden_fields(html)["idempotency_key"] != fields["idempotency_key"]
    assert len(choices_in_db(app)) == 1


def test_two_tabs_with_different_answers_both_go_into_the_history_and_the_latest_wins(app, client, signed_in):
    tab_one = hidden_fields(client.get(TRIAGE_CARE).get_data(as_text=True))
    tab_two = hidden_fields(client.get(TRIAGE_CARE).get_data(as_text=True))
    assert client.post(TRIAGE_CARE, data={**tab_one, "decision": "deny"}).status_code == 302
    assert client.post(TRIAGE_CARE, data={**tab_two, "decision": "permit"}).status_code == 302
    assert [c.decision for c in choices_in_db(app)] == ["deny", "permit"]
    assert "Used You said yes on" in text_of(client.get("/your-choices").get_data(as_text=True))
    history = text_of(client.get("/your-choices/history").get_data(as_text=True))
    assert history.index("Yes, use Chest X-ray checker") < history.index("No, do not use Chest X-ray checker")


def test_an_expired_form_comes_back_with_the_answer_selected_and_a_plain_message(app, client, signed_in, monkeypatch):
    fields = hidden_fields(client.get(TRIAGE_CARE).get_data(as_text=True))
    later = itsdangerous.timed.time.time() + 2 * 3600
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: later)
    response = client.post(TRIAGE_CARE, data={**fields, "decision": "deny"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and response.headers["Cache-Control"] == "no-store"
    assert "This page was open for too long, so your answer was not saved" in text_of(html)
    assert checked_value(html) == "deny"
    assert h1s(html) == ["Do you want Chest X-ray checker to be used in decisions about your care?"]
    assert choices_in_db(app) == []
    resent = client.post(TRIAGE_CARE, data={**hidden_fields(html), "decision": "deny"})
    assert resent.status_code == 302 and len(choices_in_db(app)) == 1


def test_a_form_with_no_security_token_is_not_a_bare_error(app, client, signed_in):
    response = client.post("/your-choices/all-ai-tools/care", data={"decision": "deny"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "nhsuk-header" in html
    assert checked_value(html) == "deny" and "your answer was not saved" in html
    assert choices_in_db(app) == []


TAMPERED = [
    ("/your-choices/ai-tools/no-such-tool/care", "deny", "This AI tool is not on our list"),
    ("/your-choices/ai-tools/chest-x-ray-triage/marketing", "deny", "AI tools are not used for this purpose"),
    ("/your-choices/ai-tools/chest-x-ray-triage/research", "deny", "This AI tool is not used for this purpose"),
    ("/your-choices/all-ai-tools/care", "permit", "You can say yes to AI tools one at a time, not all at once"),
    ("/your-choices/all-ai-tools/marketing", "deny", "AI tools are not used for this purpose"),
    ("/your-choices/ai-tools/feedback-reader/care", "deny",
     "You cannot make a choice about this use of this AI tool. You can object to it"),
    (TRIAGE_CARE, "maybe", "Select yes, no or the standard setting"),
]


@pytest.mark.parametrize(("path", "decision", "message"), TAMPERED)
def test_a_tampered_form_is_refused_with_a_clear_message_and_nothing_is_recorded(app, client, signed_in, path, decision, message):
    fields = hidden_fields(client.get(TRIAGE_CARE).get_data(as_text=True))
    response = client.post(path, data={**fields, "decision": decision})
    assert response.status_code == 400
    assert message in text_of(response.get_data(as_text=True))
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
    sign_in(client, other.id)
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


def test_signed_out_people_are_sent_to_sign_in_and_p5_is_asked_to_step_up_for_clinical_pages(make_app, database_url, world):
    from tests.helpers.viewer import add_auth_stubs, installed_viewer_loader

    app = make_app()
    add_auth_stubs(app)
    with installed_viewer_loader(app):
        client = app.test_client()
        response = client.get("/your-choices")
        assert response.status_code == 302 and response.headers["Location"].startswith("/test-sign-in")
        assert response.headers["Cache-Control"] == "no-store"
        sign_in(client, world.patient.id, level="P5")
        assert client.get("/your-choices").status_code == 200
        for path in ["/ai-used-in-your-care", "/who-checked-your-choices"]:
            assert client.get(path).headers["Location"].startswith("/test-step-up")


def test_a_saved_choice_and_its_audit_land_together_or_not_at_all(app, client, signed_in, monkeypatch):
    from portal.data.audit import AuditEvent
    from portal.services import audit

    def broken(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(audit, "record", broken)
    response = answer(client, TRIAGE_CARE, "deny")
    assert response.status_code == 500
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(AuditEvent)).scalar_one() == 0
    assert choices_in_db(app) == []
