"""The retention schedule, applied by ``flask portal purge`` (issue 9 point 3).

Settings (portal/config.py, README "Configuration"): ``RETAIN_ONE_TIME_CODES_MINUTES``,
``RETAIN_ENDED_SESSIONS_HOURS``, ``RETAIN_DRAFTS_DAYS``, ``RETAIN_REJECTED_UPLOADS_DAYS``.
A session that timed out without a sign-out counts as ended when its idle (30 minutes) or
absolute (12 hours) limit passed. Dispute drafts untouched for ``RETAIN_DRAFTS_DAYS`` are
deleted, and so are carers' unsent requests to act for someone (with any file they uploaded
to one). The evidence file of a carer's request that was rejected or withdrawn more than
``RETAIN_REJECTED_UPLOADS_DAYS`` ago is deleted from ``EVIDENCE_UPLOAD_DIR`` and its name
cleared from the request (the request and its history stay: they record who asked and why
it was refused). A file already missing is not an error.
Choices and audit events are never deleted. Safe to run twice and concurrently: each row is
claimed by one conditional ``UPDATE``/``DELETE``, so only the run that claimed an evidence
file deletes it. The file is deleted before the caller commits: if the commit then fails,
the next run finds the name still set, the file gone, and clears the name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from portal.data import disputes as dispute_data
from portal.data import retention as retention_data
from portal.services import audit, authority_drafts, evidence


@dataclass(frozen=True)
class PurgeReport:
    """What one run removed: ``removed`` maps a kind of data (in words) to how many this run
    removed; another run at the same time counts only what it removed itself."""

    removed: dict[str, int]


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
    removed["uploads of rejected or withdrawn requests"] = purge_rejected_uploads(
        session, evidence.upload_directory(settings), now - timedelta(days=settings["RETAIN_REJECTED_UPLOADS_DAYS"]))
    removed["unsent carers' requests"] = authority_drafts.delete_abandoned(
        session, now - timedelta(days=settings["RETAIN_DRAFTS_DAYS"]), evidence.upload_directory(settings))
    audit.record(session, audit.SYSTEM, "retention.purged", details={"removed": removed})
    return PurgeReport(removed)


def purge_rejected_uploads(session: Session, directory: Path, closed_before: datetime) -> int:
    """Forget and delete the evidence of requests rejected or withdrawn before ``closed_before``.
    Returns how many requests this run cleared (a file already missing still counts)."""
    cleared = 0
    for authority_id, name in retention_data.list_expired_evidence(session, closed_before):
        if retention_data.forget_evidence(session, authority_id, name):
            evidence.delete_evidence(directory, name)
            cleared += 1
    return cleared
