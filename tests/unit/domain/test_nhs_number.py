"""NHS numbers: 10 digits with a modulus 11 check digit (NHS Data Dictionary)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.domain.errors import DomainError
from portal.domain.nhs_number import InvalidNhsNumber, NhsNumber, is_valid

nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)


def valid_numbers():
    return nine_digits.map(NhsNumber.from_prefix).filter(lambda number: number is not None)


@pytest.mark.parametrize(
    "text",
    [
        "9434765919",
        "943 476 5919",
        "943-476-5919",
        " 9434765919 ",
        "\t943 476 5919\n",
        "94 34 76 59 19",
        "943--476  5919",
    ],
)
def test_a_valid_number_is_accepted_with_spaces_or_dashes_anywhere(text):
    assert NhsNumber.parse(text) == NhsNumber("9434765919")
    assert is_valid(text)


@pytest.mark.parametrize(
    ("text", "reason", "message"),
    [
        ("", "empty", "Enter your NHS number"),
        ("   ", "empty", "Enter your NHS number"),
        (" - ", "empty", "Enter your NHS number"),
        ("943476591", "not-10-digits", "Enter a 10 digit NHS number"),
        ("94347659190", "not-10-digits", "Enter a 10 digit NHS number"),
        ("943476591A", "not-10-digits", "Enter a 10 digit NHS number"),
        ("943.476.5919", "not-10-digits", "Enter a 10 digit NHS number"),
        ("943/476/5919", "not-10-digits", "Enter a 10 digit NHS number"),
        ("+9434765919", "not-10-digits", "Enter a 10 digit NHS number"),
        ("943\t476\t5919", "not-10-digits", "Enter a 10 digit NHS number"),
        ("٩٤٣٤٧٦٥٩١٩", "not-10-digits", "Enter a 10 digit NHS number"),
        ("９４３４７６５９１９", "not-10-digits", "Enter a 10 digit NHS number"),
        ("9434765918", "check-digit", "Your NHS number is not right. Check it and try again"),
        ("9990000019", "check-digit", "Your NHS number is not right. Check it and try again"),
        ("9990000000", "check-digit", "Your NHS number is not right. Check it and try again"),
    ],
    ids=lambda value: repr(value) if isinstance(value, str) else None,
)
def test_anything_else_is_refused_with_its_reason(text, reason, message):
    with pytest.raises(InvalidNhsNumber) as raised:
        NhsNumber.parse(text)
    assert raised.value.reason == reason
    assert raised.value.message == message
    assert str(raised.value) == message
    assert isinstance(raised.value, DomainError)
    assert not is_valid(text)


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        # comments: sum weighted 10..2, its remainder mod 11, 11 - remainder -> check digit
        ("943476591", "9434765919"),  # 299, 2, 9 -> 9
        ("999000001", "9990000018"),  # 245, 3, 8 -> 8
        ("999000002", "9990000026"),  # 247, 5, 6 -> 6
        ("999000005", "9990000050"),  # 253, 0, 11 -> 0
        ("999000000", None),  # 243, 1, 10 -> no valid number starts 999 000 000
    ],
)
def test_from_prefix_appends_the_modulus_11_check_digit(prefix, expected):
    number = NhsNumber.from_prefix(prefix)
    assert (None if number is None else number.value) == expected


@pytest.mark.parametrize("text", ["99900001", "9990000130", "99900001A", " 999000013"])
def test_from_prefix_needs_exactly_nine_digits(text):
    with pytest.raises(ValueError, match="nine digits"):
        NhsNumber.from_prefix(text)


def test_shown_grouped_3_3_4_masked_to_the_last_3_and_stored_as_10_digits():
    number = NhsNumber.parse("943-476-5919")
    assert number.value == "9434765919"
    assert str(number) == "9434765919"
    assert number.formatted == "943 476 5919"
    assert number.masked == "••• ••• •919"


def test_repr_does_not_reveal_the_number_in_logs_or_tracebacks():
    assert repr(NhsNumber("9434765919")) == "NhsNumber('••• ••• •919')"


def test_constructing_directly_still_checks_the_number():
    with pytest.raises(InvalidNhsNumber) as raised:
        NhsNumber("9434765918")
    assert raised.value.reason == "check-digit"
    with pytest.raises(InvalidNhsNumber) as raised:
        NhsNumber("943 476 5919")
    assert raised.value.reason == "not-10-digits"


def test_is_valid_is_also_on_the_class():
    assert NhsNumber.is_valid("943 476 5919")
    assert not NhsNumber.is_valid("943 476 5918")


@given(nine_digits)
def test_from_prefix_then_parse_round_trips(prefix):
    number = NhsNumber.from_prefix(prefix)
    if number is None:
        return
    assert number.value.startswith(prefix)
    assert NhsNumber.parse(str(number)) == number
    assert NhsNumber.parse(number.formatted) == number
    assert NhsNumber.parse(number.formatted.replace(" ", "-")) == number


@given(valid_numbers(), st.integers(0, 9), st.integers(1, 9))
def test_modulus_11_catches_every_single_digit_error(number, position, change):
    # Changing digit i < 9 by d (1..9) changes the weighted sum by w*d with w in 2..10;
    # 11 is prime and divides neither, so the remainder and hence the expected check
    # digit change. Changing the check digit itself can only make it wrong.
    digits = list(number.value)
    digits[position] = str((int(digits[position]) + change) % 10)
    with pytest.raises(InvalidNhsNumber) as raised:
        NhsNumber.parse("".join(digits))
    assert raised.value.reason == "check-digit"


@given(valid_numbers(), st.integers(0, 7))
def test_modulus_11_catches_swapping_two_different_neighbours_in_the_first_nine(
    number, position
):
    digits = list(number.value)
    if digits[position] == digits[position + 1]:
        return
    digits[position], digits[position + 1] = digits[position + 1], digits[position]
    assert not is_valid("".join(digits))
