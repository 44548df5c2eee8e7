"""The vocabulary: stored values and FHIR codes are part of the contract."""

import pytest

from portal.domain.values import DATA_PURPOSES, ActorKind, Basis, Category, Channel
from portal.domain.values import ConsentModel, Decision, Purpose


@pytest.mark.parametrize(
    ("purpose", "fhir_code"),
    [
        (Purpose.CARE, "TREATDS"),
        (Purpose.IMPROVEMENT, "MLTRAINING"),
        (Purpose.RESEARCH, "HRESCH"),
    ],
)
def test_each_purpose_has_its_fhir_purpose_of_use_code(purpose, fhir_code):
    assert purpose.fhir_code == fhir_code


def test_data_purposes_are_improvement_and_research_not_care():
    assert DATA_PURPOSES == {Purpose.IMPROVEMENT, Purpose.RESEARCH}


@pytest.mark.parametrize(
    ("enum", "values"),
    [
        (Purpose, ["care", "improvement", "research"]),
        (Decision, ["permit", "deny", "clear"]),
        (ConsentModel, ["opt-in", "opt-out", "no-choice"]),
        (
            Basis,
            ["choice", "all-tools-choice", "default-opt-in", "default-opt-out", "no-choice"],
        ),
        (
            Category,
            [
                "administration",
                "clinical-decision-making",
                "service-delivery",
                "population-health",
                "research",
            ],
        ),
        (Channel, ["web", "phone", "paper", "api"]),
        (ActorKind, ["self", "representative", "staff"]),
    ],
)
def test_stored_values_are_the_designs_words(enum, values):
    assert [member.value for member in enum] == values


def test_values_are_strings_so_they_store_and_serialise_as_themselves():
    assert Purpose("care") is Purpose.CARE
    assert ConsentModel.OPT_IN == "opt-in"
    assert f"{Decision.DENY}" == "deny"
