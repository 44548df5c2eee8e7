"""The words of the emails and text messages sent after a change is saved (``notify``).

Each ``Notification.template`` becomes a subject and a plain-text body. They never carry
clinical detail (no tool, purpose or answer: email and text messages are not a safe place
for it), only a reference, a time in Europe/London and where to sign in to see more. A
template this module does not know gets a general "there is an update" message, so a new
kind of notification is never lost for want of words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

SERVICE_NAME = "Your choices about AI in your care"
LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Message:
    """A rendered message: ``subject`` (emails only) and ``body`` (plain text)."""

    subject: str
    body: str


@dataclass(frozen=True)
class Place:
    """Where people can go: the portal's address and the help phone number (either may be
    empty, and the words then leave it out)."""

    service_url: str = ""
    help_phone: str = ""

    def sign_in(self) -> str:
        where = f" at {self.service_url}" if self.service_url else ""
        return f"sign in to '{SERVICE_NAME}'{where}"

    def help(self) -> str:
        return f" You can also call us on {self.help_phone}." if self.help_phone else ""


def london_time(value: str | None) -> str:
    """``3 March 2026 at 2:05pm`` in Europe/London (GMT or BST as it was) from an ISO 8601
    UTC time; empty text when there is none or it cannot be read."""
    if not value:
        return ""
    try:
        when = datetime.fromisoformat(value).astimezone(LONDON)
    except ValueError:
        return ""
    hour = when.strftime("%I").lstrip("0")
    return f"{when.day} {when:%B %Y} at {hour}:{when:%M}{when.strftime('%p').lower()}"


def _on(values: Mapping[str, str], key: str) -> str:
    """`` on 3 March 2026 at 2:05pm (UK time)`` from the ISO time ``values[key]``, or nothing."""
    when = london_time(values.get(key))
    return f" on {when} (UK time)" if when else ""


def _reference(values: Mapping[str, str]) -> str:
    return f"\n\nReference: {values['reference']}" if values.get("reference") else ""


def _receipt(values: Mapping[str, str], place: Place) -> Message:
    return Message(
        "Your receipt: a choice about AI in your care",
        f"We saved a choice about AI in your care{_on(values, 'recorded_at_utc')}.{_reference(values)}\n\n"
        f"To see what was chosen, print the receipt or change the choice, {place.sign_in()}.\n\n"
        "We never put details of your care in emails.\n")


def _recorded_for_you(values: Mapping[str, str], place: Place) -> Message:
    who = "Someone acting for you" if values.get("made_by") == "representative" else "NHS staff"
    return Message(
        "A choice about AI in your care was recorded for you",
        f"{who} recorded a choice about AI in your care for you{_on(values, 'recorded_at_utc')}.{_reference(values)}\n\n"
        f"To see it, {place.sign_in()} and look at your choices.\n\n"
        "If you do not recognise this, sign in and choose \"Don't recognise this?\" next to the choice."
        f"{place.help()}\n")


def _voided(values: Mapping[str, str], place: Place) -> Message:
    return Message(
        "A choice about AI in your care was cancelled",
        f"NHS staff cancelled a choice on your record{_on(values, 'voided_at_utc')} because it was made by mistake. "
        f"It no longer counts.{_reference(values)}\n\n"
        f"To see what applies now, {place.sign_in()}.{place.help()}\n")


def _update(values: Mapping[str, str], place: Place) -> Message:
    return Message(
        f"An update from '{SERVICE_NAME}'",
        f"There is an update for you.{_reference(values)}\n\nTo see it, {place.sign_in()}.{place.help()}\n")


RENDERERS = {
    "choice-receipt": _receipt,
    "choice-recorded-for-you": _recorded_for_you,
    "choice-voided": _voided,
}


def render(template: str, values: Mapping[str, str], place: Place) -> Message:
    """The words for ``template`` filled with ``values`` (see the module docstring)."""
    return RENDERERS.get(template, _update)(values, place)
