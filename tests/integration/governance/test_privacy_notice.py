"""The privacy notice (issue 9 point 3): lawful bases (UK GDPR articles 6 and 9), what is
held, how long (from the retention settings), who sees it, rights and how to use them; plain
English; valid HTML in English, Welsh and Urdu."""

from __future__ import annotations

from tests.integration.choices.pages_helpers import text_of
from tests.readability import MAIN_TEXT_BAR, grade, main_text


def test_the_notice_names_the_lawful_bases_retention_and_rights(client):
    words = text_of(client.get("/privacy-notice").get_data(as_text=True))
    assert "UK GDPR Article 6(1)(e)" in words and "UK GDPR Article 9(2)(h)" in words
    assert "UK GDPR Article 6(1)(c)" in words
    assert "until you use them, or 10 minutes" in words
    assert "like your choices and the record of who looked: while it is still needed, then 8 more years." in words
    assert "Papers sent by a carer we turned down, or who stopped asking: 30 days." in words
    assert "Sign in with NHS login and go to Your information." in words
    assert "Information Commissioner's Office" in words
    assert "Ask Demo NHS Trust how to reach its data protection officer." in words  # no contact set


def test_the_notice_follows_the_retention_settings(make_app):
    app = make_app(RETAIN_RECORDS_YEARS=10, RETAIN_DRAFTS_DAYS=1)
    words = text_of(app.test_client().get("/privacy-notice").get_data(as_text=True))
    assert "while it is still needed, then 10 more years." in words
    assert "A request for review you did not finish: 1 day." in words


def test_the_notice_says_where_to_write_or_call_to_use_your_rights(make_app):
    app = make_app(HELP_POSTAL_ADDRESS="Data Protection Officer, 1 High Street, Taunton TA1 1AA",
                   HELP_PHONE="01823 000000")
    words = text_of(app.test_client().get("/privacy-notice").get_data(as_text=True))
    assert "Write to: Data Protection Officer, 1 High Street, Taunton TA1 1AA" in words
    assert "Call: 01823 000000" in words and "data protection officer." not in words


def test_the_notice_is_plain_english(client):
    text = main_text(client.get("/privacy-notice").get_data(as_text=True))
    assert 0 < grade(text.main) <= MAIN_TEXT_BAR


