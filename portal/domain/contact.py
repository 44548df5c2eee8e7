"""Contact details as the sign-in pages show them: masked, so a screen shows only enough for
the person to recognise their own, and postcodes compared the way people type them.

Sources: the National Data Opt-out service's code screens ("We have sent a code to
a•••@example.org"); UK postcode format (ONS Postcode Directory user guide: outward code of 2-4
characters, a space, inward code of a digit and two letters).
"""

from __future__ import annotations

import re

MASK = "•••"
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")


def mask_email(address: str) -> str:
    """``"amelia.hughes@example.org"`` -> ``"a•••@example.org"`` (first character, domain kept).

    Raises ``ValueError`` if ``address`` has no ``@`` with text either side."""
    local, sep, domain = address.strip().rpartition("@")
    if not sep or not local or not domain:
        raise ValueError("not an email address")
    return f"{local[0]}{MASK}@{domain}"


def mask_mobile(number: str) -> str:
    """``"07700 900123"`` -> ``"07••• ••• 123"`` (first 2 and last 3 digits kept).

    Raises ``ValueError`` if there are fewer than 6 digits."""
    digits = re.sub(r"\D", "", number)
    if len(digits) < 6:
        raise ValueError("not a phone number")
    return f"{digits[:2]}{MASK} {MASK} {digits[-3:]}"


def compact_postcode(text: str) -> str:
    """Upper case with every space removed: ``" cf14 4xw "`` -> ``"CF144XW"``."""
    return re.sub(r"\s+", "", text).upper()


def is_valid_postcode(text: str) -> bool:
    """True for a well-formed UK postcode in any case and spacing (``"sw1a1aa"``, ``"SW1A 1AA"``)."""
    return bool(_POSTCODE.match(compact_postcode(text)))


def format_postcode(text: str) -> str:
    """The postcode as printed: upper case with one space before the last 3 characters."""
    compact = compact_postcode(text)
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact
