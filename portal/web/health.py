"""``/healthz`` (the process is up) and ``/readyz`` (database reachable, schema at head)."""

from __future__ import annotations

from flask import Blueprint, jsonify

from portal.access import public
from portal.extensions import db, limiter
from portal.services.health import check_readiness

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@public
@limiter.exempt
def healthz():  # type: ignore[no-untyped-def]
    return jsonify(status="ok")


@bp.get("/readyz")
@public
@limiter.exempt
def readyz():  # type: ignore[no-untyped-def]
    readiness = check_readiness(db.engine)
    body = {
        "status": "ready" if readiness.ready else "not-ready",
        "database": "reachable" if readiness.database else "unreachable",
        "migrations": "at-head" if readiness.ready else "behind" if readiness.database else "unknown",
    }
    return jsonify(body), 200 if readiness.ready else 503
