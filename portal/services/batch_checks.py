"""Batch checks: one tool and purpose for up to 1,000,000 NHS numbers (issue 8 point 3).

``prepare`` reads the CSV once (counting and validating rows), resolves the distinct valid
NHS numbers to patients in chunks, decides each known patient with the shared decisions
service (the same rule as the single lookup) and records ONE audit event listing every known
patient, all in the caller's transaction: the edge commits it before the first byte of the
answer. ``BatchResult.rows()`` then yields the answer row by row from memory; it never
touches the database, so a stream cut short cannot leave anything half-written.

Memory stays small: valid numbers are kept as 64-bit integers in sorted arrays, answers as
one byte each; the body's text is kept once, and read once more only when many rows are not
plainly 10 digits.

CSV rules: UTF-8 (a byte-order mark is dropped), CRLF or LF, and a missing final newline are
fine; an optional first row ``nhs_number`` is a header. Blank rows are tolerated (issue 8) and
skipped: they get no answer row. Row numbers count every CSV record (header and blank rows
included), so the answers' row numbers still match a spreadsheet's rows. A value with a line
break in it (a quote opened and never closed swallows the lines after it) is answered
``invalid`` with reason ``unterminated-quote``, shown with its line breaks as spaces.
"""

from __future__ import annotations

import csv
import io
from array import array
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy.orm import Session

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


UNTERMINATED_QUOTE = "unterminated-quote"
_REASONS = ("", "not-10-digits", "check-digit", MORE_THAN_ONE_COLUMN, "empty", UNTERMINATED_QUOTE)
_LINE_BREAKS = str.maketrans("\r\n", "  ")


def _fast_number(text: str) -> int:
    """The NHS number in ``text`` as an int, or minus the index of the reason it is invalid
    in ``_REASONS``. Exactly 10 ASCII digits take a fast path; anything else (spaces,
    hyphens) goes through ``NhsNumber.parse``. Same answers either way (a property test
    checks it against ``NhsNumber.is_valid``)."""
    if len(text) == 10 and text.isascii() and text.isdigit():
        d = text.encode()
        total = (10 * d[0] + 9 * d[1] + 8 * d[2] + 7 * d[3] + 6 * d[4] + 5 * d[5] + 4 * d[6] + 3 * d[7]
                 + 2 * d[8] - 48 * 54)  # 54 = the sum of the weights 10..2; 48 = ord("0")
        check = (11 - total % 11) % 11
        return int(text) if check != 10 and check == d[9] - 48 else -2
    try:
        return int(NhsNumber.parse(text).value)
    except InvalidNhsNumber as error:
        return -_REASONS.index(str(error.reason))


def _classify(record: list[str]) -> int:
    if any(cell.strip() for cell in record[1:]):
        return -3
    if "\n" in record[0] or "\r" in record[0]:
        return -_REASONS.index(UNTERMINATED_QUOTE)
    return _fast_number(record[0])


@dataclass
class _Scanned:
    """Each answerable row once: its CSV row number, its NHS number as an int or minus the
    index of its invalid reason in ``_REASONS``, and the text given where it is not simply
    the number's 10 digits (spaces, invalid rows), so the answer is usually written without
    reading the CSV a second time. ``given`` is None when more than ``MAX_KEPT_TEXTS`` rows
    had such text: the answer then reads their text again from the body (``_reread``), so
    a body of a million spaced numbers costs no more memory than its own text."""

    row_numbers: array  # type: ignore[type-arg]
    values: array  # type: ignore[type-arg]
    given: dict[int, str] | None


MAX_KEPT_TEXTS = 20_000


def _is_plain(cell: str) -> bool:
    return len(cell) == 10 and cell.isascii() and cell.isdigit()


def _scan(text: str) -> _Scanned:
    scanned = _Scanned(array("L"), array("q"), {})
    row_numbers, values, given = scanned.row_numbers, scanned.values, scanned.given
    for index, record in _records(text):
        if len(record) == 1 and index > 1 and _is_plain(cell := record[0]):
            value = _fast_number(cell)  # the common row: one cell of 10 digits
            special = value < 0
        elif _is_blank(record) or _is_header(index, record):
            continue
        else:
            value = _classify(record)
            cell = record[0]
            special = value < 0 or not _is_plain(cell)
        if special and given is not None:
            given[len(values)] = cell
            if len(given) > MAX_KEPT_TEXTS:
                given = scanned.given = None
        if len(values) >= MAX_ROWS:
            raise TooManyRows(MAX_ROWS)
        row_numbers.append(index)
        values.append(value)
    return scanned


def _reread(text: str) -> Iterator[str]:
    """The first cell of each answerable row, in order: the rows ``_scan`` answered."""
    for index, record in _records(text):
        if not (_is_blank(record) or _is_header(index, record)):
            yield record[0]


def _int64s(values: array) -> np.ndarray:  # type: ignore[type-arg]
    """A read-only NumPy view of an ``array("q")`` (no copy)."""
    return np.frombuffer(values, dtype=np.int64) if len(values) else np.empty(0, dtype=np.int64)


def _distinct_valid(values: array) -> array:  # type: ignore[type-arg]
    """The valid numbers, sorted, each once, as 64-bit integers (8 bytes each, not 40)."""
    ordered = np.sort(_int64s(values))
    ordered = ordered[ordered >= 0]
    # Sorted, then each value that differs from the one before it (np.unique took 70 times
    # as long here: it hashes).
    keep = np.ones(len(ordered), dtype=bool)
    keep[1:] = ordered[1:] != ordered[:-1]
    distinct = array("q")
    distinct.frombytes(ordered[keep].astype(np.int64).tobytes())
    return distinct


class _AsNhsNumbers(Sequence[str]):
    """A view of sorted integer NHS numbers as 10-digit strings, made one at a time (a
    million strings at once would cost about 70 MB)."""

    def __init__(self, numbers: array) -> None:  # type: ignore[type-arg]
        self._numbers = numbers

    def __len__(self) -> int:
        return len(self._numbers)

    def __getitem__(self, index):  # type: ignore[no-untyped-def]
        if isinstance(index, slice):
            return [f"{n:010d}" for n in self._numbers[index]]
        return f"{self._numbers[index]:010d}"


@dataclass
class BatchResult:
    """What a prepared batch answers; ``rows()`` yields ``Row`` in input order."""

    text: str  # the body, read again only when ``scanned.given`` is None
    scanned: _Scanned
    known_numbers: array  # type: ignore[type-arg]  # sorted NHS numbers the portal knows
    known_answers: array  # type: ignore[type-arg]  # index into ``answers`` per known number
    answers: list[tuple[str, str]]  # (decision, basis)
    default: tuple[str, str]
    known_patients: int

    @property
    def rows_total(self) -> int:
        return len(self.scanned.values)

    def rows(self) -> Iterator[Row]:
        for row in self.row_tuples():
            yield Row(*row)

    def row_tuples(self) -> Iterator[tuple[int, str, str, str, str]]:
        """``rows()`` as plain tuples (row number, given, decision, basis, reason)."""
        lookup = self._lookup()
        for position, text in enumerate(self._special_texts()):
            yield self._row_tuple(position, lookup, text)

    def csv_chunks(self, columns: Sequence[str], rows_per_chunk: int) -> Iterator[str]:
        """The answer as CSV text (CRLF line ends, as the ``csv`` module writes it): the row
        of ``columns``, then ``row_tuples()``, ``rows_per_chunk`` rows a chunk. A row of
        plain digits (nearly all of a million) is written in one step with its answer's
        words, which need no quoting; any other row goes through ``csv``."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(columns)
        endings = [f",{decision},{basis},\r\n" for decision, basis in self.answers]
        endings.append(f",{self.default[0]},{self.default[1]},\r\n")  # index len(answers): unknown
        write, lookup = buffer.write, self._lookup()
        rows = zip(self.scanned.row_numbers, self.scanned.values, self._answer_indexes(), self._special_texts(),
                   strict=True)
        for position, (index, value, answer, special) in enumerate(rows):
            if special is None:
                write(f"{index},{value:010d}{endings[answer]}")
            else:
                writer.writerow(self._row_tuple(position, lookup, special))
            if position % rows_per_chunk == rows_per_chunk - 1:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    def _special_texts(self) -> Iterator[str | None]:
        """Per answerable row, the text given when it is not simply its 10 digits, else None."""
        given = self.scanned.given
        if given is not None:
            return (given.get(position) for position in range(len(self.scanned.values)))
        return (None if value >= 0 and _is_plain(cell) else cell
                for cell, value in zip(_reread(self.text), self.scanned.values, strict=True))

    def _answer_indexes(self) -> list[int]:
        """Per answerable row, the index in ``answers`` of its number's answer, or
        ``len(answers)`` for a number the portal does not know (and for invalid rows): a
        million binary searches at once (NumPy), not one by one."""
        values, known = _int64s(self.scanned.values), _int64s(self.known_numbers)
        unknown = len(self.answers)
        if not len(known):
            return [unknown] * len(values)
        found = np.minimum(np.searchsorted(known, values), len(known) - 1)
        codes = np.frombuffer(self.known_answers, dtype=np.uint8)[found]
        return np.where(known[found] == values, codes, unknown).tolist()  # type: ignore[no-any-return]

    def _lookup(self) -> tuple[array, array, int]:  # type: ignore[type-arg]
        # bisect on the array itself: measured faster than on a list of the same ints, whose
        # objects lie all over memory (1.0 s against 1.8 s for a million searches).
        return self.known_numbers, self.known_answers, len(self.known_numbers)

    def _row_tuple(self, position: int, lookup: tuple[array, array, int],  # type: ignore[type-arg]
                   given: str | None) -> tuple[int, str, str, str, str]:
        known, codes, count = lookup
        index, value = self.scanned.row_numbers[position], self.scanned.values[position]
        if given is None:
            given = f"{value:010d}"
        else:
            if value < 0:
                given = given.translate(_LINE_BREAKS)
            if given.startswith(_FORMULA_STARTS):
                given = "'" + given
        if value < 0:
            return index, given, "invalid", "", _REASONS[-value]
        found = bisect_left(known, value)
        decision, basis = self.answers[codes[found]] if found < count and known[found] == value else self.default
        return index, given, decision, basis, ""


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
    scanned = _scan(text)
    values = scanned.values
    distinct = _distinct_valid(values)
    answers: list[tuple[str, str]] = []
    known_numbers, known_answers, patient_ids = array("q"), array("B"), []
    numbers = _AsNhsNumbers(distinct)
    codes: dict[int, int] = {}  # by the identity of the answer: one object per pattern
    for number, patient_id, decided in decisions.iter_answers_for_nhs_numbers(session, numbers, key, policies[key]):
        code = codes.get(id(decided))
        if code is None:
            code = codes[id(decided)] = _code(answers, decided)
        known_numbers.append(int(number))
        known_answers.append(code)
        patient_ids.append(patient_id)
    _record(session, context, tool, purpose, len(values), patient_ids)
    default = decide_many(policies, [])[key]
    return BatchResult(text, scanned, known_numbers, known_answers, answers,
                       (default.decision.value, default.basis.value), len(patient_ids))


def _record(session: Session, context: ReadContext, tool: str, purpose: Purpose, rows: int,
            patient_ids: list[str]) -> None:
    audit.record(session, context.actor, BATCH_ACTION, batch_patient_ids=patient_ids,
                 details=context.details(tool=tool, purpose=purpose.value, rows=rows,
                                         known_patients=len(patient_ids)))
