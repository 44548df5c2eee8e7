"""Fixtures for the choices journey: a signed-in patient, some register rows, the outbox."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from sqlalchemy import update

from portal.data import people
from portal.data.people import Organisation, Patient
from portal.data.register import AiTool, ToolPurpose
from portal.extensions import db
from portal.services import notify
from tests.factories import make_organisation, make_patient, make_tool
from tests.helpers.auth import sign_in_as


@pytest.fixture()
def outbox() -> Iterator[notify.Outbox]:
    sender = notify.get_sender()
    assert isinstance(sender, notify.Outbox)
    sender.clear()
    yield sender
    sender.clear()


@dataclass
class World:
    """A patient cared for by one organisation that uses three tools."""

    patient: Patient
    organisation: Organisation
    triage: AiTool   # care opt-out, improvement opt-in
    scribe: AiTool   # care opt-in
    audit_tool: AiTool  # care no-choice
    elsewhere: AiTool  # used only by another organisation


@pytest.fixture()
def world(app) -> World:  # type: ignore[no-untyped-def]
    with app.app_context():
        session = db.session
        organisation = make_organisation(session, "RH5", "Somerset NHS Foundation Trust")
        other = make_organisation(session, "RP6", "Moorfields Eye Hospital")
        patient = make_patient(session)
        people.set_patient_organisations(session, patient, [organisation])
        triage = make_tool(session, "chest-x-ray-triage", name="Chest X-ray checker",
                           purposes={"care": "opt-out", "improvement": "opt-in"}, organisations=[organisation])
        scribe = make_tool(session, "ai-scribe", name="AI note taker", purposes={"care": "opt-in"},
                           organisations=[organisation])
        audit_tool = make_tool(session, "feedback-reader", name="Feedback reader",
                               purposes={"care": "no-choice"}, organisations=[organisation], offers_choice=False)
        elsewhere = make_tool(session, "eye-scan-checker", name="Eye scan checker",
                              purposes={"research": "opt-in"}, organisations=[other])
        session.commit()
        return World(patient, organisation, triage, scribe, audit_tool, elsewhere)


@pytest.fixture()
def signed_in(app, client, world):  # type: ignore[no-untyped-def]
    """The client signed in (P9) as the world's patient, through the real sign-in services."""
    return sign_in_as(client, world.patient, level="P9")


def hidden_fields(html: str) -> dict[str, str]:
    """The hidden inputs of the page's form (csrf_token, idempotency_key)."""

    class _Parser(HTMLParser):
        found: dict[str, str] = {}

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            values = dict(attrs)
            if tag == "input" and values.get("type") == "hidden" and values.get("name"):
                self.found[values["name"] or ""] = values.get("value") or ""

    parser = _Parser()
    parser.found = {}
    parser.feed(html)
    return parser.found


def set_terms_version(session, tool: AiTool, purpose: str, version: int) -> None:  # type: ignore[no-untyped-def]
    """The register raises a purpose's terms version (a material change)."""
    session.execute(update(ToolPurpose).where(ToolPurpose.tool_id == tool.id, ToolPurpose.purpose == purpose)
                    .values(terms_version=version))
    session.flush()
