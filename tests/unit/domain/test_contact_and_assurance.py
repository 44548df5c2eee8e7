"""Masked contact details, postcodes, and levels of assurance from vectors of trust."""

import pytest

from portal.domain.assurance import AssuranceError, higher, level_achieved, meets, vectors_for
from portal.domain.contact import compact_postcode, format_postcode, is_valid_postcode, mask_email, mask_mobile


@pytest.mark.parametrize(("address", "shown"), [
    ("amelia.hughes@example.org", "a•••@example.org"),
    ("A@nhs.net", "A•••@nhs.net"),
])
def test_an_email_address_shows_only_its_first_letter_and_domain(address, shown):
    assert mask_email(address) == shown


@pytest.mark.parametrize(("number", "shown"), [("07700 900123", "07••• ••• 123"), ("+447700900123", "44••• ••• 123")])
def test_a_mobile_number_shows_only_its_first_two_and_last_three_digits(number, shown):
    assert mask_mobile(number) == shown


@pytest.mark.parametrize("bad", ["no-at-sign", "@example.org", "someone@"])
def test_masking_refuses_what_is_not_an_email_address(bad):
    with pytest.raises(ValueError):
        mask_email(bad)


@pytest.mark.parametrize(("typed", "compact", "printed"), [
    (" cf14 4xw ", "CF144XW", "CF14 4XW"), ("sw1a1aa", "SW1A1AA", "SW1A 1AA"), ("M1  1AE", "M11AE", "M1 1AE"),
])
def test_postcodes_compare_however_they_are_typed(typed, compact, printed):
    assert compact_postcode(typed) == compact and format_postcode(typed) == printed and is_valid_postcode(typed)


@pytest.mark.parametrize("bad", ["", "not a postcode", "12345", "CF14"])
def test_malformed_postcodes_are_refused(bad):
    assert not is_valid_postcode(bad)


def test_vectors_asked_for_each_level():
    assert vectors_for("P5") == ["P5.Cp.Cd", "P5.Cp.Ck", "P5.Cm"]
    assert vectors_for("P9") == ["P9.Cp.Cd", "P9.Cp.Ck", "P9.Cm"]
    with pytest.raises(ValueError):
        vectors_for("P0")


def test_the_level_achieved_must_be_one_of_the_vectors_asked_for():
    assert level_achieved("P9.Cp.Cd", vectors_for("P9")) == "P9"
    for vot in ("P5.Cp.Cd", None, 9, "P9.Cp"):
        with pytest.raises(AssuranceError):
            level_achieved(vot, vectors_for("P9"))


def test_levels_compare():
    assert meets("P9", "P5") and not meets("P5", "P9") and higher("P5", "P9") == "P9" and higher("P9", "P0") == "P9"
