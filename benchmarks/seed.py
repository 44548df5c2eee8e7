"""Seed a benchmark database fast: N choices over N/2 patients (two choices each), ten tools,
plus the same number of valid NHS numbers the portal has never seen.

PostgreSQL: COPY. SQLite: executemany in one transaction with the journal off while seeding.
Synthetic NHS numbers start at 990 000 000 (valid check digits; a throwaway database).
"""

from __future__ import annotations

import random
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
from sqlalchemy.engine import make_url

from portal.domain.nhs_number import NhsNumber

TOOLS = [f"bench-tool-{i}" for i in range(10)]
PURPOSES = {"care": "opt-out", "improvement": "opt-in", "research": "opt-in"}
START = datetime(2026, 1, 1, tzinfo=UTC)


def nhs_numbers(count: int, start: int = 990_000_000) -> Iterator[str]:
    prefix = start
    made = 0
    while made < count:
        number = NhsNumber.from_prefix(str(prefix))
        prefix += 1
        if number is not None:
            made += 1
            yield number.value


def _tool_rows() -> tuple[list[tuple], list[tuple], dict[str, uuid.UUID]]:  # type: ignore[type-arg]
    ids = {slug: uuid.uuid4() for slug in TOOLS}
    tools = [(ids[s], s) for s in TOOLS]
    purposes = [(uuid.uuid4(), ids[s], p, m) for s in TOOLS for p, m in PURPOSES.items()]
    return tools, purposes, ids


def _choices_for(patient_index: int, rng: random.Random, tool_ids: list[uuid.UUID]):  # type: ignore[no-untyped-def]
    first = rng.choice(tool_ids)
    yield first, "care", rng.choice(("deny", "permit")), 1
    yield (None, rng.choice(("improvement", "research")), "deny", None) if patient_index % 5 == 0 else (
        rng.choice(tool_ids), "research", "permit", 1)


def seed(url: str, choices: int) -> tuple[list[str], list[str]]:
    """Seed; returns (NHS numbers with choices, NHS numbers never seen), each choices/2 long."""
    patients = choices // 2
    numbers = list(nhs_numbers(patients * 2))
    known, unknown = numbers[0::2], numbers[1::2]
    if url.startswith("sqlite"):
        _seed_sqlite(url.removeprefix("sqlite:///"), known)
    else:
        _seed_postgres(url, known)
    return known, unknown


def _generate(known: list[str], tool_ids: list[uuid.UUID]) -> Iterator[tuple[tuple, list[tuple]]]:  # type: ignore[type-arg]
    rng = random.Random(8)  # the same ids on every pass
    sequence = 0
    for index, number in enumerate(known):
        patient_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        rows = []
        for tool_id, purpose, decision, terms in _choices_for(index, rng, tool_ids):
            sequence += 1
            rows.append((uuid.UUID(int=rng.getrandbits(128), version=4), sequence, patient_id, tool_id, purpose, decision, terms,
                         START + timedelta(seconds=sequence)))
        yield (patient_id, number), rows


def _seed_postgres(url: str, known: list[str]) -> None:
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    tools, purposes, ids = _tool_rows()
    now = datetime.now(UTC)
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        cur.executemany("INSERT INTO ai_tools (id, created_at_utc, slug, name, product_name, version, supplier_name, "
                        "category, phase, jurisdictions, offers_choice, summary, how_it_works, data_used, "
                        "human_oversight, limitations, groups_less_well, monitoring, regulatory_status, contact, "
                        "evidence, sources, translations, review_status, content_hash, updated_at_utc) VALUES "
                        "(%s, %s, %s, %s, 'x', '1', 'x', 'clinical-decision-making', 'live', '[]', true, 'x', 'x', "
                        "'x', 'x', 'x', 'x', 'x', 'x', 'x', '[]', '[]', '{}', 'unreviewed', 'x', %s)",
                        [(i, now, s, s, now) for i, s in tools])
        cur.executemany("INSERT INTO tool_purposes (id, created_at_utc, tool_id, purpose, consent_model, terms_version,"
                        " plain_terms, translations, updated_at_utc) VALUES (%s, %s, %s, %s, %s, 1, 'x', '{}', %s)",
                        [(i, now, t, p, m, now) for i, t, p, m in purposes])
        tool_ids = list(ids.values())
        sequence = len(known) * 2
        with cur.copy("COPY patients (id, created_at_utc, nhs_number, given_name, family_name, date_of_birth, "
                      "postcode, source, updated_at_utc) FROM STDIN") as copy:
            for (patient_id, number), _ in _generate(known, tool_ids):
                copy.write_row((patient_id, now, number, "Bench", "Patient", "1980-01-01", "LS1 1AA", "epr", now))
        with cur.copy("COPY choices (id, created_at_utc, sequence, reference, patient_id, tool_id, purpose, decision, "
                      "terms_version, recorded_at_utc, actor_kind, channel) FROM STDIN") as copy:
            for _, rows in _generate(known, tool_ids):
                for choice_id, sequence, patient_id, tool_id, purpose, decision, terms, at in rows:
                    copy.write_row((choice_id, at, sequence, f"B-{sequence}", patient_id, tool_id, purpose, decision,
                                    terms, at, "self", "web"))
        cur.execute("INSERT INTO sequence_counters (name, value) VALUES ('decision-changes', %s)", (sequence,))
        cur.execute("ANALYZE")


def _seed_sqlite(path: str, known: list[str]) -> None:
    tools, purposes, ids = _tool_rows()
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO ai_tools (id, created_at_utc, slug, name, product_name, version, supplier_name, "
                     "category, phase, jurisdictions, offers_choice, summary, how_it_works, data_used, "
                     "human_oversight, limitations, groups_less_well, monitoring, regulatory_status, contact, "
                     "evidence, sources, translations, review_status, content_hash, updated_at_utc) VALUES "
                     "(?, ?, ?, ?, 'x', '1', 'x', 'clinical-decision-making', 'live', '[]', 1, 'x', 'x', 'x', 'x', "
                     "'x', 'x', 'x', 'x', 'x', '[]', '[]', '{}', 'unreviewed', 'x', ?)",
                     [(i.hex, now, s, s, now) for i, s in tools])
    conn.executemany("INSERT INTO tool_purposes (id, created_at_utc, tool_id, purpose, consent_model, terms_version, "
                     "plain_terms, translations, updated_at_utc) VALUES (?, ?, ?, ?, ?, 1, 'x', '{}', ?)",
                     [(i.hex, now, t.hex, p, m, now) for i, t, p, m in purposes])
    tool_ids = list(ids.values())
    patients, choices, sequence = [], [], 0
    for (patient_id, number), rows in _generate(known, tool_ids):
        patients.append((patient_id.hex, now, number, now))
        for choice_id, sequence, pid, tool_id, purpose, decision, terms, at in rows:
            stamp = at.strftime("%Y-%m-%d %H:%M:%S.%f")
            choices.append((choice_id.hex, stamp, sequence, f"B-{sequence}", pid.hex, tool_id.hex if tool_id else None,
                            purpose, decision, terms, stamp))
        if len(choices) >= 200_000:
            _flush_sqlite(conn, patients, choices)
            patients, choices = [], []
    _flush_sqlite(conn, patients, choices)
    conn.execute("INSERT INTO sequence_counters (name, value) VALUES ('decision-changes', ?)", (sequence,))
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()


def _flush_sqlite(conn: sqlite3.Connection, patients: list[tuple], choices: list[tuple]) -> None:  # type: ignore[type-arg]
    conn.executemany("INSERT INTO patients (id, created_at_utc, nhs_number, given_name, family_name, date_of_birth, "
                     "postcode, source, updated_at_utc) VALUES (?, ?, ?, 'Bench', 'Patient', '1980-01-01', 'LS1 1AA', "
                     "'epr', ?)", patients)
    conn.executemany("INSERT INTO choices (id, created_at_utc, sequence, reference, patient_id, tool_id, purpose, "
                     "decision, terms_version, recorded_at_utc, actor_kind, channel) VALUES "
                     "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'self', 'web')", choices)
