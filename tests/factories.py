"""Small factories for test data. Each returns flushed rows; the caller commits if needed."""

from __future__ import annotations

import itertools
from datetime import date

from sqlalchemy.orm import Session

from portal.data import choices, people, register
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


def make_tool(session: Session, slug: str | None = None, purposes: dict[str, str] | None = None,
              terms_version: int = 1, **fields: object) -> register.AiTool:
    """A live tool; ``purposes`` maps purpose -> consent model (default: care, opt-out)."""
    slug = slug or f"tool-{next(_tool_numbers)}"
    text = "Test text."
    values: dict[str, object] = {
        "name": slug.replace("-", " ").title(), "product_name": "Test", "version": "1",
        "supplier_name": "Test supplier", "category": "clinical-decision-making", "phase": "live",
        "summary": text, "how_it_works": text, "data_used": text, "human_oversight": text,
        "limitations": text, "groups_less_well": text, "monitoring": text,
        "regulatory_status": text, "contact": text, "content_hash": "0" * 64,
    }
    values.update(fields)
    tool = register.AiTool(slug=slug, **values)
    for purpose, model in (purposes or {"care": "opt-out"}).items():
        reason = "Required by law (test)." if model == "no-choice" else None
        tool.purposes.append(register.ToolPurpose(purpose=purpose, consent_model=model, terms_version=terms_version,
                                                  plain_terms=text, no_choice_reason=reason))
    session.add(tool)
    session.flush()
    return tool


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
