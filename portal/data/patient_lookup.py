"""Resolving many NHS numbers to patients and their choices at once (batch checks), straight
on the database driver: PostgreSQL stages the numbers in a temporary table and joins once;
SQLite takes ``IN`` lists (TOOLCHAIN.md: chunks of about 30,000 are its fastest plain path).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from sqlalchemy.orm import Session

from portal.data.base import driver_errors_as_sqlalchemy

CHUNK_SIZE = 30_000
STAGED_TABLE = "batch_nhs_numbers"


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


_BATCH_COLUMNS = ("p.nhs_number, {patient_id}, c.sequence, c.tool_id IS NULL, c.decision, c.terms_version, "
                  "c.voided_at_utc IS NOT NULL")
_BATCH_CHOICES = ("LEFT JOIN choices c ON c.patient_id = p.id AND c.purpose = {purpose} "
                  "AND (c.tool_id IS NULL OR c.tool_id = (SELECT id FROM ai_tools WHERE slug = {tool}))")
# COLLATE "C": byte order, which for 10 digits is number order, and sorts a million rows
# several times faster than a locale's rules.
_BATCH_POSTGRES = (f"SELECT {_BATCH_COLUMNS.format(patient_id='p.id::text')} "
                   f"FROM {STAGED_TABLE} b JOIN patients p ON p.nhs_number = b.nhs_number "
                   + _BATCH_CHOICES.format(purpose="%(purpose)s", tool="%(tool)s")
                   + ' ORDER BY p.nhs_number COLLATE "C", c.sequence')
_BATCH_SQLITE = (f"SELECT {_BATCH_COLUMNS.format(patient_id='p.id')} FROM patients p "
                 + _BATCH_CHOICES.format(purpose="?", tool="?")
                 + " WHERE p.nhs_number IN ({marks}) ORDER BY p.nhs_number, c.sequence")
BATCH_FETCH_ROWS = 20_000


def iter_batch_choice_rows(session: Session, nhs_numbers: Sequence[str], tool_slug: str,
                           purpose: str) -> Iterator[tuple]:  # type: ignore[type-arg]
    """For sorted, distinct, valid 10-digit ``nhs_numbers`` (up to 1,000,000): every known
    patient among them with their choices about ``tool_slug`` or all tools for ``purpose``,
    in NHS number then sequence order, streamed (memory stays flat), in the session's
    transaction. Batch checks only: the columns are what the rule needs and nothing more.

    Each row is a plain tuple (NHS number, patient id as canonical UUID text, sequence, all
    tools, decision, terms version, voided) for one of the patient's choices in sequence
    order; a patient with none has one row with sequence None (the other choice fields then
    mean nothing). The flags may come as 0 and 1 (SQLite).

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
                yield from cursor  # plain tuples, as psycopg gives them: a million rows
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
