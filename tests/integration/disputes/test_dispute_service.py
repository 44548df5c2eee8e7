"""Raising, following and reviewing disputes through the services (issue 6): one dispute per
draft however often it is sent, due dates by nation in working days, moves only along the
graph, every action audited, the patient told by their chosen route with no clinical detail."""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest
from sqlalchemy import func, select

from portal.data.audit import AuditEvent
from portal.data.disputes import Dispute, DisputeDraft
from portal.domain.errors import InvalidTransition, NotFound
from portal.services import dispute_reviews as reviews
from portal.services import disputes as service
from portal.services.disputes import InvalidDispute
from tests.factories import make_ai_use_event, make_patient
from tests.integration.disputes.conftest import good_answers

TODAY = date(2026, 4, 2)  # the Thursday before Good Friday


def raise_dispute(session, world, **changes):
    key = service.save_step(session, world.account.id, world.patient.id, good_answers(world, **changes), start=True)
    return service.submit(session, patient_id=world.patient.id, actor=world.actor, submission_key=key, today=TODAY)


def count(session, model) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def actions(session) -> list[str]:
    return list(session.execute(select(AuditEvent.action).order_by(AuditEvent.chain_position)).scalars())


def test_a_submitted_dispute_has_a_reference_a_first_timeline_line_and_an_audit_row(db_session, dworld):
    dispute = raise_dispute(db_session, dworld)
    assert re.fullmatch(r"AID-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}", dispute.reference)
    assert (dispute.status, dispute.kind, dispute.tool_id) == ("received", "dispute", dworld.triage.id)
    assert [(e.kind, e.status) for e in dispute.events] == [("status", "received")]
    assert actions(db_session) == ["dispute.raised"]
    assert count(db_session, DisputeDraft) == 0


def test_sending_the_same_draft_twice_makes_one_dispute_with_the_same_reference(db_session, dworld):
    key = service.save_step(db_session, dworld.account.id, dworld.patient.id, good_answers(dworld), start=True)
    first = service.submit(db_session, patient_id=dworld.patient.id, actor=dworld.actor, submission_key=key)
    db_session.commit()
    again = service.submit(db_session, patient_id=dworld.patient.id, actor=dworld.actor, submission_key=key)
    assert again.reference == first.reference
    assert count(db_session, Dispute) == 1
    assert actions(db_session) == ["dispute.raised"]


def test_an_unknown_draft_key_finds_nothing(db_session, dworld):
    with pytest.raises(NotFound):
        service.submit(db_session, patient_id=dworld.patient.id, actor=dworld.actor, submission_key=str(uuid.uuid4()))


def test_due_dates_count_working_days_over_the_easter_bank_holidays_in_england_and_wales():
    assert service.due_dates(TODAY, "england") == (date(2026, 4, 9), date(2026, 5, 5))
    assert service.due_dates(TODAY, "wales") == (date(2026, 4, 9), date(2026, 5, 19))
    assert service.due_dates(TODAY, "wales", {"wales": 20}) == (date(2026, 4, 9), date(2026, 5, 5))


def test_the_nation_comes_from_the_event_else_the_tools_first_organisation_else_england(db_session, dworld):
    assert raise_dispute(db_session, dworld).nation == "england"
    welsh = raise_dispute(db_session, dworld, event=None, tool="welsh-scribe", confirm_tool=True)
    assert (welsh.nation, welsh.decide_due_on) == ("wales", date(2026, 5, 19))
    nowhere = raise_dispute(db_session, dworld, event=None, tool="lonely-tool", confirm_tool=True)
    assert (nowhere.nation, nowhere.organisation_id) == ("england", None)


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"event": None}, "tool", "Select the AI tool"),
    ({"event": None, "tool": "welsh-scribe"}, "confirm_tool",
     "Confirm you want to ask about a tool your NHS organisations do not use"),
    ({"happened_on": None}, "happened_on", "Enter the date it happened"),
    ({"happened_on": "2026-02-30"}, "happened_on", "The date it happened must be a real date"),
    ({"happened_on": "2026-04-03"}, "happened_on", "The date it happened must be today or in the past"),
    ({"why": "   "}, "why", "Tell us why you think it was wrong"),
    ({"why": "x" * 5001}, "why", "Why you think it was wrong must be 5,000 characters or fewer"),
    ({"outcomes": []}, "outcomes", "Select what you would like to happen"),
    ({"contact": None}, "contact", "Select how you would like us to contact you"),
])
def test_bad_answers_are_refused_with_a_clear_message_and_the_draft_is_kept(db_session, dworld, changes, field, message):
    with pytest.raises(InvalidDispute) as refused:
        raise_dispute(db_session, dworld, **changes)
    assert (refused.value.field, refused.value.message) == (field, message)
    assert count(db_session, Dispute) == 0
    assert count(db_session, DisputeDraft) == 1


def test_exactly_5000_characters_is_accepted(db_session, dworld):
    assert len(raise_dispute(db_session, dworld, why="x" * 5000).why) == 5000


def test_an_event_belonging_to_someone_else_is_not_found(db_session, dworld):
    other = make_patient(db_session)
    theirs = make_ai_use_event(db_session, other, dworld.triage, dworld.england)
    with pytest.raises(NotFound):
        raise_dispute(db_session, dworld, event=str(theirs.id))


def test_a_reviewer_acknowledges_reviews_and_upholds_and_each_step_is_audited(db_session, dworld):
    reference = raise_dispute(db_session, dworld).reference
    reviews.acknowledge(db_session, reference=reference, staff_user_id=dworld.reviewer.id)
    reviews.assign_to_me(db_session, reference=reference, staff_user_id=dworld.reviewer.id)
    reviews.ask_for_information(db_session, reference=reference, staff_user_id=dworld.reviewer.id, message="Which arm hurt?")
    service.add_information(db_session, patient_id=dworld.patient.id, reference=reference, actor=dworld.actor,
                            message="The left one.")
    reviews.start_review(db_session, reference=reference, staff_user_id=dworld.reviewer.id)
    dispute = reviews.record_outcome(db_session, reference=reference, staff_user_id=dworld.reviewer.id, upheld=True,
                                     explanation="A doctor looked again and booked a scan.", internal_note="Threshold issue")
    assert (dispute.status, dispute.assigned_staff_id) == ("upheld", dworld.reviewer.id)
    assert dispute.closed_at_utc is not None
    patient_sees = [(e.kind, e.status or e.message) for e in dispute.events if e.visible_to_patient]
    assert patient_sees == [("status", "received"), ("status", "acknowledged"), ("message", "Which arm hurt?"),
                            ("message", "The left one."), ("status", "in-review"), ("status", "upheld")]
    assert [e.message for e in dispute.events if not e.visible_to_patient] == ["Threshold issue"]
    assert actions(db_session) == ["dispute.raised", "dispute.acknowledged", "dispute.assigned",
                                   "dispute.information-requested", "dispute.information-added",
                                   "dispute.review-started", "dispute.outcome-recorded"]


@pytest.mark.parametrize("move", [
    lambda s, ref, staff: reviews.record_outcome(s, reference=ref, staff_user_id=staff, upheld=True, explanation="Yes"),
    lambda s, ref, staff: reviews.start_review(s, reference=ref, staff_user_id=staff),
], ids=["received-to-upheld", "received-to-in-review"])
def test_moves_outside_the_graph_are_refused_and_change_nothing(db_session, dworld, move):
    dispute = raise_dispute(db_session, dworld)
    with pytest.raises(InvalidTransition):
        move(db_session, dispute.reference, dworld.reviewer.id)
    assert (dispute.status, dispute.outcome_explanation) == ("received", None)


def test_a_withdrawn_dispute_cannot_be_withdrawn_again_added_to_or_acknowledged(db_session, dworld):
    reference = raise_dispute(db_session, dworld).reference
    service.withdraw(db_session, patient_id=dworld.patient.id, reference=reference, actor=dworld.actor)
    with pytest.raises(InvalidTransition):
        service.withdraw(db_session, patient_id=dworld.patient.id, reference=reference, actor=dworld.actor)
    with pytest.raises(InvalidTransition):
        service.add_information(db_session, patient_id=dworld.patient.id, reference=reference,
                                actor=dworld.actor, message="More")
    with pytest.raises(InvalidTransition):
        reviews.acknowledge(db_session, reference=reference, staff_user_id=dworld.reviewer.id)


def test_another_patients_dispute_is_not_found(db_session, dworld):
    reference = raise_dispute(db_session, dworld).reference
    other = make_patient(db_session)
    with pytest.raises(NotFound):
        service.get_for_patient(db_session, other.id, reference)


@pytest.mark.parametrize(("preference", "channel", "to"), [
    ("email", "email", "sian.obrien@example.org"),
    ("phone", "sms", "07700 900123"),
    ("post", "post", "patient-id"),
    ("portal", None, None),
])
def test_the_patient_is_told_by_their_chosen_route_after_commit_only(db_session, dworld, outbox, preference, channel, to):
    reference = raise_dispute(db_session, dworld, contact=preference).reference
    assert outbox.sent == []  # nothing before the commit
    db_session.commit()
    expected = [] if channel is None else [(channel, str(dworld.patient.id) if to == "patient-id" else to)]
    assert [(n.channel, n.to) for n in outbox.sent] == expected
    assert all(n.template == "dispute-update" and n.personalisation == {"reference": reference} for n in outbox.sent)


def test_messages_carry_no_clinical_detail(db_session, dworld, outbox):
    reference = raise_dispute(db_session, dworld).reference
    reviews.acknowledge(db_session, reference=reference, staff_user_id=dworld.reviewer.id)
    reviews.ask_for_information(db_session, reference=reference, staff_user_id=dworld.reviewer.id, message="Which arm hurt?")
    reviews.start_review(db_session, reference=reference, staff_user_id=dworld.reviewer.id)
    reviews.record_outcome(db_session, reference=reference, staff_user_id=dworld.reviewer.id, upheld=False,
                           explanation="The scan was read correctly.", internal_note="No fault")
    db_session.commit()
    assert len(outbox.sent) == 5
    sent = repr(outbox.sent)
    for clinical in ("X-ray", "arm", "scan", "fault", "chest", "triage", "upheld", "Radiology"):
        assert clinical not in sent


def test_tool_counts_under_5_are_shown_as_fewer_than_5(db_session, dworld):
    for _ in range(4):
        dispute = raise_dispute(db_session, dworld)
    assert service.counts_for_tool(db_session, dworld.triage.id) == service.ToolDisputeCounts(None, None)
    for _ in range(5):
        dispute = raise_dispute(db_session, dworld)
        reviews.acknowledge(db_session, reference=dispute.reference, staff_user_id=dworld.reviewer.id)
        reviews.start_review(db_session, reference=dispute.reference, staff_user_id=dworld.reviewer.id)
        reviews.record_outcome(db_session, reference=dispute.reference, staff_user_id=dworld.reviewer.id, upheld=True,
                               explanation="Yes")
    assert service.counts_for_tool(db_session, dworld.triage.id) == service.ToolDisputeCounts(9, 5)
    assert service.counts_for_tool(db_session, dworld.welsh_tool.id) == service.ToolDisputeCounts(None, None)


def test_a_staff_view_is_audited(db_session, dworld):
    reference = raise_dispute(db_session, dworld).reference
    reviews.view(db_session, reference=reference, staff_user_id=dworld.reviewer.id)
    assert actions(db_session)[-1] == "staff.patient.view"


def test_every_staff_action_is_audited_with_who_when_and_which_request(db_session, dworld):
    from datetime import UTC, datetime, timedelta

    reference = raise_dispute(db_session, dworld).reference
    before = datetime.now(UTC) - timedelta(seconds=1)
    reviews.view(db_session, reference=reference, staff_user_id=dworld.reviewer.id)
    reviews.acknowledge(db_session, reference=reference, staff_user_id=dworld.reviewer.id)
    reviews.assign_to_me(db_session, reference=reference, staff_user_id=dworld.reviewer.id)
    reviews.ask_for_information(db_session, reference=reference, staff_user_id=dworld.reviewer.id, message="Which arm?")
    reviews.start_review(db_session, reference=reference, staff_user_id=dworld.reviewer.id)
    reviews.record_outcome(db_session, reference=reference, staff_user_id=dworld.reviewer.id, upheld=False,
                           explanation="The scan was read correctly.", internal_note="No fault")
    rows = db_session.execute(select(AuditEvent).where(AuditEvent.actor_kind == "staff")
                              .order_by(AuditEvent.chain_position)).scalars().all()
    assert [row.action for row in rows] == ["staff.patient.view", "dispute.acknowledged", "dispute.assigned",
                                            "dispute.information-requested", "dispute.review-started",
                                            "dispute.outcome-recorded"]
    for row in rows:
        assert row.actor_id == str(dworld.reviewer.id)
        assert row.occurred_at_utc.replace(tzinfo=UTC) >= before
        assert (row.patient_id, row.details["reference"]) == (dworld.patient.id, reference)
        assert "No fault" not in str(row.details) and "Which arm?" not in str(row.details)  # no free text
