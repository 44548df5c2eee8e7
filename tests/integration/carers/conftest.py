"""Fixtures for carers: a carer's account, a patient they may act for, helpers to make an
authority active (as a verifier would) and to record a capacity note."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from portal.data.accounts import Account
from portal.data.people import Patient
from portal.domain.authority import AuthorityBasis
from portal.domain.nhs_number import NhsNumber
from portal.services import audit, notify
from portal.services import authority as authority_service
from portal.services import authority_nominations
from portal.services.authority_requests import AuthorityRequest, request_authority
from tests.factories import make_patient

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
VERIFIER = uuid.uuid4()
PATIENT_ACCOUNT = uuid.uuid4()  # the patient's own account, confirming a nomination


@dataclass
class Family:
    carer: Account
    carer_self: Patient
    patient: Patient
    other: Patient


@pytest.fixture()
def outbox() -> Iterator[notify.Outbox]:
    sender = notify.get_sender()
    assert isinstance(sender, notify.Outbox)
    sender.clear()
    yield sender
    sender.clear()


@pytest.fixture()
def family(db_session) -> Family:  # type: ignore[no-untyped-def]
    carer_self = make_patient(db_session, given_name="Gareth", family_name="Jones", email="gareth@example.org")
    carer = Account(provider="nhs-login", subject=f"carer-{uuid.uuid4()}", patient_id=carer_self.id,
                    email="gareth@example.org", highest_level="P9")
    db_session.add(carer)
    patient = make_patient(db_session, given_name="Eira", family_name="Jones", date_of_birth=date(1940, 5, 6),
                           postcode="SA1 1AA", email="eira@example.org")
    other = make_patient(db_session, given_name="Tomos", family_name="Price", date_of_birth=date(1951, 8, 9),
                         postcode="LL11 2BB")
    db_session.flush()
    return Family(carer, carer_self, patient, other)


def ask(session, family, patient=None, *, basis=AuthorityBasis.HEALTH_AND_WELFARE_LPA,  # type: ignore[no-untyped-def]
        reference="7000-1234-5678", court_order_number=None, now=NOW, **changes):
    patient = patient or family.patient
    asked = AuthorityRequest(
        nhs_number=NhsNumber(changes.pop("nhs_number", patient.nhs_number)),
        date_of_birth=changes.pop("date_of_birth", patient.date_of_birth),
        postcode=changes.pop("postcode", patient.postcode), basis=basis,
        relationship=changes.pop("relationship", "Son"), reference=reference,
        court_order_number=court_order_number)
    return request_authority(session, family.carer.id, family.carer.patient_id, asked, now)


def approve(session, authority, *, review_on=date(2027, 11, 30), ends_on=None, now=NOW):  # type: ignore[no-untyped-def]
    if authority.basis == AuthorityBasis.PATIENT_NOMINATED and authority.patient_confirmed_at_utc is None:
        authority_nominations.confirm(session, authority.id, authority.patient_id, PATIENT_ACCOUNT, now)
    approval = authority_service.Approval(review_on=review_on, ends_on=ends_on, lpa_registered=True,
                                          attorneys_act="jointly-and-severally")
    return authority_service.approve(session, authority.id, approval, VERIFIER, now)


def lacks_capacity(session, patient, assessed_on=date(2026, 10, 1)):  # type: ignore[no-untyped-def]
    return authority_service.record_capacity_note(
        session, patient.id, lacks_capacity=True, assessed_by="Dr A Example, GP", assessed_on=assessed_on,
        actor=audit.Actor("staff", str(VERIFIER)))


def active_authority(session, family, patient=None, **options):  # type: ignore[no-untyped-def]
    patient = patient or family.patient
    basis = options.get("basis", AuthorityBasis.HEALTH_AND_WELFARE_LPA)
    if basis in (AuthorityBasis.HEALTH_AND_WELFARE_LPA, AuthorityBasis.PROPERTY_AND_FINANCIAL_LPA,
                 AuthorityBasis.PERSONAL_WELFARE_DEPUTY):
        lacks_capacity(session, patient)
    ends_on = options.pop("ends_on", None)
    authority = ask(session, family, patient, **options)
    return approve(session, authority, ends_on=ends_on, now=options.get("now", NOW))  # approved when asked
