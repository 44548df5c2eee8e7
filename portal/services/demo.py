"""Synthetic demo data: about 50 patients with valid NHS numbers in the 999 test range.

Deterministic (a fixed random seed), so running it again updates the same people and creates
nothing twice. Contact details use reserved ranges only: ``example.org`` email addresses and
Ofcom's drama numbers ``07700 900000``-``07700 900999``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml
from sqlalchemy.orm import Session

from portal.data import people
from portal.domain.nhs_number import NhsNumber

DEMO_SEED = 20261130
DEMO_PATIENT_COUNT = 50
GIVEN_NAMES = (
    "Siân", "Zoë", "Renée", "Aoife", "Niamh", "Seán", "Chloé", "José", "Łukasz", "Ayşe",
    "Mohammed", "Fatima", "Olusegun", "Priya", "Gareth", "Rhiannon", "Dafydd", "Maria",
    "Amir", "Yusuf", "Grace", "Thomas", "Emily", "Oliver", "Noor", "Bethan", "Kwame", "Mei",
)
FAMILY_NAMES = (
    "O'Brien", "D'Souza", "Nuñez", "Müller", "Ní Bhriain", "Jones", "Davies", "Khan",
    "Ahmed", "Öztürk", "Kowalczyk", "Okafor", "Patel", "Evans", "Smith", "Williams",
    "MacLeod", "Le Roux", "Begum", "Chen", "Hughes", "St John", "Llewellyn", "Nowak",
)
POSTCODES = ("EC1V 2PD", "TA1 5DA", "W2 1NY", "CF14 4XW", "LS9 7TF", "SA6 6NL", "M13 9WL",
             "B15 2TH", "NE1 4LP", "BS2 8HW", "LL57 2PW", "SW17 0QT")


@dataclass(frozen=True)
class DemoPatient:
    nhs_number: str
    given_name: str
    family_name: str
    date_of_birth: date
    postcode: str
    email: str | None
    mobile: str | None
    organisation_codes: tuple[str, ...]


def demo_patients(organisation_codes: list[str], count: int = DEMO_PATIENT_COUNT) -> list[DemoPatient]:
    """The demo people, the same every time. Patient 0 has no organisations on record;
    every seventh has no contact details (to show the "get help" route)."""
    rng = random.Random(DEMO_SEED)
    patients: list[DemoPatient] = []
    prefix = 999_000_000
    while len(patients) < count:
        prefix += 1
        number = NhsNumber.from_prefix(str(prefix))
        if number is None:
            continue
        index = len(patients)
        given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
        born = date(rng.randint(1932, 2020), rng.randint(1, 12), rng.randint(1, 28))
        local = f"{given}.{family}".lower().replace("'", "").replace(" ", "")
        local = local.encode("ascii", "ignore").decode() or f"patient{index}"
        no_contact = index % 7 == 6
        email = None if no_contact else f"{local}.{index}@example.org"
        mobile = None if no_contact or index % 3 == 1 else f"07700 900{index:03d}"
        orgs = () if index == 0 or not organisation_codes else tuple(
            sorted(rng.sample(organisation_codes, k=min(len(organisation_codes), rng.randint(1, 3))))
        )
        patients.append(DemoPatient(number.value, given, family, born, rng.choice(POSTCODES),
                                    email, mobile, orgs))
    return patients


def load_organisations(session: Session, register_file: Path) -> list[str]:
    """Upsert the organisations listed in the register file; return their ODS codes."""
    if not register_file.exists():
        return []
    data = yaml.safe_load(register_file.read_text(encoding="utf-8")) or {}
    codes = []
    for item in data.get("organisations", []):
        people.upsert_organisation(session, item["ods_code"], item["name"], item["nation"])
        codes.append(item["ods_code"])
    return codes


def load_demo_patients(session: Session, organisation_codes: list[str]) -> list[DemoPatient]:
    """Upsert the demo patients and their organisations; flushes, never commits."""
    patients = demo_patients(organisation_codes)
    for demo in patients:
        patient = people.upsert_patient(
            session, demo.nhs_number, given_name=demo.given_name, family_name=demo.family_name,
            date_of_birth=demo.date_of_birth, postcode=demo.postcode, email=demo.email,
            mobile=demo.mobile, source="epr",
        )
        organisations = [people.get_organisation_by_ods_code(session, code) for code in demo.organisation_codes]
        people.set_patient_organisations(session, patient, [o for o in organisations if o is not None])
    return patients
