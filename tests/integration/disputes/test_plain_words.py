"""Staff and patients read plain words, never stored codes (issue 6 points 3 and 5): the
dispute status, the kind, the patient's choices and what applied, and who did what, in
English, Welsh and Urdu."""

from __future__ import annotations

import re
from html import unescape

import pytest

from portal.services import dispute_reviews as reviews
from tests.factories import make_ai_use_event, make_choice
from tests.helpers.auth import sign_in_as
from tests.integration.disputes.test_staff_disputes import raise_dispute, sign_in_staff

# Codes that must never reach a reader (status, decision, basis and purpose codes).
RAW_CODES = ("in-review", "not-upheld", "permit", "deny", "default-opt-in", "default-opt-out",
             "all-tools-choice", "no-choice", "improvement")
WORDS = {
    "en": ("In review", "Said no", "Not used", "because of their choice for this tool", "Decisions about care"),
    "cy": ("Yn cael ei adolygu", "Wedi dweud na", "Ddim yn cael ei ddefnyddio", "oherwydd eu dewis ar gyfer yr offeryn hwn",
           "Penderfyniadau am ofal"),
    "ur": ("جائزے میں", "نہیں کہا", "استعمال نہیں ہوتا", "اس ٹول کے لیے ان کی پسند کی وجہ سے", "نگہداشت کے بارے میں فیصلے"),
}


def visible_text(html: str) -> str:
    main = html[html.index("<main"):html.index("</main>")]
    main = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", main, flags=re.S)
    main = re.sub(r"<[^>]+>", " ", main)  # attributes (values, classes) are not read out
    return unescape(re.sub(r"\s+", " ", main))


@pytest.fixture()
def in_review(client, dworld, db_session):
    make_choice(db_session, dworld.patient, dworld.triage, "care", "deny")
    dispute = raise_dispute(db_session, dworld)
    reviews.acknowledge(db_session, reference=dispute.reference, staff_user_id=dworld.reviewer.id)
    reviews.start_review(db_session, reference=dispute.reference, staff_user_id=dworld.reviewer.id)
    db_session.commit()
    return dispute.reference


@pytest.mark.parametrize("lang", ["en", "cy", "ur"])
def test_the_staff_dispute_page_says_status_choices_and_who_in_words(client, dworld, in_review, lang):
    sign_in_staff(client, dworld.reviewer.id)
    text = visible_text(client.get(f"/staff/disputes/{in_review}?lang={lang}").get_data(as_text=True))
    for code in RAW_CODES:
        assert not re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text), code
    for words in WORDS[lang]:
        assert words in text
    assert "reviewer@example.nhs.uk" in text  # who acknowledged and started the review


@pytest.mark.parametrize("lang", ["en", "cy", "ur"])
def test_the_staff_queue_and_the_patients_pages_say_the_status_in_words(client, app, dworld, in_review, lang):
    patient = sign_in_as(app, dworld.patient, "P9")
    sign_in_staff(client, dworld.reviewer.id)
    queue = visible_text(client.get(f"/staff/disputes?lang={lang}").get_data(as_text=True))
    pages = [queue] + [visible_text(patient.get(f"{path}?lang={lang}").get_data(as_text=True))
                       for path in ("/disputes", f"/disputes/{in_review}", "/your-information")]
    for text in pages:
        assert "in-review" not in text
        assert WORDS[lang][0] in text

