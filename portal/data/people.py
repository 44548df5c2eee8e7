"""Patients and the organisations that care for them (DESIGN.md section 3: Patient)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from portal.data.base import Base, IdMixin, utcnow


class Organisation(IdMixin, Base):
    """An NHS organisation, known by its ODS code; ``nation`` sets dispute due dates."""

    __tablename__ = "organisations"

    ods_code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    nation: Mapped[str] = mapped_column(String(20))  # england | wales | scotland | northern-ireland


class Patient(IdMixin, Base):
    """A person whose care AI may touch, imported from the EPR or PDS.

    ``nhs_number`` is 10 digits, no spaces, check digit verified before it is stored.
    """

    __tablename__ = "patients"

    nhs_number: Mapped[str] = mapped_column(String(10), unique=True)
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date] = mapped_column(Date)
    postcode: Mapped[str] = mapped_column(String(10))
    email: Mapped[str | None] = mapped_column(String(254))
    mobile: Mapped[str | None] = mapped_column(String(20))
    date_of_death: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(20), default="epr")  # epr | pds | nhs-login
    updated_at_utc: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    organisations: Mapped[list[PatientOrganisation]] = relationship(
        back_populates="patient", cascade="all, delete-orphan", order_by="PatientOrganisation.id"
    )


class PatientOrganisation(IdMixin, Base):
    """An organisation caring for a patient (so the patient sees its AI tools first)."""

    __tablename__ = "patient_organisations"
    __table_args__ = (UniqueConstraint("patient_id", "organisation_id"),)

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))

    patient: Mapped[Patient] = relationship(back_populates="organisations")
    organisation: Mapped[Organisation] = relationship()


# Repositories ---------------------------------------------------------------------------------

def get_patient(session: Session, patient_id: uuid.UUID) -> Patient | None:
    """The patient with this id, or None."""
    return session.get(Patient, patient_id)


def get_patient_by_nhs_number(session: Session, nhs_number: str) -> Patient | None:
    """The patient with this 10-digit NHS number, or None."""
    return session.execute(select(Patient).where(Patient.nhs_number == nhs_number)).scalar_one_or_none()


def get_organisation_by_ods_code(session: Session, ods_code: str) -> Organisation | None:
    return session.execute(select(Organisation).where(Organisation.ods_code == ods_code)).scalar_one_or_none()


def upsert_organisation(session: Session, ods_code: str, name: str, nation: str) -> Organisation:
    """Create or update the organisation with ``ods_code``; flushes."""
    organisation = get_organisation_by_ods_code(session, ods_code)
    if organisation is None:
        organisation = Organisation(ods_code=ods_code, name=name, nation=nation)
        session.add(organisation)
    else:
        organisation.name, organisation.nation = name, nation
    session.flush()
    return organisation


def upsert_patient(session: Session, nhs_number: str, **fields: object) -> Patient:
    """Create or update the patient with ``nhs_number`` (already validated); flushes."""
    patient = get_patient_by_nhs_number(session, nhs_number)
    if patient is None:
        patient = Patient(nhs_number=nhs_number, **fields)
        session.add(patient)
    else:
        for name, value in fields.items():
            setattr(patient, name, value)
    session.flush()
    return patient


def set_patient_organisations(session: Session, patient: Patient, organisations: list[Organisation]) -> None:
    """Replace the organisations caring for ``patient``; flushes."""
    wanted = {organisation.id for organisation in organisations}
    patient.organisations[:] = [link for link in patient.organisations if link.organisation_id in wanted]
    present = {link.organisation_id for link in patient.organisations}
    for organisation in organisations:
        if organisation.id not in present:
            patient.organisations.append(PatientOrganisation(organisation=organisation))
    session.flush()


def count_patients(session: Session) -> int:
    return session.execute(select(func.count()).select_from(Patient)).scalar_one()
