"""Resolving many NHS numbers to patients at once (batch checks).

PostgreSQL takes the whole chunk as one array parameter (``= ANY(:numbers)``); SQLite takes
an ``IN`` list (TOOLCHAIN.md: chunks of about 30,000 are its fastest plain path).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from collections.abc import Collection, Sequence

from sqlalchemy import String, and_, any_, bindparam, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from portal.data.choices import Choice
from portal.data.people import Patient
from portal.data.register import AiTool

CHUNK_SIZE = 30_000


def list_patient_ids_for_nhs_numbers(session: Session, nhs_numbers: Sequence[str]) -> list[tuple[str, uuid.UUID]]:
    """(NHS number, patient id) for each of ``nhs_numbers`` the portal knows, by NHS number.
    Pass at most ``CHUNK_SIZE`` numbers (10 digits each, already validated)."""
    if not nhs_numbers:
        return []
    statement = (select(Patient.nhs_number, Patient.id).where(_number_filter(session, nhs_numbers))
                 .order_by(Patient.nhs_number))
    return [(number, patient_id) for number, patient_id in session.execute(statement)]


def list_choice_rows_for_nhs_numbers(
    session: Session, nhs_numbers: Sequence[str], tool_slugs: Collection[str], purposes: Collection[str],
) -> list[tuple[str, uuid.UUID, uuid.UUID | None, int | None, str | None, str | None, str | None, int | None, bool,
                datetime | None]]:
    """For each known patient among ``nhs_numbers`` (at most ``CHUNK_SIZE``), in one query:
    (NHS number, patient id, choice id, sequence, tool slug or None, purpose, decision, terms
    version, voided, recorded at) for every choice about one of ``tool_slugs`` (or all tools) and one of
    ``purposes``; a known patient with no such choice has one row with the choice fields None.
    Ordered by NHS number then sequence."""
    if not nhs_numbers:
        return []
    relevant = and_(
        Choice.patient_id == Patient.id, Choice.purpose.in_(list(purposes)),
        or_(Choice.tool_id.is_(None), Choice.tool_id.in_(select(AiTool.id).where(AiTool.slug.in_(list(tool_slugs))))),
    )
    statement = (
        select(Patient.nhs_number, Patient.id, Choice.id, Choice.sequence, AiTool.slug, Choice.purpose,
               Choice.decision, Choice.terms_version, Choice.voided_at_utc.is_not(None), Choice.recorded_at_utc)
        .select_from(Patient).outerjoin(Choice, relevant).outerjoin(AiTool, AiTool.id == Choice.tool_id)
        .where(_number_filter(session, nhs_numbers))
        .order_by(Patient.nhs_number, Choice.sequence)
    )
    return [tuple(row) for row in session.execute(statement)]  # type: ignore[misc]


def _number_filter(session: Session, nhs_numbers: Sequence[str]):  # type: ignore[no-untyped-def]
    if session.get_bind().dialect.name == "postgresql":
        return Patient.nhs_number == any_(bindparam("numbers", list(nhs_numbers), type_=ARRAY(String(10))))
    return Patient.nhs_number.in_(list(nhs_numbers))
