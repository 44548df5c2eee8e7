"""What applies for a patient: the one place that loads choices and policies from the database
and applies the domain rule (``portal.domain.decision``). Patient pages, carers' pages, the
API, FHIR and batch checks all call this module, so they cannot disagree.

Reads go to the primary database in the caller's transaction, so a choice saved by one
request is visible to the very next read (DESIGN.md section 3).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from portal.data import choices as choice_data
from portal.data import decision_lookup
from portal.data import patient_lookup, people
from portal.data import register as register_data
from portal.domain import ChoiceFact, EffectiveDecision, PurposePolicy, decide_many
from portal.domain.nhs_number import NhsNumber
from portal.domain.values import ConsentModel, Decision, Purpose

PolicyKey = tuple[str, Purpose]


@dataclass(frozen=True)
class PatientDecisions:
    """Every effective decision for one patient, keyed by (tool slug, purpose).

    ``patient_known`` is False for a valid NHS number the portal has never seen: such a
    patient gets the register's defaults, never an error."""

    patient_known: bool
    patient_id: uuid.UUID | None
    decisions: dict[PolicyKey, EffectiveDecision]


def load_policies(session: Session) -> dict[PolicyKey, PurposePolicy]:
    """The register's consent model and terms version for every live tool and purpose."""
    return {
        (slug, Purpose(purpose)): PurposePolicy(ConsentModel(model), version, reason)
        for slug, purpose, model, version, reason in register_data.list_purpose_policies(session)
    }


def filter_policies(policies: Mapping[PolicyKey, PurposePolicy], tool: str | None = None,
                    purpose: Purpose | None = None) -> dict[PolicyKey, PurposePolicy]:
    return {key: policy for key, policy in policies.items()
            if (tool is None or key[0] == tool) and (purpose is None or key[1] == purpose)}


def _facts(rows: Iterable[tuple]) -> dict[uuid.UUID, list[ChoiceFact]]:  # type: ignore[type-arg]
    by_patient: dict[uuid.UUID, list[ChoiceFact]] = {}
    for patient_id, choice_id, sequence, slug, purpose, decision, terms, voided, recorded in rows:
        by_patient.setdefault(patient_id, []).append(ChoiceFact(
            id=str(choice_id), sequence=sequence, tool_slug=slug, purpose=Purpose(purpose),
            decision=Decision(decision), terms_version=terms, voided=bool(voided), recorded_at=recorded,
        ))
    return by_patient


def decisions_for_patient_id(session: Session, patient_id: uuid.UUID,
                             policies: Mapping[PolicyKey, PurposePolicy] | None = None) -> PatientDecisions:
    """Decisions for a known patient (by id) over ``policies`` (default: the whole register)."""
    policies = load_policies(session) if policies is None else policies
    facts = _facts(choice_data.list_choice_rows_for_patients(session, [patient_id])).get(patient_id, [])
    return PatientDecisions(True, patient_id, decide_many(policies, facts))


def decisions_for_patient_at(session: Session, patient_id: uuid.UUID,
                             policies: Mapping[PolicyKey, PurposePolicy], at: datetime) -> dict[PolicyKey, EffectiveDecision]:
    """What applied at ``at``: the rule over the choices recorded by then (voided ones never
    count) and ``policies`` as they stood then (the caller supplies them)."""
    facts = _facts(choice_data.list_choice_rows_for_patients(session, [patient_id])).get(patient_id, [])
    return decide_many(policies, [fact for fact in facts if fact.recorded_at is not None and fact.recorded_at <= at])


def decisions_for_nhs_number(session: Session, nhs_number: NhsNumber,
                             policies: Mapping[PolicyKey, PurposePolicy] | None = None) -> PatientDecisions:
    """Decisions for an NHS number; defaults with ``patient_known=False`` if never seen."""
    policies = load_policies(session) if policies is None else policies
    patient = people.get_patient_by_nhs_number(session, nhs_number.value)
    if patient is None:
        return PatientDecisions(False, None, decide_many(policies, []))
    return decisions_for_patient_id(session, patient.id, policies)


def iter_answers_for_nhs_numbers(session: Session, nhs_numbers: Sequence[str], key: PolicyKey,
                                 policy: PurposePolicy) -> Iterator[tuple[str, str, EffectiveDecision]]:
    """(NHS number, patient id as canonical UUID text, decision) for ONE tool and purpose,
    for every known patient among ``nhs_numbers`` (sorted, distinct, valid), in NHS number
    order, streamed (``patient_lookup.iter_batch_choice_rows``).

    Batch checks. The rule (``decide_many``) depends only on the patient's relevant choices
    in sequence order (all tools or not, decision, terms version, voided), so it runs once per
    distinct pattern of those; every patient with the same pattern gets that answer. Only
    ``decision`` and ``basis`` of the answer may be used: its ``choice`` is a stand-in made
    from the pattern (id ``pattern-<n>``), not the patient's."""
    slug, purpose = key
    policies = {key: policy}
    answers: dict[tuple, EffectiveDecision] = {}  # type: ignore[type-arg]

    def answer_for(pattern: tuple) -> EffectiveDecision:  # type: ignore[type-arg]
        answer = answers.get(pattern)
        if answer is None:
            facts = [ChoiceFact(id=f"pattern-{position}", sequence=position, tool_slug=None if all_tools else slug,
                                purpose=purpose, decision=Decision(decision), terms_version=terms, voided=voided,
                                recorded_at=None)  # type: ignore[arg-type]
                     for position, (all_tools, decision, terms, voided) in enumerate(pattern, start=1)]
            answer = answers[pattern] = decide_many(policies, facts)[key]
        return answer

    # A plain loop over plain tuples: it runs once per row of up to a million.
    current, current_id, pattern = None, None, []
    for number, patient_id, sequence, all_tools, decision, terms, voided in \
            patient_lookup.iter_batch_choice_rows(session, nhs_numbers, slug, purpose.value):
        if number != current:
            if current is not None:
                yield current, current_id, answer_for(tuple(pattern))  # type: ignore[misc]
            current, current_id, pattern = number, patient_id, []
        if sequence is not None:
            pattern.append((bool(all_tools), decision, terms, bool(voided)))
    if current is not None:
        yield current, current_id, answer_for(tuple(pattern))  # type: ignore[misc]


def decisions_for_patients(session: Session, patient_ids: list[uuid.UUID],
                           policies: Mapping[PolicyKey, PurposePolicy]) -> dict[uuid.UUID, dict[PolicyKey, EffectiveDecision]]:
    """Decisions for many known patients in one query (batch checks)."""
    facts = _facts(choice_data.list_choice_rows_for_patients(session, patient_ids))
    return {patient_id: decide_many(policies, facts.get(patient_id, [])) for patient_id in patient_ids}


def decisions_for_lookup(connection: Connection, nhs_number: NhsNumber, tool: str | None = None,
                         purpose: Purpose | None = None) -> PatientDecisions | None:
    """Decisions for one NHS number over the live register filtered by ``tool`` and
    ``purpose``, from ONE query (``decision_lookup``: the policies and the choices in the same
    snapshot), through the same rule as every other read (``decide_many``). None when no live
    tool purpose matches the filters: the caller takes the general path, which tells an
    unknown tool from a tool that does not serve the purpose. The API's single lookup."""
    rows = decision_lookup.list_policy_choice_rows(connection, nhs_number.value, tool,
                                                   None if purpose is None else purpose.value)
    if not rows:
        return None
    policies: dict[PolicyKey, PurposePolicy] = {}
    facts: dict[uuid.UUID, ChoiceFact] = {}
    for row in rows:
        key = (row.slug, Purpose(row.purpose))
        if key not in policies:
            policies[key] = PurposePolicy(ConsentModel(row.consent_model), row.policy_terms_version,
                                          row.no_choice_reason)
        if row.choice_id is not None and row.choice_id not in facts:
            facts[row.choice_id] = ChoiceFact(
                id=str(row.choice_id), sequence=row.sequence, tool_slug=None if row.all_tools else row.slug,  # type: ignore[arg-type]
                purpose=Purpose(row.choice_purpose), decision=Decision(row.decision),
                terms_version=row.choice_terms_version, voided=bool(row.voided), recorded_at=row.recorded_at)
    patient_id = rows[0].patient_id
    return PatientDecisions(patient_id is not None, patient_id, decide_many(policies, list(facts.values())))
