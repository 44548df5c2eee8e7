"""Plain English: the main text of "People who can act for you", in each of its states, reads at
grade 6 or below (Flesch-Kincaid), as the developers' guide asks."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import textstat

from portal.extensions import db
from portal.services import authority as authority_service
from tests.helpers.auth import sign_in_as
from tests.integration.carers.test_people_who_can_act_pages import PAGE, nomination, token  # noqa: F401
from tests.integration.choices.test_readability import MAX_GRADE, main_text


def test_the_page_is_plain_english_in_every_state(app, client, nomination):  # noqa: F811
    eira, _gareth, authority_id = nomination
    sign_in_as(client, eira, level="P9")
    pages = {"waiting": client.get(PAGE).get_data(as_text=True)}
    client.post(f"{PAGE}/{authority_id}/confirm", data={"csrf_token": token(client)})
    pages["confirmed"] = client.get(f"{PAGE}?done=confirmed").get_data(as_text=True)
    with app.app_context():
        authority_service.approve(db.session, authority_id, authority_service.Approval(review_on=date(2030, 1, 1)),
                                  uuid.uuid4(), datetime.now(UTC))
        db.session.commit()
    pages["can act"] = client.get(PAGE).get_data(as_text=True)
    pages["refused"] = client.post(f"{PAGE}/{authority_id}/confirm",
                                   data={"csrf_token": token(client)}).get_data(as_text=True)
    client.post(f"{PAGE}/{authority_id}/end", data={"csrf_token": token(client)})
    pages["ended"] = client.get(f"{PAGE}?done=ended").get_data(as_text=True)
    grades = {name: textstat.flesch_kincaid_grade(main_text(html)) for name, html in pages.items()}
    assert {name: grade for name, grade in grades.items() if grade > MAX_GRADE} == {}
    assert all(main_text(html) for html in pages.values())
