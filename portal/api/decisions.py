"""``GET /api/v1/patients/<nhs_number>/ai-decisions``: what applies for one patient, for
each tool and purpose on the register (optionally one tool, one purpose). Audited read.

Scope ``system/Consent.read``. Errors: 400 ``invalid-nhs-number`` (modulus 11, NHS Data
Dictionary), 400 ``unknown-tool``, 400 ``unknown-purpose``, 400 ``unknown-parameter``.
"""

from __future__ import annotations

from typing import Any

import orjson
from flask import Blueprint, Flask, Response, current_app, request

from portal.api import problems
from portal.api.common import check_query, iso, parse_nhs_number, parse_purpose, route_template
from portal.api.oauth import current_client, require_scopes
from portal.domain import EffectiveDecision
from portal.extensions import db
from portal.security import mark_no_store
from portal.services import decision_reads
from portal.services.api_clients import CONSENT_READ
from portal.services.decision_reads import LookupPath, ReadContext, UnknownTool

bp = Blueprint("api_decisions", __name__, url_prefix="/api/v1")


def decision_json(tool: str, purpose: str, decision: EffectiveDecision) -> dict[str, Any]:
    """One effective decision as the API shows it (the OpenAPI schema ``Decision``)."""
    choice = decision.choice
    return {
        "tool": tool,
        "device": f"Device/{tool}",
        "purpose": purpose,
        "decision": decision.decision.value,
        "basis": decision.basis.value,
        "consent_model": decision.consent_model.value,
        "terms_version": decision.terms_version,
        "no_choice_reason": decision.no_choice_reason,
        "choice": None if choice is None else {
            "id": choice.id, "sequence": choice.sequence, "recorded_at": iso(choice.recorded_at),
            "applies_to": "all-tools" if choice.tool_slug is None else "this-tool",
        },
    }


@bp.get("/patients/<nhs_number>/ai-decisions")
@require_scopes(CONSENT_READ)
def patient_decisions(nhs_number: str):  # type: ignore[no-untyped-def]
    check_query({"tool", "purpose"})
    number = parse_nhs_number(nhs_number)
    purpose = parse_purpose(request.args.get("purpose"))
    tool = request.args.get("tool")
    context = ReadContext(current_client(), route_template())
    try:
        result = decision_reads.read_decisions(lambda: db.session, context, number, tool=tool, purpose=purpose,
                                               path=current_app.extensions["portal.lookup_path"])
    except UnknownTool as error:
        raise problems.unknown_tool(error.slug) from None
    session = db.open_session()  # the quick path, with its audit buffered, uses none
    if session is not None and session.in_transaction():
        session.commit()
    body = {
        "nhs_number": number.value,
        "patient_known": result.patient_known,
        "decisions": [decision_json(slug, purpose_.value, decision)
                      for (slug, purpose_), decision in decision_reads.sorted_decisions(result)],
    }
    # orjson straight, not jsonify: no key sorting or provider lookup on the hot path, and
    # the body in a tenth of json.dumps's time (plain str, int, bool and None values only).
    return mark_no_store(Response(orjson.dumps(body), mimetype="application/json"))


def init_app(app: Flask) -> None:
    """The app's ``LookupPath``: audit of lookups flushed within ``AUDIT_READ_FLUSH_MS``."""
    engine = app.extensions["portal.db"]["engine"]
    app.extensions["portal.lookup_path"] = LookupPath(engine, app.config.get("AUDIT_READ_FLUSH_MS", 0) / 1000)
