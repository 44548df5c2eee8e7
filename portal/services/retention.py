"""The retention schedule, applied by ``flask portal purge`` (issue 9 point 3).

Settings (portal/config.py, README "Configuration"): ``RETAIN_ONE_TIME_CODES_MINUTES``,
``RETAIN_ENDED_SESSIONS_HOURS``, ``RETAIN_DRAFTS_DAYS``, ``RETAIN_REJECTED_UPLOADS_DAYS``.
A session that timed out without a sign-out counts as ended when its idle (30 minutes) or
absolute (12 hours) limit passed. Drafts and uploads of rejected requests belong to journeys
built elsewhere (disputes, carers): their step runs when their data module offers
``delete_abandoned_drafts(session, inactive_before)`` or
``delete_rejected_uploads(session, rejected_before)``, and is reported as skipped otherwise.
Choices and audit events are never deleted. Safe to run twice and concurrently.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from portal.data import retention as retention_data
from portal.services import audit

OPTIONAL_STEPS = (
    ("abandoned drafts", "portal.data.disputes", "delete_abandoned_drafts", "RETAIN_DRAFTS_DAYS"),
    ("uploads of rejected requests", "portal.data.authorities", "delete_rejected_uploads",
     "RETAIN_REJECTED_UPLOADS_DAYS"),
)


@dataclass(frozen=True)
class PurgeReport:
    """What one run removed: ``removed`` maps a kind of data to a row count; ``skipped``
    names kinds whose tables do not exist in this build."""

    removed: dict[str, int]
    skipped: tuple[str, ...]


def _optional(module_name: str, function_name: str) -> Callable[..., int] | None:
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:
        return None
    function = getattr(module, function_name, None)
    return function if callable(function) else None


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
    skipped = []
    for label, module_name, function_name, setting in OPTIONAL_STEPS:
        step = _optional(module_name, function_name)
        if step is None:
            skipped.append(label)
            continue
        removed[label] = step(session, now - timedelta(days=settings[setting]))
    audit.record(session, audit.SYSTEM, "retention.purged", details={"removed": removed})
    return PurgeReport(removed, tuple(skipped))
