"""Deleting what the retention schedule says has expired (docs/data-protection/dpia.md
section 4). Each function is one ``DELETE ... WHERE`` and returns how many rows it removed:
run twice, or by two processes at once, a row is removed once and the other run counts 0
(PostgreSQL re-checks the condition after waiting on a row lock). Choices and audit events
have no function here: purge never deletes them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CursorResult, delete, or_
from sqlalchemy.orm import Session

from portal.data.accounts import AccountSession, OneTimeCode
from portal.data.staff import StaffSession


def delete_spent_one_time_codes(session: Session, sent_before: datetime) -> int:
    """Codes used, or sent before ``sent_before``."""
    statement = delete(OneTimeCode).where(or_(OneTimeCode.used_at_utc.is_not(None),
                                              OneTimeCode.sent_at_utc < sent_before))
    return _rows(session.execute(statement, execution_options={"synchronize_session": False}))


def delete_finished_sessions(session: Session, ended_before: datetime, idle_before: datetime,
                             started_before: datetime) -> int:
    """Patients', carers' and staff sessions that ended before ``ended_before``, or that timed
    out without a sign-out (last seen before ``idle_before`` or started before ``started_before``)."""
    removed = 0
    for model in (AccountSession, StaffSession):
        statement = delete(model).where(or_(model.ended_at_utc < ended_before,
                                            model.last_seen_at_utc < idle_before,
                                            model.created_at_utc < started_before))
        removed += _rows(session.execute(statement, execution_options={"synchronize_session": False}))
    return removed


def _rows(result: object) -> int:
    return result.rowcount if isinstance(result, CursorResult) else 0
