"""Access control everywhere (issue 7 point 7): a carer acting for patient A reaches nothing
of patient B's. The test walks every route guarded by ``patient_required`` (and checks the
list in tests/pages.py matches it), fills each route's parameters with B's things, and proves
the answer is 404 where a parameter names something of B's (never 403, which would confirm it
exists), that no page shows B's name, NHS number or references, and that nothing of B's
changes (choices, messages to B)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from portal.access import access_rule
from portal.data.audit import AuditEvent
from portal.data import people
from portal.data.choices import Choice
from portal.extensions import db
from portal.services import choices as choice_service
from portal.services.choices import ChoiceActor
from tests.factories import make_ai_use_event, make_patient
from tests.helpers.carers import sign_in_as_carer
from tests.integration.choices.conftest import hidden_fields
from tests.pages import PATIENT_PAGES


@pytest.fixture()
def two_patients(app, world):
    """A (the world's patient, whom the carer acts for) and B, with a choice and an AI use."""
    with app.app_context():
        session = db.session
        b = make_patient(session, given_name="Bethan", family_name="Morgan", date_of_birth=date(1945, 1, 2),
                         postcode="NP10 8QQ", email="bethan@example.org")
        people.set_patient_organisations(session, b, [world.organisation])
        b_choice = choice_service.record_choice(
            session, patient_id=b.id, tool_slug="chest-x-ray-triage", purpose="care", decision="deny",
            actor=ChoiceActor.patient(b.id), channel="web", idempotency_key=None)
        make_ai_use_event(session, b, world.triage, world.organisation, plain_summary="Bethan's secret summary")
        carer = make_patient(session, given_name="Gwen", family_name="Hughes", date_of_birth=date(1970, 3, 4))
        b_nomination = _nominate(session, b)
        session.commit()
        return {"b_id": b.id, "b_nhs": b.nhs_number, "b_reference": b_choice.reference, "carer": carer,
                "b_authority_id": str(b_nomination.id)}


def _nominate(session, patient):
    """Someone else asks to act for B as B's nominee: B's pages have a request waiting."""
    import uuid

    from portal.data.accounts import Account
    from portal.domain.authority import AuthorityBasis
    from portal.domain.nhs_number import NhsNumber
    from portal.services.authority_requests import AuthorityRequest, request_authority

    friend = Account(provider="nhs-login", subject=f"friend-{uuid.uuid4()}", email="friend@example.org",
                     highest_level="P9")
    session.add(friend)
    session.flush()
    asked = AuthorityRequest(NhsNumber(patient.nhs_number), patient.date_of_birth, patient.postcode,
                             AuthorityBasis.PATIENT_NOMINATED, "Friend")
    return request_authority(session, friend.id, None, asked, datetime.now(UTC))


def patient_routes(app):
    return sorted((rule.rule, rule.endpoint, tuple(sorted(rule.methods - {"HEAD", "OPTIONS"})))
                  for rule in app.url_map.iter_rules()
                  if rule.endpoint != "static"
                  and (declared := access_rule(app.view_functions[rule.endpoint])) is not None
                  and declared.kind == "patient" and not rule.endpoint.startswith(("auth.", "carers.")))


def test_tests_pages_lists_every_patient_scoped_route(app):
    assert {endpoint for _rule, endpoint, _methods in patient_routes(app)} == {
        endpoint for _path, endpoint, _level in PATIENT_PAGES.values()}


def count_b(app, b_id):
    with app.app_context():
        choices = db.session.execute(select(func.count()).select_from(Choice)
                                     .where(Choice.patient_id == b_id)).scalar_one()
        return choices


def test_a_carer_for_a_gets_404_for_every_thing_of_b_and_nothing_changes(app, client, world, two_patients,
                                                                        outbox):
    sign_in_as_carer(client, two_patients["carer"], world.patient)
    outbox.clear()
    before = count_b(app, two_patients["b_id"])
    fill = {"reference": two_patients["b_reference"], "tool": "chest-x-ray-triage", "slug": "chest-x-ray-triage",
            "purpose": "care", "name": "tool", "authority_id": two_patients["b_authority_id"]}
    b_words = ["Bethan", "Morgan", two_patients["b_nhs"], two_patients["b_reference"], "secret summary"]
    checked = []
    for path, endpoint, methods in patient_routes(app):
        url = path.replace("<", "{").replace(">", "}")
        url = url.replace("{uuid:", "{").format(**{key: value for key, value in fill.items()})
        names_b = "reference" in path or "authority_id" in path
        for method in methods:
            if method == "GET":
                response = client.get(url)
            else:
                page = client.get(url) if "GET" in methods else None
                fields = hidden_fields(page.get_data(as_text=True)) if page is not None else {}
                if not fields.get("csrf_token"):
                    fields["csrf_token"] = hidden_fields(client.get("/your-choices/ai-tools/chest-x-ray-triage/care")
                                                         .get_data(as_text=True))["csrf_token"]
                response = client.post(url, data={**fields, "decision": "deny"})
            body = response.get_data(as_text=True)
            if names_b:
                assert response.status_code == 404, (method, path)
            else:
                assert response.status_code in (200, 302, 409), (method, path, response.status_code)
            # A 404 page's links (language switcher) repeat the URL asked for, so the reference
            # typed in may appear there; nothing else of B's may.
            for word in (b_words[:-2] + b_words[-1:]) if names_b else b_words:
                assert word not in body, (method, path, word)
            checked.append((method, endpoint))
    assert count_b(app, two_patients["b_id"]) == before
    assert [n for n in outbox.sent if n.to == "bethan@example.org"] == []
    with app.app_context():
        b_audit = db.session.execute(select(AuditEvent.action).where(AuditEvent.patient_id == two_patients["b_id"])
                                     .order_by(AuditEvent.chain_position)).scalars().all()
    # only B's own choice and the nomination waiting for B: nothing read or written for B since
    assert b_audit == ["choice.recorded", "authority.requested"]
    with app.app_context():
        from portal.data.authorities import Authority
        import uuid
        nomination = db.session.get(Authority, uuid.UUID(two_patients["b_authority_id"]))
        assert (nomination.state, nomination.patient_confirmed_at_utc) == ("requested", None)
    assert {e for _m, e in checked} == {e for _p, e, _l in PATIENT_PAGES.values()}
