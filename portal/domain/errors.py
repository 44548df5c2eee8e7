"""Domain errors: what services raise and the edges turn into pages or problem documents.

Every error carries a plain-English message fit to show a patient; the edges may replace it
with a translated one keyed on the error's class and, where present, its ``code``/``reason``.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base class of every rule the domain refuses to break."""


class InvalidTransition(DomainError):
    """A state change the state machine does not allow (for example an authority going
    from ``rejected`` to ``active``, DESIGN.md section 3 "Authority")."""


class NotPermitted(DomainError):
    """The actor may not do this for this patient (no active authority, wrong level)."""


class NotFound(DomainError):
    """The thing asked for does not exist, or the actor may not know that it exists."""


class InvalidChoice(DomainError):
    """A choice the design says can never be recorded (DESIGN.md section 3 "Choice").

    ``code`` is one of:

    - ``"permit-on-all-tools"``: an all-tools choice is only ``deny`` or ``clear``;
    - ``"purpose-not-served"``: the tool does not serve this purpose;
    - ``"no-choice-purpose"``: the purpose is ``no-choice``; the patient's route is an objection;
    - ``"unknown-tool"``: no such tool on the register (raised by services, which know it);
    - ``"unknown-purpose"``: not one of the purposes (``care``, ``improvement``, ``research``);
    - ``"unknown-decision"``: not ``permit``, ``deny`` or ``clear``;
    - ``"patient-chose-themselves"``: a carer's choice would replace one the patient made
      themselves, with no capacity note to allow it (``portal.services.own_choices``).
    """

    PERMIT_ON_ALL_TOOLS = "permit-on-all-tools"
    PURPOSE_NOT_SERVED = "purpose-not-served"
    NO_CHOICE_PURPOSE = "no-choice-purpose"
    UNKNOWN_TOOL = "unknown-tool"
    UNKNOWN_PURPOSE = "unknown-purpose"
    UNKNOWN_DECISION = "unknown-decision"
    PATIENT_CHOSE_THEMSELVES = "patient-chose-themselves"

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
