"""Authority ends by itself at the order's end date and at 16 for a child, and parental
responsibility moves to review at 13; ages are reached at 00:00 Europe/London (issue 7
points 2 and 6). ``can_act`` applies the rules first, so a stale state never grants access."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from portal.domain.authority import AuthorityBasis
from portal.services import authority as service
from portal.services.authority import CannotAct
from tests.factories import make_patient
from tests.integration.carers.conftest import VERIFIER, active_authority

SECOND = timedelta(seconds=1)
# A child born 15 July 2013 is 13 at 00:00 BST on 15 July 2026 (23:00 UTC on 14 July) and
# 16 at 00:00 BST on 15 July 2029 (23:00 UTC on 14 July).
CHILD_DOB = date(2013, 7, 15)
THIRTEEN = datetime(2026, 7, 14, 23, 0, tzinfo=UTC)
SIXTEEN = datetime(2029, 7, 14, 23, 0, tzinfo=UTC)


@pytest.fixture()
def parent(db_session, family):
    child = make_patient(db_session, date_of_birth=CHILD_DOB, postcode="SA1 1AA", email="child@example.org")
    authority = active_authority(db_session, family, child, basis=AuthorityBasis.PARENTAL_RESPONSIBILITY,
                                 reference=None, now=THIRTEEN - timedelta(days=30))
    return child, authority


def test_parental_responsibility_moves_to_review_at_13_not_a_second_before(db_session, family, parent):
    child, authority = parent
    assert service.apply_time_rules(db_session, THIRTEEN - SECOND) == 0
    assert authority.state == "active"
    assert service.apply_time_rules(db_session, THIRTEEN) == 1
    assert (authority.state, authority.reason) == ("review-due", "child-reached-13")
    with pytest.raises(CannotAct, match="Your permission to act for this person is being reviewed"):
        service.check_can_act(db_session, authority.id, family.carer.id, child.id, "care", THIRTEEN)


def test_a_confirmed_review_carries_on_until_16_and_then_ends(db_session, family, parent):
    child, authority = parent
    service.apply_time_rules(db_session, THIRTEEN)
    service.confirm_review(db_session, authority.id, VERIFIER, THIRTEEN)
    assert service.apply_time_rules(db_session, SIXTEEN - SECOND) == 0
    assert service.authority_covers(db_session, authority.id, child.id, "care", SIXTEEN - SECOND)
    assert not service.authority_covers(db_session, authority.id, child.id, "care", SIXTEEN)
    assert (authority.state, authority.reason) == ("ended", "child-reached-16")


def test_a_review_nobody_decided_still_ends_at_16(db_session, family, parent):
    _child, authority = parent
    service.apply_time_rules(db_session, THIRTEEN)
    service.apply_time_rules(db_session, SIXTEEN)
    assert (authority.state, authority.reason) == ("ended", "child-reached-16")


def test_a_29_february_child_reaches_13_on_1_march_in_other_years(db_session, family):
    child = make_patient(db_session, date_of_birth=date(2016, 2, 29), postcode="SA1 1AA")
    authority = active_authority(db_session, family, child, basis=AuthorityBasis.PARENTAL_RESPONSIBILITY,
                                 reference=None)
    march_first_2029 = datetime(2029, 3, 1, 0, 0, tzinfo=UTC)  # GMT: midnight London is midnight UTC
    service.apply_time_rules(db_session, march_first_2029 - SECOND)
    assert authority.state == "active"
    service.apply_time_rules(db_session, march_first_2029)
    assert authority.state == "review-due"


def test_a_deputyship_ends_after_the_order_end_date(db_session, family):
    authority = active_authority(db_session, family, basis=AuthorityBasis.PERSONAL_WELFARE_DEPUTY,
                                 reference=None, court_order_number="12345678", ends_on=date(2027, 3, 31))
    last_day = datetime(2027, 3, 31, 22, 59, 59, tzinfo=UTC)  # 23:59:59 BST on 31 March
    assert service.authority_covers(db_session, authority.id, family.patient.id, "care", last_day)
    assert not service.authority_covers(db_session, authority.id, family.patient.id, "care", last_day + SECOND)
    assert (authority.state, authority.reason) == ("ended", "deputyship-ended")


def test_the_time_rules_are_idempotent(db_session, family, parent):
    service.apply_time_rules(db_session, SIXTEEN)
    assert service.apply_time_rules(db_session, SIXTEEN + timedelta(days=1)) == 0
