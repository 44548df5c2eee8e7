"""Template helpers shared by every edge (patient, staff, errors)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from portal import labels


def form_error_list(form: Any) -> list[dict[str, str]]:
    """The error summary's list for a Flask-WTF ``form``: one link per field error, in field
    order, each pointing at the field's id (or the first input of a date or radio group).
    Errors about the form as a whole (``form.form_errors``, e.g. details that match no record)
    come first and point at its first visible field."""
    items = []
    first = next((f for f in form if f.type not in ("CSRFTokenField", "HiddenField")), None)
    for message in getattr(form, "form_errors", []):
        target = (getattr(first, "error_target_id", None) or first.id) if first is not None else "maincontent"
        items.append({"text": str(message), "href": f"#{target}"})
    for field in form:
        for message in field.errors:
            target = getattr(field, "error_target_id", None) or field.id
            items.append({"text": str(message), "href": f"#{target}"})
    return items


def error_message(field: Any) -> dict[str, str] | None:
    """The NHS ``errorMessage`` parameter for ``field``'s first error (with the translated
    hidden "Error:" prefix), or None when it has none."""
    if not field.errors:
        return None
    return {"text": str(field.errors[0]), "visuallyHiddenText": _("Error")}


def sign_out_form(action: str) -> Markup:
    """The header's "Sign out" button: a POST form with the CSRF token (for the NHS header's
    account ``html`` item, which has no place for hidden fields)."""
    return Markup(
        '<form class="nhsuk-header__account-form" method="post" action="{}" novalidate>'
        '<input type="hidden" name="csrf_token" value="{}">'
        '<button class="nhsuk-header__account-button" type="submit">{}</button></form>'
    ).format(action, generate_csrf(), _("Sign out"))


def init_app(app: Flask) -> None:
    app.jinja_env.globals["form_error_list"] = form_error_list
    app.jinja_env.globals["error_message"] = error_message
    labels.init_app(app)
