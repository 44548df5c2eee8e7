"""A representative's choice never silently replaces a choice the patient made themselves
(issue 7 point 1; DESIGN.md section 3 "Authority").

``check_representative_choice`` runs before a carer's choice is recorded. It asks the one
decision rule (``portal.domain.decision``) what is in force now and what would be in force
with the new choice added; where something in force rests on a choice the patient made
themselves (``actor_kind`` ``self``, not voided) and would no longer rest on it, the new
choice replaces the patient's own. That is allowed only where the latest capacity note says
the patient cannot decide about AI in their care and was assessed on or after the day (in
Europe/London) of the newest choice being replaced: a patient who chose for themselves after
an assessment may have regained capacity, so an older note is not enough. Otherwise
``InvalidChoice`` with code ``patient-chose-themselves`` and nothing is recorded. When it is
allowed, the caller records which choices were replaced and tells the patient.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.orm import Session

from portal.data import authorities as authority_data
from portal.data import choices as choice_data
from portal.data.choices import Choice
from portal.domain import ChoiceFact, decide_many
from portal.domain.age import LONDON
from portal.domain.errors import InvalidChoice
from portal.domain.values import ActorKind, Decision, Purpose
from portal.services import decisions

REFUSAL = ("They made this choice themselves. You can change it only once a professional "
           "has recorded that they cannot make this decision")


def choices_it_would_replace(session: Session, patient_id: uuid.UUID, tool_slug: str | None, purpose: Purpose,
                             decision: Decision) -> list[Choice]:
    """The patient's own choices, in force now for ``purpose`` (one tool, or every tool for
    an all-tools choice), that a new choice would take the place of. Ordered by sequence."""
    mine = {str(c.id): c for c in choice_data.list_choices_for_patient(session, patient_id)
            if c.actor_kind == ActorKind.SELF.value and c.voided_at_utc is None}
    if not mine:
        return []
    policies = decisions.filter_policies(decisions.load_policies(session), tool_slug, purpose)
    facts = [ChoiceFact(id=str(choice_id), sequence=sequence, tool_slug=slug, purpose=Purpose(row_purpose),
                        decision=Decision(row_decision), terms_version=terms, voided=bool(voided))
             for _p, choice_id, sequence, slug, row_purpose, row_decision, terms, voided, _at
             in choice_data.list_choice_rows_for_patients(session, [patient_id])]
    new = ChoiceFact(id="new", sequence=max((f.sequence for f in facts), default=0) + 1, tool_slug=tool_slug,
                     purpose=purpose, decision=decision, terms_version=None)
    before, after = decide_many(policies, facts), decide_many(policies, [*facts, new])
    replaced = {key: now.choice.id for key, now in before.items()
                if now.choice is not None and now.choice.id in mine
                and (after[key].choice is None or after[key].choice.id != now.choice.id)}
    return sorted({mine[choice_id] for choice_id in replaced.values()}, key=lambda c: c.sequence)


def check_representative_choice(session: Session, patient_id: uuid.UUID, tool_slug: str | None, purpose: Purpose,
                                decision: Decision) -> list[Choice]:
    """The patient's own choices a carer's new choice replaces (empty: none), if allowed;
    else ``InvalidChoice`` (``patient-chose-themselves``). See the module docstring."""
    replaced = choices_it_would_replace(session, patient_id, tool_slug, purpose, decision)
    if not replaced:
        return []
    newest_own: date = max(c.recorded_at_utc.astimezone(LONDON).date() for c in replaced)
    note = authority_data.get_latest_capacity_note(session, patient_id)
    if note is None or not note.lacks_capacity or note.assessed_on < newest_own:
        raise InvalidChoice(InvalidChoice.PATIENT_CHOSE_THEMSELVES, REFUSAL)
    return replaced
