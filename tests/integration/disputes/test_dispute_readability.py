"""Plain English: the main text of every patient disputes page reads at grade 6 or below
(Flesch-Kincaid), as the developers' guide asks."""

from __future__ import annotations

import textstat

from tests.helpers.auth import sign_in_as
from tests.integration.choices.test_readability import MAX_GRADE, main_text
from tests.integration.disputes.test_dispute_pages import answer_all, start_from_event, submit


def test_dispute_pages_are_plain_english(client, dworld, db_session):
    db_session.commit()
    patient = sign_in_as(client, dworld.patient, "P9")
    start_from_event(patient, dworld)
    answer_all(patient)
    pages = {path: patient.get(path).get_data(as_text=True) for path in [
        f"/disputes/new?event={dworld.event.id}", "/disputes/new/what-happened", "/disputes/new/why",
        "/disputes/new/outcomes", "/disputes/new/contact", "/disputes/new/check"]}
    response, _key = submit(patient)
    reference = response.headers["Location"].split("/")[2]
    pages.update({path: patient.get(path).get_data(as_text=True) for path in [
        "/disputes", f"/disputes/{reference}/confirmation", f"/disputes/{reference}", f"/disputes/{reference}/withdraw"]})
    grades = {name: textstat.flesch_kincaid_grade(main_text(html)) for name, html in pages.items()}
    assert {name: grade for name, grade in grades.items() if grade > MAX_GRADE} == {}
    assert all(main_text(html) for html in pages.values()), "every page has text to measure"
