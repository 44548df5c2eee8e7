"""Carers' legal authority to act for a patient: bases, states, reasons and what each covers.

Source: DESIGN.md section 3 "Authority" and issue 7. Pure rules, no storage:

- ``transition(state, to)`` is the state machine; anything it does not allow raises
  ``InvalidTransition``. ``requested`` -> ``verified`` | ``rejected`` | ``withdrawn``;
  ``verified`` -> ``active``; ``active`` <-> ``suspended``; ``active`` -> ``review-due`` ->
  ``active`` | ``ended``; any state that is not final -> ``ended``.
- ``purposes_covered(basis)``: a property and financial affairs LPA decides only the data
  purposes (``improvement``, ``research``), as the National Data Opt-out accepts; every other
  basis covers all purposes.
- ``needs_capacity_note(basis)``: an LPA or a deputy acts only where a capacity note records
  that the patient lacks capacity for decisions about AI in their care.
- ``age_refusal(basis, age)``: which basis a person's age rules out (parental responsibility
  under 16; an LPA 18 or over, Mental Capacity Act 2005 s.9(2)(c); a personal welfare deputy
  16 or over, Mental Capacity Act 2005 s.2(5)).
- ``normalise_lpa_reference`` / ``normalise_court_order_number``: shape checks only (the
  portal cannot ask the OPG or the court whether a reference is real; a verifier does).
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from portal.domain.errors import InvalidTransition
from portal.domain.values import DATA_PURPOSES, Purpose


class AuthorityBasis(StrEnum):
    HEALTH_AND_WELFARE_LPA = "health-and-welfare-lpa"
    PROPERTY_AND_FINANCIAL_LPA = "property-and-financial-lpa"
    PERSONAL_WELFARE_DEPUTY = "personal-welfare-deputy"
    PARENTAL_RESPONSIBILITY = "parental-responsibility"
    PATIENT_NOMINATED = "patient-nominated"


class AuthorityState(StrEnum):
    REQUESTED = "requested"
    VERIFIED = "verified"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVIEW_DUE = "review-due"
    ENDED = "ended"


class AuthorityReason(StrEnum):
    """Coded reasons for a change of state (DESIGN.md section 3), plus the plain steps."""

    REVOKED_BY_CARER = "revoked-by-carer"
    ENDED_BY_PATIENT = "ended-by-patient"
    EXPIRED = "expired"
    CHILD_REACHED_16 = "child-reached-16"
    DEPUTYSHIP_ENDED = "deputyship-ended"
    PATIENT_DIED = "patient-died"
    CAPACITY_REGAINED = "capacity-regained"
    SAFEGUARDING = "safeguarding"
    NO_LEGAL_BASIS = "no-legal-basis"
    EVIDENCE_UNCLEAR = "evidence-unclear"
    DOES_NOT_MATCH_PATIENT = "does-not-match-patient"
    # Steps that are not endings: asked, checked, reviewed.
    REQUESTED = "requested"
    WITHDRAWN_BY_REQUESTER = "withdrawn-by-requester"
    VERIFIED = "verified"
    CHILD_REACHED_13 = "child-reached-13"
    REVIEW_CONFIRMED = "review-confirmed"
    SUSPENSION_LIFTED = "suspension-lifted"
    # A nomination: the patient confirms or declines it; it lapses when they lose capacity.
    PATIENT_CONFIRMED = "patient-confirmed"
    DECLINED_BY_PATIENT = "declined-by-patient"
    CAPACITY_LOST = "capacity-lost"
    # A young person of 13 or over made a choice themselves: the parent's authority is reviewed.
    YOUNG_PERSON_CHOSE = "young-person-chose"


REJECTION_REASONS = (AuthorityReason.NO_LEGAL_BASIS, AuthorityReason.EVIDENCE_UNCLEAR,
                     AuthorityReason.DOES_NOT_MATCH_PATIENT, AuthorityReason.SAFEGUARDING)
"""The coded reasons a verifier may give for rejecting a request (issue 7, point 4)."""

STAFF_ENDING_REASONS = (AuthorityReason.PATIENT_DIED, AuthorityReason.DEPUTYSHIP_ENDED,
                        AuthorityReason.CAPACITY_REGAINED, AuthorityReason.SAFEGUARDING,
                        AuthorityReason.NO_LEGAL_BASIS, AuthorityReason.EXPIRED)
"""The coded reasons staff may give for ending an authority."""

_FINAL = frozenset({AuthorityState.REJECTED, AuthorityState.WITHDRAWN, AuthorityState.ENDED})

_ALLOWED: dict[AuthorityState, frozenset[AuthorityState]] = {
    AuthorityState.REQUESTED: frozenset({AuthorityState.VERIFIED, AuthorityState.REJECTED,
                                         AuthorityState.WITHDRAWN}),
    AuthorityState.VERIFIED: frozenset({AuthorityState.ACTIVE}),
    AuthorityState.ACTIVE: frozenset({AuthorityState.SUSPENDED, AuthorityState.REVIEW_DUE}),
    AuthorityState.SUSPENDED: frozenset({AuthorityState.ACTIVE}),
    AuthorityState.REVIEW_DUE: frozenset({AuthorityState.ACTIVE}),
}


def transition(state: AuthorityState | str, to: AuthorityState | str) -> AuthorityState:
    """The new state, if ``state`` -> ``to`` is allowed; else ``InvalidTransition``.

    Any state that is not final (rejected, withdrawn, ended) may go to ``ended``."""
    current, target = AuthorityState(state), AuthorityState(to)
    if target is AuthorityState.ENDED and current not in _FINAL:
        return target
    if target in _ALLOWED.get(current, frozenset()):
        return target
    raise InvalidTransition(f"an authority cannot go from {current.value} to {target.value}")


def is_final(state: AuthorityState | str) -> bool:
    return AuthorityState(state) in _FINAL


def purposes_covered(basis: AuthorityBasis | str) -> frozenset[Purpose]:
    """The purposes a representative on ``basis`` may decide."""
    if AuthorityBasis(basis) is AuthorityBasis.PROPERTY_AND_FINANCIAL_LPA:
        return DATA_PURPOSES
    return frozenset(Purpose)


def needs_capacity_note(basis: AuthorityBasis | str) -> bool:
    """True for an LPA or a deputy: they act only where the patient lacks capacity."""
    return AuthorityBasis(basis) in {AuthorityBasis.HEALTH_AND_WELFARE_LPA,
                                     AuthorityBasis.PROPERTY_AND_FINANCIAL_LPA,
                                     AuthorityBasis.PERSONAL_WELFARE_DEPUTY}


def is_lpa(basis: AuthorityBasis | str) -> bool:
    return AuthorityBasis(basis) in {AuthorityBasis.HEALTH_AND_WELFARE_LPA,
                                     AuthorityBasis.PROPERTY_AND_FINANCIAL_LPA}


def age_refusal(basis: AuthorityBasis | str, age: int) -> str | None:
    """Why a person aged ``age`` (completed years) cannot be represented on ``basis``, or None.

    - ``child-16-or-over``: parental responsibility is for a child under 16 (DESIGN.md section 3);
    - ``lpa-under-18``: a lasting power of attorney (either kind) is made by a donor who has
      reached 18 (Mental Capacity Act 2005 section 9(2)(c));
    - ``deputy-under-16``: the Court of Protection's powers to appoint a deputy (sections 16
      to 19) are not exercisable for a person under 16 (Mental Capacity Act 2005 section 2(5);
      the one exception, section 18(3), is property and affairs, not personal welfare).
    """
    basis = AuthorityBasis(basis)
    if basis is AuthorityBasis.PARENTAL_RESPONSIBILITY and age >= 16:
        return "child-16-or-over"
    if is_lpa(basis) and age < 18:
        return "lpa-under-18"
    if basis is AuthorityBasis.PERSONAL_WELFARE_DEPUTY and age < 16:
        return "deputy-under-16"
    return None


# Reference shapes ---------------------------------------------------------------------------

_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]+")
_OPG_NUMBER = re.compile(r"7\d{11}")
_OPG_CODED = re.compile(r"([MV])([A-Z0-9]{12})")
_COURT_ORDER = re.compile(r"\d{7}[0-9A-Z]")


def _compact(text: str) -> str:
    return "".join(_SEPARATORS.split(unicodedata.normalize("NFKC", text).upper().strip()))


def normalise_lpa_reference(text: str) -> str | None:
    """The canonical form of an LPA reference as typed, or None if it has neither shape.

    Accepted (shape only; any case, spaces or dashes):

    - an OPG LPA reference number from a paper or older online LPA: 12 digits starting
      with 7, written ``7000-1234-5678``;
    - an LPA reference from the OPG's newer online service: ``M-`` and 12 letters or
      digits, written ``M-ABCD-1234-EFGH``;
    - an access code from the OPG's "use a lasting power of attorney" service, which a
      donor or attorney gives to an organisation: ``V-`` and 12 letters or digits,
      written ``V-ABCD-1234-EFGH``.
    """
    compact = _compact(text)
    if _OPG_NUMBER.fullmatch(compact):
        return f"{compact[:4]}-{compact[4:8]}-{compact[8:]}"
    match = _OPG_CODED.fullmatch(compact)
    if match:
        body = match.group(2)
        return f"{match.group(1)}-{body[:4]}-{body[4:8]}-{body[8:]}"
    return None


def normalise_court_order_number(text: str) -> str | None:
    """A Court of Protection case number as typed, canonical, or None.

    Shape accepted: 8 characters, 7 digits then a digit or a letter (``12345678``,
    ``1234567T``), spaces and dashes ignored. Shape only."""
    compact = _compact(text)
    return compact if _COURT_ORDER.fullmatch(compact) else None
