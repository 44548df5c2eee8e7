"""Patient-nominated authority (issue 7 points 1, 4 and 6): the patient's own confirmation comes
before a verifier can approve; the patient can decline it or end it; it lapses when a capacity
note says the patient cannot decide. Every step has a coded reason and who, and the carer is
told."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from portal.domain.authority import AuthorityBasis
from portal.domain.errors import InvalidTransition, NotFound
from portal.services import authority as service
from portal.services import authority_nominations as nominations
from tests.integration.carers.conftest import NOW, PATIENT_ACCOUNT, VERIFIER, active_authority, ask, lacks_capacity
from tests.integration.carers.test_authority_service import events

NOMINATED = AuthorityBasis.PATIENT_NOMINATED
APPROVAL = service.Approval(review_on=date(2027, 11, 30))


def nominate(db_session, family):
    return ask(db_session, family, basis=NOMINATED, reference=None)


def carer_told(outbox):
    return [n.personalisation["reason"] for n in outbox.sent
            if (n.template, n.to) == ("authority-changed", "gareth@example.org")]


def test_the_patient_is_told_a_nomination_waits_for_them(db_session, family, outbox):
    nominate(db_session, family)
    db_session.commit()
    assert ("authority-changed-patient", "eira@example.org") in [(n.template, n.to) for n in outbox.sent]


def test_a_verifier_cannot_approve_before_the_patient_confirms(db_session, family):
    authority = nominate(db_session, family)
    with pytest.raises(ValueError, match="has not confirmed"):
        service.approve(db_session, authority.id, APPROVAL, VERIFIER, NOW)
    assert authority.state == "requested"


def test_confirmed_by_the_patient_then_approved_by_a_verifier(db_session, family, outbox):
    authority = nominate(db_session, family)
    nominations.confirm(db_session, authority.id, family.patient.id, PATIENT_ACCOUNT, NOW)
    assert (authority.state, authority.patient_confirmed_at_utc) == ("requested", NOW)
    service.approve(db_session, authority.id, APPROVAL, VERIFIER, NOW)
    assert authority.state == "active"
    assert events(db_session, authority) == [
        (None, "requested", "requested", "representative"),
        ("requested", "requested", "patient-confirmed", "patient"),
        ("requested", "verified", "verified", "staff"),
        ("verified", "active", "verified", "staff"),
    ]
    db_session.commit()
    assert carer_told(outbox) == ["requested", "patient-confirmed", "verified", "verified"]


def test_the_patient_declines_and_the_request_is_rejected_with_that_reason(db_session, family, outbox):
    authority = nominate(db_session, family)
    nominations.decline(db_session, authority.id, family.patient.id, PATIENT_ACCOUNT, NOW)
    assert (authority.state, authority.reason) == ("rejected", "declined-by-patient")
    with pytest.raises(nominations.CannotConfirm, match="already answered"):
        nominations.confirm(db_session, authority.id, family.patient.id, PATIENT_ACCOUNT, NOW)
    with pytest.raises(ValueError, match="has not confirmed"):
        service.approve(db_session, authority.id, APPROVAL, VERIFIER, NOW)
    with pytest.raises(InvalidTransition):
        service.end_by_patient(db_session, authority.id, family.patient.id, PATIENT_ACCOUNT, NOW)
    db_session.commit()
    assert carer_told(outbox)[-1] == "declined-by-patient"


def test_only_the_patient_themselves_can_answer(db_session, family):
    authority = nominate(db_session, family)
    for patient_id in (family.other.id, family.carer_self.id, uuid.uuid4()):
        with pytest.raises(NotFound):
            nominations.confirm(db_session, authority.id, patient_id, PATIENT_ACCOUNT, NOW)
        with pytest.raises(NotFound):
            nominations.decline(db_session, authority.id, patient_id, PATIENT_ACCOUNT, NOW)
    assert (authority.state, authority.patient_confirmed_at_utc) == ("requested", None)


def test_an_lpa_request_is_not_the_patients_to_confirm(db_session, family):
    authority = ask(db_session, family)
    with pytest.raises(NotFound):
        nominations.confirm(db_session, authority.id, family.patient.id, PATIENT_ACCOUNT, NOW)


def test_a_patient_recorded_as_lacking_capacity_cannot_confirm(db_session, family):
    authority = nominate(db_session, family)
    # The note ends the waiting nomination at once ...
    lacks_capacity(db_session, family.patient)
    assert (authority.state, authority.reason) == ("ended", "capacity-lost")
    # ... and a new one cannot be confirmed while the note stands.
    again = nominate(db_session, family)
    with pytest.raises(nominations.CannotConfirm, match="cannot make this decision"):
        nominations.confirm(db_session, again.id, family.patient.id, PATIENT_ACCOUNT, NOW)


@pytest.mark.parametrize("step", ["active", "suspended"])
def test_a_nomination_lapses_when_a_capacity_note_says_the_patient_cannot_decide(db_session, family, outbox,
                                                                                 step):
    authority = active_authority(db_session, family, basis=NOMINATED, reference=None)
    lpa = active_authority(db_session, family, family.other)  # another patient: untouched
    if step == "suspended":
        service.suspend(db_session, authority.id, VERIFIER, NOW)
    assert service.authority_covers(db_session, lpa.id, family.other.id, "care", NOW)
    lacks_capacity(db_session, family.patient)
    assert (authority.state, authority.reason) == ("ended", "capacity-lost")
    assert lpa.state == "active"
    assert not service.authority_covers(db_session, authority.id, family.patient.id, "care", NOW)
    db_session.commit()
    assert carer_told(outbox)[-1] == "capacity-lost"


def test_a_note_that_the_patient_can_decide_leaves_a_nomination_alone(db_session, family):
    authority = active_authority(db_session, family, basis=NOMINATED, reference=None)
    service.record_capacity_note(db_session, family.patient.id, lacks_capacity=False, assessed_by="Dr B",
                                 assessed_on=date(2026, 11, 1), actor=service.staff_actor(VERIFIER))
    assert authority.state == "active"


def test_the_list_shows_what_the_patient_can_do(db_session, family):
    waiting = nominate(db_session, family)
    listed = nominations.list_for_patient(db_session, family.patient.id, NOW)
    assert [(p.authority.id, p.name, p.waiting_for_you, p.can_end) for p in listed] == [
        (waiting.id, "Gareth Jones", True, False)]
    nominations.confirm(db_session, waiting.id, family.patient.id, PATIENT_ACCOUNT, NOW)
    service.approve(db_session, waiting.id, APPROVAL, VERIFIER, NOW)
    listed = nominations.list_for_patient(db_session, family.patient.id, NOW)
    assert [(p.waiting_for_you, p.can_end) for p in listed] == [(False, True)]
    service.end_by_patient(db_session, waiting.id, family.patient.id, PATIENT_ACCOUNT, NOW)
    assert nominations.list_for_patient(db_session, family.patient.id, NOW) == []


def test_an_older_assessment_entered_late_does_not_end_a_nomination(db_session, family):
    authority = active_authority(db_session, family, basis=NOMINATED, reference=None)
    service.record_capacity_note(db_session, family.patient.id, lacks_capacity=False, assessed_by="Dr B",
                                 assessed_on=date(2026, 11, 1), actor=service.staff_actor(VERIFIER))
    lacks_capacity(db_session, family.patient, assessed_on=date(2025, 3, 1))  # older than the latest note
    assert authority.state == "active"
    lacks_capacity(db_session, family.patient, assessed_on=date(2026, 11, 20))  # newer: it lapses
    assert (authority.state, authority.reason) == ("ended", "capacity-lost")
