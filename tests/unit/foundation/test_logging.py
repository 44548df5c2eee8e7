"""Logs never carry NHS numbers, email addresses or tokens."""

import io
import json
import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal import logging_setup
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


def _all_three_patterns(text):
    text = logging_setup._TOKEN.sub(lambda m: m.group(1) + "[redacted]", text)
    text = logging_setup._EMAIL.sub("[redacted]", text)
    return logging_setup._NHS_NUMBER.sub("[redacted]", text)


@given(st.lists(st.sampled_from(["9434765919", "943 476 5919", "12", "@", "a@b.co", "Bearer x.y", "token=t",
                                 "code=c", "assertion=a", "ASSERTION=A", " ", "-", "/api/v1/", "é", "7"]))
                .map("".join) | st.text())
def test_the_quick_check_never_lets_through_what_the_patterns_would_redact(text):
    # ``redact`` skips the three searches for text with no sign of personal data: it must
    # answer exactly as running them would, on any text.
    assert redact(text) == _all_three_patterns(text)


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


def test_the_configured_handler_writes_one_json_line_with_the_fields_and_nothing_personal():
    """What production writes: the handler ``configure_logging`` installs (its formatter and
    filter together), read back as JSON."""
    logging_setup.configure_logging("INFO")
    [handler] = [h for h in logging.getLogger().handlers if getattr(h, "_portal", False)]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        logging_setup.request_log.info("request for 943 476 5919", extra={
            "method": "GET", "route": "/api/v1/patients/<nhs_number>/ai-decisions", "status": 200,
            "duration_ms": 1.25})
        logging.getLogger("portal.other").warning("token=abc.def sent to zoe@example.org")
    finally:
        handler.setStream(previous)
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "request for [redacted]"
    assert (first["levelname"], first["name"]) == ("INFO", "portal.request")
    assert (first["method"], first["route"], first["status"], first["duration_ms"]) == (
        "GET", "/api/v1/patients/<nhs_number>/ai-decisions", 200, 1.25)
    assert first["asctime"][:2] == "20"
    assert second["message"] == "token=[redacted] sent to [redacted]"
    assert "9434765919" not in stream.getvalue() and "943 476 5919" not in stream.getvalue()
