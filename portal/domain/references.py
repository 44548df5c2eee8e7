"""Short references people read aloud, type from a letter or quote on the phone.

Shape: a prefix of 1 to 6 letters naming the kind of thing, then two groups of 4
characters, for example ``AID-4K7Q-2M9X``. The body alphabet is Crockford-like but stricter:
it leaves out 0, O, 1, I and L, which are misread as one another, and U (as Crockford
does), so 30 characters remain and 8 of them give about 39 bits. A reference identifies;
it is not a secret, so looking one up still needs the caller's own access check.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from typing import Protocol

REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
_PREFIX = re.compile(r"[A-Z]{1,6}")
_BODY_LENGTH = 8
_GROUP = 4
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]+")
_BODY = re.compile(f"[{REFERENCE_ALPHABET}]{{{_BODY_LENGTH}}}")


class _Chooser(Protocol):
    def choice(self, seq: str, /) -> str: ...


def new_reference(prefix: str, rng: _Chooser = secrets) -> str:
    """A new reference such as ``AID-4K7Q-2M9X``.

    ``prefix`` is 1 to 6 letters A-Z (``ValueError`` otherwise). ``rng`` is anything with
    ``choice`` (the ``secrets`` module by default; a seeded ``random.Random`` in tests).
    References are random, not unique: store them under a unique constraint and retry.
    """
    if not _PREFIX.fullmatch(prefix):
        raise ValueError("a reference prefix is 1 to 6 letters A-Z")
    body = "".join(rng.choice(REFERENCE_ALPHABET) for _ in range(_BODY_LENGTH))
    return _format(prefix, body)


def normalise_reference(text: str, *, prefix: str | None = None) -> str | None:
    """The canonical form (``AID-4K7Q-2M9X``) of a reference as someone typed it, or None.

    Forgiving of how it was typed: any case, spaces or dashes or none at all, full-width
    characters and Unicode dashes (NFKC compatibility mapping). Characters outside the
    alphabet are not guessed at: 0/O and 1/I/L never appear in a reference, so there is no
    right character to map them to, and the text is refused.

    Where the text has separators, the first group is the prefix and the rest must be the 8
    characters. Without separators the last 8 characters are taken as the body, so a
    character left out of ``AID4K7Q2M9X`` cannot be caught; pass ``prefix`` when the kind
    of reference is known: then the reference must carry that prefix or leave it out, and
    anything else (a character too few, another prefix) is refused.
    """
    typed = unicodedata.normalize("NFKC", text).upper()
    parts = [part for part in _SEPARATORS.split(typed) if part]
    compact = "".join(parts)
    if prefix is not None:
        if len(compact) == _BODY_LENGTH:
            head, body = prefix, compact
        else:
            head, body = compact[: len(prefix)], compact[len(prefix) :]
        if head != prefix:
            return None
    elif len(parts) > 1:
        head, body = parts[0], "".join(parts[1:])
    else:
        head, body = compact[:-_BODY_LENGTH], compact[-_BODY_LENGTH:]
    if not _PREFIX.fullmatch(head) or not _BODY.fullmatch(body):
        return None
    return _format(head, body)


def _format(prefix: str, body: str) -> str:
    return f"{prefix}-{body[:_GROUP]}-{body[_GROUP:]}"
