"""Levels of assurance and NHS login's vectors of trust (DESIGN.md section 4).

A vector is ``<identity proofing level>.<credentials>``, e.g. ``P9.Cp.Cd`` (RFC 8485; NHS login
External Interface Specification section 5.1). The portal asks for a JSON list of acceptable
vectors in ``vtr`` and the ID token reports the one achieved as ``vot``. ``P5`` may record
choices; ``P9`` is needed for clinical information and to act for someone else.
"""

from __future__ import annotations

from portal.domain.errors import DomainError

LEVEL_RANK = {"P0": 0, "P5": 5, "P9": 9}
CREDENTIALS = ("Cp.Cd", "Cp.Ck", "Cm")


class AssuranceError(DomainError):
    """The identity provider's answer does not prove what was asked (``vot`` missing, not one
    of the vectors requested, or a level the portal does not know)."""


def vectors_for(level: str) -> list[str]:
    """The vectors to request for ``level``: ``"P9"`` -> ``["P9.Cp.Cd", "P9.Cp.Ck", "P9.Cm"]``.

    Raises ``ValueError`` for a level other than P5 or P9."""
    if level not in ("P5", "P9"):
        raise ValueError(f"cannot request level {level!r}")
    return [f"{level}.{credentials}" for credentials in CREDENTIALS]


def level_achieved(vot: object, requested: list[str]) -> str:
    """The level proved by ``vot``, which must be one of the ``requested`` vectors.

    Raises ``AssuranceError`` otherwise (a provider that returns a weaker vector than asked,
    or none, proves nothing)."""
    if not isinstance(vot, str) or vot not in requested:
        raise AssuranceError("the vector of trust achieved is not one that was requested")
    level = vot.split(".", 1)[0]
    if level not in LEVEL_RANK:
        raise AssuranceError("unknown identity proofing level")
    return level


def meets(level: str, needed: str) -> bool:
    """True when ``level`` is at least ``needed`` (``P9`` meets ``P5``)."""
    return LEVEL_RANK.get(level, -1) >= LEVEL_RANK[needed]


def higher(first: str, second: str) -> str:
    """The higher of two levels."""
    return first if LEVEL_RANK.get(first, -1) >= LEVEL_RANK.get(second, -1) else second
