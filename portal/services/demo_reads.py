"""Demo reads of the NHS login P9 demo user's decisions by the demo clinical system, so her
"Who checked your choices" page shows something (issue 5 point 6, issue 8 point 7).

The reads go through the same services as the API (``decision_reads.read_decisions`` and
``batch_checks.prepare``), so they are audited exactly as real reads are: two single
lookups and one batch check of several demo patients. Running it again adds nothing while
the demo client has already read her decisions.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from portal.data import audit as audit_data
from portal.data import people
from portal.domain.nhs_number import NhsNumber
from portal.domain.values import Purpose
from portal.services import api_clients, batch_checks, decision_reads
from portal.services.demo_ai_use import DEMO_NHS_NUMBER, DEMO_TOOL

SINGLE_ENDPOINT = "/api/v1/patients/<nhs_number>/ai-decisions"
BATCH_ENDPOINT = "/api/v1/ai-decision-checks"
SINGLE_READS = 2
BATCH_SIZE = 10


def load_demo_reads(session: Session, client_id: str, batch_nhs_numbers: list[str]) -> int:
    """Audit the demo reads by the client ``client_id``; returns how many reads were made
    (0 when the client, the demo patient or the demo tool is missing, or the client has read
    her decisions before). ``batch_nhs_numbers``: other demo patients checked in the batch
    with her. Flushes, never commits."""
    client = api_clients.find_client(session, client_id)
    patient = people.get_patient_by_nhs_number(session, DEMO_NHS_NUMBER)
    if client is None or patient is None or _already_read(session, patient.id, client_id):
        return 0
    try:
        policies = decision_reads.policies_for(session, DEMO_TOOL, Purpose.CARE)
    except decision_reads.UnknownTool:
        return 0
    if not policies:
        return 0
    single = decision_reads.ReadContext(client, SINGLE_ENDPOINT)
    for _ in range(SINGLE_READS):
        decision_reads.read_decisions(session, single, NhsNumber.parse(DEMO_NHS_NUMBER))
    numbers = [DEMO_NHS_NUMBER] + [n for n in batch_nhs_numbers if n != DEMO_NHS_NUMBER][:BATCH_SIZE - 1]
    batch = decision_reads.ReadContext(client, BATCH_ENDPOINT)
    batch_checks.prepare(session, batch, "nhs_number\n" + "\n".join(numbers) + "\n", DEMO_TOOL, Purpose.CARE)
    return SINGLE_READS + 1


def _already_read(session: Session, patient_id: uuid.UUID, client_id: str) -> bool:
    events = audit_data.list_events_for_patient(
        session, patient_id, actions=[decision_reads.READ_ACTION, decision_reads.BATCH_ACTION])
    return any(event.actor_kind == "api-client" and event.actor_id == client_id for event in events)
