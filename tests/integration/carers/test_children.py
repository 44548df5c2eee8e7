"""Children (issue 7 point 2): before the 13th birthday the parent and the young person are told,
once, that the authority will move to review; at 13 it moves to review and at 16 it ends, at
00:00 Europe/London (29 February birthdays: 1 March in other years); once a young person of
13 or over makes their own choice, the parent's authority moves to review in that same
transaction, and the parent is told."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.data.audit import AuditEvent
from portal.domain.age import LONDON
from portal.domain.authority import AuthorityBasis
from portal.services import authority as service
from portal.services import authority_children as children
from portal.services import choices as choice_service
from portal.services.choices import ChoiceActor
from tests.factories import make_patient
from tests.integration.carers.conftest import active_authority

SECOND = timedelta(seconds=1)


def born_years_ago(years, days_from_now=0):
    """A date of birth that makes someone ``years`` old ``days_from_now`` days from today
    (London); a 29 February that does not exist that year becomes 28 February."""
    day = datetime.now(LONDON).date() + timedelta(days=days_from_now)
    if (day.month, day.day) == (2, 29):
        day -= timedelta(days=1)
    return day.replace(year=day.year - years)


def parental(db_session, family, dob, *, email="young@example.org", mobile=None, now=None):
    child = make_patient(db_session, date_of_birth=dob, postcode="SA1 1AA", email=email, mobile=mobile)
    authority = active_authority(db_session, family, child, basis=AuthorityBasis.PARENTAL_RESPONSIBILITY,
                                 reference=None, now=now or datetime(2020, 1, 1, tzinfo=UTC))
    return child, authority


def told(outbox):
    return sorted((n.template, n.to, n.personalisation.get("review_from", "")) for n in outbox.sent
                  if n.template.startswith(children.PARENT_TEMPLATE))


# The notice before 13 --------------------------------------------------------------------------

def test_the_review_notice_days_are_a_named_constant_of_30():
    assert children.REVIEW_NOTICE_DAYS == 30


@pytest.mark.parametrize(("dob", "window_opens_utc"), [
    # 13th birthday 15 July 2026 (BST): told from 00:00 BST on 15 June = 23:00 UTC on 14 June.
    (date(2013, 7, 15), datetime(2026, 6, 14, 23, 0, tzinfo=UTC)),
    # 13th birthday 15 January 2027 (GMT): told from 00:00 GMT on 16 December 2026.
    (date(2014, 1, 15), datetime(2026, 12, 16, 0, 0, tzinfo=UTC)),
    # Born 29 February 2016: 13 on 1 March 2029, told from 00:00 GMT on 30 January 2029.
    (date(2016, 2, 29), datetime(2029, 1, 30, 0, 0, tzinfo=UTC)),
    # 13th birthday 24 April 2026: told from 25 March, before the clocks went forward (GMT).
    (date(2013, 4, 24), datetime(2026, 3, 25, 0, 0, tzinfo=UTC)),
])
def test_parent_and_young_person_are_told_once_from_30_days_before_13(db_session, family, outbox, dob,
                                                                    window_opens_utc):
    child, authority = parental(db_session, family, dob)
    assert children.send_review_notices(db_session, window_opens_utc - SECOND) == 0
    assert children.send_review_notices(db_session, window_opens_utc) == 1
    db_session.commit()
    birthday = children.date_reaching_age(dob, 13).isoformat()
    assert told(outbox) == [("authority-review-coming", "gareth@example.org", birthday),
                            ("authority-review-coming-young-person", "young@example.org", birthday)]
    assert authority.review_notice_sent_at_utc == window_opens_utc
    # Running the sweep again, the same day or any later day before 13, sends nothing more.
    assert children.send_review_notices(db_session, window_opens_utc) == 0
    assert children.send_review_notices(db_session, window_opens_utc + timedelta(days=10)) == 0
    db_session.commit()
    assert len(told(outbox)) == 2
    audited = db_session.execute(select(AuditEvent.details).where(AuditEvent.action == children.NOTICE_ACTION)
                                 ).scalars().all()
    assert [d["told"] for d in audited] == [["parent", "young-person"]]


def test_a_young_person_with_no_contact_details_is_not_sent_anything_but_the_parent_is(db_session, family,
                                                                                       outbox):
    parental(db_session, family, date(2013, 7, 15), email=None, mobile=None)
    children.send_review_notices(db_session, datetime(2026, 7, 1, tzinfo=UTC))
    db_session.commit()
    assert [t for t, _to, _r in told(outbox)] == ["authority-review-coming"]


def test_a_young_person_with_only_a_mobile_is_told_by_text(db_session, family, outbox):
    parental(db_session, family, date(2013, 7, 15), email=None, mobile="07700 900456")
    children.send_review_notices(db_session, datetime(2026, 7, 1, tzinfo=UTC))
    db_session.commit()
    assert [(n.template, n.channel) for n in outbox.sent if n.template.endswith("young-person")] == [
        ("authority-review-coming-young-person", "sms")]


def test_no_notice_once_the_child_is_13_or_for_another_basis(db_session, family, outbox):
    parental(db_session, family, date(2013, 7, 15))
    active_authority(db_session, family, family.other)  # an LPA: never a notice
    at_13 = datetime(2026, 7, 14, 23, 0, tzinfo=UTC)
    assert children.send_review_notices(db_session, at_13) == 0
    db_session.commit()
    assert told(outbox) == []


def test_the_daily_command_sends_the_notice_once(app, db_session, family, outbox, monkeypatch):
    """`flask portal authority-review` is the sweep: it applies the time rules and sends notices."""
    parental(db_session, family, born_years_ago(13, days_from_now=10))
    db_session.commit()
    outbox.clear()
    first = app.test_cli_runner().invoke(args=["portal", "authority-review"])
    assert first.exit_code == 0, first.output
    assert first.output.splitlines()[1] == "Families told a review at 13 is coming: 1."
    second = app.test_cli_runner().invoke(args=["portal", "authority-review"])
    assert second.output.splitlines()[1] == "Families told a review at 13 is coming: 0."
    assert len(told(outbox)) == 2


# 13 and 16 at the boundary ---------------------------------------------------------------------

@pytest.mark.parametrize(("dob", "reaches_13_utc"), [
    (date(2013, 1, 15), datetime(2026, 1, 15, 0, 0, tzinfo=UTC)),  # GMT
    (date(2013, 7, 15), datetime(2026, 7, 14, 23, 0, tzinfo=UTC)),  # BST
    (date(2013, 3, 29), datetime(2026, 3, 29, 0, 0, tzinfo=UTC)),  # clocks go forward at 01:00 that day
    (date(2013, 10, 25), datetime(2026, 10, 24, 23, 0, tzinfo=UTC)),  # clocks go back at 02:00 that day
    (date(2016, 2, 29), datetime(2029, 3, 1, 0, 0, tzinfo=UTC)),  # 1 March in a year that is not leap
    (date(2012, 2, 29), datetime(2025, 3, 1, 0, 0, tzinfo=UTC)),
])
def test_review_at_13_begins_at_midnight_london_time(db_session, family, dob, reaches_13_utc):
    _child, authority = parental(db_session, family, dob)
    service.apply_time_rules(db_session, reaches_13_utc - SECOND)
    assert authority.state == "active"
    service.apply_time_rules(db_session, reaches_13_utc)
    assert (authority.state, authority.reason) == ("review-due", "child-reached-13")


@pytest.mark.parametrize(("dob", "reaches_16_utc"), [
    (date(2010, 12, 1), datetime(2026, 12, 1, 0, 0, tzinfo=UTC)),  # GMT
    (date(2010, 6, 30), datetime(2026, 6, 29, 23, 0, tzinfo=UTC)),  # BST
    (date(2010, 10, 25), datetime(2026, 10, 24, 23, 0, tzinfo=UTC)),  # the day the clocks go back
    (date(2012, 2, 29), datetime(2028, 2, 29, 0, 0, tzinfo=UTC)),  # 2028 is a leap year
    # 16 years after a 29 February is a leap year, except across a century: 2100 is not.
    (date(2084, 2, 29), datetime(2100, 3, 1, 0, 0, tzinfo=UTC)),
])
def test_a_confirmed_review_ends_at_16_at_midnight_london_time(db_session, family, dob, reaches_16_utc):
    at_15 = reaches_16_utc - timedelta(days=400)
    child, authority = parental(db_session, family, dob, now=at_15)
    service.apply_time_rules(db_session, at_15)
    service.confirm_review(db_session, authority.id, family.carer.id, at_15)
    assert service.authority_covers(db_session, authority.id, child.id, "care", reaches_16_utc - SECOND)
    assert not service.authority_covers(db_session, authority.id, child.id, "care", reaches_16_utc)
    assert (authority.state, authority.reason) == ("ended", "child-reached-16")


# A young person's own choice ------------------------------------------------------------------

def choose(db_session, patient, actor, decision="deny"):
    return choice_service.record_choice(db_session, patient_id=patient.id, tool_slug=None, purpose="research",
                                        decision=decision, actor=actor, channel="web", idempotency_key=None)


def test_a_young_person_of_13_choosing_moves_the_parents_authority_to_review(db_session, family, outbox):
    now = datetime.now(UTC)
    child, authority = parental(db_session, family, born_years_ago(14))
    service.apply_time_rules(db_session, now)
    service.confirm_review(db_session, authority.id, family.carer.id, now)  # verifier: not yet able to decide
    outbox.clear()
    choose(db_session, child, ChoiceActor.patient(family.carer.id))
    assert (authority.state, authority.reason) == ("review-due", "young-person-chose")
    db_session.commit()
    assert ("authority-changed", "gareth@example.org") in [(n.template, n.to) for n in outbox.sent]
    with pytest.raises(service.CannotAct, match="being reviewed"):
        service.check_can_act(db_session, authority.id, family.carer.id, child.id, "care", now)


def test_the_review_and_the_choice_are_one_transaction(db_session, family, outbox):
    now = datetime.now(UTC)
    child, authority = parental(db_session, family, born_years_ago(14))
    service.apply_time_rules(db_session, now)
    service.confirm_review(db_session, authority.id, family.carer.id, now)
    db_session.commit()
    outbox.clear()
    choose(db_session, child, ChoiceActor.patient(family.carer.id))
    db_session.rollback()  # the choice is not saved, so neither is the review, and nobody is told
    db_session.expire_all()
    assert service.get(db_session, authority.id).state == "active"
    assert outbox.sent == []


def test_a_child_under_13_choosing_or_the_parent_choosing_changes_nothing(db_session, family):
    child, authority = parental(db_session, family, born_years_ago(12))
    choose(db_session, child, ChoiceActor.patient(family.carer.id))
    assert authority.state == "active"
    choose(db_session, child, ChoiceActor.representative(family.carer.id, authority.id), decision="clear")
    assert authority.state == "active"


def test_a_choice_made_while_the_parents_authority_is_suspended_sends_it_to_review_when_lifted(db_session,
                                                                                              family):
    now = datetime.now(UTC)
    child, authority = parental(db_session, family, born_years_ago(14))
    service.apply_time_rules(db_session, now - timedelta(hours=3))
    service.confirm_review(db_session, authority.id, family.carer.id, now - timedelta(hours=3))
    service.suspend(db_session, authority.id, family.carer.id, now - timedelta(hours=2))
    choose(db_session, child, ChoiceActor.patient(family.carer.id))
    assert authority.state == "suspended"
    service.lift_suspension(db_session, authority.id, family.carer.id, now + timedelta(hours=1))
    assert (authority.state, authority.reason) == ("review-due", "young-person-chose")
    # Reviewed and confirmed, a later suspension and lift leaves it active.
    service.confirm_review(db_session, authority.id, family.carer.id, now + timedelta(hours=2))
    service.suspend(db_session, authority.id, family.carer.id, now + timedelta(hours=3))
    service.lift_suspension(db_session, authority.id, family.carer.id, now + timedelta(hours=4))
    assert authority.state == "active"
