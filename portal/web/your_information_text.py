"""Plain words for the codes in a subject access export (``portal.services.subject_access``),
from the patient's point of view, so the "Your information" page reads as sentences; the JSON
download keeps the codes. An unknown code (from a newer version) is shown as it is, in English.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from portal.web.choice_text import PURPOSE_LABELS

DECISIONS = {"permit": _l("Yes"), "deny": _l("No"), "clear": _l("Back to the standard setting")}
MADE_BY = {"self": _l("You"), "representative": _l("Someone acting for you"), "staff": _l("NHS staff, for you")}
BASES = {
    "health-and-welfare-lpa": _l("Lasting power of attorney for health and welfare"),
    "property-and-financial-lpa": _l("Lasting power of attorney for property and financial affairs"),
    "personal-welfare-deputy": _l("Deputy for personal welfare, appointed by the Court of Protection"),
    "parental-responsibility": _l("Parent or guardian of a child under 16"),
    "patient-nominated": _l("You asked them to act for you"),
}
AUTHORITY_STATES = {
    "requested": _l("Waiting to be checked"), "verified": _l("Checked"), "rejected": _l("Not accepted"),
    "withdrawn": _l("Withdrawn"), "active": _l("Can act for you"), "suspended": _l("On hold"),
    "review-due": _l("Being reviewed"), "ended": _l("Ended"),
}
DISPUTE_STATUSES = {
    "received": _l("Received"), "acknowledged": _l("Acknowledged"), "in-review": _l("In review"),
    "upheld": _l("Upheld"), "not-upheld": _l("Not upheld"), "withdrawn": _l("Withdrawn"),
}
WHO = {"patient": _l("You"), "representative": _l("Someone acting for you"), "staff": _l("NHS staff"),
       "api-client": _l("A clinical system"), "system": _l("This service")}
# Audit actions by the part before the first dot (``decisions.read`` -> ``decisions``).
ACTIONS = {
    "decisions": _l("Checked your choices"), "fhir": _l("Checked your choices"), "feed": _l("Checked your choices"),
    "choice": _l("Changed your choices"), "ai-use": _l("Reported AI used in your care"),
    "authority": _l("Changed who can act for you"), "capacity-note": _l("Recorded whether you can decide for yourself"),
    "dispute": _l("Worked on your request for review"), "conflict": _l("Looked into AI used against your wishes"),
    "subject-access": _l("Made a copy of your information"), "staff": _l("Looked at your record"),
    "sign-in": _l("Signed in or tried to"),
}


def word(table: dict[str, Any], code: str | None) -> str:
    """The words for ``code`` in ``table``; the code itself when unknown; "" for None."""
    if code is None:
        return ""
    return str(table.get(code, code))


def action_words(action: str) -> str:
    """What an audited action did, in words (``decisions.read`` -> "Checked your choices")."""
    return word(ACTIONS, action.split(".", 1)[0]) if action.split(".", 1)[0] in ACTIONS else action


def template_helpers() -> dict[str, Any]:
    """What the page template needs, by name."""
    return {"words": lambda table, code: word(TABLES[table], code), "action_words": action_words}


TABLES = {"decision": DECISIONS, "made_by": MADE_BY, "basis": BASES, "authority_state": AUTHORITY_STATES,
          "dispute_status": DISPUTE_STATUSES, "who": WHO, "purpose": PURPOSE_LABELS}
