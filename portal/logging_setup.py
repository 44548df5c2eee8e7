"""Structured logging that keeps personal data out.

One JSON line per request: method, route template (``/api/v1/patients/<nhs_number>/...``,
never the raw path, which can carry an NHS number), status and duration in milliseconds.
``PersonalDataFilter`` refuses what could carry personal data: any argument that is not a
number, bool, None or string, and any text with a 10-digit run (an NHS number), an email
address or a bearer token is redacted. Habit from communitiesuk/funding-service.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any

from flask import Flask, g, request
from pythonjsonlogger.orjson import OrjsonFormatter

from portal.machine_routes import runs_for_machines

_NHS_NUMBER = re.compile(r"(?<!\d)\d{3}[ -]?\d{3}[ -]?\d{4}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_TOKEN = re.compile(r"(?i)(bearer\s+|token=|code=|assertion=)[\w.~+/=-]+")
# Anything the three patterns could match has one of these (an NHS number has 3 digits in a
# row): text without any is returned as it is, which spares the request line three searches.
_MAYBE_PERSONAL = re.compile(r"(?i)\d{3}|@|bearer|token=|code=|assertion=")
REDACTED = "[redacted]"
SAFE_EXTRA_KEYS = frozenset({"method", "route", "status", "duration_ms", "event", "count"})


def redact(text: str) -> str:
    """Replace NHS-number-like digit runs, email addresses and tokens with ``[redacted]``."""
    if _MAYBE_PERSONAL.search(text) is None:
        return text
    text = _TOKEN.sub(lambda m: m.group(1) + REDACTED, text)
    text = _EMAIL.sub(REDACTED, text)
    return _NHS_NUMBER.sub(REDACTED, text)


class PersonalDataFilter(logging.Filter):
    """Drop non-scalar arguments and redact personal data from every record's message."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, dict):
            record.args = {k: _scalar(v) for k, v in record.args.items()}
        elif record.args:
            record.args = tuple(_scalar(v) for v in record.args)
        record.msg = redact(str(record.msg))
        if record.args:
            record.msg, record.args = redact(record.msg % record.args), ()
        fields = record.__dict__
        for key in SAFE_EXTRA_KEYS:
            value = fields.get(key)
            if isinstance(value, str):
                fields[key] = redact(value)
        if record.exc_info:
            # Tracebacks can quote SQL parameters or request data: format and redact now.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def _scalar(value: Any) -> Any:
    """Numbers, bools and None pass; strings pass redacted; anything else is refused."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        return redact(value)
    return REDACTED


def configure_logging(level: str) -> None:
    """Send JSON lines to stderr through the personal-data filter (idempotent)."""
    root = logging.getLogger()
    for handler in root.handlers:
        if getattr(handler, "_portal", False):
            break
    else:
        handler = logging.StreamHandler()
        handler._portal = True  # type: ignore[attr-defined]
        # python-json-logger's orjson formatter: the same fields as its default one, in about
        # half the CPU (every request writes a line).
        handler.setFormatter(OrjsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        handler.addFilter(PersonalDataFilter())
        root.addHandler(handler)
    root.setLevel(level)
    # The JSON line names none of these, so records need not collect them: the caller's
    # file and line (a walk up the stack), the thread, the process (logging HOWTO,
    # "Optimization"). Every request writes a line, and this was most of its cost.
    logging._srcfile = None  # type: ignore[attr-defined]
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    logging.getLogger("alembic").setLevel(max(root.level, logging.WARNING))
    for name in ("werkzeug", "gunicorn.access"):
        # Their access lines carry raw URLs; ours carry the route template instead.
        logging.getLogger(name).setLevel(logging.WARNING)


request_log = logging.getLogger("portal.request")


def init_request_logging(app: Flask) -> None:
    """Log one line per request with the route template, never the raw URL."""

    @app.before_request
    def _start_timer() -> None:
        g._request_started = time.perf_counter()

    @app.after_request
    def _log_request(response):  # type: ignore[no-untyped-def]
        started = g.get("_request_started", time.perf_counter())
        route = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
        request_log.info(
            "request",
            extra={
                "method": request.method,
                "route": route,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            },
        )
        return response

    runs_for_machines(app, _start_timer)
    runs_for_machines(app, _log_request)
