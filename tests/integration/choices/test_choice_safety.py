"""Safe under real use (issue 5 point 8): a double-click or a resent page records one
choice; two tabs both land and the latest wins; an expired form comes back with the answer
still selected; a tampered form is refused in words; a choice and its audit land together."""

from __future__ import annotations

import itsdangerous.timed
import pytest
from sqlalchemy import func, select

from portal.extensions import db
from tests.integration.choices.conftest import hidden_fields
from tests.integration.choices.pages_helpers import TRIAGE_CARE, answer, checked_value, choices_in_db, h1s, text_of
def test_a_double_click_records_one_choice_and_shows_the_same_confirmation(app, client, signed_in):
    fields = hidden_fields(client.get(TRIAGE_CARE).get_data(as_text=True))
    first = client.post(TRIAGE_CARE, data={**fields, "decision": "deny"})
    second = client.post(TRIAGE_CARE, data={**fields, "decision": "deny"})
    assert first.headers["Location"] == second.headers["Location"]
    assert len(choices_in_db(app)) == 1


def test_back_then_save_again_with_the_same_answer_shows_the_same_confirmation_and_records_once(app, client,
                                                                                                signed_in):
    first = client.post(TRIAGE_CARE, data={**hidden_fields(client.get(TRIAGE_CARE).get_data(as_text=True)),
                                           "decision": "deny"})
    # Back reloads the page (it is no-store), so the form comes with a new key
    again = client.post(TRIAGE_CARE, data={**hidden_fields(client.get(TRIAGE_CARE).get_data(as_text=True)),
                                           "decision": "deny"})
    assert again.headers["Location"] == first.headers["Location"]
    assert len(choices_in_db(app)) == 1
    changed = client.post(TRIAGE_CARE, data={**hidden_fields(client.get(TRIAGE_CARE).get_data(as_text=True)),
                                             "decision": "permit"})
    assert changed.headers["Location"] != first.headers["Location"]
    back_to_no = client.post(TRIAGE_CARE, data={**hidden_fields(client.get(TRIAGE_CARE).get_data(as_text=True)),
                                                "decision": "deny"})
    assert back_to_no.headers["Location"] not in (first.headers["Location"], changed.headers["Location"])
    assert [c.decision for c in choices_in_db(app)] == ["deny", "permit", "deny"]


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


def test_a_saved_choice_and_its_audit_land_together_or_not_at_all(app, client, signed_in, monkeypatch):
    from portal.data.audit import AuditEvent
    from portal.services import audit

    def broken(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(audit, "record", broken)
    response = answer(client, TRIAGE_CARE, "deny")
    assert response.status_code == 500
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "choice.recorded")).scalar_one() == 0
    assert choices_in_db(app) == []


def test_a_form_without_its_one_time_key_is_refused_in_words(app, client, signed_in):
    fields = hidden_fields(client.get(TRIAGE_CARE).get_data(as_text=True))
    response = client.post(TRIAGE_CARE, data={**fields, "idempotency_key": "x", "decision": "deny"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Something went wrong with this page. Check your answer and save it again" in text_of(html)
    assert checked_value(html) == "deny" and len(hidden_fields(html)["idempotency_key"]) == 32
    assert choices_in_db(app) == []
