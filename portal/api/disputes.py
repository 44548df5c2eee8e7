"""``GET /api/v1/patients/<nhs_number>/disputes``: the patient's requests for review and
objections, so clinicians know a decision is under review (issue 8 point 6). Audited read.

Scope ``disputes.read``. Errors: 400 ``invalid-nhs-number`` (modulus 11, NHS Data
Dictionary), 400 ``unknown-parameter``. A valid NHS number never seen: an empty list.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from portal.api.common import check_query, iso_date, parse_nhs_number, route_template
from portal.api.oauth import current_client, require_scopes
from portal.extensions import db
from portal.security import mark_no_store
from portal.services import dispute_reads
from portal.services.api_clients import DISPUTES_READ
from portal.services.decision_reads import ReadContext
from portal.services.dispute_reads import DisputeSummary

bp = Blueprint("api_disputes", __name__, url_prefix="/api/v1")


def dispute_json(dispute: DisputeSummary) -> dict[str, Any]:
    """One dispute as the API shows it (the OpenAPI schema ``DisputeSummary``)."""
    return {
        "reference": dispute.reference,
        "tool": dispute.tool_slug,
        "device": f"Device/{dispute.tool_slug}",
        "kind": dispute.kind,
        "status": dispute.status,
        "under_review": dispute.under_review,
        "received_on": iso_date(dispute.received_on),
        "acknowledge_due_on": iso_date(dispute.acknowledge_due_on),
        "decide_due_on": iso_date(dispute.decide_due_on),
        "decided_on": iso_date(dispute.decided_on),
        "withdrawn_on": iso_date(dispute.withdrawn_on),
    }


@bp.get("/patients/<nhs_number>/disputes")
@require_scopes(DISPUTES_READ)
def patient_disputes(nhs_number: str):  # type: ignore[no-untyped-def]
    check_query(())
    number = parse_nhs_number(nhs_number)
    result = dispute_reads.read_disputes(db.session, ReadContext(current_client(), route_template()), number)
    db.session.commit()
    body = {"nhs_number": number.value, "patient_known": result.patient_known,
            "disputes": [dispute_json(d) for d in result.disputes]}
    return mark_no_store(jsonify(body))
