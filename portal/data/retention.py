"""Deleting what the retention schedule says has expired (docs/data-protection/dpia.md
section 4). Each function is one ``DELETE ... WHERE`` and returns how many rows it removed:
run twice, or by two processes at once, a row is removed once and the other run counts 0
(PostgreSQL re-checks the condition after waiting on a row lock). Choices and audit events
have no function here: purge never deletes them.
"""

from __future__ import annotations

from datetime import datetime

import uuid
from collections.abc import Sequence

from sqlalchemy import CursorResult, delete, exists, or_, select, update
from sqlalchemy.orm import Session

from portal.data.accounts import AccountSession, OneTimeCode
from portal.data.authorities import Authority, AuthorityEvent
from portal.data.staff import StaffSession

CLOSED_REQUEST_STATES = ("rejected", "withdrawn")


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


def list_expired_evidence(session: Session, closed_before: datetime) -> Sequence[tuple[uuid.UUID, str]]:
    """(authority id, stored file name) of every rejected or withdrawn request that still
    holds an evidence file and reached that state before ``closed_before``; oldest first."""
    closed = exists().where(AuthorityEvent.authority_id == Authority.id,
                            AuthorityEvent.to_state == Authority.state,
                            AuthorityEvent.at_utc < closed_before)
    statement = (select(Authority.id, Authority.evidence_path)
                 .where(Authority.state.in_(CLOSED_REQUEST_STATES), Authority.evidence_path.is_not(None), closed)
                 .order_by(Authority.created_at_utc, Authority.id))
    return [(row.id, row.evidence_path) for row in session.execute(statement)]


def forget_evidence(session: Session, authority_id: uuid.UUID, name: str) -> bool:
    """Clear the request's evidence file name and type if it still holds ``name``. True for
    the one run that cleared it; a second run, or one that waited on the first, gets False."""
    statement = (update(Authority)
                 .where(Authority.id == authority_id, Authority.evidence_path == name,
                        Authority.state.in_(CLOSED_REQUEST_STATES))
                 .values(evidence_path=None, evidence_type=None))
    return _rows(session.execute(statement, execution_options={"synchronize_session": False})) == 1
