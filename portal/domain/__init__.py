"""The portal's domain: vocabulary, value objects, errors and the rules that hold everywhere.

Pure Python (standard library and ``zoneinfo`` only); imports nothing else from ``portal``.
Source of every rule: DESIGN.md section 3 "Domain model".
"""

from portal.domain.age import age_at, birthday_in_year, date_reaching_age, instant_reaching_age
from portal.domain.decision import (
    ChoiceFact,
    EffectiveDecision,
    PurposePolicy,
    decide,
    decide_many,
    validate_new_choice,
)
from portal.domain.errors import (
    DomainError,
    InvalidChoice,
    InvalidTransition,
    NotFound,
    NotPermitted,
)
from portal.domain.nhs_number import InvalidNhsNumber, NhsNumber, NhsNumberProblem, is_valid
from portal.domain.references import REFERENCE_ALPHABET, new_reference, normalise_reference
from portal.domain.values import (
    DATA_PURPOSES,
    ActorKind,
    Basis,
    Category,
    Channel,
    ConsentModel,
    Decision,
    Purpose,
)

__all__ = [
    "DATA_PURPOSES",
    "REFERENCE_ALPHABET",
    "ActorKind",
    "Basis",
    "Category",
    "Channel",
    "ChoiceFact",
    "ConsentModel",
    "Decision",
    "DomainError",
    "EffectiveDecision",
    "InvalidChoice",
    "InvalidNhsNumber",
    "InvalidTransition",
    "NhsNumber",
    "NhsNumberProblem",
    "NotFound",
    "NotPermitted",
    "Purpose",
    "PurposePolicy",
    "age_at",
    "birthday_in_year",
    "date_reaching_age",
    "decide",
    "decide_many",
    "instant_reaching_age",
    "is_valid",
    "new_reference",
    "normalise_reference",
    "validate_new_choice",
]
