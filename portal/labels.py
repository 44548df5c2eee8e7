"""Plain words for the codes the portal stores, for patient and staff pages alike.

Stored codes (``in-review``, ``permit``, ``default-opt-in``...) are for machines; people read
the words below, translated lazily into the page's language. ``init_app`` makes each mapping
a template global (``dispute_status_words[dispute.status]`` and so on), so the back office
does not depend on the patient blueprints for them. An unknown code falls back to the code
itself (``in_words(mapping, code)``), so a new code shows up rather than breaking a page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l

DISPUTE_STATUS_WORDS = {
    "received": _l("Received"),
    "acknowledged": _l("Acknowledged"),
    "in-review": _l("In review"),
    "upheld": _l("Upheld"),
    "not-upheld": _l("Not upheld"),
    "withdrawn": _l("Withdrawn"),
}
DISPUTE_KIND_WORDS = {"dispute": _l("Dispute"), "objection": _l("Objection")}
# Who wrote a line of a dispute's timeline (DisputeEvent.actor_kind), as staff read it.
DISPUTE_ACTOR_WORDS = {
    "patient": _l("the patient"),
    "representative": _l("someone acting for the patient"),
    "staff": _l("a reviewer"),
    "system": _l("the portal"),
}
# What applies now (an effective decision), as staff read it.
DECISION_WORDS = {"permit": _l("Used"), "deny": _l("Not used")}
# What a person said in one choice.
CHOICE_WORDS = {"permit": _l("Said yes"), "deny": _l("Said no"), "clear": _l("Took back an earlier choice")}
BASIS_WORDS = {
    "choice": _l("because of their choice for this tool"),
    "all-tools-choice": _l("because they said no to all AI tools"),
    "default-opt-in": _l("standard setting: used only if they say yes"),
    "default-opt-out": _l("standard setting: used unless they say no"),
    "no-choice": _l("no choice is offered for this use"),
}
PURPOSE_WORDS = {
    "care": _l("Decisions about care"),
    "improvement": _l("Training or improving the tool"),
    "research": _l("Research"),
}
TEMPLATE_GLOBALS: dict[str, Mapping[str, Any]] = {
    "dispute_status_words": DISPUTE_STATUS_WORDS,
    "dispute_kind_words": DISPUTE_KIND_WORDS,
    "dispute_actor_words": DISPUTE_ACTOR_WORDS,
    "decision_words": DECISION_WORDS,
    "choice_words": CHOICE_WORDS,
    "basis_words": BASIS_WORDS,
    "purpose_words": PURPOSE_WORDS,
}


def in_words(mapping: Mapping[str, Any], code: str | None) -> str:
    """The words for ``code`` in the page's language; the code itself if it has none, "" for None."""
    if code is None:
        return ""
    return str(mapping.get(code, code))


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(TEMPLATE_GLOBALS)
    app.jinja_env.globals["in_words"] = in_words
