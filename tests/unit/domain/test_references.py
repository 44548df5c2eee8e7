"""References people read aloud and type: prefix plus two groups of 4, unambiguous alphabet."""

import random
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.domain.references import REFERENCE_ALPHABET, new_reference, normalise_reference

SHAPE = re.compile(rf"AID-[{REFERENCE_ALPHABET}]{{4}}-[{REFERENCE_ALPHABET}]{{4}}")


def test_the_alphabet_leaves_out_characters_people_misread():
    assert len(REFERENCE_ALPHABET) == len(set(REFERENCE_ALPHABET)) == 30
    assert set(REFERENCE_ALPHABET).isdisjoint("0O1ILU")
    assert set(REFERENCE_ALPHABET) <= set("23456789ABCDEFGHJKMNPQRSTVWXYZ")


def test_a_new_reference_is_the_prefix_and_two_groups_of_four():
    assert SHAPE.fullmatch(new_reference("AID"))
    assert new_reference("DSP", rng=random.Random(7)) == new_reference("DSP", rng=random.Random(7))


@pytest.mark.parametrize("prefix", ["", "aid", "A1D", "TOOLONG", "AÍD", "AID-"])
def test_a_prefix_is_1_to_6_letters(prefix):
    with pytest.raises(ValueError, match="1 to 6 letters A-Z"):
        new_reference(prefix)


@pytest.mark.parametrize(
    "typed",
    [
        "AID-4K7Q-2M9X",
        "aid-4k7q-2m9x",
        "AID4K7Q2M9X",
        "  aid 4k7q 2m9x ",
        "AID - 4K7Q - 2M9X",
        "AID–4K7Q—2M9X",  # en and em dashes pasted from a letter
        "ＡＩＤ－４Ｋ７Ｑ－２Ｍ９Ｘ",  # full-width, from some keyboards
        "AID 4K7Q2M9X",
        "AID-4K7Q-2M9X-",
    ],
)
def test_normalising_accepts_any_case_spacing_and_dashes(typed):
    assert normalise_reference(typed) == "AID-4K7Q-2M9X"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "AID",
        "AID-4K7Q-2M9",  # a character left out
        "AID-4K7Q-2M9XX",  # one too many
        "A-ID4K-7Q2M-9X",  # the first group is the prefix
        "4K7Q-2M9X",  # no prefix
        "AID-4K7Q-2M9O",  # O is never used, so no guess is made at what was meant
        "AID-4K7Q-2M90",
        "AID-1K7Q-2M9X",
        "AID-IK7Q-2M9X",
        "AID-LK7Q-2M9X",
        "AID-UK7Q-2M9X",
        "A1D-4K7Q-2M9X",
        "AID/4K7Q/2M9X",
        "TOOLONG-4K7Q-2M9X",
    ],
)
def test_normalising_refuses_what_cannot_be_a_reference(typed):
    assert normalise_reference(typed) is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("DSP-4K7Q-2M9X", "DSP-4K7Q-2M9X"),
        ("4k7q 2m9x", "DSP-4K7Q-2M9X"),
        ("dsp4k7q2m9x", "DSP-4K7Q-2M9X"),
        ("AID-4K7Q-2M9X", None),
        ("DSP4K7Q2M9", None),  # a character left out is caught when the prefix is known
        ("4K7Q2M9", None),
    ],
)
def test_with_a_known_prefix_it_may_be_left_out_but_no_other_is_accepted(typed, expected):
    assert normalise_reference(typed, prefix="DSP") == expected


@given(st.randoms(use_true_random=False), st.sampled_from(["AID", "DSP", "C"]))
def test_every_new_reference_normalises_to_itself_however_it_is_typed(rng, prefix):
    reference = new_reference(prefix, rng=rng)
    assert normalise_reference(reference) == reference
    assert normalise_reference(reference.lower().replace("-", " ")) == reference
    assert normalise_reference(reference.replace("-", "")) == reference
    assert normalise_reference(reference, prefix=prefix) == reference
