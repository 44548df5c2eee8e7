"""Plain words for the codes in a subject access export (``portal.services.subject_access``),
from the patient's point of view, so the "Your information" page reads as sentences; the JSON
download keeps the codes. An unknown code (from a newer version) is shown as it is, in English.
Tables shared with other pages live in ``portal.labels``; the ones here are only for this page.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from portal.labels import (ANSWER_WORDS, DISPUTE_STATUS_WORDS, PATIENT_AUTHORITY_BASIS_WORDS,
                           PATIENT_AUTHORITY_STATE_WORDS, PATIENT_PURPOSE_WORDS, in_words)

MADE_BY = {"self": _l("You"), "representative": _l("Someone acting for you"), "staff": _l("NHS staff, for you")}
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
    "audit": _l("Searched the record of who did what, to check it"),
    "retention": _l("Deleted old information we no longer need"),
    "consents": _l("Checked your choices"), "session": _l("Signed in or out"),
    "disputes": _l("Checked your requests for review"),
}


def action_words(action: str) -> str:
    """What an audited action did, in words (``decisions.read`` -> "Checked your choices")."""
    return in_words(ACTIONS, action.split(".", 1)[0]) if action.split(".", 1)[0] in ACTIONS else action


def template_helpers() -> dict[str, Any]:
    """What the page template needs, by name."""
    return {"words": lambda table, code: in_words(TABLES[table], code), "action_words": action_words}


TABLES = {"decision": ANSWER_WORDS, "made_by": MADE_BY, "basis": PATIENT_AUTHORITY_BASIS_WORDS,
          "authority_state": PATIENT_AUTHORITY_STATE_WORDS, "dispute_status": DISPUTE_STATUS_WORDS, "who": WHO,
          "purpose": PATIENT_PURPOSE_WORDS}
