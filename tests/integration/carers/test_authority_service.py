"""Asking to act for someone, checking, acting and ending (issue 7 points 1, 3, 4 and 6):
every change is an event with a coded reason and who, audited, and the carer is told."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from portal.data.audit import AuditEvent
from portal.data.authorities import AuthorityEvent
from portal.domain.authority import AuthorityBasis
from portal.domain.errors import InvalidTransition, NotFound
from portal.services import authority as service
from portal.services.authority import CannotAct
from portal.services.authority_requests import RequestRefused
from tests.integration.carers.conftest import NOW, VERIFIER, active_authority, approve, ask, lacks_capacity


def events(session, authority):
    rows = session.execute(select(AuthorityEvent).where(AuthorityEvent.authority_id == authority.id)
                           .order_by(AuthorityEvent.at_utc, AuthorityEvent.created_at_utc)).scalars()
    return [(e.from_state, e.to_state, e.reason, e.actor_kind) for e in rows]


def test_a_request_then_approval_is_active_with_every_step_recorded_and_audited(db_session, family, outbox):
    lacks_capacity(db_session, family.patient)
    authority = ask(db_session, family)
    assert (authority.state, authority.reference) == ("requested", "7000-1234-5678")
    approve(db_session, authority)
    assert authority.state == "active"
    assert events(db_session, authority) == [
        (None, "requested", "requested", "representative"),
        ("requested", "verified", "verified", "staff"),
        ("verified", "active", "verified", "staff"),
    ]
    actions = db_session.execute(select(AuditEvent.action).where(AuditEvent.action.like("authority.%"))
                                 .order_by(AuditEvent.chain_position)).scalars().all()
    assert actions == ["authority.requested", "authority.verified", "authority.active"]
    db_session.commit()
    told = [(n.template, n.to) for n in outbox.sent]
    assert ("authority-changed", "gareth@example.org") in told
    assert ("authority-changed-patient", "eira@example.org") in told


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"postcode": "ZZ1 1ZZ"}, "nhs_number",
     "We could not find this person. Check their NHS number, date of birth and postcode"),
    ({"date_of_birth": date(1940, 5, 7)}, "nhs_number",
     "We could not find this person. Check their NHS number, date of birth and postcode"),
    ({"reference": "1234-5678-9012"}, "reference",
     "Enter the LPA reference number or access code exactly as it is shown"),
    ({"basis": AuthorityBasis.PERSONAL_WELFARE_DEPUTY, "court_order_number": "12-34"}, "court_order_number",
     "Enter the court order number exactly as it is shown, like 12345678"),
])
def test_bad_requests_are_refused_with_a_clear_message_and_nothing_saved(db_session, family, changes, field,
                                                                         message):
    with pytest.raises(RequestRefused) as refused:
        ask(db_session, family, **changes)
    assert (refused.value.field, refused.value.message) == (field, message)
    assert db_session.execute(select(AuthorityEvent)).first() is None


def test_nobody_may_ask_to_act_for_themselves(db_session, family):
    with pytest.raises(RequestRefused, match="You cannot ask to act for yourself"):
        ask(db_session, family, family.carer_self)


@pytest.mark.parametrize(("now", "refused"), [
    # 16th birthday 2 June 2026: reached at 00:00 BST = 23:00 UTC on 1 June.
    (datetime(2026, 6, 1, 22, 59, 59, tzinfo=UTC), False),
    (datetime(2026, 6, 1, 23, 0, tzinfo=UTC), True),
])
def test_parental_responsibility_is_refused_for_a_child_of_16(db_session, family, now, refused):
    from tests.factories import make_patient

    child = make_patient(db_session, date_of_birth=date(2010, 6, 2), postcode="SA1 1AA")
    if refused:
        with pytest.raises(RequestRefused, match="Parental responsibility is only for a child under 16"):
            ask(db_session, family, child, basis=AuthorityBasis.PARENTAL_RESPONSIBILITY, now=now)
    else:
        assert ask(db_session, family, child, basis=AuthorityBasis.PARENTAL_RESPONSIBILITY, now=now).state == \
            "requested"


@pytest.mark.parametrize(("basis", "born", "message"), [
    # 18th birthday 2 June 2026 (LPA, MCA 2005 s.9(2)(c)); 16th birthday 2 June 2026 (deputy, MCA 2005 s.2(5)).
    (AuthorityBasis.HEALTH_AND_WELFARE_LPA, date(2008, 6, 2), "A lasting power of attorney is only for someone aged 18 or over"),
    (AuthorityBasis.PROPERTY_AND_FINANCIAL_LPA, date(2008, 6, 2),
     "A lasting power of attorney is only for someone aged 18 or over"),
    (AuthorityBasis.PERSONAL_WELFARE_DEPUTY, date(2010, 6, 2), "A personal welfare deputy is only for someone aged 16 or over"),
])
def test_an_lpa_is_refused_under_18_and_a_welfare_deputy_under_16_on_the_basis(db_session, family, basis, born,
                                                                               message):
    from tests.factories import make_patient

    young = make_patient(db_session, date_of_birth=born, postcode="SA1 1AA")
    options = {"court_order_number": "1234567T", "reference": None} if basis == AuthorityBasis.PERSONAL_WELFARE_DEPUTY else {}
    with pytest.raises(RequestRefused) as refused:
        ask(db_session, family, young, basis=basis, now=datetime(2026, 6, 1, 22, 59, 59, tzinfo=UTC), **options)
    assert (refused.value.field, refused.value.message) == ("basis", message)
    assert db_session.execute(select(AuthorityEvent)).first() is None
    assert ask(db_session, family, young, basis=basis, now=datetime(2026, 6, 1, 23, 0, tzinfo=UTC),
               **options).state == "requested"


@pytest.mark.parametrize(("basis", "options", "code"), [
    (AuthorityBasis.HEALTH_AND_WELFARE_LPA, {}, "lpa-under-18"),
    (AuthorityBasis.PROPERTY_AND_FINANCIAL_LPA, {}, "lpa-under-18"),
    (AuthorityBasis.PERSONAL_WELFARE_DEPUTY, {"court_order_number": "1234567T", "reference": None}, "deputy-under-16"),
])
def test_a_verifier_cannot_approve_an_lpa_or_deputy_for_a_child(db_session, family, basis, options, code):
    from tests.factories import make_patient

    child = make_patient(db_session, date_of_birth=date(2016, 12, 22), postcode="SA1 1AA")  # 9 at NOW
    lacks_capacity(db_session, child)
    # asked when the child would be grown up, so only the approval's own check stands in the way
    authority = ask(db_session, family, child, basis=basis, now=datetime(2040, 1, 1, tzinfo=UTC), **options)
    with pytest.raises(service.ApprovalRefused) as refused:
        approve(db_session, authority, ends_on=date(2027, 11, 30))
    assert refused.value.code == code
    assert authority.state == "requested"


def test_a_second_open_request_for_the_same_person_is_refused(db_session, family):
    ask(db_session, family)
    with pytest.raises(RequestRefused, match="You have already asked to act for this person"):
        ask(db_session, family)


def test_a_rejection_keeps_its_coded_reason_and_plain_explanation(db_session, family):
    authority = ask(db_session, family)
    service.reject(db_session, authority.id, "evidence-unclear", "The photo of the LPA was too blurred to read.",
                   VERIFIER, NOW)
    assert (authority.state, authority.reason, authority.explanation) == (
        "rejected", "evidence-unclear", "The photo of the LPA was too blurred to read.")
    with pytest.raises(InvalidTransition):
        approve(db_session, authority)


def test_a_rejection_needs_a_rejection_reason_and_words(db_session, family):
    authority = ask(db_session, family)
    with pytest.raises(ValueError):
        service.reject(db_session, authority.id, "expired", "Too late", VERIFIER, NOW)
    with pytest.raises(ValueError):
        service.reject(db_session, authority.id, "no-legal-basis", "  ", VERIFIER, NOW)
    assert authority.state == "requested"


def test_withdraw_and_stop_acting_belong_to_the_carer_only(db_session, family):
    import uuid

    authority = ask(db_session, family)
    with pytest.raises(NotFound):
        service.withdraw(db_session, authority.id, uuid.uuid4(), NOW)
    service.withdraw(db_session, authority.id, family.carer.id, NOW)
    assert (authority.state, authority.reason) == ("withdrawn", "withdrawn-by-requester")
    active = active_authority(db_session, family, family.other)
    service.stop_acting(db_session, active.id, family.carer.id, NOW)
    assert (active.state, active.reason) == ("ended", "revoked-by-carer")


def test_the_patient_ends_only_an_authority_they_nominated(db_session, family):
    lpa = active_authority(db_session, family)
    with pytest.raises(NotFound):
        service.end_by_patient(db_session, lpa.id, family.patient.id, family.carer.id, NOW)
    nominated = active_authority(db_session, family, family.other, basis=AuthorityBasis.PATIENT_NOMINATED,
                                 reference=None)
    service.end_by_patient(db_session, nominated.id, family.other.id, family.carer.id, NOW)
    assert (nominated.state, nominated.reason) == ("ended", "ended-by-patient")


def test_approval_needs_the_details_of_the_basis(db_session, family):
    authority = ask(db_session, family)
    with pytest.raises(ValueError, match="registered"):
        service.approve(db_session, authority.id, service.Approval(review_on=date(2027, 1, 1)), VERIFIER, NOW)
    deputy = ask(db_session, family, family.other, basis=AuthorityBasis.PERSONAL_WELFARE_DEPUTY,
                 court_order_number="1234567T", reference=None)
    with pytest.raises(ValueError, match="end date"):
        service.approve(db_session, deputy.id, service.Approval(review_on=date(2027, 1, 1)), VERIFIER, NOW)
    assert (authority.state, deputy.state) == ("requested", "requested")


# Acting: the check every submit makes ------------------------------------------------------

def test_an_active_lpa_with_a_capacity_note_may_act_for_every_purpose(db_session, family):
    authority = active_authority(db_session, family)
    for purpose in ("care", "improvement", "research"):
        assert service.authority_covers(db_session, authority.id, family.patient.id, purpose, NOW)


def test_a_property_and_financial_lpa_covers_only_data_purposes(db_session, family):
    authority = active_authority(db_session, family, basis=AuthorityBasis.PROPERTY_AND_FINANCIAL_LPA)
    assert not service.authority_covers(db_session, authority.id, family.patient.id, "care", NOW)
    assert service.authority_covers(db_session, authority.id, family.patient.id, "improvement", NOW)
    assert service.authority_covers(db_session, authority.id, family.patient.id, "research", NOW)
    with pytest.raises(CannotAct, match="Your permission does not cover this choice"):
        service.check_can_act(db_session, authority.id, family.carer.id, family.patient.id, "care", NOW)


def test_an_lpa_without_a_capacity_note_cannot_act(db_session, family):
    authority = approve(db_session, ask(db_session, family))
    assert authority.state == "active"
    with pytest.raises(CannotAct, match="We have no record that this person cannot decide for themselves"):
        service.check_can_act(db_session, authority.id, family.carer.id, family.patient.id, "care", NOW)
    assert service.acting_authorities(db_session, family.carer.id, NOW) == []
    lacks_capacity(db_session, family.patient)
    assert service.acting_authorities(db_session, family.carer.id, NOW) == [authority]


def test_a_capacity_note_saying_capacity_was_regained_stops_an_lpa(db_session, family):
    authority = active_authority(db_session, family)
    service.record_capacity_note(db_session, family.patient.id, lacks_capacity=False, assessed_by="Dr B",
                                 assessed_on=date(2026, 11, 1), actor=service.staff_actor(VERIFIER))
    assert not service.authority_covers(db_session, authority.id, family.patient.id, "care", NOW)


@pytest.mark.parametrize(("step", "message"), [
    (lambda s, a: service.suspend(s, a.id, VERIFIER, NOW), "Your permission to act for this person is on hold"),
    (lambda s, a: service.end(s, a.id, "patient-died", VERIFIER, NOW), "You can no longer act for this person"),
    (lambda s, a: service.stop_acting(s, a.id, a.account_id, NOW), "You can no longer act for this person"),
])
def test_suspended_or_ended_authority_cannot_act(db_session, family, step, message):
    authority = active_authority(db_session, family)
    step(db_session, authority)
    with pytest.raises(CannotAct, match=message):
        service.check_can_act(db_session, authority.id, family.carer.id, family.patient.id, "care", NOW)


def test_an_authority_for_one_patient_never_acts_for_another(db_session, family):
    authority = active_authority(db_session, family)
    with pytest.raises(CannotAct, match="This page was for someone else"):
        service.check_can_act(db_session, authority.id, family.carer.id, family.other.id, "care", NOW)


def test_a_suspension_can_be_lifted(db_session, family):
    authority = active_authority(db_session, family)
    service.suspend(db_session, authority.id, VERIFIER, NOW)
    service.lift_suspension(db_session, authority.id, VERIFIER, NOW)
    assert service.authority_covers(db_session, authority.id, family.patient.id, "care", NOW)


def test_staff_end_only_with_an_ending_reason(db_session, family):
    authority = active_authority(db_session, family)
    with pytest.raises(ValueError):
        service.end(db_session, authority.id, "verified", VERIFIER, NOW)
    assert authority.state == "active"


# A carer who asked through the details-and-code route (DESIGN.md section 4) ------------------

def test_a_code_route_request_is_approved_only_with_the_carers_identity_checked(db_session, family):
    from portal.domain.nhs_number import NhsNumber
    from portal.services.authority_requests import AuthorityRequest, request_authority

    lacks_capacity(db_session, family.patient)
    asked = AuthorityRequest(NhsNumber(family.patient.nhs_number), family.patient.date_of_birth,
                             family.patient.postcode, AuthorityBasis.HEALTH_AND_WELFARE_LPA, "Son",
                             reference="7000-1234-5678")
    authority = request_authority(db_session, family.carer.id, family.carer_self.id, asked, NOW,
                                  carer_identity_check_needed=True)
    details = dict(review_on=date(2027, 11, 30), lpa_registered=True, attorneys_act="jointly")
    for method in (None, "looked at them"):
        with pytest.raises(service.ApprovalRefused) as refused:
            service.approve(db_session, authority.id, service.Approval(**details, carer_identity_method=method),
                            VERIFIER, NOW)
        assert refused.value.code == "carer-identity"
    assert authority.state == "requested" and authority.carer_identity_checked_at_utc is None
    service.approve(db_session, authority.id, service.Approval(**details, carer_identity_method="photo-id-in-person"),
                    VERIFIER, NOW)
    assert (authority.state, authority.carer_identity_method, authority.carer_identity_checked_by) == (
        "active", "photo-id-in-person", str(VERIFIER))
    assert authority.carer_identity_checked_at_utc == NOW
    assert service.may_act_at(authority, "P5", "code") and service.may_act_at(authority, "P9", "nhs-login")
    assert not service.may_act_at(authority, "P5", "nhs-login")


def test_a_code_route_session_may_not_act_under_an_authority_whose_carer_was_never_checked(db_session, family):
    authority = active_authority(db_session, family)
    assert authority.carer_identity_check_needed is False
    assert not service.may_act_at(authority, "P5", "code")
    assert service.may_act_at(authority, "P9", "nhs-login")
