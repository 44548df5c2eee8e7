"""Importing the register file: checked first, idempotent, recorded, all or nothing.

``import_register(session, register)`` runs in the caller's transaction and flushes; the
caller commits only when it returns (the CLI does). Before writing anything it checks the
file against the database too: a purpose's ``terms_version`` never goes down and goes up
whenever its ``consent_model`` changes (issue 3 point 1: a material change raises the
version; DESIGN.md section 3 "Deciding what applies" step 3 relies on it).

Per tool, a SHA-256 ``content_hash`` of its content decides "unchanged". Otherwise:

- ``RegisterChange`` ``added`` / ``updated`` (with the changed field names, as in the file:
  ``summary``, ``purposes.care.consent_model``) / ``retired``. A tool missing from the file is
  retired (``retired_at_utc`` set), never deleted: choices may refer to it.
- ``ToolPolicyChange`` with the next ``decision-changes`` sequence number whenever a
  purpose's consent model or terms version changes, or a purpose appears (previous values
  null) or goes away (``consent_model`` ``withdrawn``, the last terms version kept), so the
  API's change feed tells clinical systems that defaults moved without any new choice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from portal.data import people
from portal.data import register as register_data
from portal.data.base import utcnow
from portal.data.people import Organisation
from portal.data.register import AiTool, RegisterChange, ToolDeployment, ToolPolicyChange, ToolPurpose
from portal.data.sequences import next_sequence
from portal.services.register import spec as s
from portal.services.register.reading import RegisterInvalid
from portal.services.register.validation import parse_register

log = logging.getLogger(__name__)
WITHDRAWN = "withdrawn"
Policies = dict[str, tuple[str, int]]  # purpose -> (consent model, terms version)


@dataclass
class ImportResult:
    """What one import did, tool by tool (slugs in file order)."""

    added: list[str] = field(default_factory=list)
    updated: dict[str, list[str]] = field(default_factory=dict)  # slug -> changed fields
    retired: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    policy_changes: list[ToolPolicyChange] = field(default_factory=list)

    def summary(self) -> str:
        """``added 11, updated 0, retired 0, unchanged 0``."""
        return (f"added {len(self.added)}, updated {len(self.updated)}, "
                f"retired {len(self.retired)}, unchanged {len(self.unchanged)}")


def import_register_text(session: Session, text: str, now: datetime | None = None) -> ImportResult:
    """Parse, check and import a register file's text. Raises ``RegisterInvalid`` (every
    problem listed) before writing anything."""
    return import_register(session, parse_register(text), now)


def import_register(session: Session, register: s.RegisterSpec, now: datetime | None = None) -> ImportResult:
    """Bring the database in line with ``register`` (see module docstring)."""
    now = now or utcnow()
    existing = {tool.slug: tool for tool in register_data.list_tools(session, include_retired=True)}
    problems = check_against_database(register, existing)
    if problems:
        raise RegisterInvalid(problems)
    organisations = {org.ods_code: people.upsert_organisation(session, org.ods_code, org.name, org.nation)
                     for org in register.organisations}
    result = ImportResult()
    for tool_spec in register.tools:
        tool = existing.get(tool_spec.slug)
        if tool is None:
            _add(session, tool_spec, organisations, now, result)
        else:
            _update(session, tool, tool_spec, organisations, now, result)
    listed = {tool_spec.slug for tool_spec in register.tools}
    for slug, tool in existing.items():
        if slug not in listed and tool.retired_at_utc is None:
            _retire(session, tool, now, result)
    log.info("register imported: %(summary)s; %(policies)s policy changes",
             {"summary": result.summary(), "policies": len(result.policy_changes)})
    return result


def check_against_database(register: s.RegisterSpec, existing: dict[str, AiTool]) -> list[str]:
    """Problems only the database can reveal: a terms version that goes down, or a consent
    model that changes without a new terms version."""
    problems = []
    for index, tool_spec in enumerate(register.tools):
        tool = existing.get(tool_spec.slug)
        stored = {purpose.purpose: purpose for purpose in tool.purposes} if tool else {}
        for purpose in tool_spec.purposes:
            old = stored.get(purpose.purpose)
            path = f"tools[{index}].purposes.{purpose.purpose}.terms_version"
            if old is None:
                continue
            if purpose.terms_version < old.terms_version:
                problems.append(f"{path}: must not go down (the database has version {old.terms_version})")
            elif purpose.consent_model != old.consent_model and purpose.terms_version == old.terms_version:
                problems.append(f"{path}: must go up when consent_model changes "
                                f"(the database has version {old.terms_version})")
    return problems


def spec_from_model(tool: AiTool) -> s.ToolSpec:
    """The stored tool as a ``ToolSpec``, to compare with the file's."""
    return s.ToolSpec(
        slug=tool.slug, name=tool.name, product_name=tool.product_name, version=tool.version,
        supplier_name=tool.supplier_name, supplier_url=tool.supplier_url, category=tool.category,
        phase=tool.phase, phase_since=tool.phase_since, jurisdictions=tuple(tool.jurisdictions),
        offers_choice=tool.offers_choice, no_choice_here_reason=tool.no_choice_here_reason,
        deployments=tuple(s.DeploymentSpec(d.organisation.ods_code, tuple(d.services)) for d in tool.deployments),
        summary=tool.summary, how_it_works=tool.how_it_works, data_used=tool.data_used,
        human_oversight=tool.human_oversight, limitations=tool.limitations,
        groups_less_well=tool.groups_less_well, monitoring=tool.monitoring,
        regulatory_status=tool.regulatory_status, contact=tool.contact,
        evidence=tuple(tool.evidence), sources=tuple(tool.sources),
        purposes=tuple(s.PurposeSpec(p.purpose, p.consent_model, p.terms_version, p.plain_terms,
                                     p.no_choice_reason, p.translations) for p in tool.purposes),
        review_status=tool.review_status, reviewed_by=tool.reviewed_by, reviewed_on=tool.reviewed_on,
        translations=tool.translations,
    )


def _add(session: Session, tool_spec: s.ToolSpec, organisations: dict[str, Organisation],
         now: datetime, result: ImportResult) -> None:
    tool = AiTool(slug=tool_spec.slug, created_at_utc=now)
    _apply(tool, tool_spec, organisations, now)
    register_data.add_tool(session, tool)
    register_data.add_register_change(session, RegisterChange(tool_id=tool.id, kind="added", fields=[],
                                                              created_at_utc=now))
    _record_policy_changes(session, tool, {}, _policies(tool_spec), now, result)
    result.added.append(tool.slug)


def _update(session: Session, tool: AiTool, tool_spec: s.ToolSpec, organisations: dict[str, Organisation],
            now: datetime, result: ImportResult) -> None:
    was_retired = tool.retired_at_utc is not None
    if tool.content_hash == s.content_hash(tool_spec) and not was_retired:
        result.unchanged.append(tool.slug)
        return
    before = spec_from_model(tool)
    changed = s.changed_fields(before, tool_spec) + (["retired"] if was_retired else [])
    if not changed:  # same content, older hash recipe: refresh the hash quietly
        tool.content_hash = s.content_hash(tool_spec)
        result.unchanged.append(tool.slug)
        return
    old_policies = {} if was_retired else _policies(before)
    tool.retired_at_utc = None
    _apply(tool, tool_spec, organisations, now)
    session.flush()
    register_data.add_register_change(session, RegisterChange(tool_id=tool.id, kind="updated", fields=changed,
                                                              created_at_utc=now))
    _record_policy_changes(session, tool, old_policies, _policies(tool_spec), now, result)
    result.updated[tool.slug] = changed


def _retire(session: Session, tool: AiTool, now: datetime, result: ImportResult) -> None:
    tool.retired_at_utc = now
    tool.updated_at_utc = now
    session.flush()
    register_data.add_register_change(session, RegisterChange(tool_id=tool.id, kind="retired", fields=[],
                                                              created_at_utc=now))
    _record_policy_changes(session, tool, _policies(spec_from_model(tool)), {}, now, result)
    result.retired.append(tool.slug)


def _policies(tool_spec: s.ToolSpec) -> Policies:
    return {p.purpose: (p.consent_model, p.terms_version) for p in tool_spec.purposes}


def _record_policy_changes(session: Session, tool: AiTool, before: Policies, after: Policies,
                           now: datetime, result: ImportResult) -> None:
    for purpose in s.PURPOSES:
        old, new = before.get(purpose), after.get(purpose)
        if old == new:
            continue
        model, version = new if new else (WITHDRAWN, old[1])  # type: ignore[index]
        change = ToolPolicyChange(
            sequence=next_sequence(session), tool_id=tool.id, purpose=purpose, consent_model=model,
            terms_version=version, previous_consent_model=old[0] if old else None,
            previous_terms_version=old[1] if old else None, created_at_utc=now,
        )
        result.policy_changes.append(register_data.add_policy_change(session, change))


def _apply(tool: AiTool, tool_spec: s.ToolSpec, organisations: dict[str, Organisation], now: datetime) -> None:
    """Copy the file's content onto ``tool`` (purposes and deployments updated in place)."""
    for name in s.SCALAR_FIELDS:
        setattr(tool, name, getattr(tool_spec, name))
    tool.supplier_name, tool.supplier_url = tool_spec.supplier_name, tool_spec.supplier_url
    tool.jurisdictions = list(tool_spec.jurisdictions)
    tool.evidence, tool.sources = [dict(e) for e in tool_spec.evidence], [dict(e) for e in tool_spec.sources]
    tool.translations = tool_spec.translations
    tool.review_status, tool.reviewed_by, tool.reviewed_on = (
        tool_spec.review_status, tool_spec.reviewed_by, tool_spec.reviewed_on)
    tool.content_hash = s.content_hash(tool_spec)
    tool.updated_at_utc = now
    _sync_purposes(tool, tool_spec, now)
    _sync_deployments(tool, tool_spec, organisations)


def _sync_purposes(tool: AiTool, tool_spec: s.ToolSpec, now: datetime) -> None:
    stored = {purpose.purpose: purpose for purpose in tool.purposes}
    wanted = {purpose.purpose: purpose for purpose in tool_spec.purposes}
    tool.purposes[:] = [row for row in tool.purposes if row.purpose in wanted]
    for name, purpose in wanted.items():
        row = stored.get(name)
        if row is None:
            row = ToolPurpose(purpose=name)
            tool.purposes.append(row)
        values = (purpose.consent_model, purpose.terms_version, purpose.plain_terms,
                  purpose.no_choice_reason, purpose.translations)
        if row.consent_model is None or values != (row.consent_model, row.terms_version, row.plain_terms,
                                                   row.no_choice_reason, row.translations):
            (row.consent_model, row.terms_version, row.plain_terms, row.no_choice_reason,
             row.translations) = values
            row.updated_at_utc = now


def _sync_deployments(tool: AiTool, tool_spec: s.ToolSpec, organisations: dict[str, Organisation]) -> None:
    stored = {row.organisation.ods_code: row for row in tool.deployments if row.organisation is not None}
    wanted = {deployment.ods_code: deployment for deployment in tool_spec.deployments}
    tool.deployments[:] = [row for code, row in stored.items() if code in wanted]
    for code, deployment in wanted.items():
        row = stored.get(code)
        if row is None:
            row = ToolDeployment(organisation=organisations[code])
            tool.deployments.append(row)
        if row.services != list(deployment.services):
            row.services = list(deployment.services)
