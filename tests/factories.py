"""Small factories for test data. Each returns flushed rows; the caller commits if needed."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from portal.data import ai_use, choices, people, register
from portal.data.base import utcnow
from portal.data.sequences import next_sequence
from portal.domain.nhs_number import NhsNumber
from portal.domain.references import new_reference

_prefixes = itertools.count(999_100_000)
_tool_numbers = itertools.count(1)


def next_nhs_number() -> str:
    """A fresh valid NHS number in the 999 test range."""
    while True:
        number = NhsNumber.from_prefix(str(next(_prefixes)))
        if number is not None:
            return number.value


def make_patient(session: Session, **fields: object) -> people.Patient:
    values = {
        "given_name": "Siân", "family_name": "O'Brien", "date_of_birth": date(1980, 2, 29),
        "postcode": "CF14 4XW", "email": "sian.obrien@example.org", "mobile": "07700 900123",
    }
    values.update(fields)
    nhs_number = str(values.pop("nhs_number", next_nhs_number()))
    return people.upsert_patient(session, nhs_number, **values)


# Register, organisations and AI use (choices journey) -----------------------------------------

_slugs = itertools.count(1)


def make_organisation(session: Session, ods_code: str | None = None, name: str = "Demo Hospital NHS Trust",
                      nation: str = "england") -> people.Organisation:
    return people.upsert_organisation(session, ods_code or f"T{next(_slugs):04d}", name, nation)


def make_tool(session: Session, slug: str | None = None, purposes: dict[str, str] | None = None, *,
              name: str | None = None, organisations: list[people.Organisation] | None = None,
              offers_choice: bool = True, terms_version: int = 1, no_choice_reason: str = "The law says it must be used",
              translations: dict[str, dict[str, str]] | None = None, **fields: object) -> register.AiTool:
    """A register entry written directly (not through the import). ``purposes`` maps purpose
    to consent model, e.g. ``{"care": "opt-out", "improvement": "opt-in"}``."""
    slug = slug or f"test-tool-{next(_slugs)}"
    text = "Not yet verified."
    tool = register.AiTool(
        slug=slug, name=name or slug.replace("-", " ").capitalize(), product_name=text, version="1",
        supplier_name="Demo Supplier Ltd", category="clinical-decision-making", phase="live",
        offers_choice=offers_choice, summary="Reads scans and flags ones that need a doctor soon.",
        how_it_works=text, data_used=text, human_oversight=text, limitations=text,
        groups_less_well=text, monitoring=text, regulatory_status=text, contact=text,
        content_hash="0" * 64, translations=translations or {},
    )
    for field, value in fields.items():
        setattr(tool, field, value)
    for purpose, model in (purposes or {"care": "opt-out"}).items():
        tool.purposes.append(register.ToolPurpose(
            purpose=purpose, consent_model=model, terms_version=terms_version,
            plain_terms=f"The tool may be used for {purpose}.",
            no_choice_reason=no_choice_reason if model == "no-choice" else None))
    for organisation in organisations or []:
        tool.deployments.append(register.ToolDeployment(organisation=organisation, services=["Radiology"]))
    session.add(tool)
    session.flush()
    return tool


def make_ai_use_event(session: Session, patient: people.Patient, tool: register.AiTool,
                      organisation: people.Organisation, **fields: object) -> ai_use.AiUseEvent:
    used = datetime(2026, 3, 3, 14, 5, tzinfo=UTC)
    values: dict[str, object] = {
        "purpose": "care", "used_at_utc": used, "visible_from_utc": used + timedelta(days=14),
        "service": "Radiology", "plain_summary": "It flagged your chest X-ray for a doctor to look at first.",
        "external_reference": f"EXT-{next(_slugs)}", "decision_at_time": "permit",
        "basis_at_time": "default-opt-out", "conflict": False,
    }
    values.update(fields)
    return ai_use.add_ai_use_event(session, ai_use.AiUseEvent(
        patient_id=patient.id, tool_id=tool.id, organisation_id=organisation.id, **values))


def make_choice(session: Session, patient: people.Patient, tool: register.AiTool | None, purpose: str = "care",
                decision: str = "deny", terms_version: int | None = 1, **fields: object) -> choices.Choice:
    """A choice with the next sequence number (``tool`` None: all tools)."""
    values: dict[str, object] = {"actor_kind": "self", "channel": "web", "recorded_at_utc": utcnow()}
    values.update(fields)
    choice = choices.Choice(
        sequence=next_sequence(session), reference=new_reference("CH"), patient_id=patient.id,
        tool_id=tool.id if tool else None, purpose=purpose, decision=decision,
        terms_version=terms_version if tool else None, **values,
    )
    return choices.add_choice(session, choice)
