"""Reading the register for pages and the API: read-only views, never ORM rows.

``ToolView`` carries everything a page, the JSON API or the FHIR ``Device`` needs, so the
edges never touch ``portal.data``. Text in another language comes from the tool's
``translations``; where a translation is missing, ``text()`` gives the English with
``fell_back=True`` so the page can mark it ``lang="en"`` and say it is not translated yet
(issue 3 point 4: never a blank).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from portal.data import register as register_data
from portal.data.register import AiTool
from portal.domain.errors import NotFound
from portal.services.register import spec as s

ENGLISH = "en"


@dataclass(frozen=True)
class LocalText:
    """Text for a page in ``locale``: ``lang`` is the language it is really in, and
    ``fell_back`` is True when English stands in for a missing translation.
    ``not_verified`` marks the register's "Not yet verified." (pages say it in their own words)."""

    text: str
    lang: str
    fell_back: bool
    not_verified: bool = False


def localised(english: str | None, translations: s.Translations, field: str, locale: str) -> LocalText | None:
    """``field`` in ``locale`` if translated, else the English (None stays None)."""
    if english is None:
        return None
    not_verified = english.strip() == s.NOT_VERIFIED
    translated = translations.get(locale, {}).get(field) if locale != ENGLISH else None
    if translated:
        return LocalText(translated, locale, False)
    return LocalText(english, ENGLISH, locale != ENGLISH and not not_verified, not_verified)


@dataclass(frozen=True)
class PurposeView:
    purpose: str
    consent_model: str
    terms_version: int
    plain_terms: str
    no_choice_reason: str | None
    translations: s.Translations

    def text(self, field: str, locale: str) -> LocalText | None:
        return localised(getattr(self, field), self.translations, field, locale)


@dataclass(frozen=True)
class DeploymentView:
    ods_code: str
    organisation_name: str
    nation: str
    services: tuple[str, ...]


@dataclass(frozen=True)
class ToolView:
    """One register entry as pages and the API show it (field meanings: register/README.md)."""

    id: uuid.UUID
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
    summary: str
    how_it_works: str
    data_used: str
    human_oversight: str
    limitations: str
    groups_less_well: str
    monitoring: str
    regulatory_status: str
    contact: str
    evidence: tuple[dict[str, Any], ...]
    sources: tuple[dict[str, Any], ...]
    purposes: tuple[PurposeView, ...]
    deployments: tuple[DeploymentView, ...]
    review_status: str
    reviewed_by: str | None
    reviewed_on: date | None
    translations: s.Translations
    content_hash: str
    last_updated_utc: datetime | None
    retired_at_utc: datetime | None

    @property
    def retired(self) -> bool:
        return self.retired_at_utc is not None

    def text(self, field: str, locale: str) -> LocalText | None:
        return localised(getattr(self, field), self.translations, field, locale)

    def purpose(self, name: str) -> PurposeView | None:
        return next((purpose for purpose in self.purposes if purpose.purpose == name), None)


@dataclass(frozen=True)
class CategoryGroup:
    category: str
    tools: tuple[ToolView, ...]


@dataclass(frozen=True)
class OrganisationOption:
    ods_code: str
    name: str


@dataclass(frozen=True)
class PatientTools:
    """Tools for a patient: at the organisations caring for them (``organisations_known``),
    or, when the portal knows none, every tool that offers a choice."""

    organisations_known: bool
    tools: tuple[ToolView, ...]


def _view(tool: AiTool, last_updated: datetime | None) -> ToolView:
    purposes = tuple(PurposeView(p.purpose, p.consent_model, p.terms_version, p.plain_terms,
                                 p.no_choice_reason, p.translations) for p in tool.purposes)
    deployments = tuple(sorted(
        (DeploymentView(d.organisation.ods_code, d.organisation.name, d.organisation.nation, tuple(d.services))
         for d in tool.deployments), key=lambda d: (d.organisation_name, d.ods_code)))
    plain = {name: getattr(tool, name) for name in (
        "id", "slug", "name", "product_name", "version", "supplier_name", "supplier_url", "category",
        "phase", "phase_since", "offers_choice", "no_choice_here_reason", "summary", "how_it_works",
        "data_used", "human_oversight", "limitations", "groups_less_well", "monitoring",
        "regulatory_status", "contact", "review_status", "reviewed_by", "reviewed_on", "translations",
        "content_hash", "retired_at_utc")}
    return ToolView(**plain, jurisdictions=tuple(tool.jurisdictions), evidence=tuple(tool.evidence),
                    sources=tuple(tool.sources), purposes=purposes, deployments=deployments,
                    last_updated_utc=last_updated)


def _views(session: Session, tools: list[AiTool]) -> tuple[ToolView, ...]:
    changed = register_data.last_change_times(session)
    return tuple(_view(tool, changed.get(tool.id)) for tool in tools)


def list_tools(session: Session) -> tuple[ToolView, ...]:
    """Every tool on the register now (retired ones left out), by name."""
    return _views(session, register_data.list_tools(session))


def list_tools_at_organisation(session: Session, ods_code: str) -> tuple[ToolView, ...]:
    """Tools deployed at the organisation with ``ods_code`` (none for an unknown code)."""
    return _views(session, register_data.list_tools_for_organisation(session, ods_code))


def tools_for_patient(session: Session, patient_id: uuid.UUID) -> PatientTools:
    """"AI tools used in your care" (issue 3 point 3): see ``PatientTools``."""
    if register_data.patient_has_organisations(session, patient_id):
        return PatientTools(True, _views(session, register_data.list_tools_for_patient(session, patient_id)))
    return PatientTools(False, tuple(tool for tool in list_tools(session) if tool.offers_choice))


def get_tool(session: Session, slug: str) -> ToolView:
    """The tool with ``slug``, retired or not. Raises ``NotFound``."""
    tool = register_data.get_tool_by_slug(session, slug)
    if tool is None:
        raise NotFound(f"no AI tool {slug!r} on the register")
    return _views(session, [tool])[0]


def group_by_category(tools: tuple[ToolView, ...]) -> tuple[CategoryGroup, ...]:
    """Tools grouped in the order of the BMA paper's five uses; empty groups left out."""
    groups = (CategoryGroup(c, tuple(t for t in tools if t.category == c)) for c in s.CATEGORIES)
    return tuple(group for group in groups if group.tools)


def list_organisation_options(session: Session) -> tuple[OrganisationOption, ...]:
    """Organisations using at least one tool, by name (the filter on the register page)."""
    return tuple(OrganisationOption(o.ods_code, o.name) for o in register_data.list_deploying_organisations(session))
