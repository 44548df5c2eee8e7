"""Every route declares who may reach it; a test walks ``app.url_map`` and fails on any that
does not (habit from alphagov/notifications-api).

A rule is attached to the view function as ``view.access``. Kinds: ``public`` (a named public
page), ``patient`` (a signed-in patient or carer at a level of assurance), ``staff`` (a staff
role), ``oauth`` (API scopes). The decorators that enforce ``patient``, ``staff`` and ``oauth``
live with their edges and call ``declare`` so the rule is visible here too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

ACCESS_KINDS = frozenset({"public", "patient", "staff", "oauth"})


@dataclass(frozen=True)
class AccessRule:
    """Who may reach a route: ``kind`` plus its detail (level, role or scopes)."""

    kind: str
    detail: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in ACCESS_KINDS:
            raise ValueError(f"unknown access kind {self.kind!r}")


def declare(view: F, rule: AccessRule) -> F:
    """Attach ``rule`` to ``view`` (kept through ``functools.wraps``)."""
    view.access = rule  # type: ignore[attr-defined]
    return view


def public(view: F) -> F:
    """Mark a view as open to anyone, signed in or not."""
    return declare(view, AccessRule("public"))


def access_rule(view: Callable[..., Any]) -> AccessRule | None:
    """The rule declared on ``view``, or None."""
    return getattr(view, "access", None)
