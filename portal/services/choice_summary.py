"""What applies now and why, for the patient's pages (issue 5 points 1, 2 and 4).

Every effective decision comes from ``portal.services.decisions`` (the one rule); this module
adds what a page needs to explain it: who made the choice it rests on and when, whether the
patient answered before, whether a yes stopped counting because the terms changed, and the
two all-tools choices. Plain data only: the pages turn it into words in the reader's language.

Which tools a patient sees: every tool used by the organisations caring for them; every tool
that offers a choice when their organisations are unknown; and, either way, every tool they
have made a choice about, so nothing they said is ever hidden.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from portal.data import choices as choice_data
from portal.data import people
from portal.data import register as register_data
from portal.data.choices import Choice
from portal.data.register import AiTool
from portal.domain.errors import NotFound
from portal.domain.values import ActorKind, Basis, Channel, ConsentModel, Decision, Purpose
from portal.services import decisions as decision_service

ALL_TOOLS_PURPOSES = (Purpose.CARE, Purpose.IMPROVEMENT)


@dataclass(frozen=True)
class ChoiceNote:
    """A recorded choice as a page tells it: what, when (aware UTC), who and how."""

    reference: str
    decision: Decision
    recorded_at: datetime
    actor_kind: ActorKind
    channel: Channel
    by_viewer: bool


@dataclass(frozen=True)
class PurposeRow:
    """One tool and purpose: the effective ``decision`` (permit or deny), its ``basis``,
    the ``choice`` it rests on (per-tool or all-tools; None for a default or no-choice),
    ``answered`` (the patient's latest per-tool answer still in the record, permit or deny,
    even when an all-tools choice or new terms override it) and ``stale`` (a yes given
    under older terms of an opt-in purpose: the page asks again)."""

    purpose: Purpose
    consent_model: ConsentModel
    decision: Decision
    basis: Basis
    choice: ChoiceNote | None
    answered: Decision | None
    stale: bool
    no_choice_reason: str | None
    plain_terms: str
    translations: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def can_choose(self) -> bool:
        return self.consent_model != ConsentModel.NO_CHOICE


@dataclass(frozen=True)
class ToolSummary:
    slug: str
    name: str
    translations: dict[str, dict[str, str]]
    rows: list[PurposeRow]


@dataclass(frozen=True)
class AllToolsSummary:
    """An all-tools choice: ``in_force`` is the deny that applies now, or None."""

    purpose: Purpose
    in_force: ChoiceNote | None


@dataclass(frozen=True)
class Overview:
    all_tools: list[AllToolsSummary]
    tools: list[ToolSummary]
    organisations_known: bool

    @property
    def to_answer_again(self) -> list[tuple[ToolSummary, PurposeRow]]:
        """Rows whose yes stopped counting because the terms changed."""
        return [(tool, row) for tool in self.tools for row in tool.rows if row.stale]


def _note(choice: Choice, viewer_account_id: uuid.UUID | None) -> ChoiceNote:
    return ChoiceNote(choice.reference, Decision(choice.decision), choice.recorded_at_utc,
                      ActorKind(choice.actor_kind), Channel(choice.channel),
                      viewer_account_id is not None and choice.actor_account_id == viewer_account_id)


def _latest(choices: list[Choice]) -> dict[tuple[uuid.UUID | None, str], Choice]:
    """The latest non-voided choice per (tool id or None, purpose); ``choices`` by sequence."""
    latest: dict[tuple[uuid.UUID | None, str], Choice] = {}
    for choice in choices:
        if choice.voided_at_utc is None:
            latest[(choice.tool_id, choice.purpose)] = choice
    return latest


def _patient(session: Session, patient_id: uuid.UUID) -> people.Patient:
    patient = people.get_patient(session, patient_id)
    if patient is None:
        raise NotFound("No such patient")
    return patient


def _tools_for(session: Session, patient: people.Patient, chosen_tool_ids: set[uuid.UUID]) -> list[AiTool]:
    organisation_ids = {link.organisation_id for link in patient.organisations}
    tools = register_data.list_tools(session)
    if organisation_ids:
        return [tool for tool in tools if tool.id in chosen_tool_ids
                or any(d.organisation_id in organisation_ids for d in tool.deployments)]
    return [tool for tool in tools if tool.offers_choice or tool.id in chosen_tool_ids]


def _tool_summary(tool: AiTool, decided: decision_service.PatientDecisions,
                  by_id: dict[str, Choice], latest: dict[tuple[uuid.UUID | None, str], Choice],
                  viewer_account_id: uuid.UUID | None) -> ToolSummary:
    rows = []
    for purpose_row in tool.purposes:
        purpose = Purpose(purpose_row.purpose)
        effective = decided.decisions.get((tool.slug, purpose))
        if effective is None:
            continue
        rests_on = by_id.get(effective.choice.id) if effective.choice else None
        answer = latest.get((tool.id, purpose.value))
        answered = Decision(answer.decision) if answer and answer.decision != Decision.CLEAR else None
        rows.append(PurposeRow(
            purpose=purpose, consent_model=effective.consent_model, decision=effective.decision,
            basis=effective.basis, choice=_note(rests_on, viewer_account_id) if rests_on else None,
            answered=answered, stale=effective.stale_permit is not None,
            no_choice_reason=effective.no_choice_reason, plain_terms=purpose_row.plain_terms,
            translations=purpose_row.translations or {},
        ))
    return ToolSummary(tool.slug, tool.name, tool.translations or {}, rows)


def overview(session: Session, patient_id: uuid.UUID, viewer_account_id: uuid.UUID | None = None,
             only_tool: str | None = None) -> Overview:
    """What applies now for every tool the patient sees (or only ``only_tool``), and the
    two all-tools choices. Raises ``NotFound`` for an unknown patient."""
    patient = _patient(session, patient_id)
    choices = choice_data.list_choices_for_patient(session, patient_id)
    latest = _latest(choices)
    by_id = {str(choice.id): choice for choice in choices}
    decided = decision_service.decisions_for_patient_id(session, patient_id)
    if only_tool is None:
        chosen_tool_ids = {choice.tool_id for choice in choices if choice.tool_id is not None}
        tools = _tools_for(session, patient, chosen_tool_ids)
    else:
        tool = register_data.get_tool_by_slug(session, only_tool)
        tools = [tool] if tool is not None and tool.retired_at_utc is None else []
    summaries = [_tool_summary(tool, decided, by_id, latest, viewer_account_id) for tool in tools]
    return Overview(_all_tools(latest, viewer_account_id), [s for s in summaries if s.rows],
                    bool(patient.organisations))


def _all_tools(latest: dict[tuple[uuid.UUID | None, str], Choice],
               viewer_account_id: uuid.UUID | None) -> list[AllToolsSummary]:
    summaries = []
    for purpose in ALL_TOOLS_PURPOSES:
        answer = latest.get((None, purpose.value))
        in_force = answer if answer is not None and answer.decision == Decision.DENY else None
        summaries.append(AllToolsSummary(purpose, _note(in_force, viewer_account_id) if in_force else None))
    return summaries


def tool_question(session: Session, patient_id: uuid.UUID, tool_slug: str, purpose: str,
                  viewer_account_id: uuid.UUID | None = None) -> tuple[ToolSummary, PurposeRow]:
    """The tool and the row a question page asks about. ``NotFound`` when the tool is not on
    the register or does not serve ``purpose``."""
    summary = overview(session, patient_id, viewer_account_id, only_tool=tool_slug)
    for tool in summary.tools:
        for row in tool.rows:
            if row.purpose.value == purpose:
                return tool, row
    raise NotFound("No such AI tool or purpose")


def all_tools_question(session: Session, patient_id: uuid.UUID, purpose: str,
                       viewer_account_id: uuid.UUID | None = None) -> AllToolsSummary:
    """The all-tools choice for ``purpose`` (care or improvement); ``NotFound`` otherwise."""
    if purpose not in {p.value for p in ALL_TOOLS_PURPOSES}:
        raise NotFound("No all-tools choice for this purpose")
    _patient(session, patient_id)
    latest = _latest(choice_data.list_choices_for_patient(session, patient_id))
    return next(row for row in _all_tools(latest, viewer_account_id) if row.purpose.value == purpose)
