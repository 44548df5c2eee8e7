"""Small factories for test data. Each returns flushed rows; the caller commits if needed."""

from __future__ import annotations

import itertools
from datetime import date

from sqlalchemy.orm import Session

from portal.data import people
from portal.domain.nhs_number import NhsNumber

_prefixes = itertools.count(999_100_000)


def next_nhs_number() -> str:
    """A fresh valid NHS number in the 999 test range."""
    while True:
        number = NhsNumber.from_prefix(str(next(_prefixes)))
        if number is not None:
            return number.value


def make_patient(session: Session, **fields: object) -> people.Patient:
    values = {
        "given_name": "Siân", "family_name": "O'Brien", "date_of_birth": date(1980, 2, 29),
        "postcode": "CF14 4XW", "email": "sian.obrien@example.org", "mobile": "07700 900123",
    }
    values.update(fields)
    nhs_number = str(values.pop("nhs_number", next_nhs_number()))
    return people.upsert_patient(session, nhs_number, **values)
