"""The portal's vocabulary: purposes, decisions, consent models and the other closed sets.

Values are the strings stored in the database and sent over the API, so never rename one;
add a member and a migration instead. Source: DESIGN.md section 3 "Domain model".
"""

from __future__ import annotations

from enum import StrEnum


class Purpose(StrEnum):
    """What a tool does with the patient: used in their care, or their data used for it."""

    CARE = "care"
    IMPROVEMENT = "improvement"
    RESEARCH = "research"

    @property
    def fhir_code(self) -> str:
        """The FHIR Consent ``provision.purpose`` code (HL7 v3 PurposeOfUse):
        ``TREATDS`` (treatment decision support), ``MLTRAINING`` (machine learning
        training), ``HRESCH`` (healthcare research)."""
        return _FHIR_CODES[self]


_FHIR_CODES = {
    Purpose.CARE: "TREATDS",
    Purpose.IMPROVEMENT: "MLTRAINING",
    Purpose.RESEARCH: "HRESCH",
}

DATA_PURPOSES = frozenset({Purpose.IMPROVEMENT, Purpose.RESEARCH})
"""Purposes that use the patient's data rather than act in their care: the only ones a
property and financial affairs LPA may decide (as the National Data Opt-out accepts)."""


class Decision(StrEnum):
    """What a recorded choice says. ``clear`` withdraws the earlier choice it follows."""

    PERMIT = "permit"
    DENY = "deny"
    CLEAR = "clear"


class ConsentModel(StrEnum):
    """How a tool's purpose treats a patient who has said nothing."""

    OPT_IN = "opt-in"  # not used unless the patient agrees
    OPT_OUT = "opt-out"  # used unless the patient says no
    NO_CHOICE = "no-choice"  # used on a stated legal basis; the patient may object


class Basis(StrEnum):
    """Why an effective decision is what it is (see ``portal.domain.decision``)."""

    CHOICE = "choice"
    ALL_TOOLS_CHOICE = "all-tools-choice"
    DEFAULT_OPT_IN = "default-opt-in"
    DEFAULT_OPT_OUT = "default-opt-out"
    NO_CHOICE = "no-choice"


class Category(StrEnum):
    """The five uses of AI in the BMA paper, used to group the register."""

    ADMINISTRATION = "administration"
    CLINICAL_DECISION_MAKING = "clinical-decision-making"
    SERVICE_DELIVERY = "service-delivery"
    POPULATION_HEALTH = "population-health"
    RESEARCH = "research"


class Channel(StrEnum):
    """How a choice reached the portal."""

    WEB = "web"
    PHONE = "phone"
    PAPER = "paper"
    API = "api"


class ActorKind(StrEnum):
    """Who recorded a choice: the patient, a carer under an authority, or staff for them."""

    SELF = "self"
    REPRESENTATIVE = "representative"
    STAFF = "staff"
