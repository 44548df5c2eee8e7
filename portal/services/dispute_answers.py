"""Checking a dispute's answers (issue 6 point 1 and "Bad input").

Each check raises ``InvalidDispute`` with the question (``field``), a ``code`` and a message
in the NHS voice; the edge shows its translated message for (``field``, ``code``). Limits:
``why`` at most 5,000 characters, ``where`` at most 200; the date not in the future (London).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from portal.data import disputes as dispute_data
from portal.data import people
from portal.data import register as register_data
from portal.data.base import utcnow
from portal.domain.disputes import DisputeKind
from portal.domain.errors import DomainError, NotFound

WHY_LIMIT = 5000
WHERE_LIMIT = 200
OUTCOMES = ("clinician-review", "second-opinion", "record-correction", "explanation")
CONTACT_PREFERENCES = ("email", "phone", "post", "portal")
LONDON = ZoneInfo("Europe/London")


class InvalidDispute(DomainError):
    """An answer that cannot be accepted: ``field`` names the question, ``message`` says
    what to do, in the NHS voice (the edge shows a translated message for ``field``/``code``)."""

    def __init__(self, field: str, code: str, message: str) -> None:
        super().__init__(message)
        self.field, self.code, self.message = field, code, message


def london_today() -> date:
    return utcnow().astimezone(LONDON).date()



# Checking answers -----------------------------------------------------------------------------

@dataclass(frozen=True)
class CheckedAnswers:
    kind: DisputeKind
    tool: register_data.AiTool
    event: dispute_data.AiUseEvent | None
    happened_on: date | None
    where_text: str | None
    why: str
    outcomes: tuple[str, ...]
    contact: str
    tool_used_here: bool


def patient_uses_tool(session: Session, patient_id: uuid.UUID, tool_id: uuid.UUID) -> bool:
    """True when an organisation caring for the patient deploys the tool."""
    return any(tool.id == tool_id for tool in register_data.list_tools_for_patient(session, patient_id))


def tool_by_slug(session: Session, slug: str | None) -> register_data.AiTool | None:
    return register_data.get_tool_by_slug(session, slug) if slug else None


def tool_options(session: Session, patient_id: uuid.UUID) -> tuple[list[register_data.AiTool], list[register_data.AiTool]]:
    """(tools the patient's organisations use, every other live tool), each by name."""
    used = register_data.list_tools_for_patient(session, patient_id)
    used_ids = {tool.id for tool in used}
    return used, [tool for tool in register_data.list_tools(session) if tool.id not in used_ids]


def check_tool(session: Session, patient_id: uuid.UUID, slug: str | None, confirmed: bool) -> register_data.AiTool:
    """The tool; ``InvalidDispute`` (tool) if unknown, (confirm_tool) if the patient's
    organisations do not use it and the patient has not confirmed."""
    tool = tool_by_slug(session, slug)
    if tool is None:
        raise InvalidDispute("tool", "missing", "Select the AI tool")
    if not confirmed and not patient_uses_tool(session, patient_id, tool.id):
        raise InvalidDispute("confirm_tool", "missing",
                             "Confirm you want to ask about a tool your NHS organisations do not use")
    return tool


def default_contact(session: Session, patient_id: uuid.UUID) -> str | None:
    """The contact preference to suggest from the record: email, else phone, else none."""
    patient = people.get_patient(session, patient_id)
    if patient is None:
        return None
    return "email" if patient.email else ("phone" if patient.mobile else None)


def event_for_patient(session: Session, patient_id: uuid.UUID, event_id: str | None) -> dispute_data.AiUseEvent:
    """The AI-use event if it is this patient's and visible now; ``NotFound`` otherwise."""
    try:
        found = dispute_data.get_ai_use_event(session, uuid.UUID(str(event_id)))
    except ValueError:
        found = None
    if found is None or found.patient_id != patient_id or found.visible_from_utc > utcnow():
        raise NotFound("No such AI use")
    return found


EARLIEST_YEAR = 1900  # no AI tool was used on anyone before; an earlier year is a typing slip


def event_answers(event: dispute_data.AiUseEvent) -> dict[str, str]:
    """The "when did it happen?" answers taken from a known AI use: its day in London
    (``happened_on`` as ``YYYY-MM-DD`` and the ``day``/``month``/``year`` fields) and its
    service as ``where`` (cut to ``WHERE_LIMIT``). The patient can still change them."""
    day = event.used_at_utc.astimezone(LONDON).date()
    return {"happened_on": day.isoformat(), "day": str(day.day), "month": str(day.month), "year": str(day.year),
            "where": (event.service or "")[:WHERE_LIMIT]}


def parse_day(value: str | None, today: date) -> date:
    """A date from ``YYYY-MM-DD``; ``InvalidDispute`` if missing, impossible, before
    ``EARLIEST_YEAR`` (code ``too-early``) or in the future (``future``)."""
    if not value:
        raise InvalidDispute("happened_on", "missing", "Enter the date it happened")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidDispute("happened_on", "invalid", "The date it happened must be a real date") from None
    if day.year < EARLIEST_YEAR:
        raise InvalidDispute("happened_on", "too-early", "The date it happened must be in 1900 or later")
    if day > today:
        raise InvalidDispute("happened_on", "future", "The date it happened must be today or in the past")
    return day


def check_why(text: str | None) -> str:
    why = (text or "").strip()
    if not why:
        raise InvalidDispute("why", "missing", "Tell us why you think it was wrong")
    if len(why) > WHY_LIMIT:
        raise InvalidDispute("why", "too-long", "Why you think it was wrong must be 5,000 characters or fewer")
    return why


def check_answers(session: Session, patient_id: uuid.UUID, answers: Mapping[str, Any],
                  today: date | None = None) -> CheckedAnswers:
    """Every answer checked, in question order; raises ``InvalidDispute`` at the first problem
    (``field`` is tool, confirm_tool, happened_on, where, why, outcomes or contact)."""
    today = today or london_today()
    event = event_for_patient(session, patient_id, answers["event"]) if answers.get("event") else None
    tool = event.tool if event else register_data.get_tool_by_slug(session, str(answers.get("tool") or ""))
    if tool is None:
        raise InvalidDispute("tool", "missing", "Select the AI tool")
    used_here = patient_uses_tool(session, patient_id, tool.id) or event is not None
    if not used_here and not answers.get("confirm_tool"):
        raise InvalidDispute("confirm_tool", "missing",
                             "Confirm you want to ask about a tool your NHS organisations do not use")
    kind = DisputeKind(answers.get("kind") or DisputeKind.DISPUTE)
    happened_on = parse_day(answers.get("happened_on"), today) if kind == DisputeKind.DISPUTE else None
    where_text = (answers.get("where") or "").strip() or None
    if where_text and len(where_text) > WHERE_LIMIT:
        raise InvalidDispute("where", "too-long", "Where it happened must be 200 characters or fewer")
    why = check_why(answers.get("why"))
    outcomes = tuple(o for o in OUTCOMES if o in (answers.get("outcomes") or []))
    if not outcomes:
        raise InvalidDispute("outcomes", "missing", "Select what you would like to happen")
    contact = answers.get("contact")
    if contact not in CONTACT_PREFERENCES:
        raise InvalidDispute("contact", "missing", "Select how you would like us to contact you")
    return CheckedAnswers(kind, tool, event, happened_on, where_text, why, outcomes, contact, used_here)
