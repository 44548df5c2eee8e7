"""A dispute moves only along received -> acknowledged -> in review -> upheld or not upheld,
or to withdrawn from any open state; a closed dispute never changes."""

import itertools

import pytest

from portal.domain.disputes import ALLOWED, DisputeStatus, is_closed, next_status
from portal.domain.errors import InvalidTransition

S = DisputeStatus
LEGAL = {
    (S.RECEIVED, S.ACKNOWLEDGED), (S.ACKNOWLEDGED, S.IN_REVIEW), (S.IN_REVIEW, S.UPHELD),
    (S.IN_REVIEW, S.NOT_UPHELD), (S.RECEIVED, S.WITHDRAWN), (S.ACKNOWLEDGED, S.WITHDRAWN),
    (S.IN_REVIEW, S.WITHDRAWN),
}


@pytest.mark.parametrize(("current", "target"), sorted(LEGAL))
def test_the_legal_moves(current, target):
    assert next_status(current, target) == target


@pytest.mark.parametrize(("current", "target"),
                         sorted(set(itertools.product(S, S)) - LEGAL))
def test_every_other_move_is_refused(current, target):
    with pytest.raises(InvalidTransition, match=f"cannot move from {current} to {target}"):
        next_status(current, target)


def test_closed_states_have_no_way_out():
    for status in S:
        assert is_closed(status) == (ALLOWED[status] == frozenset())
