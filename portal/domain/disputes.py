"""Disputes: a request for clinical review of an AI-supported decision (DESIGN.md section 3).

States and the only moves between them:
``received`` -> ``acknowledged`` -> ``in-review`` -> ``upheld`` | ``not-upheld``, and from any
open state to ``withdrawn``. ``upheld``, ``not-upheld`` and ``withdrawn`` are closed: nothing
changes a closed dispute. ``next_status`` raises ``InvalidTransition`` for any other move.
"""

from __future__ import annotations

from enum import StrEnum

from portal.domain.errors import InvalidTransition


class DisputeStatus(StrEnum):
    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    IN_REVIEW = "in-review"
    UPHELD = "upheld"
    NOT_UPHELD = "not-upheld"
    WITHDRAWN = "withdrawn"


class DisputeKind(StrEnum):
    DISPUTE = "dispute"      # an AI-supported decision the patient thinks was wrong
    OBJECTION = "objection"  # an objection to a no-choice tool


CLOSED = frozenset({DisputeStatus.UPHELD, DisputeStatus.NOT_UPHELD, DisputeStatus.WITHDRAWN})
ALLOWED: dict[DisputeStatus, frozenset[DisputeStatus]] = {
    DisputeStatus.RECEIVED: frozenset({DisputeStatus.ACKNOWLEDGED, DisputeStatus.WITHDRAWN}),
    DisputeStatus.ACKNOWLEDGED: frozenset({DisputeStatus.IN_REVIEW, DisputeStatus.WITHDRAWN}),
    DisputeStatus.IN_REVIEW: frozenset({DisputeStatus.UPHELD, DisputeStatus.NOT_UPHELD, DisputeStatus.WITHDRAWN}),
    DisputeStatus.UPHELD: frozenset(),
    DisputeStatus.NOT_UPHELD: frozenset(),
    DisputeStatus.WITHDRAWN: frozenset(),
}


def can_move(current: DisputeStatus, target: DisputeStatus) -> bool:
    return target in ALLOWED[current]


def next_status(current: DisputeStatus, target: DisputeStatus) -> DisputeStatus:
    """Return ``target`` if the move is allowed; raise ``InvalidTransition`` otherwise."""
    if not can_move(current, target):
        raise InvalidTransition(f"a dispute cannot move from {current} to {target}")
    return target


def is_closed(status: DisputeStatus) -> bool:
    return status in CLOSED
