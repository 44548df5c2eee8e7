"""The signed-in staff member, rebuilt on every ``/staff/`` request from the server-side
session (same rules as patients: 30 minutes idle, 12 hours absolute, ended on sign-out)."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, current_app, g, request, session

from portal.extensions import db
from portal.security import mark_no_store
from portal.services import audit, sessions
from portal.services.audit import Actor
from portal.services.sessions import SessionPolicy, SessionStatus
from portal.services.staff_accounts import StaffIdentity, identity_of

TOKEN_KEY = "staff_sid"
SIGNED_OUT_BECAUSE = "staff_signed_out_because"


def now() -> datetime:
    return datetime.now(UTC)


def policy() -> SessionPolicy:
    return SessionPolicy(idle=current_app.config["SESSION_IDLE_TIMEOUT"],
                         absolute=current_app.config["SESSION_ABSOLUTE_TIMEOUT"])


def current_staff() -> StaffIdentity | None:
    """The staff member signed in to this browser, or None (loaded once per request)."""
    if "_staff" not in g:
        g._staff = _load()
    return g._staff


def _load() -> StaffIdentity | None:
    token = session.get(TOKEN_KEY)
    if not token:
        return None
    record = sessions.find_staff_session(db.session, token)
    status = sessions.resume(record, policy(), now(), force_touch=request.endpoint == "staff.keep_alive")
    staff = identity_of(db.session, record.staff_user_id) if record is not None and status is SessionStatus.ACTIVE else None
    if staff is None:
        session.pop(TOKEN_KEY, None)
        if record is not None and status in (SessionStatus.IDLE, SessionStatus.ABSOLUTE):
            session[SIGNED_OUT_BECAUSE] = str(status)
            audit.record(db.session, Actor("staff", str(record.staff_user_id)), "session.timed-out",
                         details={"reason": str(status)})
        elif record is not None:
            sessions.end(record, "signed-out", now())
    db.session.commit()
    g._staff_session = record if staff is not None else None
    return staff


def seconds_left() -> int:
    current_staff()
    record = g.get("_staff_session")
    return max(0, math.ceil((policy().expires_at(record) - now()).total_seconds())) if record is not None else 0


def start(staff_user_id: uuid.UUID, method: str) -> None:
    """A new staff session (token rotated); the browser keeps only the token."""
    token, _record = sessions.start_staff_session(db.session, staff_user_id=staff_user_id, method=method,
                                                  now=now(), replacing=session.get(TOKEN_KEY))
    keep = {key: session[key] for key in ("lang", "sid") if key in session}
    session.clear()
    session.update(keep)
    session[TOKEN_KEY] = token
    g.pop("_staff", None)


def end(reason: str = "signed-out") -> None:
    current_staff()
    record = g.get("_staff_session")
    if record is not None:
        sessions.end(record, reason, now())
        audit.record(db.session, Actor("staff", str(record.staff_user_id)), "staff.signed-out",
                     details={"reason": reason})
    session.pop(TOKEN_KEY, None)
    g.pop("_staff", None)
    g.pop("_staff_session", None)


def init_app(app: Flask) -> None:
    @app.before_request
    def _load_staff_first() -> None:
        if request.path.startswith("/staff/"):
            current_staff()

    @app.after_request
    def _staff_pages_no_store(response: Response) -> Response:
        if request.path.startswith("/staff/"):
            mark_no_store(response)
        return response
