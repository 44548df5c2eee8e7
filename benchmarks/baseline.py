"""The database's own fastest plain path for a batch, with the raw driver: what a batch check
is measured against. PostgreSQL: COPY the numbers into a temporary table, ANALYZE, and join
patients and the choices about the checked tool (or all tools) and purpose, fetching every
row. SQLite: the same join in chunked IN lists of 30,000 (TOOLCHAIN.md). Same settings as the
portal's own query (work_mem 64 MB, no JIT)."""

from __future__ import annotations

import sqlite3
import time

import psycopg
from sqlalchemy.engine import make_url

CHUNK = 30_000
TOOL_ID = "SELECT id FROM ai_tools WHERE slug = 'bench-tool-0'"  # the tool the batch checks (care)


def _numbers(body: bytes) -> list[str]:
    return [line for line in body.decode().splitlines()[1:] if line]


def plain_path(url: str, body: bytes) -> float:
    numbers = _numbers(body)
    started = time.perf_counter()
    rows = _postgres(url, numbers) if url.startswith("postgresql") else _sqlite(url, numbers)
    elapsed = time.perf_counter() - started
    assert rows >= len(numbers) // 2 - 1
    return elapsed


def _postgres(url: str, numbers: list[str]) -> int:
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("SET LOCAL work_mem = '64MB'")
        cur.execute("SET LOCAL jit = off")
        cur.execute("CREATE TEMP TABLE batch (nhs_number varchar(10)) ON COMMIT DROP")
        with cur.copy("COPY batch (nhs_number) FROM STDIN") as copy:
            for number in numbers:
                copy.write_row((number,))
        cur.execute("ANALYZE batch")
        cur.execute("SELECT b.nhs_number, c.tool_id, c.decision, c.sequence FROM batch b "
                    "LEFT JOIN patients p ON p.nhs_number = b.nhs_number LEFT JOIN choices c ON c.patient_id = p.id "
                    f"AND c.purpose = 'care' AND (c.tool_id IS NULL OR c.tool_id = ({TOOL_ID}))")
        return len(cur.fetchall())


def _sqlite(url: str, numbers: list[str]) -> int:
    conn = sqlite3.connect(url.removeprefix("sqlite:///"))
    total = 0
    for start in range(0, len(numbers), CHUNK):
        chunk = numbers[start:start + CHUNK]
        marks = ",".join("?" * len(chunk))
        total += len(conn.execute(f"SELECT p.nhs_number, c.tool_id, c.decision, c.sequence FROM patients p "
                                  f"LEFT JOIN choices c ON c.patient_id = p.id AND c.purpose = 'care' "
                                  f"AND (c.tool_id IS NULL OR c.tool_id = ({TOOL_ID})) "
                                  f"WHERE p.nhs_number IN ({marks})", chunk).fetchall())
    conn.close()
    return total
