"""Batch checks: one tool and purpose for up to 1,000,000 NHS numbers (issue 8 point 3).

``prepare`` reads the CSV once (counting and validating rows), resolves the distinct valid
NHS numbers to patients in chunks, decides each known patient with the shared decisions
service (the same rule as the single lookup) and records ONE audit event listing every known
patient, all in the caller's transaction: the edge commits it before the first byte of the
answer. ``BatchResult.rows()`` then yields the answer row by row from memory; it never
touches the database, so a stream cut short cannot leave anything half-written.

Memory stays small: valid numbers are kept as 64-bit integers in sorted arrays, answers as
one byte each; the text of the body is kept once.

CSV rules: UTF-8 (a byte-order mark is dropped), CRLF or LF, a missing final newline and
blank rows are fine; an optional first row ``nhs_number`` is a header. Row numbers count
every CSV record (header and blank rows included), so they match a spreadsheet's rows.
"""

from __future__ import annotations

import csv
import io
import uuid
from array import array
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy.orm import Session

from portal.data import patient_lookup
from portal.domain import EffectiveDecision, decide_many
from portal.domain.nhs_number import InvalidNhsNumber, NhsNumber
from portal.domain.values import Purpose
from portal.services import audit, decisions
from portal.services.decision_reads import BATCH_ACTION, ReadContext, policies_for

MAX_ROWS = 1_000_000
HEADER = "nhs_number"
MORE_THAN_ONE_COLUMN = "more-than-one-column"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class TooManyRows(ValueError):
    """The body has more than ``MAX_ROWS`` NHS numbers."""


class PurposeNotServed(ValueError):
    """The tool does not serve the purpose asked about."""


@dataclass(frozen=True)
class Row:
    """One answered row: ``decision`` is permit, deny or ``invalid`` (then ``reason``)."""

    number: int
    given: str
    decision: str
    basis: str
    reason: str


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    for index, record in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        yield index, record


def _is_blank(record: list[str]) -> bool:
    return all(not cell.strip() for cell in record)


def _is_header(index: int, record: list[str]) -> bool:
    return index == 1 and len(record) >= 1 and record[0].strip().lower() == HEADER


def _classify(record: list[str]) -> tuple[str, int | None, str]:
    """(given text, NHS number as an int or None, reason if invalid)."""
    given = record[0]
    if any(cell.strip() for cell in record[1:]):
        return given, None, MORE_THAN_ONE_COLUMN
    try:
        return given, int(NhsNumber.parse(given).value), ""
    except InvalidNhsNumber as error:
        return given, None, str(error.reason)


def _scan(text: str) -> tuple[int, array]:  # type: ignore[type-arg]
    """Count answerable rows and collect the distinct valid numbers, sorted."""
    rows, numbers = 0, []
    for index, record in _records(text):
        if _is_blank(record) or _is_header(index, record):
            continue
        rows += 1
        if rows > MAX_ROWS:
            raise TooManyRows(MAX_ROWS)
        _, number, _ = _classify(record)
        if number is not None:
            numbers.append(number)
    numbers.sort()
    distinct = array("q")
    previous = None
    for number in numbers:
        if number != previous:
            distinct.append(number)
            previous = number
    return rows, distinct


@dataclass
class BatchResult:
    """What a prepared batch answers; ``rows()`` yields ``Row`` in input order."""

    text: str
    rows_total: int
    known_numbers: array  # type: ignore[type-arg]  # sorted int64 NHS numbers the portal knows
    known_answers: array  # type: ignore[type-arg]  # index into ``answers`` per known number
    answers: list[tuple[str, str]]  # (decision, basis)
    default: tuple[str, str]
    known_patients: int

    def _answer(self, number: int) -> tuple[str, str]:
        position = bisect_left(self.known_numbers, number)
        if position < len(self.known_numbers) and self.known_numbers[position] == number:
            return self.answers[self.known_answers[position]]
        return self.default

    def rows(self) -> Iterator[Row]:
        for index, record in _records(self.text):
            if _is_blank(record) or _is_header(index, record):
                continue
            given, number, reason = _classify(record)
            safe = "'" + given if given.startswith(_FORMULA_STARTS) else given
            if number is None:
                yield Row(index, safe, "invalid", "", reason)
            else:
                decision, basis = self._answer(number)
                yield Row(index, safe, decision, basis, "")


def _code(answers: list[tuple[str, str]], decision: EffectiveDecision) -> int:
    pair = (decision.decision.value, decision.basis.value)
    if pair not in answers:
        answers.append(pair)
    return answers.index(pair)


def prepare(session: Session, context: ReadContext, text: str, tool: str, purpose: Purpose) -> BatchResult:
    """Validate, resolve, decide and audit a batch (see module docstring).

    Raises ``UnknownTool``, ``PurposeNotServed`` or ``TooManyRows`` before anything is
    written."""
    policies = policies_for(session, tool, purpose)
    if not policies:
        raise PurposeNotServed(purpose.value)
    key = (tool, purpose)
    rows_total, distinct = _scan(text)
    answers: list[tuple[str, str]] = []
    default = decide_many(policies, [])[key]
    known_numbers, known_answers, patient_ids = array("q"), array("B"), []
    for start in range(0, len(distinct), patient_lookup.CHUNK_SIZE):
        chunk = [f"{n:010d}" for n in distinct[start:start + patient_lookup.CHUNK_SIZE]]
        found = patient_lookup.list_patient_ids_for_nhs_numbers(session, chunk)
        decided = decisions.decisions_for_patients(session, [pid for _, pid in found], policies)
        for number, patient_id in found:
            known_numbers.append(int(number))
            known_answers.append(_code(answers, decided[patient_id][key]))
            patient_ids.append(patient_id)
    _record(session, context, tool, purpose, rows_total, patient_ids)
    return BatchResult(text, rows_total, known_numbers, known_answers, answers,
                       (default.decision.value, default.basis.value), len(patient_ids))


def _record(session: Session, context: ReadContext, tool: str, purpose: Purpose, rows: int,
            patient_ids: list[uuid.UUID]) -> None:
    audit.record(session, context.actor, BATCH_ACTION, batch_patient_ids=patient_ids,
                 details=context.details(tool=tool, purpose=purpose.value, rows=rows,
                                         known_patients=len(patient_ids)))
