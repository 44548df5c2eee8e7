"""Who a record is about, for staff pages (disputes, conflicts): name, NHS number and date of
birth, so a reviewer can check it is the right person and look into it. Shown only on
staff-only, no-store pages, after the caller has audited ``staff.patient.view``; never put in
a URL or a log."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from portal.data import people
from portal.domain.errors import NotFound
from portal.domain.nhs_number import NhsNumber


@dataclass(frozen=True)
class PatientIdentity:
    name: str
    nhs_number: NhsNumber
    date_of_birth: date


def identity_of(session: Session, patient_id: uuid.UUID) -> PatientIdentity:
    """The patient's name, NHS number and date of birth. Raises ``NotFound``."""
    patient = people.get_patient(session, patient_id)
    if patient is None:
        raise NotFound("patient")
    return PatientIdentity(f"{patient.given_name} {patient.family_name}", NhsNumber(patient.nhs_number),
                           patient.date_of_birth)
