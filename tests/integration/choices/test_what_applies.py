"""What applies now and why: the overview every choices page is built from, the two
all-tools choices, terms changes, voids and the history (issue 5 points 1, 3 and 4)."""

from __future__ import annotations

import uuid

import pytest

from portal.data.people import Patient
from portal.domain.errors import InvalidTransition, NotFound, NotPermitted
from portal.domain.values import Basis, Decision, Purpose
from portal.services import choice_history, choice_summary
from portal.services import choices as choice_service
from portal.services.choices import ChoiceActor
from portal.services.decisions import decisions_for_patient_id
from tests.factories import make_patient
from tests.integration.choices.conftest import set_terms_version

ACCOUNT = uuid.uuid4()
ADMIN = uuid.uuid4()


def choose(session, world, tool, purpose, decision, actor=None):
    choice = choice_service.record_choice(
        session, patient_id=world.patient.id, tool_slug=tool, purpose=purpose, decision=decision,
        actor=actor or ChoiceActor.patient(ACCOUNT), channel="web", idempotency_key=None)
    session.commit()
    return choice


def row(session, world, tool, purpose):
    _, found = choice_summary.tool_question(session, world.patient.id, tool, purpose, ACCOUNT)
    return found


def test_the_patient_sees_the_tools_their_organisations_use_with_the_standard_settings(db_session, world):
    overview = choice_summary.overview(db_session, world.patient.id, ACCOUNT)
    shown = {(tool.slug, r.purpose.value): (r.decision, r.basis) for tool in overview.tools for r in tool.rows}
    assert shown == {
        ("ai-scribe", "care"): (Decision.DENY, Basis.DEFAULT_OPT_IN),
        ("chest-x-ray-triage", "care"): (Decision.PERMIT, Basis.DEFAULT_OPT_OUT),
        ("chest-x-ray-triage", "improvement"): (Decision.DENY, Basis.DEFAULT_OPT_IN),
        ("feedback-reader", "care"): (Decision.PERMIT, Basis.NO_CHOICE),
    }
    assert overview.organisations_known
    assert [a.purpose for a in overview.all_tools] == [Purpose.CARE, Purpose.IMPROVEMENT]
    assert all(a.in_force is None for a in overview.all_tools)


def test_a_no_choice_tool_says_why_and_cannot_be_chosen(db_session, world):
    found = row(db_session, world, "feedback-reader", "care")
    assert not found.can_choose and found.no_choice_reason == "The law says it must be used"


def test_when_organisations_are_unknown_every_tool_that_offers_a_choice_is_shown(db_session, world):
    patient = make_patient(db_session)
    overview = choice_summary.overview(db_session, patient.id)
    assert not overview.organisations_known
    assert [tool.slug for tool in overview.tools] == ["ai-scribe", "chest-x-ray-triage", "eye-scan-checker"]


def test_a_tool_the_patient_chose_about_stays_on_their_page_even_if_no_organisation_uses_it(db_session, world):
    choose(db_session, world, "eye-scan-checker", "research", "permit")
    slugs = [tool.slug for tool in choice_summary.overview(db_session, world.patient.id).tools]
    assert "eye-scan-checker" in slugs


def test_a_choice_says_who_made_it_and_when(db_session, world):
    choice = choose(db_session, world, "chest-x-ray-triage", "care", "deny")
    found = row(db_session, world, "chest-x-ray-triage", "care")
    assert (found.decision, found.basis, found.answered) == (Decision.DENY, Basis.CHOICE, Decision.DENY)
    assert found.choice.reference == choice.reference
    assert found.choice.by_viewer and found.choice.recorded_at == choice.recorded_at_utc


def test_going_back_to_the_standard_setting_leaves_nothing_answered(db_session, world):
    choose(db_session, world, "chest-x-ray-triage", "care", "deny")
    choose(db_session, world, "chest-x-ray-triage", "care", "clear")
    found = row(db_session, world, "chest-x-ray-triage", "care")
    assert (found.decision, found.basis, found.answered) == (Decision.PERMIT, Basis.DEFAULT_OPT_OUT, None)


def test_a_changed_opt_in_term_stops_an_earlier_yes_counting_and_the_page_asks_again(db_session, world):
    choose(db_session, world, "chest-x-ray-triage", "improvement", "permit")
    assert row(db_session, world, "chest-x-ray-triage", "improvement").decision == Decision.PERMIT
    set_terms_version(db_session, world.triage, "improvement", 2)
    db_session.commit()
    found = row(db_session, world, "chest-x-ray-triage", "improvement")
    assert (found.decision, found.basis, found.stale) == (Decision.DENY, Basis.DEFAULT_OPT_IN, True)
    overview = choice_summary.overview(db_session, world.patient.id)
    assert [(tool.slug, r.purpose.value) for tool, r in overview.to_answer_again] == [
        ("chest-x-ray-triage", "improvement")]
    choose(db_session, world, "chest-x-ray-triage", "improvement", "permit")  # answered again
    assert not choice_summary.overview(db_session, world.patient.id).to_answer_again
    assert row(db_session, world, "chest-x-ray-triage", "improvement").decision == Decision.PERMIT


def test_saying_no_for_all_tools_overrides_each_tool_and_withdrawing_it_brings_them_back(db_session, world):
    choose(db_session, world, "chest-x-ray-triage", "improvement", "permit")
    choose(db_session, world, "ai-scribe", "care", "permit")
    no_training = choose(db_session, world, None, "improvement", "deny")
    found = row(db_session, world, "chest-x-ray-triage", "improvement")
    assert (found.decision, found.basis, found.choice.reference) == (
        Decision.DENY, Basis.ALL_TOOLS_CHOICE, no_training.reference)
    assert row(db_session, world, "ai-scribe", "care").decision == Decision.PERMIT  # other purpose
    summary = choice_summary.all_tools_question(db_session, world.patient.id, "improvement", ACCOUNT)
    assert summary.in_force.reference == no_training.reference

    choose(db_session, world, None, "improvement", "clear")
    found = row(db_session, world, "chest-x-ray-triage", "improvement")
    assert (found.decision, found.basis) == (Decision.PERMIT, Basis.CHOICE)
    assert choice_summary.all_tools_question(db_session, world.patient.id, "improvement").in_force is None


def test_a_newer_answer_for_one_tool_beats_an_older_no_for_all_tools(db_session, world):
    choose(db_session, world, None, "care", "deny")
    choose(db_session, world, "ai-scribe", "care", "permit")
    assert row(db_session, world, "ai-scribe", "care").decision == Decision.PERMIT
    assert row(db_session, world, "chest-x-ray-triage", "care").basis == Basis.ALL_TOOLS_CHOICE


@pytest.mark.parametrize("purpose", ["research", "marketing"])
def test_only_the_two_all_tools_choices_have_pages(db_session, world, purpose):
    with pytest.raises(NotFound):
        choice_summary.all_tools_question(db_session, world.patient.id, purpose)


@pytest.mark.parametrize(("tool", "purpose"), [("no-such-tool", "care"), ("ai-scribe", "research"), ("ai-scribe", "x")])
def test_a_question_about_a_tool_or_purpose_that_does_not_exist_is_not_found(db_session, world, tool, purpose):
    with pytest.raises(NotFound):
        choice_summary.tool_question(db_session, world.patient.id, tool, purpose)


def test_an_admin_voids_a_choice_made_in_error_and_it_stays_in_the_history_marked(db_session, world):
    choose(db_session, world, "chest-x-ray-triage", "care", "permit")
    wrong = choose(db_session, world, "chest-x-ray-triage", "care", "deny", ChoiceActor.staff(uuid.uuid4()))
    voided = choice_service.void_choice(db_session, choice_id=wrong.id, staff_user_id=ADMIN,
                                        staff_roles={"admin"}, reason="Entered for the wrong patient")
    db_session.commit()
    assert voided.void_sequence > wrong.sequence
    found = row(db_session, world, "chest-x-ray-triage", "care")
    assert (found.decision, found.basis) == (Decision.PERMIT, Basis.CHOICE)
    decided = decisions_for_patient_id(db_session, world.patient.id)
    assert decided.decisions[("chest-x-ray-triage", Purpose.CARE)].decision == Decision.PERMIT
    history = choice_history.history_for_patient(db_session, world.patient.id, ACCOUNT)
    assert [(e.reference, e.voided_at is not None) for e in history] == [
        (wrong.reference, True), (history[1].reference, False)]


@pytest.mark.parametrize(("roles", "reason", "error"), [
    ({"reviewer"}, "Made in error", NotPermitted),
    ({"admin"}, "   ", InvalidTransition),
])
def test_only_an_admin_with_a_reason_can_void(db_session, world, roles, reason, error):
    choice = choose(db_session, world, "chest-x-ray-triage", "care", "deny")
    with pytest.raises(error):
        choice_service.void_choice(db_session, choice_id=choice.id, staff_user_id=ADMIN, staff_roles=roles, reason=reason)


def test_a_choice_cannot_be_voided_twice(db_session, world):
    choice = choose(db_session, world, "chest-x-ray-triage", "care", "deny")
    choice_service.void_choice(db_session, choice_id=choice.id, staff_user_id=ADMIN, staff_roles={"admin"}, reason="Error")
    with pytest.raises(InvalidTransition):
        choice_service.void_choice(db_session, choice_id=choice.id, staff_user_id=ADMIN, staff_roles={"admin"}, reason="Error")


def test_voiding_is_audited(db_session, world):
    from sqlalchemy import select

    from portal.data.audit import AuditEvent

    choice = choose(db_session, world, "chest-x-ray-triage", "care", "deny")
    choice_service.void_choice(db_session, choice_id=choice.id, staff_user_id=ADMIN, staff_roles={"admin"}, reason="Error")
    db_session.commit()
    event = db_session.execute(select(AuditEvent).where(AuditEvent.action == "choice.voided")).scalar_one()
    assert (event.actor_kind, event.actor_id, event.details["reference"]) == ("staff", str(ADMIN), choice.reference)


def test_the_history_is_newest_first_and_says_who_made_each_choice(db_session, world):
    mine = choose(db_session, world, "ai-scribe", "care", "permit")
    # A carer may replace the patient's own choice only under a capacity note made since.
    from datetime import datetime

    from portal.domain.age import LONDON
    from portal.services import audit
    from portal.services import authority as authority_service
    authority_service.record_capacity_note(db_session, world.patient.id, lacks_capacity=True, assessed_by="Dr A",
                                           assessed_on=datetime.now(LONDON).date(), actor=audit.SYSTEM)
    carer = choose(db_session, world, "ai-scribe", "care", "deny", ChoiceActor.representative(uuid.uuid4(), uuid.uuid4()))
    everyone = choose(db_session, world, None, "care", "deny")
    history = choice_history.history_for_patient(db_session, world.patient.id, ACCOUNT)
    assert [(e.reference, e.actor_kind.value, e.by_viewer) for e in history] == [
        (everyone.reference, "self", True), (carer.reference, "representative", False), (mine.reference, "self", True)]
    assert history[0].tool_slug is None and history[1].tool_name == "AI note taker"


def test_a_reference_belongs_to_one_patient_only(db_session, world):
    choice = choose(db_session, world, "ai-scribe", "care", "permit")
    other = make_patient(db_session)
    with pytest.raises(NotFound):
        choice_history.receipt(db_session, other.id, choice.reference)
    assert choice_history.receipt(db_session, world.patient.id, choice.reference.lower()).entry.reference == choice.reference


def test_the_receipt_names_the_patient_and_knows_if_they_have_an_email(db_session, world):
    choice = choose(db_session, world, "ai-scribe", "care", "permit")
    receipt = choice_history.receipt(db_session, world.patient.id, choice.reference)
    assert receipt.patient_name == "Siân O'Brien" and receipt.email_on_record
    db_session.get(Patient, world.patient.id).email = None
    assert not choice_history.receipt(db_session, world.patient.id, choice.reference).email_on_record
