"""Who is signed in, and for whom they act: the contract every patient page codes against.

``current_viewer()`` returns the ``Viewer`` for this request or None. ``patient_required``
guards a view: not signed in -> the sign-in page (with the page to come back to); signed in
below the needed level of assurance -> step-up sign-in. Levels (DESIGN.md section 4): ``P5``
may record choices and see their own choices and history; ``P9`` is needed for clinical
information (AI use in your care, who checked, dispute details) and to act for someone else.

The sign-in journey (``portal.web.auth``) is the only writer of the viewer: it calls
``start_viewer_session`` and registers the loader that rebuilds the viewer from the server-side
session on each request (``set_viewer_loader``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import wraps
from typing import Any

from flask import current_app, g, redirect, request, url_for

from portal.access import AccessRule, declare
from portal.security import mark_no_store

LEVELS = {"P0": 0, "P5": 5, "P9": 9}


@dataclass(frozen=True)
class Viewer:
    """The signed-in person. ``self_patient_id`` is their own Patient record (None for a
    carer who is not a patient here). ``subject_patient_id`` is the patient whose pages they
    are seeing now: themselves, or someone they act for under ``authority_id``."""

    account_id: uuid.UUID
    level: str
    self_patient_id: uuid.UUID | None
    subject_patient_id: uuid.UUID | None
    authority_id: uuid.UUID | None = None
    route: str = "nhs-login"  # nhs-login | code

    @property
    def acting_for_someone_else(self) -> bool:
        return self.authority_id is not None

    @property
    def assured_to_act(self) -> bool:
        """Assured enough to act for someone else (DESIGN.md section 4): NHS login at P9, or the
        details-and-code route, whose authority the session loader has re-checked on this
        request (it keeps a code-route subject only when a verifier checked the carer's
        identity with the authority)."""
        return self.meets("P9") or self.route == "code"

    def meets(self, level: str) -> bool:
        return LEVELS[self.level] >= LEVELS[level]

    def acting_as(self, patient_id: uuid.UUID, authority_id: uuid.UUID | None) -> Viewer:
        return replace(self, subject_patient_id=patient_id, authority_id=authority_id)


ABOUT_SIGNED_IN_PERSON = "about_signed_in_person"


def about_signed_in_person() -> None:
    """Mark this page as about the signed-in person, not whoever they act for: while acting for
    someone, the banner says "This page is about you, not <name>" instead of "You are acting for"."""
    g.setdefault(ABOUT_SIGNED_IN_PERSON, True)


ViewerLoader = Callable[[], "Viewer | None"]


def set_viewer_loader(app: Any, loader: ViewerLoader) -> None:
    """Register the function that rebuilds the viewer from the session (sign-in owns it)."""
    app.extensions["portal.viewer_loader"] = loader


def current_viewer() -> Viewer | None:
    if "_viewer" not in g:
        loader = current_app.extensions.get("portal.viewer_loader")
        g._viewer = loader() if loader else None
    return g._viewer


def patient_required(level: str = "P5") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Guard a patient page: signed in at ``level`` or above, and a subject chosen.

    Every response is ``Cache-Control: no-store`` (personal data)."""
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}")

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            viewer = current_viewer()
            if viewer is None:
                return mark_no_store(redirect(url_for("auth.sign_in", next=request.full_path)))
            if not viewer.meets(level):
                return mark_no_store(redirect(url_for("auth.step_up", level=level, next=request.full_path)))
            if viewer.subject_patient_id is None:
                return mark_no_store(redirect(url_for("auth.choose_subject", next=request.full_path)))
            response = current_app.make_response(view(*args, **kwargs))
            return mark_no_store(response)

        return declare(wrapper, AccessRule("patient", (level,)))

    return decorator
