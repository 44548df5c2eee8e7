"""Every choices page, filled with data, in every language, is valid HTML (Nu Html Checker)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from portal.extensions import db
from portal.services import audit
from portal.services import choices as choice_service
from tests.factories import make_ai_use_event
from tests.html_validation import validate_html
from tests.integration.choices.pages_helpers import answer
from tests.pages import LANGUAGES


def test_choices_pages_are_valid_html_in_every_language(app, client, signed_in, world, tmp_path):
    recorded = answer(client, "/your-choices/ai-tools/chest-x-ray-triage/care", "deny").headers["Location"]
    reference = recorded.rsplit("/", 1)[1]
    answer(client, "/your-choices/all-ai-tools/improvement", "deny")
    with app.app_context():
        session = db.session
        staff_choice = choice_service.record_choice(
            session, patient_id=world.patient.id, tool_slug="ai-scribe", purpose="care", decision="permit",
            actor=choice_service.ChoiceActor.staff(uuid.uuid4()), channel="paper", idempotency_key=None,
            signed_at=datetime(2026, 3, 1, tzinfo=UTC))
        choice_service.void_choice(session, choice_id=staff_choice.id, staff_user_id=uuid.uuid4(),
                                   staff_roles={"admin"}, reason="Wrong patient")
        make_ai_use_event(session, world.patient, world.scribe, world.organisation, conflict=True,
                          visible_from_utc=datetime.now(UTC) - timedelta(days=1))
        audit.record(session, audit.Actor("api-client", "c"), "decisions.read", patient_id=world.patient.id,
                     details={"client_name": "Somerset EPR", "organisation": "Somerset NHS Foundation Trust"})
        session.commit()
    pages = {
        "overview": "/your-choices",
        "tool question": "/your-choices/ai-tools/chest-x-ray-triage/care",
        "all-tools question": "/your-choices/all-ai-tools/care",
        "objection": "/your-choices/ai-tools/feedback-reader/care/object",
        "saved": recorded,
        "receipt": f"/your-choices/receipt/{reference}",
        "history": "/your-choices/history",
        "AI used": "/ai-used-in-your-care",
        "who checked": "/who-checked-your-choices",
    }
    documents = {}
    for lang in LANGUAGES:
        client.get("/your-choices", query_string={"lang": lang})
        for name, path in pages.items():
            documents[f"{name} ({lang})"] = client.get(path).get_data(as_text=True)
        documents[f"question with an error ({lang})"] = answer(
            client, "/your-choices/ai-tools/chest-x-ray-triage/care", None).get_data(as_text=True)
        documents[f"refused ({lang})"] = answer(
            client, "/your-choices/ai-tools/no-such-tool/care", "deny").get_data(as_text=True)
        documents[f"expired form ({lang})"] = client.post(
            "/your-choices/all-ai-tools/care", data={"decision": "deny"}).get_data(as_text=True)
        documents[f"receipt send expired ({lang})"] = client.post(
            f"/your-choices/receipt/{reference}/send").get_data(as_text=True)
    assert validate_html(documents, tmp_path) == []
