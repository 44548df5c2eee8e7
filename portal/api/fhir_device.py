"""Each register entry as a FHIR R4 ``Device`` (issue 3 point 6), so a ``Consent`` can name
the tool as its actor: ``{"reference": "Device/<slug>"}`` (``device_reference``).

``GET /fhir/r4/Device/<slug>`` -> 200 ``application/fhir+json`` Device, or 404
``OperationOutcome`` (``not-found``). Public, like the register itself.

Mapping (FHIR R4 Device): ``id`` and ``identifier`` (system ``SLUG_SYSTEM``) = the slug;
``status`` ``active``, or ``inactive`` once retired from the register or its phase is
``retired``; ``manufacturer`` = the supplier (accountable for the product); ``deviceName`` =
the register's plain name (``user-friendly-name``) and the product name
(``manufacturer-name``); ``version``; ``type.text`` = "AI software: <category>";
``contact`` = the supplier's web address; ``note`` = the plain summary and the register
page's address; ``meta.lastUpdated`` = the last import that changed it. Values the register
marks "Not yet verified." are left out rather than sent as data.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, url_for

from portal.access import public
from portal.domain.errors import NotFound
from portal.extensions import db
from portal.services import register
from portal.services.register import NOT_VERIFIED, ToolView

bp = Blueprint("fhir_device", __name__, url_prefix="/fhir/r4")
FHIR_JSON = "application/fhir+json"
SLUG_SYSTEM = "https://ai-choices.nhs.example/tool-slug"
CATEGORY_TEXT = {
    "administration": "administration",
    "clinical-decision-making": "clinical decision-making",
    "service-delivery": "service delivery",
    "population-health": "population health",
    "research": "research",
}


def _known(value: str | None) -> bool:
    return bool(value) and value.strip() != NOT_VERIFIED  # type: ignore[union-attr]


def device_reference(tool: ToolView) -> dict[str, str]:
    """A FHIR Reference to the tool's Device, for a Consent's ``provision.actor``."""
    return {"reference": f"Device/{tool.slug}", "display": tool.name}


def device_resource(tool: ToolView, page_url: str | None = None) -> dict[str, Any]:
    """The tool as a FHIR R4 Device (JSON-ready dict; see module docstring)."""
    inactive = tool.retired or tool.phase == "retired"
    names = [{"name": tool.name, "type": "user-friendly-name"}]
    if _known(tool.product_name):
        names.append({"name": tool.product_name, "type": "manufacturer-name"})
    device: dict[str, Any] = {
        "resourceType": "Device",
        "id": tool.slug,
        "identifier": [{"system": SLUG_SYSTEM, "value": tool.slug}],
        "status": "inactive" if inactive else "active",
        "manufacturer": tool.supplier_name,
        "deviceName": names,
        "type": {"text": f"AI software: {CATEGORY_TEXT[tool.category]}"},
        "note": [{"text": tool.summary}],
    }
    if tool.last_updated_utc:
        device["meta"] = {"lastUpdated": tool.last_updated_utc.isoformat().replace("+00:00", "Z")}
    if _known(tool.version):
        device["version"] = [{"value": tool.version}]
    if tool.supplier_url:
        device["contact"] = [{"system": "url", "value": tool.supplier_url}]
    if page_url:
        device["note"].append({"text": f"Register entry: {page_url}"})
    return device


def operation_outcome(code: str, diagnostics: str) -> dict[str, Any]:
    """A FHIR OperationOutcome with one error issue (``code`` from FHIR's IssueType)."""
    return {"resourceType": "OperationOutcome",
            "issue": [{"severity": "error", "code": code, "diagnostics": diagnostics}]}


def fhir_response(body: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=FHIR_JSON)


@bp.get("/Device/<slug>")
@public
def read_device(slug: str) -> Response:
    try:
        tool = register.get_tool(db.session, slug)
    except NotFound:
        return fhir_response(operation_outcome("not-found", "There is no AI tool with this id on the register."), 404)
    return fhir_response(device_resource(tool, url_for("register.tool", slug=tool.slug, _external=True)))
