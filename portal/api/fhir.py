"""FHIR R4 Consent: search by patient and read by id (issue 8 point 4).

``GET /fhir/r4/Consent?patient:identifier=https://fhir.nhs.uk/Id/nhs-number|{n}`` (also
``patient.identifier=``), ``POST /fhir/r4/Consent/_search`` (form-encoded, the same
parameters), ``GET /fhir/r4/Consent/{id}``. Filters ``status`` and ``category``; ``_count``
1 to 100. Paging links carry an opaque token (``_page``), never the NHS number. Answers
``application/fhir+json``; errors are OperationOutcome. Scope ``system/Consent.read``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for
from werkzeug.datastructures import MultiDict

from portal.api import fhir_paging
from portal.api.common import parse_nhs_number, route_template
from portal.api.oauth import current_client, require_scopes
from portal.api.problems import ApiProblem
from portal.errors import FHIR_JSON
from portal.extensions import db
from portal.security import mark_no_store
from portal.services import fhir_consent
from portal.services.api_clients import CONSENT_READ
from portal.services.decision_reads import ReadContext

bp = Blueprint("fhir_consent", __name__, url_prefix="/fhir/r4")
DEFAULT_COUNT, MAX_COUNT = 50, 100
CATEGORY_TOKENS = {"59284-0", "http://loinc.org|59284-0"}


def fhir_json(body: dict[str, Any], status: int = 200) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.mimetype = FHIR_JSON
    return response


def _invalid(detail: str) -> ApiProblem:
    return ApiProblem(400, "invalid-search", "Invalid search", detail)


def _patient_number(params: MultiDict) -> str:  # type: ignore[type-arg]
    values = params.getlist("patient:identifier") + params.getlist("patient.identifier")
    if len(values) != 1:
        raise _invalid("Search with exactly one patient:identifier=https://fhir.nhs.uk/Id/nhs-number|{nhs_number}.")
    system, _, value = values[0].rpartition("|")
    if system not in ("", fhir_consent.NHS_NUMBER_SYSTEM):
        raise _invalid("Only the identifier system https://fhir.nhs.uk/Id/nhs-number is supported.")
    return parse_nhs_number(value).value


def _search_from(params: MultiDict) -> dict[str, Any]:  # type: ignore[type-arg]
    """The search a request asks for: from a page token, or from its parameters."""
    token = params.get("_page")
    if token is not None:
        try:
            return fhir_paging.unseal(token)
        except fhir_paging.ExpiredPageToken:
            raise ApiProblem(410, "page-expired", "This page link has expired",
                             "Search again: page links last one hour.") from None
        except fhir_paging.MalformedPageToken:
            raise _invalid("_page is not a page link from this server: use the links in a Bundle.") from None
    statuses = [s for value in params.getlist("status") for s in value.split(",") if s]
    if any(s not in fhir_consent.STATUSES for s in statuses):
        raise _invalid("status is one or more of: " + ", ".join(fhir_consent.STATUSES) + ".")
    count = params.get("_count", str(DEFAULT_COUNT))
    if not count.isdigit() or not 1 <= int(count) <= MAX_COUNT:
        raise _invalid(f"_count is a whole number from 1 to {MAX_COUNT}.")
    categories = [c for value in params.getlist("category") for c in value.split(",") if c]
    return {"nhs": _patient_number(params), "status": statuses, "category": categories,
            "count": int(count), "offset": 0}


def _page_url(search: dict[str, Any], offset: int) -> str:
    return url_for("fhir_consent.search", _page=fhir_paging.seal({**search, "offset": offset}), _external=True)


def _bundle(search: dict[str, Any], consents: list[dict[str, Any]]) -> dict[str, Any]:
    if search["category"] and not set(search["category"]) & CATEGORY_TOKENS:
        consents = []
    if search["status"]:
        consents = [c for c in consents if c["status"] in search["status"]]
    offset, count = search["offset"], search["count"]
    links = [{"relation": "self", "url": _page_url(search, offset)},
             {"relation": "first", "url": _page_url(search, 0)}]
    if offset + count < len(consents):
        links.append({"relation": "next", "url": _page_url(search, offset + count)})
    if offset > 0:
        links.append({"relation": "previous", "url": _page_url(search, max(0, offset - count))})
    base = url_for("fhir_metadata.metadata", _external=True).rsplit("/metadata", 1)[0]
    entries = [{"fullUrl": f"{base}/Consent/{c['id']}", "resource": c, "search": {"mode": "match"}}
               for c in consents[offset:offset + count]]
    return {"resourceType": "Bundle", "type": "searchset", "total": len(consents), "link": links, "entry": entries}


@bp.route("/Consent", methods=["GET"], endpoint="search")
@require_scopes(CONSENT_READ)
def search():  # type: ignore[no-untyped-def]
    return _answer_search(request.args)


@bp.post("/Consent/_search")
@require_scopes(CONSENT_READ)
def search_by_post():  # type: ignore[no-untyped-def]
    if request.mimetype != "application/x-www-form-urlencoded":
        raise ApiProblem(415, "unsupported-media-type", "Unsupported content type",
                         "Send the search as application/x-www-form-urlencoded.")
    return _answer_search(request.form)


def _answer_search(params: MultiDict) -> Response:  # type: ignore[type-arg]
    search = _search_from(params)
    context = ReadContext(current_client(), route_template())
    found = fhir_consent.consents_for_patient(db.session, context, parse_nhs_number(search["nhs"]))
    db.session.commit()
    return mark_no_store(fhir_json(_bundle(search, found.consents)))


@bp.get("/Consent/<consent_id>")
@require_scopes(CONSENT_READ)
def read(consent_id: str):  # type: ignore[no-untyped-def]
    context = ReadContext(current_client(), route_template())
    resource = fhir_consent.consent_by_id(db.session, context, consent_id)
    if resource is None:
        raise ApiProblem(404, "not-found", "No such Consent", "There is no Consent with this id.")
    db.session.commit()
    return mark_no_store(fhir_json(resource))
