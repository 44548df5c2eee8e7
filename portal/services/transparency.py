"""What happened with a patient's choices: when AI was used in their care, and who checked
their decisions (issue 5 points 5 and 6). Both pages need P9 (clinical information).

AI use comes from ``AiUseEvent`` rows reported by clinical systems, each shown only from its
"visible from" time. Checks come from the audit trail: every read of the patient's decisions
by a clinical system (single, batch, FHIR Consent or change feed) and every staff view.

The action names come from the services that write them. The API's reads name the client
(``actor_id``, its client id) and its organisation's ODS code (``details.organisation``); the
page shows the client's registered name and the organisation's name, looked up here (an
older event that carries ``details.client_name`` keeps it). Staff views are
``staff.patient.view`` (with ``details.organisation`` when known) and an auditor's search of
the audit trail for the patient (``audit.searched``), which shows their choices too.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from portal.data import ai_use as ai_use_data
from portal.data import api_clients as client_data
from portal.data import audit as audit_data
from portal.data import people
from portal.data.audit import AuditEvent
from portal.data.base import utcnow
from portal.services import change_feed, decision_reads, fhir_consent

STAFF_VIEW_ACTION = "staff.patient.view"
AUDIT_SEARCH_ACTION = "audit.searched"  # an auditor searched the audit trail for this patient
READ_KINDS = {
    decision_reads.READ_ACTION: "single",
    decision_reads.BATCH_ACTION: "batch",
    fhir_consent.READ_ACTION: "single",
    change_feed.FEED_ACTION: "feed",
    STAFF_VIEW_ACTION: "staff",
    AUDIT_SEARCH_ACTION: "staff",
}
MAX_CHECKS_SHOWN = 200


@dataclass(frozen=True)
class AiUseItem:
    """One use of an AI tool in the patient's care. ``conflict`` marks a use although the
    decision at the time was no; ``basis_at_time`` says why it was no (``choice``: they said no
    to this tool; ``all-tools-choice``: to all AI tools; ``default-opt-in``: the tool needs
    their agreement and they had not given it); ``finding`` is what staff found, once they
    closed the report (None while it is open)."""

    id: uuid.UUID
    tool_slug: str
    tool_name: str
    tool_translations: dict[str, dict[str, str]]
    used_at: datetime
    organisation_name: str
    service: str | None
    summary: str
    conflict: bool
    finding: str | None
    basis_at_time: str | None = None


@dataclass(frozen=True)
class CheckItem:
    """One check of the patient's decisions. ``kind``: single, batch, feed or staff."""

    at: datetime
    kind: str
    client_name: str | None
    organisation: str | None


def ai_use_timeline(session: Session, patient_id: uuid.UUID, now: datetime | None = None) -> list[AiUseItem]:
    """AI use the patient may see now, newest use first."""
    events = ai_use_data.list_visible_ai_use_for_patient(session, patient_id, now or utcnow())
    return [AiUseItem(
        id=event.id, tool_slug=event.tool.slug, tool_name=event.tool.name,
        tool_translations=event.tool.translations or {}, used_at=event.used_at_utc,
        organisation_name=event.organisation.name, service=event.service,
        summary=event.plain_summary, conflict=event.conflict,
        finding=event.conflict_finding if event.conflict_status == "closed" else None,
        basis_at_time=event.basis_at_time,
    ) for event in events]


def decision_checks(session: Session, patient_id: uuid.UUID) -> list[CheckItem]:
    """Every audited check of the patient's decisions, newest first (at most 200)."""
    events = audit_data.list_events_for_patient(session, patient_id, actions=list(READ_KINDS),
                                                limit=MAX_CHECKS_SHOWN)
    names = _Names(session)
    return [CheckItem(
        at=event.occurred_at_utc, kind=READ_KINDS[event.action],
        client_name=_text(event.details, "client_name") or names.client(event),
        organisation=names.organisation(_text(event.details, "organisation")),
    ) for event in events]


class _Names:
    """Clients' and organisations' names, each looked up once per page."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.clients: dict[str, str | None] = {}
        self.organisations: dict[str, str] = {}

    def client(self, event: AuditEvent) -> str | None:
        if event.actor_kind != "api-client" or not event.actor_id:
            return None
        if event.actor_id not in self.clients:
            found = client_data.get_api_client_by_client_id(self.session, event.actor_id)
            self.clients[event.actor_id] = found.name if found is not None else None
        return self.clients[event.actor_id]

    def organisation(self, value: str | None) -> str | None:
        """The organisation's name for an ODS code on record; any other text as it is."""
        if value is None:
            return None
        if value not in self.organisations:
            found = people.get_organisation_by_ods_code(self.session, value) if len(value) <= 10 else None
            self.organisations[value] = found.name if found is not None else value
        return self.organisations[value]


def _text(details: dict[str, object] | None, key: str) -> str | None:
    value = (details or {}).get(key)
    return value if isinstance(value, str) and value else None
