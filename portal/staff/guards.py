"""``staff_required``: the decorator every staff route declares (DESIGN.md section 4).

Roles: ``dispute-reviewer``, ``authority-verifier``, ``register-editor``, ``assisted-digital``,
``auditor``, ``admin``. Not signed in -> the staff sign-in page; signed in without one of the
roles -> 403. The rule is declared as ``AccessRule("staff", roles)`` for the convention test.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, current_app, redirect, request, url_for

from portal.access import AccessRule, declare
from portal.security import mark_no_store
from portal.services.staff_accounts import STAFF_ROLES, StaffIdentity
from portal.staff.session import current_staff


def staff_required(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Guard a staff page: signed in, holding at least one of ``roles`` (none: any staff)."""
    unknown = [role for role in roles if role not in STAFF_ROLES]
    if unknown:
        raise ValueError(f"unknown staff role(s): {unknown}")

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            staff = current_staff()
            if staff is None:
                return mark_no_store(redirect(url_for("staff.sign_in", next=request.path)))
            if roles and not set(roles) & set(staff.roles):
                abort(403)
            return mark_no_store(current_app.make_response(view(*args, **kwargs)))

        return declare(wrapper, AccessRule("staff", tuple(roles)))

    return decorator


def has_role(staff: StaffIdentity | None, role: str) -> bool:
    return staff is not None and role in staff.roles
