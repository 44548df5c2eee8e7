"""Forms for the choices journey: one class per page (one question per page).

Each rendered form carries a one-time ``idempotency_key`` (a random hidden value), so a
double-click or a resubmitted page records one choice. The radios accept any value; the
service decides what may be recorded and the page shows its message, so a tampered form is
refused in words, never with a bare error.
"""

from __future__ import annotations

import re
import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField
from wtforms.validators import InputRequired

KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_idempotency_key() -> str:
    """A fresh random key for one rendered form (32 URL-safe characters)."""
    return secrets.token_urlsafe(24)


class _ChoiceForm(FlaskForm):
    idempotency_key = HiddenField()
    subject = HiddenField()  # the patient the page was rendered for (a stale or swapped tab)

    def ensure_key(self, fresh: bool = False) -> None:
        """Give the form a new key, unless it already has a well-formed one (kept when the
        page is shown again after an error: nothing was recorded with it)."""
        if fresh or not KEY_PATTERN.fullmatch(self.idempotency_key.data or ""):
            self.idempotency_key.data = new_idempotency_key()

    @property
    def key_is_valid(self) -> bool:
        return bool(KEY_PATTERN.fullmatch(self.idempotency_key.data or ""))


class ToolChoiceForm(_ChoiceForm):
    """Yes, no, or back to the standard setting, for one tool and purpose."""

    decision = RadioField(validate_choice=False, choices=["permit", "deny", "clear"],
                          validators=[InputRequired(message=_l("Select yes or no"))])


class AllToolsChoiceForm(_ChoiceForm):
    """Say no for every tool, or go back to the answer for each tool."""

    decision = RadioField(validate_choice=False, choices=["deny", "clear"],
                          validators=[InputRequired(message=_l("Select if you want to say no for all AI tools"))])


class SendReceiptForm(FlaskForm):
    """A button: send this receipt to the email address on record."""
