"""Fixtures for governance tests: a patient with AI use, one report a conflict."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from portal.data import people
from portal.data.ai_use import AiUseEvent
from portal.data.people import Organisation, Patient
from portal.data.register import AiTool
from portal.extensions import db
from tests.factories import make_ai_use_event, make_organisation, make_patient, make_tool


@dataclass
class Conflicts:
    patient: Patient
    organisation: Organisation
    tool: AiTool
    older: AiUseEvent
    newer: AiUseEvent
    fine: AiUseEvent


@pytest.fixture()
def conflicts_world(app) -> Conflicts:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    with app.app_context():
        session = db.session
        organisation = make_organisation(session, "RH5", "Somerset NHS Foundation Trust")
        patient = make_patient(session)
        people.set_patient_organisations(session, patient, [organisation])
        tool = make_tool(session, "ai-scribe", name="AI note taker", purposes={"care": "opt-in"},
                         organisations=[organisation])
        fine = make_ai_use_event(session, patient, tool, organisation, visible_from_utc=now - timedelta(days=3),
                                 plain_summary="It wrote notes of your appointment.")
        older = make_ai_use_event(session, patient, tool, organisation, conflict=True, conflict_status="open",
                                  decision_at_time="deny", basis_at_time="default-opt-in",
                                  visible_from_utc=now - timedelta(days=2), created_at_utc=now - timedelta(days=2),
                                  plain_summary="It wrote notes of your first visit.")
        newer = make_ai_use_event(session, patient, tool, organisation, conflict=True, conflict_status="open",
                                  decision_at_time="deny", basis_at_time="choice",
                                  visible_from_utc=now - timedelta(days=1), created_at_utc=now - timedelta(days=1),
                                  plain_summary="It wrote notes of your second visit.")
        session.commit()
        return Conflicts(patient, organisation, tool, older, newer, fine)
