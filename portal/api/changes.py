"""``GET /api/v1/ai-decision-changes?since=<cursor>&limit=<n>``: the change feed.

Scope ``system/Consent.read``. Start without ``since``; pass each page's ``next_cursor`` to
the next call; an empty page keeps the same cursor. A local copy must be refreshed at least
every 15 minutes. Errors: 400 ``invalid-cursor``, ``invalid-parameter``, ``unknown-parameter``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from portal.api import problems
from portal.api.common import check_query, iso, route_template
from portal.api.oauth import current_client, require_scopes
from portal.extensions import db
from portal.security import mark_no_store
from portal.services import change_feed
from portal.services.api_clients import CONSENT_READ
from portal.services.change_feed import Change
from portal.services.decision_reads import ReadContext

bp = Blueprint("api_changes", __name__, url_prefix="/api/v1")


def _limit() -> int:
    raw = request.args.get("limit")
    if raw is None:
        return change_feed.DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= change_feed.MAX_LIMIT:
        raise problems.invalid_parameter("limit", f"limit is a whole number from 1 to {change_feed.MAX_LIMIT}.")
    return int(raw)


def change_json(change: Change) -> dict[str, Any]:
    row = change.row
    body: dict[str, Any] = {
        "sequence": row.sequence, "kind": row.kind, "at": iso(row.at), "tool": row.tool_slug,
        "purpose": row.purpose,
    }
    if row.kind == "tool-policy":
        body.update(consent_model=row.value, terms_version=row.terms_version)
        return body
    body.update(
        choice_id=str(row.item_id), nhs_number=row.nhs_number, decision=row.value,
        decisions_now=[{"tool": slug, "purpose": purpose.value, "decision": decision.decision.value,
                        "basis": decision.basis.value} for slug, purpose, decision in change.decisions_now],
    )
    return body


@bp.get("/ai-decision-changes")
@require_scopes(CONSENT_READ)
def decision_changes():  # type: ignore[no-untyped-def]
    check_query({"since", "limit"})
    limit = _limit()
    context = ReadContext(current_client(), route_template())
    try:
        page = change_feed.read_page(db.session, context, request.args.get("since"), limit)
    except change_feed.InvalidCursor:
        raise problems.ApiProblem(400, "invalid-cursor", "Not a cursor from this feed",
                                  "Pass a next_cursor from an earlier page, or leave since out to start.") from None
    db.session.commit()
    body = {"changes": [change_json(c) for c in page.changes], "next_cursor": page.next_cursor,
            "has_more": page.has_more}
    return mark_no_store(jsonify(body))
