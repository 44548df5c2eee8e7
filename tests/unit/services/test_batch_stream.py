"""The batch answer's quick paths (one read of the CSV, rows of plain digits written without
``csv``) write exactly what the plain way writes: read every record with ``csv``, check each
number with the domain's ``NhsNumber.parse``, and write every row with ``csv``."""

from __future__ import annotations

import csv
import io
from array import array

from hypothesis import given, settings
from hypothesis import strategies as st

from portal.api.batch import COLUMNS, ROWS_PER_CHUNK, _stream
from portal.domain.nhs_number import InvalidNhsNumber, NhsNumber
from portal.services import batch_checks
from portal.services.batch_checks import BatchResult

KNOWN = {"9434765919": ("deny", "choice"), "9434765870": ("permit", "choice")}
DEFAULT = ("permit", "default-opt-out")
CELLS = ["9434765919", "9434765870", "9434765862", "9434765911", "943 476 5919", " 9434765919", "943476591",
         "", " ", "nhs_number", "NHS_Number", "=1+1", "+44", "-9434765919", "@x", "\u0669434765919",
         '"9434765919"', '"943,476"', '"a\nb"', '"open', "9434765919,", "9434765919,x", "a,b,c", "\t1"]


def _plain(text: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for index, record in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        if all(not cell.strip() for cell in record):
            continue
        if index == 1 and record[0].strip().lower() == "nhs_number":
            continue
        cell = record[0]
        if any(c.strip() for c in record[1:]):
            reason = "more-than-one-column"
        elif "\n" in cell or "\r" in cell:
            reason = "unterminated-quote"
        else:
            try:
                number = NhsNumber.parse(cell).value
                reason = ""
            except InvalidNhsNumber as error:
                reason = str(error.reason)
        shown = cell.translate(str.maketrans("\r\n", "  ")) if reason else cell
        if shown.startswith(("=", "+", "-", "@", "\t", "\r")):
            shown = "'" + shown
        if reason:
            writer.writerow((index, shown, "invalid", "", reason))
        else:
            writer.writerow((index, shown, *KNOWN.get(number, DEFAULT), ""))
    return out.getvalue()


def _quick(text: str) -> str:
    scanned = batch_checks._scan(text)
    answers = sorted(set(KNOWN.values()))
    known = sorted(KNOWN)
    result = BatchResult(text, scanned, array("q", [int(n) for n in known]),
                         array("B", [answers.index(KNOWN[n]) for n in known]), answers, DEFAULT, len(known))
    return "".join(_stream(result))


@settings(max_examples=300)
@given(st.lists(st.sampled_from(CELLS), max_size=30), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_the_quick_answer_is_the_plain_answer(lines, newline, final_newline):
    text = newline.join(lines) + (newline if final_newline else "")
    assert _quick(text) == _plain(text)


@settings(max_examples=200)
@given(st.lists(st.sampled_from(CELLS), max_size=30), st.sampled_from(["\n", "\r\n"]))
def test_when_too_many_texts_to_keep_the_answer_reads_them_again_and_is_the_same(lines, newline):
    text = newline.join(lines) + newline
    original = batch_checks.MAX_KEPT_TEXTS
    batch_checks.MAX_KEPT_TEXTS = 1  # any second row that is not plain digits: read again
    try:
        assert _quick(text) == _plain(text)
    finally:
        batch_checks.MAX_KEPT_TEXTS = original


def test_a_body_of_spaced_numbers_keeps_no_text_per_row():
    text = "943 476 5919\n" * (batch_checks.MAX_KEPT_TEXTS + 10)
    scanned = batch_checks._scan(text)
    assert scanned.given is None and len(scanned.values) == batch_checks.MAX_KEPT_TEXTS + 10
    assert _quick(text) == _plain(text)


def test_more_rows_than_one_chunk_are_all_written_in_order():
    text = "\n".join(["9434765919", "9434765862"] * ROWS_PER_CHUNK) + "\n"
    assert _quick(text) == _plain(text)


@given(st.lists(st.one_of(st.integers(min_value=1_000_000_000, max_value=9_999_999_999),
                          st.integers(min_value=-5, max_value=-1), st.sampled_from([9434765919, 9434765870]))))
def test_the_distinct_valid_numbers_are_every_valid_number_once_in_order(values):
    distinct = batch_checks._distinct_valid(array("q", values))
    assert list(distinct) == sorted({v for v in values if v >= 0})
