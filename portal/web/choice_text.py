"""Words and dates for the choices pages, in the reader's language.

Times are stored in UTC and shown in Europe/London (Flask-Babel's default timezone, set in
``portal.i18n``). Register text that has no translation yet is shown in English, marked
``lang="en"`` (and ``dir="ltr"`` inside right-to-left pages) so screen readers say it right.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, current_app, url_for
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from portal.domain.errors import InvalidChoice

DATE_FORMAT = "d MMMM yyyy"
DATETIME_FORMAT = "d MMMM yyyy, h:mma"

INVALID_CHOICE_MESSAGES = {
    InvalidChoice.UNKNOWN_TOOL: _l("This AI tool is not on our list"),
    InvalidChoice.UNKNOWN_PURPOSE: _l("AI tools are not used for this purpose"),
    InvalidChoice.PURPOSE_NOT_SERVED: _l("This AI tool is not used for this purpose"),
    InvalidChoice.PERMIT_ON_ALL_TOOLS: _l("You can say yes to AI tools one at a time, not all at once"),
    InvalidChoice.NO_CHOICE_PURPOSE: _l("You cannot make a choice about this use of this AI tool. You can object to it"),
    InvalidChoice.UNKNOWN_DECISION: _l("Select yes, no or the standard setting"),
    InvalidChoice.PATIENT_CHOSE_THEMSELVES: _l("They made this choice themselves, so nothing was saved. You can "
                                               "change it only once a professional has recorded that they cannot "
                                               "make this decision"),
}
EXPIRED_FORM_MESSAGE = _l("This page was open for too long, so your answer was not saved. Check your answer and save it again")
SUBJECT_CHANGED_MESSAGE = _l("This page was for someone else, so nothing was saved. Check whose information you are looking at, then try again")
CANNOT_ACT_MESSAGES = {
    "not-active": _l("You can no longer act for this person, so nothing was saved"),
    "wrong-subject": _l("This page was for someone else, so nothing was saved. Check whose information you are looking at, then try again"),
    "suspended": _l("Your permission to act for this person is on hold, so nothing was saved"),
    "review-due": _l("Your permission to act for this person is being reviewed, so nothing was saved"),
    "purpose-not-covered": _l("Your permission to act for this person does not cover this choice, so nothing was saved"),
    "no-capacity-note": _l("We have no record that this person cannot decide for themselves, so nothing was saved"),
}
BROKEN_FORM_MESSAGE = _l("Something went wrong with this page. Check your answer and save it again")
KEY_REUSED_MESSAGE = _l("You sent this page before with a different answer. Check your answer and save it again")


def invalid_choice_message(error: InvalidChoice) -> str:
    return str(INVALID_CHOICE_MESSAGES.get(error.code, error.message))


def london_date(value: datetime | None) -> str:
    """``3 March 2026`` (the date in Europe/London)."""
    return "" if value is None else format_date(value, DATE_FORMAT)


def london_datetime(value: datetime | None) -> str:
    """``3 March 2026, 2:05pm`` (Europe/London, GMT or BST as it was; "am"/"pm" in lower
    case in English, as the NHS writes times)."""
    if value is None:
        return ""
    text = format_datetime(value, DATETIME_FORMAT)
    return text.replace("AM", "am").replace("PM", "pm") if str(get_locale()) == "en" else text


def localised(english: str | None, translations: dict[str, dict[str, str]] | None, field: str) -> Markup:
    """Register text in the reader's language, or English marked as English."""
    if not english:
        return Markup("")
    locale = str(get_locale())
    translated = ((translations or {}).get(locale) or {}).get(field)
    if locale == "en" or translated:
        return escape(translated or english)
    return Markup('<span lang="en" dir="ltr">%s</span>') % english


def endpoint_exists(endpoint: str) -> bool:
    return endpoint in current_app.view_functions


def optional_url(endpoint: str, **values: Any) -> str | None:
    """The URL of a page another journey owns, or None while it is not built yet."""
    return url_for(endpoint, **values) if endpoint_exists(endpoint) else None


def init_blueprint(bp: Blueprint) -> None:
    """Make the helpers available to every template."""

    @bp.record_once
    def _register(state: Any) -> None:
        env = state.app.jinja_env
        env.filters.setdefault("london_date", london_date)
        env.filters.setdefault("london_datetime", london_datetime)
        env.globals.setdefault("localised", localised)
        env.globals.setdefault("optional_url", optional_url)
