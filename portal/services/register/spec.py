"""The register file's vocabulary and its parsed, validated form (``RegisterSpec``).

Schema: ``register/README.md`` (``schema_version: 1``), following the UK Algorithmic
Transparency Recording Standard (tier 1 overview, tier 2 detail) adapted to care, as
DESIGN.md section 3 "AiTool" describes. A ``ToolSpec`` is only ever built by
``portal.services.register.validation`` from a file that passed every check.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from portal.domain.values import Category, ConsentModel, Purpose

SCHEMA_VERSION = 1
CATEGORIES = tuple(category.value for category in Category)
PURPOSES = tuple(purpose.value for purpose in Purpose)
CONSENT_MODELS = (ConsentModel.OPT_IN.value, ConsentModel.OPT_OUT.value, ConsentModel.NO_CHOICE.value)
PHASES = ("pilot", "in-use", "retired")
NATIONS = ("england", "wales", "scotland", "northern-ireland")
NATIONS_SERVED = frozenset({"england", "wales"})  # this service covers England and Wales
EVIDENCE_KINDS = ("trial", "real-world-evaluation", "lab-study", "guidance", "other")
REVIEW_STATUSES = ("unreviewed", "reviewed")
TRANSLATION_LOCALES = ("cy", "ur")
NOT_VERIFIED = "Not yet verified."

# Text a translator may supply per locale (``translations: {cy: {summary: ...}}``).
TOOL_TEXT_FIELDS = (
    "name", "summary", "how_it_works", "data_used", "human_oversight", "limitations",
    "groups_less_well", "monitoring", "regulatory_status", "contact", "no_choice_here_reason",
)
PURPOSE_TEXT_FIELDS = ("plain_terms", "no_choice_reason")

Translations = dict[str, dict[str, str]]


@dataclass(frozen=True)
class OrganisationSpec:
    ods_code: str
    name: str
    nation: str


@dataclass(frozen=True)
class DeploymentSpec:
    ods_code: str
    services: tuple[str, ...]


@dataclass(frozen=True)
class PurposeSpec:
    purpose: str
    consent_model: str
    terms_version: int
    plain_terms: str
    no_choice_reason: str | None
    translations: Translations = field(default_factory=dict)


@dataclass(frozen=True)
class ToolSpec:
    slug: str
    name: str
    product_name: str
    version: str
    supplier_name: str
    supplier_url: str | None
    category: str
    phase: str
    phase_since: str | None
    jurisdictions: tuple[str, ...]
    offers_choice: bool
    no_choice_here_reason: str | None
    deployments: tuple[DeploymentSpec, ...]
    summary: str
    how_it_works: str
    data_used: str
    human_oversight: str
    limitations: str
    groups_less_well: str
    monitoring: str
    regulatory_status: str
    contact: str
    evidence: tuple[dict[str, str], ...]
    sources: tuple[dict[str, str], ...]
    purposes: tuple[PurposeSpec, ...]
    review_status: str
    reviewed_by: str | None = None
    reviewed_on: date | None = None
    translations: Translations = field(default_factory=dict)


@dataclass(frozen=True)
class RegisterSpec:
    organisations: tuple[OrganisationSpec, ...]
    tools: tuple[ToolSpec, ...]


SCALAR_FIELDS = (
    "name", "product_name", "version", "category", "phase", "phase_since", "offers_choice",
    "no_choice_here_reason", "summary", "how_it_works", "data_used", "human_oversight",
    "limitations", "groups_less_well", "monitoring", "regulatory_status", "contact",
)


def snapshot(tool: ToolSpec) -> dict[str, Any]:
    """The tool's content as flat JSON-ready fields, named as in the file
    (``supplier.name``, ``purposes.care.consent_model``, ...). Two snapshots differ exactly
    in the fields an import changes; ``content_hash`` digests one."""
    fields: dict[str, Any] = {name: getattr(tool, name) for name in SCALAR_FIELDS}
    fields.update({
        "supplier.name": tool.supplier_name,
        "supplier.url": tool.supplier_url,
        "jurisdictions": list(tool.jurisdictions),
        "deployments": [{"ods_code": d.ods_code, "services": list(d.services)}
                        for d in sorted(tool.deployments, key=lambda d: d.ods_code)],
        "evidence": [dict(item) for item in tool.evidence],
        "sources": [dict(item) for item in tool.sources],
        "review.status": tool.review_status,
        "review.reviewed_by": tool.reviewed_by,
        "review.reviewed_on": tool.reviewed_on.isoformat() if tool.reviewed_on else None,
        "translations": tool.translations,
    })
    for purpose in tool.purposes:
        prefix = f"purposes.{purpose.purpose}."
        fields.update({
            prefix + "consent_model": purpose.consent_model,
            prefix + "terms_version": purpose.terms_version,
            prefix + "plain_terms": purpose.plain_terms,
            prefix + "no_choice_reason": purpose.no_choice_reason,
            prefix + "translations": purpose.translations,
        })
    return fields


def content_hash(tool: ToolSpec) -> str:
    """SHA-256 (hex) of the tool's snapshot as canonical JSON (sorted keys)."""
    canonical = json.dumps(snapshot(tool), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def changed_fields(before: ToolSpec, after: ToolSpec) -> list[str]:
    """The snapshot fields whose values differ, sorted."""
    old, new = snapshot(before), snapshot(after)
    return sorted(name for name in old.keys() | new.keys() if old.get(name) != new.get(name))
