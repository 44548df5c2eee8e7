"""What happened with a patient's choices: when AI was used in their care, and who checked
their decisions (issue 5 points 5 and 6). Both pages need P9 (clinical information).

AI use comes from ``AiUseEvent`` rows reported by clinical systems, each shown only from its
"visible from" time. Checks come from the audit trail: every read of the patient's decisions
by a clinical system (single, batch, FHIR Consent or change feed) and every staff view.

MERGE NOTE: the action names below are the contract with the API and staff branches; the API
writes ``details`` with ``client_name`` and ``organisation``; staff views are
``staff.patient.view`` with ``details.organisation`` when known.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from portal.data import ai_use as ai_use_data
from portal.data import audit as audit_data
from portal.data.base import utcnow

READ_KINDS = {
    "decisions.read": "single",
    "decisions.batch-read": "batch",
    "fhir.consent.read": "single",
    "feed.read": "feed",
    "staff.patient.view": "staff",
    "consents.read": "single",  # what the API writes for FHIR Consent reads and searches
    "decisions.feed-read": "feed",  # and for change-feed pages
}
MAX_CHECKS_SHOWN = 200


@dataclass(frozen=True)
class AiUseItem:
    """One use of an AI tool in the patient's care. ``conflict`` marks a use although the
    patient had said no at the time; ``finding`` is what staff found, once they looked."""

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
    ) for event in events]


def decision_checks(session: Session, patient_id: uuid.UUID) -> list[CheckItem]:
    """Every audited check of the patient's decisions, newest first (at most 200)."""
    events = audit_data.list_events_for_patient(session, patient_id, actions=list(READ_KINDS),
                                                limit=MAX_CHECKS_SHOWN)
    return [CheckItem(
        at=event.occurred_at_utc, kind=READ_KINDS[event.action],
        client_name=_text(event.details, "client_name"), organisation=_text(event.details, "organisation"),
    ) for event in events]


def _text(details: dict[str, object] | None, key: str) -> str | None:
    value = (details or {}).get(key)
    return value if isinstance(value, str) and value else None
