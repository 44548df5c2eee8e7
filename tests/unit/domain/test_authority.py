"""Authority: the state machine, what each basis covers, and reference shapes
(DESIGN.md section 3 "Authority"; issue 7)."""

import itertools

import pytest

from portal.domain.authority import (
    AuthorityBasis,
    AuthorityState,
    needs_capacity_note,
    normalise_court_order_number,
    normalise_lpa_reference,
    purposes_covered,
    transition,
)
from portal.domain.errors import InvalidTransition
from portal.domain.values import Purpose

S = AuthorityState
ALLOWED = {
    (S.REQUESTED, S.VERIFIED), (S.REQUESTED, S.REJECTED), (S.REQUESTED, S.WITHDRAWN),
    (S.VERIFIED, S.ACTIVE),
    (S.ACTIVE, S.SUSPENDED), (S.SUSPENDED, S.ACTIVE),
    (S.ACTIVE, S.REVIEW_DUE), (S.REVIEW_DUE, S.ACTIVE),
    # any state that has not already finished may end
    (S.REQUESTED, S.ENDED), (S.VERIFIED, S.ENDED), (S.ACTIVE, S.ENDED),
    (S.SUSPENDED, S.ENDED), (S.REVIEW_DUE, S.ENDED),
}


@pytest.mark.parametrize(("start", "end"), sorted(ALLOWED))
def test_allowed_transitions(start, end):
    assert transition(start, end) is end


@pytest.mark.parametrize(("start", "end"),
                         sorted(set(itertools.product(S, S)) - ALLOWED))
def test_every_other_transition_is_refused(start, end):
    with pytest.raises(InvalidTransition, match=f"from {start.value} to {end.value}"):
        transition(start, end)


def test_a_property_and_financial_lpa_covers_only_the_data_purposes():
    assert purposes_covered(AuthorityBasis.PROPERTY_AND_FINANCIAL_LPA) == {
        Purpose.IMPROVEMENT, Purpose.RESEARCH}


@pytest.mark.parametrize("basis", [b for b in AuthorityBasis
                                   if b is not AuthorityBasis.PROPERTY_AND_FINANCIAL_LPA])
def test_every_other_basis_covers_every_purpose(basis):
    assert purposes_covered(basis) == set(Purpose)


@pytest.mark.parametrize(("basis", "needed"), [
    (AuthorityBasis.HEALTH_AND_WELFARE_LPA, True),
    (AuthorityBasis.PROPERTY_AND_FINANCIAL_LPA, True),
    (AuthorityBasis.PERSONAL_WELFARE_DEPUTY, True),
    (AuthorityBasis.PARENTAL_RESPONSIBILITY, False),
    (AuthorityBasis.PATIENT_NOMINATED, False),
])
def test_lpas_and_deputies_need_a_capacity_note(basis, needed):
    assert needs_capacity_note(basis) is needed


@pytest.mark.parametrize(("typed", "canonical"), [
    ("7000-1234-5678", "7000-1234-5678"),
    ("700012345678", "7000-1234-5678"),
    (" 7000 1234 5678 ", "7000-1234-5678"),
    ("m-abcd-1234-efgh", "M-ABCD-1234-EFGH"),
    ("MABCD1234EFGH", "M-ABCD-1234-EFGH"),
    ("V-XW34-4Q9K-7PT2", "V-XW34-4Q9K-7PT2"),
    ("v xw34 4q9k 7pt2", "V-XW34-4Q9K-7PT2"),
])
def test_lpa_references_in_either_accepted_shape(typed, canonical):
    assert normalise_lpa_reference(typed) == canonical


@pytest.mark.parametrize("typed", [
    "", "7000-1234-567", "7000-1234-56789", "6000-1234-5678", "A-ABCD-1234-EFGH",
    "V-ABCD-1234-EFG", "V-ABCD-1234-EFGH-1", "not a reference", "7000-1234-567X",
])
def test_other_lpa_references_are_refused(typed):
    assert normalise_lpa_reference(typed) is None


@pytest.mark.parametrize(("typed", "canonical"), [
    ("12345678", "12345678"), ("1234567t", "1234567T"), ("1234 5678", "12345678"),
])
def test_court_order_numbers(typed, canonical):
    assert normalise_court_order_number(typed) == canonical


@pytest.mark.parametrize("typed", ["", "1234567", "123456789", "ABCDEFGH", "1234567TT"])
def test_other_court_order_numbers_are_refused(typed):
    assert normalise_court_order_number(typed) is None
