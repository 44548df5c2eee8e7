"""Resolving many NHS numbers to patients and their choices at once (batch checks).

PostgreSQL takes the whole chunk as one array parameter (``unnest(:numbers)``); SQLite takes
an ``IN`` list (TOOLCHAIN.md: chunks of about 30,000 are its fastest plain path).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import datetime

from sqlalchemy import String, and_, bindparam, cast, column, func, null, or_, select, table
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from portal.data.choices import Choice
from portal.data.people import Patient
from portal.data.register import AiTool

CHUNK_SIZE = 30_000


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
    relevant = _relevant(tool_slugs, purposes)
    statement = select(Patient.nhs_number, Patient.id, Choice.id, Choice.sequence, AiTool.slug, Choice.purpose,
                       Choice.decision, Choice.terms_version, Choice.voided_at_utc.is_not(None), Choice.recorded_at_utc)
    if session.get_bind().dialect.name == "postgresql":
        # unnest() of one array parameter: the planner expects few rows, so it looks each
        # number up in the patients index and each patient's choices in theirs, instead of
        # scanning millions of choices (a 30,000-element = ANY() made it pick a hash join).
        numbers = func.unnest(bindparam("numbers", list(nhs_numbers), type_=ARRAY(String(10)))).table_valued(
            "nhs_number").render_derived()
        statement = statement.select_from(numbers).join(Patient, Patient.nhs_number == numbers.c.nhs_number)
    else:
        statement = statement.select_from(Patient).where(Patient.nhs_number.in_(list(nhs_numbers)))
    statement = (statement.outerjoin(Choice, relevant).outerjoin(AiTool, AiTool.id == Choice.tool_id)
                 .order_by(Patient.nhs_number, Choice.sequence))
    # Core, not the ORM: the rows are plain columns, and ORM loading doubled the cost.
    return [tuple(row) for row in session.connection().execute(statement)]  # type: ignore[misc]


STAGED_TABLE = "batch_nhs_numbers"


def iter_choice_rows_for_many(session: Session, nhs_numbers: Sequence[str], tool_slugs: Collection[str],
                              purposes: Collection[str]) -> Iterator[tuple]:  # type: ignore[type-arg]
    """The rows of ``list_choice_rows_for_nhs_numbers`` for any number of sorted, distinct
    NHS numbers, in NHS number order: PostgreSQL stages them (``stage_nhs_numbers``) and
    joins once; SQLite goes in ``IN`` chunks of ``CHUNK_SIZE``."""
    if session.get_bind().dialect.name == "postgresql":
        stage_nhs_numbers(session, nhs_numbers)
        yield from iter_choice_rows_for_staged_numbers(session, tool_slugs, purposes)
        return
    for start in range(0, len(nhs_numbers), CHUNK_SIZE):
        yield from list_choice_rows_for_nhs_numbers(session, nhs_numbers[start:start + CHUNK_SIZE], tool_slugs,
                                                    purposes)


def stage_nhs_numbers(session: Session, nhs_numbers: Iterable[str]) -> None:
    """PostgreSQL only: COPY the numbers into a temporary table (dropped when the transaction
    ends) and ANALYZE it, the database's fastest way to join a million numbers
    (TOOLCHAIN.md: about 2 s for 1,000,000 against 5,000,000 rows)."""
    cursor = session.connection().connection.cursor()
    # For this transaction only: sort and hash a million rows in memory, and skip JIT
    # compilation (it costs more than it saves on this join).
    cursor.execute("SET LOCAL work_mem = '64MB'")
    cursor.execute("SET LOCAL jit = off")
    cursor.execute(f"CREATE TEMP TABLE {STAGED_TABLE} (nhs_number varchar(10) NOT NULL) ON COMMIT DROP")
    with cursor.copy(f"COPY {STAGED_TABLE} (nhs_number) FROM STDIN") as copy:
        for number in nhs_numbers:
            copy.write_row((number,))
    cursor.execute(f"ANALYZE {STAGED_TABLE}")


def iter_choice_rows_for_staged_numbers(session: Session, tool_slugs: Collection[str],
                                        purposes: Collection[str]) -> Iterator[tuple]:  # type: ignore[type-arg]
    """The rows of ``list_choice_rows_for_nhs_numbers`` for every staged number, streamed
    from a server-side cursor in NHS number order (memory stays flat). Lean: the choice id
    comes as text and the recorded time is left out (None), which a batch never shows."""
    staged = table(STAGED_TABLE, column("nhs_number", String(10)))
    statement = (
        select(Patient.nhs_number, Patient.id, cast(Choice.id, String).label("choice_id"), Choice.sequence,
               AiTool.slug, Choice.purpose, Choice.decision, Choice.terms_version,
               Choice.voided_at_utc.is_not(None), null().label("recorded_at"))
        .select_from(staged).join(Patient, Patient.nhs_number == staged.c.nhs_number)
        .outerjoin(Choice, _relevant(tool_slugs, purposes)).outerjoin(AiTool, AiTool.id == Choice.tool_id)
        .order_by(Patient.nhs_number, Choice.sequence)
        .execution_options(yield_per=20_000)
    )
    for row in session.connection().execute(statement):
        yield tuple(row)


def _relevant(tool_slugs: Collection[str], purposes: Collection[str]):  # type: ignore[no-untyped-def]
    return and_(
        Choice.patient_id == Patient.id, Choice.purpose.in_(list(purposes)),
        or_(Choice.tool_id.is_(None), Choice.tool_id.in_(select(AiTool.id).where(AiTool.slug.in_(list(tool_slugs))))),
    )
