"""Read and check a register file, collecting every problem before anything is written.

``parse_register(text)`` returns a ``RegisterSpec`` or raises ``RegisterInvalid`` whose
``problems`` name each field by its path in the file, for example
``tools[3].purposes.care.consent_model: must be one of opt-in, opt-out, no-choice``
(issue 3, point 2). Plain code rather than a schema library: the messages are ours, in the
register editors' words, and cross-field rules (a ``no-choice`` purpose needs its legal
reason; a deployment names a listed organisation) sit next to the field rules.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from portal.services.register import spec as s
from portal.services.register.reading import (
    Fields,
    RegisterInvalid,
    item_fields,
    load_yaml,
    show,
)

ODS_CODE = re.compile(r"[A-Z0-9]{3,6}")
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
PHASE_SINCE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")
TOOL_KEYS = frozenset({
    "slug", "name", "product_name", "version", "supplier", "category", "phase", "phase_since",
    "jurisdictions", "offers_choice", "no_choice_here_reason", "deployments", "evidence",
    "sources", "purposes", "review", "translations", *s.TOOL_TEXT_FIELDS,
})
UNKNOWN_PURPOSE = "is not a purpose; must be one of " + ", ".join(s.PURPOSES)
UNKNOWN_LOCALE = "is not a language the register is translated into; must be one of " + ", ".join(s.TRANSLATION_LOCALES)
TIER_TEXT = ("summary", "how_it_works", "data_used", "human_oversight", "limitations",
             "groups_less_well", "monitoring", "regulatory_status", "contact")


def parse_register(text: str) -> s.RegisterSpec:
    """Parse and check the whole file; raise ``RegisterInvalid`` listing every problem."""
    data = load_yaml(text)
    if not isinstance(data, dict):
        raise RegisterInvalid(["file: must be a block with schema_version, organisations and tools"])
    problems: list[str] = []
    top = Fields(data, "", problems, {"schema_version", "organisations", "tools"})
    if data.get("schema_version") != s.SCHEMA_VERSION:
        top.problem("schema_version", f"must be {s.SCHEMA_VERSION}")
    organisations = _organisations(top, problems)
    listed = _listed_codes(data.get("organisations"))
    slugs: dict[str, str] = {}
    tools = [tool for path, item in top.items("tools")
             if (tool := _tool(path, item, problems, listed, slugs)) is not None]
    if problems:
        raise RegisterInvalid(problems)
    return s.RegisterSpec(tuple(organisations), tuple(tools))


def _organisations(top: Fields, problems: list[str]) -> list[s.OrganisationSpec]:
    found: list[s.OrganisationSpec] = []
    first_at: dict[str, str] = {}
    for path, item in top.items("organisations"):
        fields = item_fields(path, item, problems, {"ods_code", "name", "nation"})
        if fields is None:
            continue
        code = _ods_code(fields, "ods_code")
        name, nation = fields.text("name", max_length=200), fields.choice("nation", s.NATIONS)
        if code and code in first_at:
            fields.problem("ods_code", f'"{code}" is already listed at {first_at[code]}')
        elif code and name and nation:
            first_at[code] = path
            found.append(s.OrganisationSpec(code, name, nation))
    return found


def _listed_codes(items: Any) -> set[str] | None:
    """Every ODS code written under ``organisations``, valid or not (so a deployment is
    checked against what the file says, and a bad code is reported once, where it is).
    None when ``organisations`` itself is broken: that one problem is enough."""
    if not isinstance(items, list):
        return None
    return {item["ods_code"] for item in items if isinstance(item, dict) and isinstance(item.get("ods_code"), str)}


def _ods_code(fields: Fields, key: str) -> str | None:
    value = fields.data.get(key)
    if not isinstance(value, str) or not ODS_CODE.fullmatch(value):
        message = "must be 3 to 6 upper-case letters or digits"
        fields.problem(key, message if value is None else f"{message}, not {show(value)}")
        return None
    return value


def _tool(path: str, item: Any, problems: list[str], listed: set[str] | None, slugs: dict[str, str]) -> s.ToolSpec | None:
    """One entry of ``tools``, or None when it has a problem (recorded in ``problems``)."""
    fields = item_fields(path, item, problems, TOOL_KEYS)
    if fields is None:
        return None
    before = len(problems)
    slug = fields.text("slug", max_length=64)  # a FHIR id: at most 64
    if slug and not SLUG.fullmatch(slug):
        fields.problem("slug", 'must be lower-case letters, digits and single hyphens, like "stroke-scan-reader"')
    elif slug and slug in slugs:
        fields.problem("slug", f'"{slug}" is already used by {slugs[slug]}')
    elif slug:
        slugs[slug] = path
    supplier = fields.block("supplier", {"name", "url"})
    jurisdictions = _jurisdictions(fields)
    offers_choice = fields.flag("offers_choice")
    reason = fields.text("no_choice_here_reason", nullable=True)
    if offers_choice is False and fields.data.get("no_choice_here_reason") is None:
        fields.problem("no_choice_here_reason", "is required when offers_choice is false")
    if offers_choice and jurisdictions is not None and not s.NATIONS_SERVED & set(jurisdictions):
        fields.problem("offers_choice", "must be false when the tool is not used in England or Wales")
    values = {
        "slug": slug, "name": fields.text("name", max_length=200),
        "product_name": fields.text("product_name", max_length=200),
        "version": fields.text("version", max_length=100),
        "supplier_name": supplier.text("name", max_length=300) if supplier else None,
        "supplier_url": supplier.link("url", nullable=True) if supplier else None,
        "category": fields.choice("category", s.CATEGORIES), "phase": fields.choice("phase", s.PHASES),
        "phase_since": _phase_since(fields), "jurisdictions": jurisdictions,
        "offers_choice": offers_choice, "no_choice_here_reason": reason,
        "deployments": _deployments(fields, listed), "evidence": _links(fields, "evidence"),
        "sources": _links(fields, "sources"), "purposes": _purposes(fields),
        "translations": _translations(fields, s.TOOL_TEXT_FIELDS),
        **{name: fields.text(name) for name in TIER_TEXT},
        **_review(fields),
    }
    for purpose in values["purposes"] if offers_choice is False else ():
        if purpose.consent_model != "no-choice":
            fields.problem(f"purposes.{purpose.purpose}.consent_model", "must be no-choice when offers_choice is false")
    if len(problems) > before:
        return None
    return s.ToolSpec(**values)


def _jurisdictions(fields: Fields) -> tuple[str, ...] | None:
    value = fields.data.get("jurisdictions")
    if not isinstance(value, list) or not value or any(item not in s.NATIONS for item in value):
        fields.problem("jurisdictions", "must be a list of one or more of " + ", ".join(s.NATIONS))
        return None
    return tuple(value)


def _phase_since(fields: Fields) -> str | None:
    value = fields.data.get("phase_since")
    if value is None:
        return None
    text = value.isoformat() if isinstance(value, date) else str(value)
    if isinstance(value, bool) or not PHASE_SINCE.fullmatch(text):
        fields.problem("phase_since", 'must be a year or date in quotes, like "2020" or "2020-03", or null')
        return None
    return text


def _deployments(fields: Fields, listed: set[str] | None) -> tuple[s.DeploymentSpec, ...]:
    found: list[s.DeploymentSpec] = []
    first_at: dict[str, str] = {}
    for path, item in fields.items("deployments"):
        deployment = item_fields(path, item, fields.problems, {"ods_code", "services"})
        if deployment is None:
            continue
        code = _ods_code(deployment, "ods_code")
        services = _texts(deployment, "services")
        if code and listed is not None and code not in listed:
            deployment.problem("ods_code", f'"{code}" is not listed under organisations')
        elif code and code in first_at:
            deployment.problem("ods_code", f'"{code}" is already listed at {first_at[code]}')
        elif code and services is not None:
            first_at[code] = path
            found.append(s.DeploymentSpec(code, services))
    return tuple(found)


def _texts(fields: Fields, key: str) -> tuple[str, ...] | None:
    value = fields.data.get(key)
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        fields.problem(key, "must be a list of text (write [] for none)")
        return None
    return tuple(item.strip() for item in value)


def _links(fields: Fields, key: str) -> tuple[dict[str, str], ...]:
    found = []
    allowed = {"kind", "title", "url"} if key == "evidence" else {"title", "url"}
    for path, item in fields.items(key):
        link = item_fields(path, item, fields.problems, allowed)
        if link is None:
            continue
        values = {"title": link.text("title"), "url": link.link("url")}
        if key == "evidence":
            values = {"kind": link.choice("kind", s.EVIDENCE_KINDS), **values}
        if all(values.values()):
            found.append(values)
    return tuple(found)  # type: ignore[arg-type]


def _purposes(fields: Fields) -> tuple[s.PurposeSpec, ...]:
    block = fields.block("purposes", s.PURPOSES, unknown=UNKNOWN_PURPOSE)
    if block is None:
        return ()
    if not block.data:
        fields.problem("purposes", "must list at least one of " + ", ".join(s.PURPOSES))
    found = []
    for name in s.PURPOSES:
        if name in block.data:
            purpose = block.block(name, {"consent_model", "terms_version", "plain_terms", "no_choice_reason", "translations"})
            if purpose is not None and (spec := _purpose(name, purpose)) is not None:
                found.append(spec)
    return tuple(found)


def _purpose(name: str, fields: Fields) -> s.PurposeSpec | None:
    model = fields.choice("consent_model", s.CONSENT_MODELS)
    version, terms = fields.whole_number("terms_version"), fields.text("plain_terms")
    reason = fields.text("no_choice_reason", nullable=True)
    if model == "no-choice" and reason is None and fields.data.get("no_choice_reason") is None:
        fields.problem("no_choice_reason", "is required when consent_model is no-choice")
    translations = _translations(fields, s.PURPOSE_TEXT_FIELDS)
    if model is None or version is None or terms is None or (model == "no-choice" and reason is None):
        return None
    return s.PurposeSpec(name, model, version, terms, reason, translations)


def _translations(fields: Fields, allowed: tuple[str, ...]) -> s.Translations:
    block = fields.block("translations", s.TRANSLATION_LOCALES, required=False, unknown=UNKNOWN_LOCALE)
    if block is None:
        return {}
    found: s.Translations = {}
    for locale in s.TRANSLATION_LOCALES:
        if locale in block.data:
            texts = block.block(locale, allowed)
            if texts is not None:
                found[locale] = {key: value for key in allowed if key in texts.data
                                 and (value := texts.text(key)) is not None}
    return found


def _review(fields: Fields) -> dict[str, Any]:
    block = fields.block("review", {"status", "reviewed_by", "reviewed_on"})
    if block is None:
        return {"review_status": None}
    status = block.choice("status", s.REVIEW_STATUSES)
    by = block.text("reviewed_by", nullable=True, max_length=200)
    if status == "reviewed" and block.data.get("reviewed_by") is None:
        block.problem("reviewed_by", "is required when status is reviewed")
    on = block.data.get("reviewed_on")
    if (status == "reviewed" or on is not None) and not isinstance(on, date):
        block.problem("reviewed_on", "must be a date like 2026-11-30" + ("" if status == "reviewed" else " or null"))
        on = None
    return {"review_status": status, "reviewed_by": by, "reviewed_on": on}
