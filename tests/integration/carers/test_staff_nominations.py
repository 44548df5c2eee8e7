"""A verifier cannot approve a nomination the patient has not confirmed (issue 7 point 4): the
approve form is refused with the reason in words and the request stays waiting; once the
patient says yes on their own page, the same approval makes it active."""

from __future__ import annotations

import re

from tests.helpers.auth import sign_in_as
from tests.integration.carers.test_people_who_can_act_pages import PAGE, nomination, state, token  # noqa: F401
from tests.integration.carers.test_staff_authority_pages import csrf, verifier


def test_approval_waits_for_the_patients_yes(app, client, nomination):  # noqa: F811
    eira, _gareth, authority_id = nomination
    verifier(app, client)
    page = f"/staff/authorities/{authority_id}"
    approve = {"approve-review_on": "2027-11-30"}
    refused = client.post(page + "/approve", data={"csrf_token": csrf(client, page), **approve})
    assert refused.status_code == 400
    assert "The person has not confirmed that they asked for this yet." in re.sub(
        r"\s+", " ", refused.get_data(as_text=True))
    assert state(app, authority_id) == ("requested", "", False)

    patient = sign_in_as(app.test_client(), eira, level="P9")
    patient.post(f"{PAGE}/{authority_id}/confirm", data={"csrf_token": token(patient)})
    accepted = client.post(page + "/approve", data={"csrf_token": csrf(client, page), **approve})
    assert accepted.status_code == 302
    assert state(app, authority_id) == ("active", "verified", True)


def test_the_requester_sees_it_waits_for_the_patient_and_why_it_was_not_accepted(app, nomination):  # noqa: F811
    eira, gareth, authority_id = nomination
    requester = sign_in_as(app.test_client(), gareth, level="P9")
    status = f"/act-for-someone/requests/{authority_id}"
    assert "We have asked them to confirm that they want you to act for them." in text(requester.get(status))
    patient = sign_in_as(app.test_client(), eira, level="P9")
    patient.post(f"{PAGE}/{authority_id}/decline", data={"csrf_token": token(patient)})
    seen = text(requester.get(status))
    assert "Not accepted" in seen and "They told us they did not ask you to act for them." in seen
    assert "We have asked them to confirm" not in seen


def text(response):
    return re.sub(r"\s+", " ", response.get_data(as_text=True).replace("&#39;", "'"))
