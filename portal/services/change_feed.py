"""The change feed: everything that changed patients' decisions, in order, so a clinical
system can keep a local copy (issue 8 point 5).

Events: ``choice`` (a patient recorded a choice), ``choice-voided`` (staff voided one made in
error), ``tool-policy`` (a register import changed a purpose's consent model or terms version:
every patient's decision for that tool and purpose may have changed without any choice; check
them again, for example with a batch check). Choice events carry the patient's decisions now
for the tool and purpose they touch (every tool for an all-tools choice), from the shared
decisions service.

Cursors are opaque to callers but stable: the same position always gives the same cursor.
A page naming patients is one audited read (action ``decisions.feed-read``) listing them.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from portal.data.decision_changes import ChangeRow, list_decision_changes_after
from portal.data.durability import relax_commit_durability
from portal.domain import EffectiveDecision
from portal.domain.values import Purpose
from portal.services import audit, decisions
from portal.services.decision_reads import ReadContext

FEED_ACTION = "decisions.feed-read"
MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
_PREFIX = "v1:"


class InvalidCursor(ValueError):
    """The cursor was not one this feed gave out."""


def encode_cursor(sequence: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{sequence}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The sequence a cursor stands for (0, the start, for None). Raises ``InvalidCursor``."""
    if cursor is None:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidCursor(cursor) from None
    if not text.startswith(_PREFIX) or not text[len(_PREFIX):].isdigit() or len(text) > 30:
        raise InvalidCursor(cursor)
    return int(text[len(_PREFIX):])


@dataclass(frozen=True)
class Change:
    row: ChangeRow
    decisions_now: list[tuple[str, Purpose, EffectiveDecision]] = field(default_factory=list)


@dataclass(frozen=True)
class FeedPage:
    changes: list[Change]
    next_cursor: str
    has_more: bool


def read_page(session: Session, context: ReadContext, cursor: str | None, limit: int = DEFAULT_LIMIT) -> FeedPage:
    """Up to ``limit`` (1 to ``MAX_LIMIT``) changes after ``cursor``. Raises ``InvalidCursor``."""
    after = decode_cursor(cursor)
    rows = list_decision_changes_after(session, after, limit)
    patient_ids = sorted({row.patient_id for row in rows if row.patient_id is not None}, key=str)
    now = _decisions_now(session, patient_ids)
    changes = [Change(row, _touched(row, now)) for row in rows]
    if patient_ids:
        relax_commit_durability(session)
        audit.record(session, context.actor, FEED_ACTION, batch_patient_ids=patient_ids,
                     details=context.details(changes=len(rows), patients=len(patient_ids)))
    last = rows[-1].sequence if rows else after
    return FeedPage(changes, encode_cursor(last), len(rows) == limit)


def _decisions_now(session: Session, patient_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict]:  # type: ignore[type-arg]
    if not patient_ids:
        return {}
    return decisions.decisions_for_patients(session, patient_ids, decisions.load_policies(session))


def _touched(row: ChangeRow, now: dict) -> list[tuple[str, Purpose, EffectiveDecision]]:  # type: ignore[type-arg]
    if row.patient_id is None:
        return []
    purpose = Purpose(row.purpose)
    return [(slug, key_purpose, decision)
            for (slug, key_purpose), decision in sorted(now[row.patient_id].items())
            if key_purpose == purpose and (row.tool_slug is None or slug == row.tool_slug)]
