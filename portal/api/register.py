"""The register as public JSON (issue 3 point 6). No sign-in; English, the source language,
with any translations the register holds.

``GET /api/v1/ai-tools`` -> 200 ``{"count": int, "tools": [ToolSummary, ...]}`` (tools on the
register now, by name; retired tools left out).

``GET /api/v1/ai-tools/<slug>`` -> 200 ``Tool`` (retired tools too, with ``retired_at``), or
404 ``application/problem+json`` (type ``.../problems/not-found``) for an unknown slug.

``ToolSummary``::

    slug: str (stable; choices are keyed on it)   name, product_name, version: str
    supplier: {name: str, url: str | null}         (accountable for the product)
    category: administration | clinical-decision-making | service-delivery |
              population-health | research
    phase: pilot | in-use | retired                 phase_since: str | null ("2020", "2020-03")
    jurisdictions: [england | wales | scotland | northern-ireland]
    offers_choice: bool (false: not used in England or Wales; no choice here)
    purposes: [{purpose: care | improvement | research,
                consent_model: opt-in | opt-out | no-choice, terms_version: int >= 1}]
    deployments: [{ods_code: str, organisation: str, services: [str]}]
    review_status: unreviewed | reviewed
    last_updated: ISO 8601 UTC | null               retired_at: ISO 8601 UTC | null
    content_hash: str (SHA-256 hex of the tool's content; changes when anything changes)
    links: {self: url, page: url, fhir_device: url}

``Tool`` = ``ToolSummary`` plus ``summary``, ``how_it_works``, ``data_used``,
``human_oversight``, ``limitations``, ``groups_less_well``, ``monitoring``,
``regulatory_status``, ``contact``, ``no_choice_here_reason`` (str | null; "Not yet
verified." where no public source was found), ``evidence`` [{kind: trial |
real-world-evaluation | lab-study | guidance | other, title, url}], ``sources`` [{title, url}],
``review`` {status, reviewed_by: str | null, reviewed_on: YYYY-MM-DD | null},
``translations`` {locale: {field: text}}, and each purpose adds ``plain_terms``,
``no_choice_reason`` (str | null) and ``translations``.

Fields are only ever added, never renamed or removed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Response, jsonify, url_for

from portal.access import public
from portal.domain.errors import NotFound
from portal.errors import problem
from portal.extensions import db
from portal.services import register
from portal.services.register import ToolView

bp = Blueprint("api_register", __name__, url_prefix="/api/v1")
DETAIL_TEXT = ("summary", "how_it_works", "data_used", "human_oversight", "limitations",
               "groups_less_well", "monitoring", "regulatory_status", "contact", "no_choice_here_reason")


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def tool_summary(tool: ToolView) -> dict[str, Any]:
    """The ``ToolSummary`` object (see module docstring)."""
    return {
        "slug": tool.slug, "name": tool.name, "product_name": tool.product_name, "version": tool.version,
        "supplier": {"name": tool.supplier_name, "url": tool.supplier_url},
        "category": tool.category, "phase": tool.phase, "phase_since": tool.phase_since,
        "jurisdictions": list(tool.jurisdictions), "offers_choice": tool.offers_choice,
        "purposes": [{"purpose": p.purpose, "consent_model": p.consent_model, "terms_version": p.terms_version}
                     for p in tool.purposes],
        "deployments": [{"ods_code": d.ods_code, "organisation": d.organisation_name, "services": list(d.services)}
                        for d in tool.deployments],
        "review_status": tool.review_status,
        "last_updated": _iso(tool.last_updated_utc), "retired_at": _iso(tool.retired_at_utc),
        "content_hash": tool.content_hash,
        "links": {
            "self": url_for("api_register.get_tool", slug=tool.slug, _external=True),
            "page": url_for("register.tool", slug=tool.slug, _external=True),
            "fhir_device": url_for("fhir_device.read_device", slug=tool.slug, _external=True),
        },
    }


def tool_detail(tool: ToolView) -> dict[str, Any]:
    """The ``Tool`` object (see module docstring)."""
    body = tool_summary(tool)
    body.update({name: getattr(tool, name) for name in DETAIL_TEXT})
    body["evidence"] = [dict(item) for item in tool.evidence]
    body["sources"] = [dict(item) for item in tool.sources]
    body["review"] = {"status": tool.review_status, "reviewed_by": tool.reviewed_by,
                      "reviewed_on": tool.reviewed_on.isoformat() if tool.reviewed_on else None}
    body["translations"] = tool.translations
    for item, purpose in zip(body["purposes"], tool.purposes, strict=True):
        item.update({"plain_terms": purpose.plain_terms, "no_choice_reason": purpose.no_choice_reason,
                     "translations": purpose.translations})
    return body


@bp.get("/ai-tools")
@public
def list_tools() -> Response:
    tools = register.list_tools(db.session)
    return jsonify({"count": len(tools), "tools": [tool_summary(tool) for tool in tools]})


@bp.get("/ai-tools/<slug>")
@public
def get_tool(slug: str) -> Response:
    try:
        tool = register.get_tool(db.session, slug)
    except NotFound:
        return problem(404, "not-found", "Not Found", "There is no AI tool with this slug on the register.")
    return jsonify(tool_detail(tool))
