"""Resolving many NHS numbers to patients and their choices at once (batch checks).

PostgreSQL takes the whole chunk as one array parameter (``unnest(:numbers)``); SQLite takes
an ``IN`` list (TOOLCHAIN.md: chunks of about 30,000 are its fastest plain path).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import String, and_, bindparam, cast, column, func, null, or_, select, table
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from portal.data.base import driver_errors_as_sqlalchemy
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
    """PostgreSQL only: COPY the numbers (valid, 10 ASCII digits each) into a temporary
    table (dropped when the transaction ends) and ANALYZE it, the database's fastest way to
    join a million numbers (TOOLCHAIN.md: about 2 s for 1,000,000 against 5,000,000 rows)."""
    cursor = session.connection().connection.cursor()
    # For this transaction only: sort and hash a million rows in memory, and skip JIT
    # compilation (it costs more than it saves on this join).
    cursor.execute("SET LOCAL work_mem = '64MB'")
    cursor.execute("SET LOCAL jit = off")
    # The rows are read through a server-side cursor, which PostgreSQL plans for the first
    # tenth of its rows by default (nested loops); a batch reads every row (hash joins).
    cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
    cursor.execute(f"CREATE TEMP TABLE {STAGED_TABLE} (nhs_number varchar(10) NOT NULL) ON COMMIT DROP")
    with cursor.copy(f"COPY {STAGED_TABLE} (nhs_number) FROM STDIN") as copy:
        # COPY's text format in blocks: 10 digits need no escaping, and one write per
        # 50,000 numbers costs less than a call per number.
        block: list[str] = []
        for number in nhs_numbers:
            block.append(number)
            if len(block) == 50_000:
                copy.write("\n".join(block) + "\n")
                block.clear()
        if block:
            copy.write("\n".join(block) + "\n")
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


class BatchChoiceRow(NamedTuple):
    """One row of ``iter_batch_choice_rows``: a known patient and one of their choices about
    the checked tool (or all tools) for the checked purpose, in sequence order; a patient
    with none has one row with ``sequence`` None (the other choice fields then mean nothing).
    The flags may come as 0 and 1 (SQLite)."""

    nhs_number: str
    patient_id: str  # canonical UUID text: a million reads as text need no UUID objects
    sequence: int | None
    all_tools: bool | None
    decision: str | None
    terms_version: int | None
    voided: bool | None


_BATCH_COLUMNS = ("p.nhs_number, {patient_id}, c.sequence, c.tool_id IS NULL, c.decision, c.terms_version, "
                  "c.voided_at_utc IS NOT NULL")
_BATCH_CHOICES = ("LEFT JOIN choices c ON c.patient_id = p.id AND c.purpose = {purpose} "
                  "AND (c.tool_id IS NULL OR c.tool_id = (SELECT id FROM ai_tools WHERE slug = {tool}))")
# COLLATE "C": byte order, which for 10 digits is number order, and sorts a million rows
# several times faster than a locale's rules.
_BATCH_POSTGRES = (f"SELECT {_BATCH_COLUMNS.format(patient_id='p.id::text')} FROM {STAGED_TABLE} b JOIN patients p ON p.nhs_number = b.nhs_number "
                   + _BATCH_CHOICES.format(purpose="%(purpose)s", tool="%(tool)s")
                   + ' ORDER BY p.nhs_number COLLATE "C", c.sequence')
_BATCH_SQLITE = (f"SELECT {_BATCH_COLUMNS.format(patient_id='p.id')} FROM patients p " + _BATCH_CHOICES.format(purpose="?", tool="?")
                 + " WHERE p.nhs_number IN ({marks}) ORDER BY p.nhs_number, c.sequence")
BATCH_FETCH_ROWS = 20_000


def iter_batch_choice_rows(session: Session, nhs_numbers: Sequence[str], tool_slug: str,
                           purpose: str) -> Iterator[tuple]:  # type: ignore[type-arg]
    """For sorted, distinct, valid 10-digit ``nhs_numbers`` (up to 1,000,000): every known
    patient among them with their choices about ``tool_slug`` or all tools for ``purpose``,
    in NHS number then sequence order, streamed (memory stays flat), in the session's
    transaction, as plain tuples with the fields of ``BatchChoiceRow`` in its order. Batch
    checks only: the columns are what the rule needs and nothing more.

    Straight on the driver's cursor, as the database's plain path is (``benchmarks/
    baseline.py``): SQLAlchemy's row processing of a million rows cost more than the join.
    PostgreSQL: the numbers are staged (``stage_nhs_numbers``) and read back through a
    server-side cursor; SQLite: ``IN`` lists of ``CHUNK_SIZE``."""
    connection = session.connection()
    driver = connection.connection.driver_connection
    if session.get_bind().dialect.name == "postgresql":
        with driver_errors_as_sqlalchemy(connection, _BATCH_POSTGRES):
            stage_nhs_numbers(session, nhs_numbers)
            with driver.cursor(name="batch_choice_rows") as cursor:  # type: ignore[union-attr]
                cursor.itersize = BATCH_FETCH_ROWS
                cursor.execute(_BATCH_POSTGRES, {"purpose": purpose, "tool": tool_slug})
                yield from cursor  # plain tuples in ``BatchChoiceRow`` order: a million rows
        return
    with driver_errors_as_sqlalchemy(connection, _BATCH_SQLITE):
        cursor = driver.cursor()  # type: ignore[union-attr]
        try:
            for start in range(0, len(nhs_numbers), CHUNK_SIZE):
                chunk = list(nhs_numbers[start:start + CHUNK_SIZE])
                cursor.execute(_BATCH_SQLITE.format(marks=",".join("?" * len(chunk))), [purpose, tool_slug, *chunk])
                for number, h, *choice in cursor.fetchall():
                    # SQLAlchemy's Uuid keeps 32 hex digits (lower case) on SQLite.
                    yield (number, f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}", *choice)
        finally:
            cursor.close()
