"""Real concurrent use, from separate connections (threads, each with its own app context):
every choice lands, in sequence order, and a form sent many times at once records one
choice (issue 5 point 8). Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable

from sqlalchemy import select

from portal.data.audit import AuditEvent
from portal.data.choices import Choice
from portal.domain.errors import InvalidTransition
from portal.domain.values import Purpose
from portal.extensions import db
from portal.services import audit, choice_history
from portal.services import choices as choice_service
from portal.services.choices import ChoiceActor
from portal.services.decisions import decisions_for_patient_id

WRITERS = 50


def run_together(app, count: int, work: Callable[[int], object]) -> tuple[list[object], list[BaseException]]:  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(count)
    results: list[object] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(index: int) -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                result = work(index)
                with lock:
                    results.append(result)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            with lock:
                errors.append(error)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


def test_fifty_concurrent_choices_for_one_patient_all_land_in_sequence_order(app, world):
    account = uuid.uuid4()

    def choose(index: int) -> str:
        choice = choice_service.record_choice(
            db.session, patient_id=world.patient.id, tool_slug="chest-x-ray-triage", purpose="care",
            decision="deny" if index % 2 else "permit", actor=ChoiceActor.patient(account), channel="web",
            idempotency_key=f"form-{index:04d}-{uuid.uuid4().hex}")
        db.session.commit()
        return choice.reference

    references, errors = run_together(app, WRITERS, choose)
    assert errors == []
    with app.app_context():
        session = db.session
        choices = session.execute(select(Choice).order_by(Choice.sequence)).scalars().all()
        assert sorted(c.reference for c in choices) == sorted(references)
        assert [c.sequence for c in choices] == list(range(1, WRITERS + 1))
        times = [c.recorded_at_utc for c in choices]
        assert times == sorted(times), "a later sequence number never has an earlier time"
        events = session.execute(select(AuditEvent).where(AuditEvent.action == "choice.recorded")
                                 .order_by(AuditEvent.chain_day, AuditEvent.chain_position)).scalars().all()
        assert [e.details["sequence"] for e in events] == [c.sequence for c in choices]
        assert audit.verify(session).ok
        history = choice_history.history_for_patient(session, world.patient.id)
        assert [e.reference for e in history] == [c.reference for c in reversed(choices)]
        latest = choices[-1]
        decided = decisions_for_patient_id(session, world.patient.id)
        assert decided.decisions[("chest-x-ray-triage", Purpose.CARE)].decision == latest.decision


def test_one_form_sent_many_times_at_once_records_one_choice(app, world):
    account = uuid.uuid4()

    def send(_index: int) -> str:
        choice = choice_service.record_choice(
            db.session, patient_id=world.patient.id, tool_slug="ai-scribe", purpose="care", decision="permit",
            actor=ChoiceActor.patient(account), channel="web", idempotency_key="double-click-key-0001")
        db.session.commit()
        return choice.reference

    references, errors = run_together(app, 10, send)
    assert errors == []
    assert len(set(references)) == 1
    with app.app_context():
        assert len(db.session.execute(select(Choice)).scalars().all()) == 1
        assert len(db.session.execute(select(AuditEvent).where(AuditEvent.action == "choice.recorded")).scalars().all()) == 1


def test_one_choice_voided_many_times_at_once_is_voided_once(app, world):
    with app.app_context():
        wrong = choice_service.record_choice(
            db.session, patient_id=world.patient.id, tool_slug="chest-x-ray-triage", purpose="care", decision="permit",
            actor=ChoiceActor.patient(uuid.uuid4()), channel="web", idempotency_key=None)
        db.session.commit()
    admins = [uuid.uuid4() for _ in range(8)]

    def void(index: int) -> uuid.UUID:
        choice_service.void_choice(db.session, choice_id=wrong.id, staff_user_id=admins[index],
                                   staff_roles=("admin",), reason=f"Error seen by admin {index}")
        db.session.commit()
        return admins[index]

    voided_by, errors = run_together(app, len(admins), void)
    assert len(voided_by) == 1
    assert len(errors) == len(admins) - 1
    assert all(isinstance(e, InvalidTransition) for e in errors), errors
    with app.app_context():
        session = db.session
        choice = session.get(Choice, wrong.id)
        assert choice.voided_by_staff_id == voided_by[0]
        events = session.execute(select(AuditEvent).where(AuditEvent.action == "choice.voided")).scalars().all()
        assert [(e.actor_id, e.details["void_sequence"]) for e in events] == [(str(voided_by[0]), choice.void_sequence)]
        assert audit.verify(session).ok
