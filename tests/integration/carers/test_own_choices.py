"""A representative's choice never silently replaces a choice the patient made themselves
without a capacity note (issue 7 point 1): refused, nothing recorded, unless the latest note
says the patient cannot decide and was made on or after the day of the patient's choice; then
it is recorded, audited as replacing the patient's choice, and the patient is told so."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.data.audit import AuditEvent
from portal.data.choices import Choice
from portal.domain.age import LONDON
from portal.domain.authority import AuthorityBasis
from portal.domain.errors import InvalidChoice
from portal.services import audit
from portal.services import authority as service
from portal.services import choices as choice_service
from portal.services.choices import ChoiceActor
from tests.factories import make_tool
from tests.integration.carers.conftest import PATIENT_ACCOUNT, active_authority


@pytest.fixture()
def tools(db_session):
    make_tool(db_session, "triage", purposes={"care": "opt-out", "improvement": "opt-in"})
    make_tool(db_session, "scribe", purposes={"care": "opt-in"})
    db_session.flush()


def patient_chooses(session, family, slug, purpose, decision):
    return choice_service.record_choice(session, patient_id=family.patient.id, tool_slug=slug, purpose=purpose,
                                        decision=decision, actor=ChoiceActor.patient(PATIENT_ACCOUNT),
                                        channel="web", idempotency_key=None)


def carer_chooses(session, family, authority, slug, purpose, decision):
    return choice_service.record_choice(session, patient_id=family.patient.id, tool_slug=slug, purpose=purpose,
                                        decision=decision, actor=ChoiceActor.representative(family.carer.id,
                                                                                           authority.id),
                                        channel="web", idempotency_key=None)


def note(session, family, lacks, on):
    service.record_capacity_note(session, family.patient.id, lacks_capacity=lacks, assessed_by="Dr C",
                                 assessed_on=on, actor=audit.SYSTEM)


def count(session):
    return session.execute(select(func.count()).select_from(Choice)).scalar_one()


def today() -> date:
    """Today in London, taken at the test (not at import)."""
    return datetime.now(LONDON).date()


@pytest.mark.parametrize(("slug", "purpose", "decision"), [
    ("triage", "care", "permit"),   # a different answer for the same tool
    ("triage", "care", "deny"),     # the same answer again would still take its place
    ("triage", "care", "clear"),    # withdrawing the patient's own choice
    (None, "care", "deny"),         # a no for every tool outranks the patient's own yes
])
def test_refused_when_the_patient_chose_themselves_and_there_is_no_note_since(db_session, family, tools, slug,
                                                                             purpose, decision):
    # A nominee acts for a patient who can decide; no capacity note at all.
    nominee = active_authority(db_session, family, basis=AuthorityBasis.PATIENT_NOMINATED, reference=None)
    patient_chooses(db_session, family, "triage", "care", "deny" if decision == "permit" else "permit")
    before = count(db_session)
    with pytest.raises(InvalidChoice) as refused:
        carer_chooses(db_session, family, nominee, slug, purpose, decision)
    assert refused.value.code == "patient-chose-themselves"
    assert count(db_session) == before


def test_a_note_from_before_the_patients_own_choice_is_not_enough(db_session, family, tools):
    lpa = active_authority(db_session, family)  # its capacity note: 1 October 2026
    patient_chooses(db_session, family, "triage", "care", "deny")  # made today, after that note
    with pytest.raises(InvalidChoice):
        carer_chooses(db_session, family, lpa, "triage", "care", "permit")
    note(db_session, family, False, today())  # can decide: still refused
    with pytest.raises(InvalidChoice):
        carer_chooses(db_session, family, lpa, "triage", "care", "permit")


def test_allowed_with_a_note_since_audited_and_the_patient_told_so(db_session, family, tools, outbox):
    lpa = active_authority(db_session, family)
    mine = patient_chooses(db_session, family, "triage", "care", "deny")
    note(db_session, family, True, today())
    db_session.commit()
    outbox.clear()
    theirs = carer_chooses(db_session, family, lpa, "triage", "care", "permit")
    db_session.commit()
    details = db_session.execute(select(AuditEvent.details).where(AuditEvent.action == "choice.recorded")
                                 .order_by(AuditEvent.chain_position.desc()).limit(1)).scalar_one()
    assert details["replaced_patient_choices"] == [str(mine.id)]
    assert [(n.template, n.to, n.personalisation["replaced_your_own_choice"]) for n in outbox.sent] == [
        ("choice-recorded-for-you", "eira@example.org", "yes")]
    assert theirs.decision == "permit"


def test_where_the_patient_never_chose_the_carer_may_and_the_patient_is_told(db_session, family, tools, outbox):
    nominee = active_authority(db_session, family, basis=AuthorityBasis.PATIENT_NOMINATED, reference=None)
    patient_chooses(db_session, family, "triage", "care", "deny")  # another tool and purpose
    db_session.commit()
    outbox.clear()
    carer_chooses(db_session, family, nominee, "scribe", "care", "permit")
    carer_chooses(db_session, family, nominee, "triage", "improvement", "permit")
    db_session.commit()
    assert [n.personalisation["replaced_your_own_choice"] for n in outbox.sent] == ["no", "no"]


def test_a_carers_earlier_choice_can_be_changed_by_the_carer(db_session, family, tools):
    nominee = active_authority(db_session, family, basis=AuthorityBasis.PATIENT_NOMINATED, reference=None)
    carer_chooses(db_session, family, nominee, "triage", "care", "deny")
    assert carer_chooses(db_session, family, nominee, "triage", "care", "permit").decision == "permit"


def test_a_voided_own_choice_no_longer_stands_in_the_way(db_session, family, tools):
    nominee = active_authority(db_session, family, basis=AuthorityBasis.PATIENT_NOMINATED, reference=None)
    mine = patient_chooses(db_session, family, "triage", "care", "deny")
    choice_service.void_choice(db_session, choice_id=mine.id, staff_user_id=PATIENT_ACCOUNT, staff_roles={"admin"},
                               reason="Entered for the wrong patient")
    assert carer_chooses(db_session, family, nominee, "triage", "care", "permit").decision == "permit"


def test_the_note_day_is_the_london_day_of_the_patients_choice(db_session, family, tools):
    lpa = active_authority(db_session, family)
    patient_chooses(db_session, family, "triage", "care", "deny")
    note(db_session, family, True, today() - timedelta(days=1))
    with pytest.raises(InvalidChoice):
        carer_chooses(db_session, family, lpa, "triage", "care", "permit")
    note(db_session, family, True, today())
    assert carer_chooses(db_session, family, lpa, "triage", "care", "permit").decision == "permit"
