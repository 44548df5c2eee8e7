"""Resolving many NHS numbers to patients at once (batch checks).

PostgreSQL takes the whole chunk as one array parameter (``= ANY(:numbers)``); SQLite takes
an ``IN`` list (TOOLCHAIN.md: chunks of about 30,000 are its fastest plain path).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import String, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from portal.data.people import Patient

CHUNK_SIZE = 30_000


def list_patient_ids_for_nhs_numbers(session: Session, nhs_numbers: Sequence[str]) -> list[tuple[str, uuid.UUID]]:
    """(NHS number, patient id) for each of ``nhs_numbers`` the portal knows, by NHS number.
    Pass at most ``CHUNK_SIZE`` numbers (10 digits each, already validated)."""
    if not nhs_numbers:
        return []
    statement = select(Patient.nhs_number, Patient.id).order_by(Patient.nhs_number)
    if session.get_bind().dialect.name == "postgresql":
        numbers = bindparam("numbers", list(nhs_numbers), type_=ARRAY(String(10)))
        statement = statement.where(Patient.nhs_number == any_(numbers))
    else:
        statement = statement.where(Patient.nhs_number.in_(list(nhs_numbers)))
    return [(number, patient_id) for number, patient_id in session.execute(statement)]
