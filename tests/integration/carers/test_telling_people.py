"""Telling people (issue 7 points 1 and 6): the carer is told of every change of their authority,
one message per recorded step with its coded reason; the patient is told whenever a
representative makes a choice for them. Messages go only once the change is committed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.data.authorities import AuthorityEvent
from portal.domain.authority import AuthorityBasis
from portal.services import authority as service
from portal.services import authority_children, authority_nominations
from portal.services import choices as choice_service
from portal.services.choices import ChoiceActor
from tests.factories import make_patient
from tests.integration.carers.conftest import NOW, PATIENT_ACCOUNT, VERIFIER, active_authority, ask, lacks_capacity

LPA = AuthorityBasis.HEALTH_AND_WELFARE_LPA


def _child(session, family, years_before_now):
    child = make_patient(session, date_of_birth=date(2026 - years_before_now, 1, 1), postcode="SA1 1AA")
    return active_authority(session, family, child, basis=AuthorityBasis.PARENTAL_RESPONSIBILITY, reference=None,
                            now=datetime(2020, 1, 1, tzinfo=UTC))


def _nominated(session, family):
    return ask(session, family, basis=AuthorityBasis.PATIENT_NOMINATED, reference=None)


SCENARIOS = {
    "withdrawn": lambda s, f: service.withdraw(s, ask(s, f).id, f.carer.id, NOW),
    "rejected": lambda s, f: service.reject(s, ask(s, f).id, "no-legal-basis", "No LPA was sent.", VERIFIER, NOW),
    "approved, suspended, lifted, ended by staff": lambda s, f: [
        step(s, a.id, VERIFIER, NOW) for a in [active_authority(s, f)]
        for step in (service.suspend, service.lift_suspension)] and service.end(
            s, s.execute(select(AuthorityEvent.authority_id)).scalars().first(), "patient-died", VERIFIER, NOW),
    "stopped by the carer": lambda s, f: service.stop_acting(s, active_authority(s, f).id, f.carer.id, NOW),
    "confirmed, then declined nomination": lambda s, f: (
        authority_nominations.confirm(s, _nominated(s, f).id, f.patient.id, PATIENT_ACCOUNT, NOW),
        authority_nominations.decline(s, ask(s, f, f.other, basis=AuthorityBasis.PATIENT_NOMINATED,
                                             reference=None).id, f.other.id, PATIENT_ACCOUNT, NOW)),
    "nomination ended by the patient": lambda s, f: service.end_by_patient(
        s, active_authority(s, f, basis=AuthorityBasis.PATIENT_NOMINATED, reference=None).id, f.patient.id,
        PATIENT_ACCOUNT, NOW),
    "nomination lapsed": lambda s, f: (active_authority(s, f, basis=AuthorityBasis.PATIENT_NOMINATED,
                                                        reference=None), lacks_capacity(s, f.patient)),
    "child reached 13, review confirmed, reached 16": lambda s, f: (
        _child(s, f, 13), service.apply_time_rules(s, datetime(2026, 1, 2, tzinfo=UTC)),
        service.confirm_review(s, s.execute(select(AuthorityEvent.authority_id)).scalars().first(), VERIFIER, NOW),
        service.apply_time_rules(s, datetime(2029, 1, 2, tzinfo=UTC))),
    "deputyship ended": lambda s, f: (active_authority(s, f, basis=AuthorityBasis.PERSONAL_WELFARE_DEPUTY,
                                                       reference=None, court_order_number="12345678",
                                                       ends_on=date(2027, 1, 1)),
                                      service.apply_time_rules(s, datetime(2027, 1, 3, tzinfo=UTC))),
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_the_carer_is_told_of_every_recorded_change(db_session, family, outbox, scenario):
    SCENARIOS[scenario](db_session, family)
    reasons = db_session.execute(select(AuthorityEvent.reason).order_by(AuthorityEvent.at_utc,
                                                                        AuthorityEvent.created_at_utc)).scalars().all()
    assert len(reasons) >= 2
    assert outbox.sent == []  # nothing before the commit
    db_session.commit()
    told = [n.personalisation["reason"] for n in outbox.sent if (n.template, n.to) == ("authority-changed",
                                                                                       "gareth@example.org")]
    assert sorted(told) == sorted(reasons)


def test_the_young_person_choosing_is_told_to_the_parent(db_session, family, outbox):
    child = make_patient(db_session, date_of_birth=date(2011, 1, 1), postcode="SA1 1AA", email="young@example.org")
    authority = active_authority(db_session, family, child, basis=AuthorityBasis.PARENTAL_RESPONSIBILITY,
                                 reference=None, now=datetime(2020, 1, 1, tzinfo=UTC))
    now = datetime.now(UTC)
    service.apply_time_rules(db_session, now)
    service.confirm_review(db_session, authority.id, VERIFIER, now)
    db_session.commit()
    outbox.clear()
    choice_service.record_choice(db_session, patient_id=child.id, tool_slug=None, purpose="research",
                                 decision="deny", actor=ChoiceActor.patient(PATIENT_ACCOUNT), channel="web",
                                 idempotency_key=None)
    db_session.commit()
    assert [(n.template, n.to, n.personalisation["reason"]) for n in outbox.sent] == [
        ("authority-changed", "gareth@example.org", "young-person-chose"),
        ("authority-changed-patient", "young@example.org", "young-person-chose")]


def test_the_review_notice_goes_to_the_parent_too(db_session, family, outbox):
    child = make_patient(db_session, date_of_birth=date(2013, 7, 15), postcode="SA1 1AA", email=None, mobile=None)
    active_authority(db_session, family, child, basis=AuthorityBasis.PARENTAL_RESPONSIBILITY, reference=None,
                     now=datetime(2020, 1, 1, tzinfo=UTC))
    db_session.commit()
    outbox.clear()
    authority_children.send_review_notices(db_session, datetime(2026, 7, 1, tzinfo=UTC))
    db_session.commit()
    assert [(n.template, n.to) for n in outbox.sent] == [("authority-review-coming", "gareth@example.org")]


def test_the_patient_is_told_whenever_a_representative_makes_a_choice(db_session, family, outbox):
    authority = active_authority(db_session, family)
    db_session.commit()
    outbox.clear()
    for decision in ("deny", "clear"):
        choice_service.record_choice(db_session, patient_id=family.patient.id, tool_slug=None, purpose="research",
                                     decision=decision, actor=ChoiceActor.representative(family.carer.id, authority.id),
                                     channel="web", idempotency_key=None)
    db_session.commit()
    assert [(n.template, n.to, n.personalisation["made_by"]) for n in outbox.sent] == [
        ("choice-recorded-for-you", "eira@example.org", "representative")] * 2


def test_nothing_is_sent_when_the_change_is_rolled_back(db_session, family, outbox):
    authority = active_authority(db_session, family)
    db_session.commit()
    outbox.clear()
    service.suspend(db_session, authority.id, VERIFIER, NOW + timedelta(days=1))
    db_session.rollback()
    assert outbox.sent == []
