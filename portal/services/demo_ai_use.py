"""Demo AI-use reports for the NHS login P9 demo user (Amelia Hughes, 999 100 1239), one of
them a conflict (AI used after she said no), so the timeline and the auditors' queue show
something. Fixed external references: running it again creates nothing twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from portal.data import ai_use as ai_use_data
from portal.data import people
from portal.data import register as register_data
from portal.data.ai_use import AiUseEvent

DEMO_NHS_NUMBER = "9991001239"
DEMO_TOOL = "somerset-chest-xray-triage"
DEMO_ODS_CODE = "RH5"


@dataclass(frozen=True)
class DemoUse:
    reference: str
    days_ago: int
    summary: str
    conflict: bool


DEMO_USES = (
    DemoUse("DEMO-AI-USE-1", 60, "It flagged your chest X-ray for a doctor to look at first.", False),
    DemoUse("DEMO-AI-USE-2", 40, "It checked your chest X-ray and found nothing urgent.", False),
    DemoUse("DEMO-AI-USE-3", 20, "It checked your chest X-ray after you had said no.", True),
)


def load_demo_ai_use(session: Session, now: datetime) -> int:
    """Add the demo reports that are not there yet; return how many were added (0 when the
    demo patient, tool or organisation is missing). Flushes, never commits."""
    patient = people.get_patient_by_nhs_number(session, DEMO_NHS_NUMBER)
    tool = register_data.get_tool_by_slug(session, DEMO_TOOL)
    organisation = people.get_organisation_by_ods_code(session, DEMO_ODS_CODE)
    if patient is None or tool is None or organisation is None:
        return 0
    added = 0
    for use in DEMO_USES:
        if ai_use_data.get_ai_use_event_by_reference(session, None, use.reference) is not None:
            continue
        used = now - timedelta(days=use.days_ago)
        ai_use_data.add_ai_use_event(session, AiUseEvent(
            patient_id=patient.id, tool_id=tool.id, organisation_id=organisation.id, purpose="care",
            used_at_utc=used, visible_from_utc=used + timedelta(days=14), service="Radiology",
            plain_summary=use.summary, external_reference=use.reference,
            decision_at_time="deny" if use.conflict else "permit",
            basis_at_time="choice" if use.conflict else "default-opt-out",
            conflict=use.conflict, conflict_status="open" if use.conflict else None,
        ))
        added += 1
    return added
