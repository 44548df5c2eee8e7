"""The signed-in viewer, rebuilt on every request from the server-side session.

The browser's (signed) Flask session cookie carries only a random token under ``sid``; the
record it names holds who, at what level, through which route, and for whom. Each request
checks it (30 minutes idle, 12 hours absolute, never after sign-out); a timed-out session is
ended, forgotten by the browser, and the sign-in page says why. Every response to a signed-in
person is ``no-store``, so Back after sign-out shows nothing personal.
"""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, current_app, g, request, session

from portal.extensions import db
from portal.machine_routes import is_machine_request
from portal.security import mark_no_store
from portal.services import audit, sessions
from portal.services import authority as authority_service
from portal.services.audit import Actor
from portal.services.sessions import SessionPolicy, SessionStatus
from portal.web.guards import Viewer, current_viewer, set_viewer_loader

TOKEN_KEY = "sid"
SIGNED_OUT_BECAUSE = "signed_out_because"
ACTING_STOPPED = "acting_stopped"
PER_REQUEST = ("_viewer", "_account_session", "_staff", "_staff_session", "csrf_token")
UNTRACKED_PREFIXES = ("/assets/", "/api/", "/fhir/", "/oauth2/", "/healthz", "/readyz", "/staff/")


def now() -> datetime:
    return datetime.now(UTC)


def policy() -> SessionPolicy:
    return SessionPolicy(idle=current_app.config["SESSION_IDLE_TIMEOUT"],
                         absolute=current_app.config["SESSION_ABSOLUTE_TIMEOUT"])


def _load() -> Viewer | None:
    token = session.get(TOKEN_KEY)
    if not token or request.path.startswith(UNTRACKED_PREFIXES):
        return None
    record = sessions.find_account_session(db.session, token)
    force = request.endpoint == "auth.keep_alive"
    status = sessions.resume(record, policy(), now(), force_touch=force)
    if status is not SessionStatus.ACTIVE:
        session.pop(TOKEN_KEY, None)
        if status in (SessionStatus.IDLE, SessionStatus.ABSOLUTE) and record is not None:
            session[SIGNED_OUT_BECAUSE] = str(status)
            audit.record(db.session, Actor("patient", str(record.account_id)), "session.timed-out",
                         patient_id=record.self_patient_id, details={"reason": str(status)})
        db.session.commit()
        return None
    _recheck_authority(record)
    db.session.commit()
    g._account_session = record
    return Viewer(account_id=record.account_id, level=record.level, self_patient_id=record.self_patient_id,
                  subject_patient_id=record.subject_patient_id, authority_id=record.authority_id,
                  route=record.route)


def _recheck_authority(record) -> None:  # type: ignore[no-untyped-def]
    """A carer's session keeps its subject only while the authority still holds (at P9, or
    through the details-and-code route once a verifier checked the carer's identity):
    otherwise the subject is dropped, so the next patient page asks again whom to see and
    says why (``ACTING_STOPPED`` in the cookie session). Nobody acts without a verified basis."""
    if record.authority_id is None:
        return
    try:
        authority = authority_service.check_can_act(db.session, record.authority_id, record.account_id,
                                                    record.subject_patient_id, None, now())
        code = None if authority_service.may_act_at(authority, record.level, record.route) else "not-p9"
    except authority_service.CannotAct as refused:
        code = refused.code
    if code is None:
        return
    sessions.stop_acting(record)
    session[ACTING_STOPPED] = code


def account_session():  # type: ignore[no-untyped-def]
    """This request's session record (after ``current_viewer()``), or None."""
    current_viewer()
    return g.get("_account_session")


def seconds_left() -> int:
    """Seconds until this request's session ends if nothing else happens (0 if none)."""
    record = account_session()
    if record is None:
        return 0
    return max(0, math.ceil((policy().expires_at(record) - now()).total_seconds()))


def start(*, account_id: uuid.UUID, level: str, route: str, self_patient_id: uuid.UUID | None,
          subject_patient_id: uuid.UUID | None) -> None:
    """Start a new server-side session (rotating the token: the old one ends) and put only its
    token in the browser; pending sign-in state is dropped, the ``next`` page kept."""
    token, _record = sessions.start_account_session(
        db.session, account_id=account_id, level=level, route=route, self_patient_id=self_patient_id,
        subject_patient_id=subject_patient_id, now=now(), replacing=session.get(TOKEN_KEY))
    keep = {key: session[key] for key in ("next", "lang") if key in session}
    session.clear()
    session.update(keep)
    session[TOKEN_KEY] = token
    g.pop("_viewer", None)
    g.pop("_account_session", None)


def end(reason: str = "signed-out") -> str | None:
    """End this browser's session on the server and forget it; returns the route it used."""
    record = account_session()
    route = None
    if record is not None:
        route = record.route
        sessions.end(record, reason, now())
        audit.record(db.session, Actor("patient", str(record.account_id)), "signed-out",
                     patient_id=record.self_patient_id, details={"reason": reason})
    session.clear()
    g.pop("_viewer", None)
    g.pop("_account_session", None)
    return route


def init_app(app: Flask) -> None:
    set_viewer_loader(app, _load)

    @app.before_request
    def _load_viewer_first() -> None:
        if is_machine_request():  # bearer tokens only: no signed-in viewer, no session
            return
        # ``g`` lives as long as the app context, which a test may keep open across requests:
        # forget the previous request's viewer (and form token) before loading this one's.
        for name in PER_REQUEST:
            g.pop(name, None)
        # Before any view runs, so the last-seen time is committed on its own.
        current_viewer()

    @app.after_request
    def _no_store_when_signed_in(response: Response) -> Response:
        if is_machine_request():  # each API view sets its own Cache-Control
            return response
        if g.get("_viewer") is not None or g.get("_signed_in_response"):
            mark_no_store(response)
        return response
