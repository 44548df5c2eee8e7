"""NHS numbers: ten digits, the last a modulus 11 check digit.

Source: NHS Data Dictionary, "NHS Number" (check digit validation): multiply each of the
first nine digits by a weight from 10 down to 2, sum, take the remainder on division by 11,
and subtract it from 11. A result of 11 gives a check digit of 0; a result of 10 means the
nine digits can never form a valid NHS number.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from portal.domain.errors import DomainError

_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)
_DIGITS = frozenset("0123456789")
_SEPARATORS = str.maketrans("", "", " -")


class NhsNumberProblem(StrEnum):
    """Why a piece of text is not an NHS number."""

    EMPTY = "empty"
    NOT_10_DIGITS = "not-10-digits"
    CHECK_DIGIT = "check-digit"


_MESSAGES = {
    NhsNumberProblem.EMPTY: "Enter your NHS number",
    NhsNumberProblem.NOT_10_DIGITS: "Enter a 10 digit NHS number",
    NhsNumberProblem.CHECK_DIGIT: "Your NHS number is not right. Check it and try again",
}


class InvalidNhsNumber(DomainError):
    """Text that is not a valid NHS number.

    ``reason`` is an ``NhsNumberProblem`` (a ``str``: ``"empty"``, ``"not-10-digits"`` or
    ``"check-digit"``); ``message`` is what to tell the person, in NHS voice.
    """

    def __init__(self, reason: NhsNumberProblem) -> None:
        self.reason = reason
        self.message = _MESSAGES[reason]
        super().__init__(self.message)


def _check_digit(nine_digits: str) -> int | None:
    """The modulus 11 check digit for nine ASCII digits, or None if it would be 10."""
    total = sum(int(digit) * weight for digit, weight in zip(nine_digits, _WEIGHTS))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def _is_ascii_digits(text: str, length: int) -> bool:
    return len(text) == length and set(text) <= _DIGITS


@dataclass(frozen=True, slots=True, repr=False)
class NhsNumber:
    """A valid NHS number. ``value`` is exactly 10 ASCII digits, no spaces.

    Build one with ``NhsNumber.parse(text)``; constructing it directly with anything that
    is not a valid number raises ``InvalidNhsNumber`` too. ``repr()`` shows only the last
    3 digits, so a number that reaches a log or a traceback does not identify anyone;
    ``str()`` gives the 10 digits.
    """

    value: str

    def __post_init__(self) -> None:
        if not _is_ascii_digits(self.value, 10):
            raise InvalidNhsNumber(NhsNumberProblem.NOT_10_DIGITS)
        if _check_digit(self.value[:9]) != int(self.value[9]):
            raise InvalidNhsNumber(NhsNumberProblem.CHECK_DIGIT)

    @classmethod
    def parse(cls, text: str) -> NhsNumber:
        """Read an NHS number as a person types it.

        Spaces and hyphens are ignored wherever they are ("943 476 5919", "943-476-5919",
        " 9434765919 "); anything else that is not one of 10 digits (0 to 9) is refused.
        Raises ``InvalidNhsNumber`` with reason ``empty`` (nothing but spaces),
        ``not-10-digits`` or ``check-digit``.
        """
        compact = text.strip().translate(_SEPARATORS)
        if not compact:
            raise InvalidNhsNumber(NhsNumberProblem.EMPTY)
        return cls(compact)

    @classmethod
    def from_prefix(cls, nine_digits: str) -> NhsNumber | None:
        """Complete nine digits with their check digit, for test and demonstration data.

        Returns None when the check digit would be 10 (no valid number starts with those
        nine digits). Raises ``ValueError`` if ``nine_digits`` is not nine ASCII digits.
        Use the 999 range (``999 000 001`` ...) for test patients: it is never issued.
        """
        if not _is_ascii_digits(nine_digits, 9):
            raise ValueError("from_prefix needs exactly nine digits")
        check = _check_digit(nine_digits)
        return None if check is None else cls(f"{nine_digits}{check}")

    @property
    def formatted(self) -> str:
        """The number grouped 3 3 4 as the NHS prints it: ``"943 476 5919"``."""
        return f"{self.value[:3]} {self.value[3:6]} {self.value[6:]}"

    @property
    def masked(self) -> str:
        """Only the last 3 digits shown, for pages that confirm whose record this is:
        ``"••• ••• •919"``."""
        return f"••• ••• •{self.value[7:]}"

    @staticmethod
    def is_valid(text: str) -> bool:
        """True if ``NhsNumber.parse(text)`` would succeed."""
        return is_valid(text)

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return f"NhsNumber({self.masked!r})"


def is_valid(text: str) -> bool:
    """True if ``NhsNumber.parse(text)`` would succeed."""
    try:
        NhsNumber.parse(text)
    except InvalidNhsNumber:
        return False
    return True
