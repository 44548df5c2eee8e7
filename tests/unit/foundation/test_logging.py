"""Logs never carry NHS numbers, email addresses or tokens."""

import logging

import pytest

from portal.logging_setup import PersonalDataFilter, redact


@pytest.mark.parametrize(
    "text",
    [
        "patient 9434765919 looked up",
        "patient 943 476 5919 looked up",
        "patient 943-476-5919 looked up",
        "sent to zoe.obrien@example.org",
        "Authorization: Bearer eyJhbGciOi.payload.sig",
        "callback?code=abc123&state=x",
    ],
)
def test_personal_data_is_redacted(text):
    cleaned = redact(text)
    assert "[redacted]" in cleaned
    for secret in ("9434765919", "943 476 5919", "943-476-5919", "zoe.obrien", "eyJhbGciOi", "abc123"):
        assert secret not in cleaned


def test_a_duration_or_count_is_not_mistaken_for_an_nhs_number():
    assert redact("took 12.5 ms for 1000 rows") == "took 12.5 ms for 1000 rows"


def _record(msg, args=(), exc_info=None):
    return logging.LogRecord("t", logging.INFO, __file__, 1, msg, args, exc_info)


def test_non_scalar_arguments_are_refused():
    record = _record("looked up %s", (["9434765919"],))
    PersonalDataFilter().filter(record)
    assert record.getMessage() == "looked up [redacted]"


def test_tracebacks_are_redacted_before_formatting():
    try:
        raise ValueError("no patient 9434765919")
    except ValueError as error:
        record = _record("failed", exc_info=(type(error), error, error.__traceback__))
    PersonalDataFilter().filter(record)
    assert record.exc_info is None
    assert "9434765919" not in record.exc_text
    assert "[redacted]" in record.exc_text
