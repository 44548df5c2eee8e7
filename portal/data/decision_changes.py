"""The change feed's one query: choices, voids and tool-policy changes after a cursor, in
``decision-changes`` sequence order (``portal.data.sequences`` explains why reading
"sequence > cursor" never skips a change).

It is ONE statement (``UNION ALL``), so the three sources are read from one snapshot even at
PostgreSQL's READ COMMITTED: three separate queries could see a later change in one table
and miss an earlier one in another that committed in between.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, String, Uuid, cast, literal, null, select, union_all
from sqlalchemy.orm import Session

from portal.data.choices import Choice
from portal.data.people import Patient
from portal.data.register import AiTool, ToolPolicyChange


@dataclass(frozen=True)
class ChangeRow:
    """One change. ``kind``: ``choice``, ``choice-voided`` or ``tool-policy``. ``value`` is the
    choice's decision or the purpose's consent model."""

    sequence: int
    kind: str
    item_id: uuid.UUID
    patient_id: uuid.UUID | None
    nhs_number: str | None
    tool_slug: str | None
    purpose: str
    value: str
    terms_version: int | None
    at: datetime


def _choices(after: int, limit: int, voids: bool):  # type: ignore[no-untyped-def]
    sequence = Choice.void_sequence if voids else Choice.sequence
    at = Choice.voided_at_utc if voids else Choice.recorded_at_utc
    statement = (
        select(sequence.label("seq"), literal("choice-voided" if voids else "choice", String(20)).label("kind"),
               Choice.id.label("item_id"), Choice.patient_id.label("patient_id"),
               Patient.nhs_number.label("nhs_number"), AiTool.slug.label("tool_slug"),
               Choice.purpose.label("purpose"), Choice.decision.label("value"),
               Choice.terms_version.label("terms_version"), at.label("at"))
        .join(Patient, Patient.id == Choice.patient_id)
        .outerjoin(AiTool, AiTool.id == Choice.tool_id)
        .where(sequence > after).order_by(sequence).limit(limit)
    )
    return select(statement.subquery())


def _policies(after: int, limit: int):  # type: ignore[no-untyped-def]
    statement = (
        select(ToolPolicyChange.sequence.label("seq"), literal("tool-policy", String(20)).label("kind"),
               ToolPolicyChange.id.label("item_id"), cast(null(), Uuid).label("patient_id"),
               cast(null(), String(10)).label("nhs_number"), AiTool.slug.label("tool_slug"),
               ToolPolicyChange.purpose.label("purpose"), ToolPolicyChange.consent_model.label("value"),
               cast(ToolPolicyChange.terms_version, Integer).label("terms_version"),
               ToolPolicyChange.created_at_utc.label("at"))
        .join(AiTool, AiTool.id == ToolPolicyChange.tool_id)
        .where(ToolPolicyChange.sequence > after).order_by(ToolPolicyChange.sequence).limit(limit)
    )
    return select(statement.subquery())


def list_decision_changes_after(session: Session, after: int, limit: int) -> list[ChangeRow]:
    """At most ``limit`` changes with a sequence above ``after``, lowest first."""
    combined = union_all(_choices(after, limit, False), _choices(after, limit, True), _policies(after, limit)).subquery()
    statement = select(combined).order_by(combined.c.seq).limit(limit)
    return [ChangeRow(row.seq, row.kind, _uuid(row.item_id), _uuid(row.patient_id), row.nhs_number,  # type: ignore[arg-type]
                      row.tool_slug, row.purpose, row.value, row.terms_version, row.at)
            for row in session.execute(statement)]


def _uuid(value: object) -> uuid.UUID | None:
    if value is None or isinstance(value, uuid.UUID):
        return value
    return uuid.UUID(str(value))
