"""Every disputes page (patient and staff), filled with data, in every language, is valid
HTML (Nu Html Checker), errors included."""

from __future__ import annotations

from portal.extensions import db
from portal.services import dispute_reviews as reviews
from tests.html_validation import validate_html
from tests.helpers.auth import sign_in_as
from tests.integration.disputes.test_dispute_pages import answer_all, post, start_from_event, submit
from tests.integration.disputes.test_staff_disputes import sign_in_staff
from tests.pages import LANGUAGES


def test_dispute_pages_are_valid_html_in_every_language(app, client, dworld, db_session, tmp_path):
    db_session.commit()
    patient = sign_in_as(client, dworld.patient, "P9")
    start_from_event(patient, dworld)
    answer_all(patient)
    response, _key = submit(patient)
    reference = response.headers["Location"].split("/")[2]
    with app.app_context():
        reviews.acknowledge(db.session, reference=reference, staff_user_id=dworld.reviewer.id)
        reviews.start_review(db.session, reference=reference, staff_user_id=dworld.reviewer.id)
        reviews.record_outcome(db.session, reference=reference, staff_user_id=dworld.reviewer.id, upheld=True,
                               explanation="A doctor looked again.", internal_note="Note")
        db.session.commit()
    post(patient, f"/disputes/new?event={dworld.event.id}", {})
    documents = {}
    staff = sign_in_staff(app.test_client(), dworld.reviewer.id)
    for lang in LANGUAGES:
        patient.get("/disputes", query_string={"lang": lang})
        staff.get("/staff/disputes", query_string={"lang": lang})
        pages = {"list": "/disputes", "start": f"/disputes/new?event={dworld.event.id}",
                 "tool": "/disputes/new/tool", "what happened": "/disputes/new/what-happened",
                 "why": "/disputes/new/why", "outcomes": "/disputes/new/outcomes",
                 "contact": "/disputes/new/contact", "check": "/disputes/new/check",
                 "confirmation": f"/disputes/{reference}/confirmation", "status": f"/disputes/{reference}",
                 "withdraw": f"/disputes/{reference}/withdraw", "tool page": "/ai-tools/chest-x-ray-triage"}
        for name, path in pages.items():
            documents[f"{name} ({lang})"] = patient.get(path).get_data(as_text=True)
        documents[f"why with error ({lang})"] = post(patient, "/disputes/new/why", {"why": ""}).get_data(as_text=True)
        documents[f"date with error ({lang})"] = post(patient, "/disputes/new/what-happened", {"day": "40"}).get_data(as_text=True)
        documents[f"expired ({lang})"] = patient.post("/disputes/new/why", data={"why": "x"}).get_data(as_text=True)
        documents[f"staff queue ({lang})"] = staff.get("/staff/disputes").get_data(as_text=True)
        documents[f"staff dispute ({lang})"] = staff.get(f"/staff/disputes/{reference}").get_data(as_text=True)
    assert validate_html(documents, tmp_path) == []
