"""The single lookup's one-query path (services/decisions.py ``decisions_for_lookup``) gives
exactly what the general path every page uses gives (DESIGN.md section 3), for every filter."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from portal.data.base import utcnow
from portal.data.choices import Choice
from portal.data.register import ToolPurpose, get_tool_by_slug
from portal.domain.nhs_number import NhsNumber
from portal.domain.values import Purpose
from portal.services import decisions
from tests.factories import make_choice, make_patient, make_tool

FILTERS = [(None, None), ("scan", None), (None, Purpose.CARE), ("scan", Purpose.IMPROVEMENT), ("letters", None),
           ("letters", Purpose.CARE)]


@pytest.fixture()
def patients(db_session):  # type: ignore[no-untyped-def]
    scan = make_tool(db_session, "scan", {"care": "opt-out", "improvement": "opt-in", "research": "opt-in"})
    letters = make_tool(db_session, "letters", {"care": "no-choice"})
    make_tool(db_session, "retired", {"care": "opt-in"}, retired_at_utc=utcnow())  # never answered
    people = [make_patient(db_session) for _ in range(6)]
    make_choice(db_session, people[0], scan, "care", "deny")
    make_choice(db_session, people[0], scan, "care", "clear")  # withdrawn: back to the default
    make_choice(db_session, people[1], scan, "improvement", "permit")
    make_choice(db_session, people[1], None, "improvement", "deny")  # all-tools, newer: deny
    make_choice(db_session, people[2], None, "research", "deny")
    make_choice(db_session, people[2], scan, "research", "permit")  # per-tool, newer: permit
    make_choice(db_session, people[3], scan, "improvement", "permit", terms_version=1)
    db_session.execute(update(ToolPurpose).where(ToolPurpose.tool_id == scan.id, ToolPurpose.purpose == "improvement")
                       .values(terms_version=2))  # terms changed: the opt-in permit no longer counts
    voided = make_choice(db_session, people[4], scan, "care", "deny")
    db_session.execute(update(Choice).where(Choice.id == voided.id).values(voided_at_utc=voided.recorded_at_utc))
    make_choice(db_session, people[5], letters, "care", "deny")  # no-choice: still permit
    db_session.flush()
    return [p.nhs_number for p in people] + ["9434765919"]  # and one never seen


@pytest.mark.parametrize(("tool", "purpose"), FILTERS)
def test_the_quick_path_answers_exactly_what_the_general_path_answers(db_session, patients, tool, purpose):
    for number in patients:
        quick = decisions.decisions_for_lookup(db_session.connection(), NhsNumber(number), tool, purpose)
        policies = decisions.filter_policies(decisions.load_policies(db_session), tool, purpose)
        general = decisions.decisions_for_nhs_number(db_session, NhsNumber(number), policies)
        assert quick == general
        assert all(slug != "retired" for slug, _ in quick.decisions)


def test_no_live_tool_purpose_for_the_filters_is_none_for_the_general_path_to_explain(db_session, patients):
    assert decisions.decisions_for_lookup(db_session.connection(), NhsNumber(patients[0]), "no-such-tool") is None
    assert decisions.decisions_for_lookup(db_session.connection(), NhsNumber(patients[0]), "letters",
                                          Purpose.RESEARCH) is None


@pytest.mark.parametrize("key", [("scan", Purpose.CARE), ("scan", Purpose.IMPROVEMENT), ("scan", Purpose.RESEARCH),
                                 ("letters", Purpose.CARE)])
def test_the_batch_answers_once_per_pattern_and_still_exactly_as_the_general_path(db_session, patients, key):
    twins = [make_patient(db_session) for _ in range(2)]  # the same pattern as patients[0], other choices
    for twin in twins:
        make_choice(db_session, twin, get_tool_by_slug(db_session, "scan"), "care", "deny")
        make_choice(db_session, twin, get_tool_by_slug(db_session, "scan"), "care", "clear")
    db_session.flush()
    numbers = sorted({*patients[:-1], *(t.nhs_number for t in twins)})
    policy = decisions.load_policies(db_session)[key]
    batch = {number: (answer.decision, answer.basis)
             for number, _, answer in decisions.iter_answers_for_nhs_numbers(db_session, numbers, key, policy)}
    for number in numbers:
        general = decisions.decisions_for_nhs_number(db_session, NhsNumber(number), {key: policy}).decisions[key]
        assert batch[number] == (general.decision, general.basis)
