"""Demo requests for review for the NHS login P9 demo user (Amelia Hughes, 999 100 1239), so
the back office queue and her ``/disputes`` page show something (issue 6 "Done means"):

- ``AID-DEM2-REVW``, about her first demo AI use: acknowledged, assigned to the demo
  reviewer, in review, with a question from the reviewer waiting for her reply;
- ``AID-DEM3-ACKS``, about her second: received two weeks ago and not yet acknowledged, so
  it is overdue and stands out in the queue.

Her third demo AI use (the conflict) is left for a new request. Staff steps go through
``portal.services.dispute_reviews`` (so they are audited as the demo reviewer); timeline
times are then set to the story's days. Fixed references: running it again adds nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from portal.data import ai_use as ai_use_data
from portal.data import disputes as dispute_data
from portal.data import people
from portal.data import staff as staff_data
from portal.data.disputes import Dispute
from portal.domain.disputes import DisputeStatus
from portal.services import audit, dispute_reviews
from portal.services.demo_ai_use import DEMO_NHS_NUMBER
from portal.services.disputes import add_event, due_dates, nation_for
from portal.services.dispute_answers import LONDON

DEMO_REVIEWER_EMAIL = "dispute-reviewer@staff.example.org"  # made by demo_accounts.load_demo_staff
# Days after the request was received that each timeline line happened, in the demo story.
STORY_DAYS = {"received": 0, "acknowledged": 2, "in-review": 4, "message": 5}


@dataclass(frozen=True)
class DemoDispute:
    reference: str
    ai_use_reference: str
    days_ago: int
    why: str
    in_review: bool
    question: str | None = None


DEMO_DISPUTES = (
    DemoDispute("AID-DEM2-REVW", "DEMO-AI-USE-1", 10,
                "The tool put my X-ray first, but nobody told me why. I was very worried for a week.",
                in_review=True, question="Thank you. Did anyone at the hospital talk to you about the result?"),
    DemoDispute("AID-DEM3-ACKS", "DEMO-AI-USE-2", 14,
                "It said nothing was urgent, but I still have a cough and pain in my chest.",
                in_review=False),
)


def load_demo_disputes(session: Session, now: datetime, *, decide_within: Mapping[str, int] | None = None,
                       acknowledge_within: Mapping[str, int] | None = None) -> list[str]:
    """Add the demo requests that are not there yet; return their references (none when the
    demo patient, her AI uses or the demo reviewer are missing). Flushes, never commits."""
    patient = people.get_patient_by_nhs_number(session, DEMO_NHS_NUMBER)
    reviewer = staff_data.get_staff_user_by_email(session, DEMO_REVIEWER_EMAIL)
    if patient is None or reviewer is None:
        return []
    added = []
    for demo in DEMO_DISPUTES:
        event = ai_use_data.get_ai_use_event_by_reference(session, None, demo.ai_use_reference)
        if event is None or dispute_data.get_dispute_by_reference(session, demo.reference) is not None:
            continue
        received = now - timedelta(days=demo.days_ago)
        nation, organisation_id = nation_for(session, event.tool, event)
        acknowledge_by, decide_by = due_dates(received.astimezone(LONDON).date(), nation, decide_within,
                                              acknowledge_within)
        dispute = dispute_data.add_dispute(session, Dispute(
            reference=demo.reference, submission_key=f"demo-{demo.reference}", patient_id=patient.id,
            kind="dispute", tool_id=event.tool_id, ai_use_event_id=event.id, organisation_id=organisation_id,
            happened_on=event.used_at_utc.astimezone(LONDON).date(), where_text=event.service, why=demo.why,
            outcomes_wanted=["clinician-review", "explanation"], contact_preference="portal",
            status=DisputeStatus.RECEIVED.value, nation=nation, received_on=received.astimezone(LONDON).date(),
            acknowledge_due_on=acknowledge_by, decide_due_on=decide_by))
        add_event(session, dispute, kind="status", status=DisputeStatus.RECEIVED, actor_kind="patient", actor_id=None)
        audit.record(session, audit.SYSTEM, "dispute.raised", patient_id=patient.id, details={
            "dispute_id": str(dispute.id), "reference": dispute.reference, "kind": dispute.kind, "demo": True})
        if demo.in_review:
            for step in (dispute_reviews.acknowledge, dispute_reviews.assign_to_me, dispute_reviews.start_review):
                step(session, reference=dispute.reference, staff_user_id=reviewer.id)
            if demo.question:
                dispute_reviews.ask_for_information(session, reference=dispute.reference,
                                                    staff_user_id=reviewer.id, message=demo.question)
        session.flush()
        session.refresh(dispute)
        for line in dispute.events:  # the story's days, in the order the steps happened
            line.at_utc = received + timedelta(days=STORY_DAYS[line.status or line.kind])
        added.append(dispute.reference)
    session.flush()
    return added
