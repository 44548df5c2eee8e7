"""Demo sign-in accounts: patients who sign in through the NHS login stand-in (``idp/``) or
the details-and-code route, and one staff member per role (DESIGN.md section 4).

Deterministic, so running it again changes nothing: the stand-in's users become Patients with
the same NHS numbers, and each staff member's TOTP secret is derived from a fixed seed.
Everything here is made up (999 NHS numbers, example.org, Ofcom drama numbers).
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from portal.data import people
from portal.data.staff import STAFF_ROLES
from portal.domain.nhs_number import NhsNumber
from portal.services import staff_accounts
from portal.services.demo import DemoPatient

DEMO_STAFF_PASSWORD = "demo-staff-password"
IDP_PATIENT_POSTCODES = ("LS1 4AP", "CF10 1EP", "M1 1AE", "B1 1BB", "SW1A 2AA")


def _mobile(phone: str | None) -> str | None:
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    return f"{digits[:5]} {digits[5:]}" if len(digits) == 11 else None


def load_identity_provider_patients(session: Session, users_file: Path) -> list[dict[str, Any]]:
    """Upsert a Patient for each user of the stand-in's users file; return them for the list
    of demo accounts (login, password, level, NHS number, postcode)."""
    if not users_file.exists():
        return []
    users = json.loads(users_file.read_text(encoding="utf-8"))
    listed = []
    for index, user in enumerate(users):
        number = NhsNumber.parse(user["nhs_number"])
        postcode = IDP_PATIENT_POSTCODES[index % len(IDP_PATIENT_POSTCODES)]
        people.upsert_patient(
            session, number.value, given_name=user.get("given_name", ""), family_name=user.get("family_name", ""),
            date_of_birth=date.fromisoformat(user["birthdate"]), postcode=postcode,
            email=user.get("email"), mobile=_mobile(user.get("phone_number")), source="epr",
        )
        listed.append({"login": user["login"], "password": user["password"],
                       "level": user["identity_proofing_level"], "nhs_number": number.formatted,
                       "date_of_birth": user["birthdate"], "postcode": postcode,
                       "test_behaviour": user.get("test_behaviour")})
    return listed


def code_route_examples(patients: list[DemoPatient]) -> list[dict[str, Any]]:
    """Three demo patients for the details-and-code route: code by email, by text message,
    and one with no contact details (who is told how to get help)."""
    picks = [next((p for p in patients if p.email), None),
             next((p for p in patients if p.mobile and not p.email), None),
             next((p for p in patients if not p.email and not p.mobile), None)]
    what = ("code by email", "code by text message", "no contact details: shown how to get help")
    return [{"nhs_number": NhsNumber(p.nhs_number).formatted, "date_of_birth": p.date_of_birth.isoformat(),
             "postcode": p.postcode, "expect": expect}
            for p, expect in zip(picks, what, strict=True) if p is not None]


def demo_totp_secret(role: str) -> str:
    """A fixed base32 TOTP secret per demo role (demo data only)."""
    digest = hashlib.sha256(f"ai-choices-portal demo staff {role}".encode()).digest()
    return base64.b32encode(digest[:20]).decode()


def load_demo_staff(session: Session, secret_key: str, now: datetime) -> list[dict[str, Any]]:
    """One ready staff member per role; returns their sign-in details."""
    listed = []
    for role in STAFF_ROLES:
        email, secret = f"{role}@staff.example.org", demo_totp_secret(role)
        user = staff_accounts.set_up_for_demo(session, email, (role,), DEMO_STAFF_PASSWORD, secret, secret_key, now)
        listed.append({"email": email, "password": DEMO_STAFF_PASSWORD, "roles": [role], "totp_secret": secret,
                       "otpauth_uri": staff_accounts.provisioning_uri(user, secret)})
    return listed
