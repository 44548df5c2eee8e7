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
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from portal.data import accounts as account_data
from portal.data import authorities as authority_data
from portal.data import people
from portal.data.accounts import Account
from portal.data.staff import STAFF_ROLES
from portal.domain.age import age_at
from portal.domain.authority import AuthorityBasis
from portal.domain.nhs_number import NhsNumber
from portal.services import audit, authority_requests, staff_accounts
from portal.services import authority as authority_service
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


DEMO_CARER_LOGIN = "carer.evans@example.org"


def load_demo_carer(session: Session, users_file: Path, patients: list[DemoPatient],
                    now: datetime) -> dict[str, Any] | None:
    """The demo carer (the stand-in user ``DEMO_CARER_LOGIN``) holding a verified, active
    health and welfare LPA, with a capacity note, for the first adult synthetic patient; and the
    details of a second adult (with an email address or mobile, to sign in by code) to ask for
    in the demo. Adults only: an LPA's donor is 18 or over (``domain.authority.age_refusal``).
    Safe to run again."""
    if not users_file.exists():
        return None
    user = next((u for u in json.loads(users_file.read_text(encoding="utf-8")) if u["login"] == DEMO_CARER_LOGIN),
                None)
    if user is None:
        return None
    carer_patient = people.get_patient_by_nhs_number(session, NhsNumber.parse(user["nhs_number"]).value)
    account = account_data.get_account_by_subject(session, "nhs-login", user["sub"])
    if account is None:
        account = account_data.add_account(session, Account(provider="nhs-login", subject=user["sub"],
                                                            email=user.get("email"), highest_level="P9"))
    account.patient_id = carer_patient.id if carer_patient else None
    adults = [p for p in patients if age_at(p.date_of_birth, now) >= 18 and p.nhs_number != NhsNumber.parse(
        user["nhs_number"]).value]
    held = adults[0] if adults else None
    ask_for = next((p for p in adults[1:] if p.email or p.mobile), None)
    if held is None or ask_for is None:
        return None
    _ensure_lpa(session, account, held, now)
    return {"login": user["login"], "password": user["password"], "level": "P9",
            "acts_for": _described(held, "health-and-welfare-lpa (verified, active; capacity note recorded)"),
            "ask_to_act_for": {
                **_described(ask_for, "ask with reference 7000-0000-0002 as a health and welfare LPA"),
                "verifier": "authority-verifier@staff.example.org (see staff) approves it at /staff/authorities",
                "patient_signs_in": "details-and-code route with these details"
                                    + (" (code by email)" if ask_for.email else " (code by text message)")
                                    + "; their choice history names the carer"}}


def _described(patient: DemoPatient, note: str) -> dict[str, str]:
    return {"name": f"{patient.given_name} {patient.family_name}", "nhs_number": NhsNumber(patient.nhs_number).formatted,
            "date_of_birth": patient.date_of_birth.isoformat(), "postcode": patient.postcode, "note": note}


def _ensure_lpa(session: Session, account: Account, demo_patient: DemoPatient, now: datetime) -> None:
    patient = people.get_patient_by_nhs_number(session, demo_patient.nhs_number)
    if patient is None or any(a.patient_id == patient.id and a.state == "active"
                              for a in authority_data.list_authorities_for_account(session, account.id)):
        return
    actor = audit.Actor("system", "load-demo")
    authority_service.record_capacity_note(session, patient.id, lacks_capacity=True,
                                           assessed_by="Dr Demo Example, GP (demo)",
                                           assessed_on=date(2026, 1, 5), actor=actor)
    asked = authority_requests.AuthorityRequest(
        NhsNumber(patient.nhs_number), patient.date_of_birth, patient.postcode,
        AuthorityBasis.HEALTH_AND_WELFARE_LPA, "Daughter", reference="7000-0000-0001")
    authority = authority_requests.request_authority(session, account.id, account.patient_id, asked, now)
    approval = authority_service.Approval(review_on=date(now.year + 1, now.month, 1), lpa_registered=True,
                                          attorneys_act="jointly-and-severally")
    authority_service.approve(session, authority.id, approval, uuid.UUID(int=0), now)
