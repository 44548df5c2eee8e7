"""Fixtures for disputes: a patient in England with an AI-use event, a tool used only in
Wales, an account acting for the patient, and the outbox."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from portal.data.accounts import Account
from portal.data.ai_use import AiUseEvent
from portal.data.people import Organisation, Patient
from portal.data.register import AiTool
from portal.data.staff import StaffUser, add_staff_user
from portal.services import notify
from portal.services.disputes import DisputeActor
from tests.factories import make_ai_use_event, make_organisation, make_patient, make_tool


@pytest.fixture()
def outbox() -> Iterator[notify.Outbox]:
    sender = notify.get_sender()
    assert isinstance(sender, notify.Outbox)
    sender.clear()
    yield sender
    sender.clear()


@dataclass
class DisputeWorld:
    patient: Patient
    account: Account
    england: Organisation
    wales: Organisation
    triage: AiTool   # used in England by the patient's organisation
    welsh_tool: AiTool  # used only in Wales
    lonely_tool: AiTool  # used nowhere
    event: AiUseEvent  # the patient's, in England
    reviewer: StaffUser  # role dispute-reviewer

    @property
    def actor(self) -> DisputeActor:
        return DisputeActor("patient", self.account.id)


@pytest.fixture()
def dworld(db_session) -> DisputeWorld:  # type: ignore[no-untyped-def]
    from portal.data import people

    england = make_organisation(db_session, name="Demo Hospital NHS Trust", nation="england")
    wales = make_organisation(db_session, name="Bwrdd Iechyd Demo", nation="wales")
    patient = make_patient(db_session)
    people.set_patient_organisations(db_session, patient, [england])
    triage = make_tool(db_session, "chest-x-ray-triage", organisations=[england])
    welsh_tool = make_tool(db_session, "welsh-scribe", organisations=[wales])
    lonely_tool = make_tool(db_session, "lonely-tool")
    event = make_ai_use_event(db_session, patient, triage, england)
    account = Account(provider="nhs-login", subject=f"test-{patient.id}", patient_id=patient.id, highest_level="P9")
    db_session.add(account)
    db_session.flush()
    reviewer = add_staff_user(db_session, StaffUser(email="reviewer@example.nhs.uk", active=True), ("dispute-reviewer",))
    return DisputeWorld(patient, account, england, wales, triage, welsh_tool, lonely_tool, event, reviewer)


def good_answers(world: DisputeWorld, **changes: object) -> dict[str, object]:
    answers: dict[str, object] = {
        "event": str(world.event.id), "happened_on": "2026-03-03", "where": "Radiology",
        "why": "The X-ray was flagged as normal but I still had pain.",
        "outcomes": ["clinician-review", "explanation"], "contact": "email",
    }
    answers.update(changes)
    return {key: value for key, value in answers.items() if value is not None}
