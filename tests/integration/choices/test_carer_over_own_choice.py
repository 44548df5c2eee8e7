"""A carer's answer over the patient's own choice is refused on the question page, in words,
and nothing is recorded (issue 7 point 1: never silently, never without a capacity note)."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, select

from portal.data.choices import Choice
from portal.domain.authority import AuthorityBasis
from portal.extensions import db
from tests.factories import make_patient
from tests.helpers.auth import sign_in_as


def text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_a_carer_cannot_replace_the_patients_own_choice_on_the_question_page(app, client, world):
    from tests.helpers.carers import sign_in_as_carer
    from tests.integration.choices.conftest import hidden_fields

    patient_client = sign_in_as(app, world.patient, level="P9")
    path = "/your-choices/ai-tools/chest-x-ray-triage/care"
    fields = hidden_fields(patient_client.get(path).get_data(as_text=True))
    assert patient_client.post(path, data={**fields, "decision": "deny"}).status_code == 302
    with app.app_context():
        carer = make_patient(db.session, given_name="Gwen", family_name="Hughes", date_of_birth=date(1970, 3, 4))
        db.session.commit()
    # A nominee (no capacity note: the patient can decide for themselves).
    sign_in_as_carer(client, carer, world.patient, basis=AuthorityBasis.PATIENT_NOMINATED)
    response = client.post(path, data={**hidden_fields(client.get(path).get_data(as_text=True)), "decision": "permit"})
    assert response.status_code == 400
    assert "They made this choice themselves, so nothing was saved." in text(response)
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Choice)).scalar_one() == 1
