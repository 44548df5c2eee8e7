"""Recording a choice: validated against the register, numbered by the database sequence,
audited in the same transaction, idempotent per form, and the patient told when someone
else made it (issue 5 points 3, 8 and 9)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from portal.data.audit import AuditEvent
from portal.data.choices import Choice
from portal.data.people import Patient
from portal.domain.errors import InvalidChoice, NotPermitted
from portal.services import audit
from portal.services import choices as choice_service
from portal.services.choices import ChoiceActor, IdempotencyKeyReused
from tests.integration.choices.conftest import set_terms_version

ACCOUNT = uuid.uuid4()


def record(session, world, *, tool="chest-x-ray-triage", purpose="care", decision="deny", key=None,
           actor=None, **options):
    return choice_service.record_choice(
        session, patient_id=world.patient.id, tool_slug=tool, purpose=purpose, decision=decision,
        actor=actor or ChoiceActor.patient(ACCOUNT), channel=options.pop("channel", "web"),
        idempotency_key=key, **options)


def count(session, model) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_a_choice_is_numbered_referenced_and_keeps_the_terms_version_it_answered(db_session, world):
    set_terms_version(db_session, world.triage, "improvement", 3)
    choice = record(db_session, world, purpose="improvement", decision="permit")
    db_session.commit()
    assert re.fullmatch(r"CHO-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}", choice.reference)
    assert choice.sequence == 1
    assert choice.terms_version == 3
    assert choice.recorded_at_utc.tzinfo is not None and choice.recorded_at_utc.utcoffset().total_seconds() == 0
    assert (choice.actor_kind, choice.actor_account_id, choice.channel) == ("self", ACCOUNT, "web")


def test_an_all_tools_choice_has_no_tool_and_no_terms_version(db_session, world):
    choice = record(db_session, world, tool=None, purpose="improvement", decision="deny")
    assert (choice.tool_id, choice.terms_version) == (None, None)


def test_a_paper_choice_keeps_when_it_was_signed(db_session, world):
    signed = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    choice = record(db_session, world, actor=ChoiceActor.staff(uuid.uuid4()), channel="paper",
                    signed_at=signed, reason="Paper form received by post")
    assert (choice.channel, choice.signed_at_utc, choice.actor_kind) == ("paper", signed, "staff")


def test_the_same_form_sent_twice_records_one_choice(db_session, world):
    first = record(db_session, world, key="k" * 32)
    db_session.commit()
    second = record(db_session, world, key="k" * 32)
    db_session.commit()
    assert second.id == first.id and second.reference == first.reference
    assert count(db_session, Choice) == 1
    assert count(db_session, AuditEvent) == 1


def test_the_same_form_key_with_another_answer_is_refused_and_records_nothing(db_session, world):
    record(db_session, world, key="k" * 32, decision="deny")
    db_session.commit()
    with pytest.raises(IdempotencyKeyReused):
        record(db_session, world, key="k" * 32, decision="permit")
    db_session.rollback()
    assert count(db_session, Choice) == 1


def test_every_choice_writes_an_audit_event_naming_it(db_session, world):
    choice = record(db_session, world)
    db_session.commit()
    event = db_session.execute(select(AuditEvent)).scalar_one()
    assert (event.action, event.actor_kind, event.actor_id, event.patient_id) == (
        "choice.recorded", "patient", str(ACCOUNT), world.patient.id)
    assert event.details["reference"] == choice.reference
    assert event.details["sequence"] == choice.sequence
    assert (event.details["tool"], event.details["purpose"], event.details["decision"]) == (
        "chest-x-ray-triage", "care", "deny")
    assert audit.verify(db_session).ok


def test_if_the_audit_fails_the_choice_is_not_saved_either(db_session, world, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        record(db_session, world)
    db_session.rollback()
    assert count(db_session, Choice) == 0
    assert count(db_session, AuditEvent) == 0


def test_if_the_choice_fails_no_audit_event_is_written(db_session, world, monkeypatch):
    from portal.data import choices as choice_data

    def broken(session, choice):
        raise RuntimeError("disk full")

    monkeypatch.setattr(choice_data, "add_choice", broken)
    with pytest.raises(RuntimeError):
        record(db_session, world)
    db_session.rollback()
    assert count(db_session, AuditEvent) == 0


def test_a_reference_that_is_already_taken_is_replaced_by_a_fresh_one(db_session, world, monkeypatch):
    first = record(db_session, world)
    fresh = iter([first.reference, "CHO-2345-6789"])
    monkeypatch.setattr(choice_service, "new_reference", lambda prefix: next(fresh))
    second = record(db_session, world, decision="permit")
    db_session.commit()
    assert second.reference == "CHO-2345-6789"
    assert count(db_session, Choice) == 2 and count(db_session, AuditEvent) == 2


TAMPERED = [
    ("no-such-tool", "care", "deny", InvalidChoice.UNKNOWN_TOOL, "This AI tool is not on our list"),
    ("chest-x-ray-triage", "marketing", "deny", InvalidChoice.UNKNOWN_PURPOSE, "AI tools are not used for this purpose"),
    ("chest-x-ray-triage", "research", "deny", InvalidChoice.PURPOSE_NOT_SERVED, "This AI tool is not used for this purpose"),
    (None, "care", "permit", InvalidChoice.PERMIT_ON_ALL_TOOLS, "You can say yes to AI tools one at a time, not all at once"),
    ("feedback-reader", "care", "deny", InvalidChoice.NO_CHOICE_PURPOSE,
     "You cannot make a choice about this use of this AI tool. You can object to it"),
    ("chest-x-ray-triage", "care", "maybe", InvalidChoice.UNKNOWN_DECISION, "Select yes, no or the standard setting"),
]


@pytest.mark.parametrize(("tool", "purpose", "decision", "code", "message"), TAMPERED)
def test_a_choice_that_can_never_be_recorded_is_refused_with_a_clear_message(
        db_session, world, tool, purpose, decision, code, message):
    with pytest.raises(InvalidChoice) as refused:
        record(db_session, world, tool=tool, purpose=purpose, decision=decision)
    assert (refused.value.code, refused.value.message) == (code, message)
    db_session.rollback()
    assert count(db_session, Choice) == 0 and count(db_session, AuditEvent) == 0


def test_a_carer_records_only_under_a_named_authority():
    with pytest.raises(NotPermitted):
        ChoiceActor(choice_service.ActorKind.REPRESENTATIVE, account_id=uuid.uuid4())


def test_the_patient_is_told_when_a_carer_records_a_choice_once_it_is_saved(db_session, world, outbox):
    authority = uuid.uuid4()
    choice = record(db_session, world, actor=ChoiceActor.representative(uuid.uuid4(), authority))
    assert outbox.sent == []  # not before the commit
    db_session.commit()
    [message] = outbox.sent
    assert (message.template, message.channel, message.to) == ("choice-recorded-for-you", "email", world.patient.email)
    assert message.personalisation["reference"] == choice.reference
    assert "chest" not in str(message).lower(), "no clinical detail in the message"
    assert choice.authority_id == authority


def test_the_patient_is_not_told_about_a_choice_that_was_rolled_back(db_session, world, outbox):
    record(db_session, world, actor=ChoiceActor.staff(uuid.uuid4()))
    db_session.rollback()
    db_session.commit()
    assert outbox.sent == []


def test_a_patient_without_email_is_told_by_text_message(db_session, world, outbox):
    db_session.get(Patient, world.patient.id).email = None
    record(db_session, world, actor=ChoiceActor.staff(uuid.uuid4()))
    db_session.commit()
    assert [(m.channel, m.to) for m in outbox.sent] == [("sms", world.patient.mobile)]


def test_the_patient_is_not_messaged_about_their_own_choice(db_session, world, outbox):
    record(db_session, world)
    db_session.commit()
    assert outbox.sent == []


def test_the_receipt_goes_to_the_email_on_record_with_no_clinical_detail(db_session, world, outbox):
    choice = record(db_session, world)
    assert choice_service.send_receipt(db_session, patient_id=world.patient.id, reference=choice.reference)
    db_session.commit()
    [message] = outbox.sent
    assert (message.template, message.to) == ("choice-receipt", world.patient.email)
    assert set(message.personalisation) == {"reference", "recorded_at_utc"}


def test_no_receipt_is_sent_without_an_email_address(db_session, world, outbox):
    db_session.get(Patient, world.patient.id).email = None
    choice = record(db_session, world)
    assert not choice_service.send_receipt(db_session, patient_id=world.patient.id, reference=choice.reference)
    db_session.commit()
    assert outbox.sent == []
