"""The retention schedule, applied by ``flask portal purge`` (issue 9 point 3).

Settings (portal/config.py, README "Configuration"): ``RETAIN_ONE_TIME_CODES_MINUTES``,
``RETAIN_ENDED_SESSIONS_HOURS``, ``RETAIN_DRAFTS_DAYS``, ``RETAIN_REJECTED_UPLOADS_DAYS``.
A session that timed out without a sign-out counts as ended when its idle (30 minutes) or
absolute (12 hours) limit passed. Dispute drafts untouched for ``RETAIN_DRAFTS_DAYS`` are
deleted, and so are carers' unsent requests to act for someone (with any file they uploaded
to one). Deleting evidence uploaded for rejected carer requests is not built yet: it is
reported as skipped, never silently left out.
Choices and audit events are never deleted. Safe to run twice and concurrently.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from portal.data import disputes as dispute_data
from portal.data import retention as retention_data
from portal.services import audit, authority_drafts

NOT_BUILT_YET = ("uploads of rejected requests",)


@dataclass(frozen=True)
class PurgeReport:
    """What one run removed: ``removed`` maps a kind of data to a row count; ``skipped``
    names kinds of data whose deletion is not built yet."""

    removed: dict[str, int]
    skipped: tuple[str, ...]


def purge(session: Session, settings: Mapping[str, Any], now: datetime) -> PurgeReport:
    """Delete what has passed its retention time, in the caller's transaction (flushes)."""
    grace = timedelta(hours=settings["RETAIN_ENDED_SESSIONS_HOURS"])
    removed = {
        "one-time codes": retention_data.delete_spent_one_time_codes(
            session, now - timedelta(minutes=settings["RETAIN_ONE_TIME_CODES_MINUTES"])),
        "sessions": retention_data.delete_finished_sessions(
            session, ended_before=now - grace,
            idle_before=now - timedelta(seconds=settings["SESSION_IDLE_TIMEOUT"]) - grace,
            started_before=now - timedelta(seconds=settings["SESSION_ABSOLUTE_TIMEOUT"]) - grace),
    }
    removed["abandoned drafts"] = dispute_data.delete_abandoned_drafts(
        session, now - timedelta(days=settings["RETAIN_DRAFTS_DAYS"]))
    removed["unsent carers' requests"] = authority_drafts.delete_abandoned(
        session, now - timedelta(days=settings["RETAIN_DRAFTS_DAYS"]), settings.get("EVIDENCE_UPLOAD_DIR"))
    audit.record(session, audit.SYSTEM, "retention.purged", details={"removed": removed})
    return PurgeReport(removed, NOT_BUILT_YET)
