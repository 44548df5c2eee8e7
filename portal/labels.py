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
# The answer in one choice, in short words (patient's "Your information" page and the back
# office's choices pages say it the same way).
ANSWER_WORDS = {"permit": _l("Yes"), "deny": _l("No"), "clear": _l("Back to the standard setting")}

# Purposes as the patient reads them on their choices pages and "Your information" (a title:
# "In decisions about your care"); staff pages use the staff tables below and above.
PATIENT_PURPOSE_WORDS = {
    "care": _l("In decisions about your care"),
    "improvement": _l("To train or improve the tool"),
    "research": _l("For research"),
}
# How a choice reached us (Choice.channel), for patients and staff alike.
CHANNEL_WORDS = {"web": _l("Online"), "phone": _l("By phone"), "paper": _l("On a paper form"),
                 "api": _l("By a clinical system")}
# Who did something, as staff read it: who made a choice (Choice.actor_kind: self |
# representative | staff) and who an audit event is about (AuditEvent.actor_kind).
STAFF_ACTOR_WORDS = {
    "self": _l("The patient"), "patient": _l("The patient"),
    "representative": _l("A carer under a legal authority"), "staff": _l("NHS staff"),
    "api-client": _l("A clinical system"), "system": _l("This service"),
}
# Purposes on the back office's choices pages (a summary row, "Purpose: ...").
STAFF_CHOICE_PURPOSE_WORDS = {
    "care": _l("Used in decisions about their care"),
    "improvement": _l("Their data used to train or improve AI"),
    "research": _l("Their data used for research"),
}
# Purposes, as the auditors' conflict page reads them after "Used for" (a phrase, not a title
# like PURPOSE_WORDS above, so the words deliberately differ).
CONFLICT_PURPOSE_WORDS = {
    "care": _l("In decisions about their care"),
    "improvement": _l("To train or improve the tool"),
    "research": _l("For research"),
}
CONFLICT_STATUS_WORDS = {"open": _l("Open: being looked into"), "closed": _l("Closed")}
# The decision then in force, in words: (decision, basis) as stored on a conflict report.
DECISION_THEN_WORDS = {
    ("deny", "choice"): _l("No. The person had said no to this tool"),
    ("deny", "all-tools-choice"): _l("No. The person had said no to all AI tools for this use"),
    ("deny", "default-opt-in"): _l("No. This tool needs the person's agreement, and they had not given it"),
    ("permit", "choice"): _l("Yes. The person had said yes to this tool"),
    ("permit", "default-opt-out"): _l("Yes. The person had not said no"),
    ("permit", "no-choice"): _l("Yes. People cannot say no to this use"),
}

# Legal authority to act for someone (Authority.basis / .state / .reason). Three audiences read
# these, and the words deliberately differ by who is reading:
# - the patient ("You asked them to act for you", "Can act for you"),
# - the carer ("They asked me to act for them", "You can act for them", reasons as sentences
#   addressed to the carer),
# - staff checking the authority (the legal terms and short reason codes in words).
PATIENT_AUTHORITY_BASIS_WORDS = {
    "health-and-welfare-lpa": _l("Lasting power of attorney for health and welfare"),
    "property-and-financial-lpa": _l("Lasting power of attorney for property and financial affairs"),
    "personal-welfare-deputy": _l("Deputy for personal welfare, appointed by the Court of Protection"),
    "parental-responsibility": _l("Parent or guardian"),
    "patient-nominated": _l("You asked them to act for you"),
}
PATIENT_AUTHORITY_STATE_WORDS = {
    "requested": _l("Waiting for our staff to check it"), "verified": _l("Checked"), "rejected": _l("Not accepted"),
    "withdrawn": _l("Withdrawn"), "active": _l("Can act for you"), "suspended": _l("On hold"),
    "review-due": _l("Being reviewed"), "ended": _l("Ended"),
}
CARER_AUTHORITY_BASIS_WORDS = {
    **PATIENT_AUTHORITY_BASIS_WORDS,
    "parental-responsibility": _l("Parent or guardian of a child under 16"),
    "patient-nominated": _l("They asked me to act for them"),
}
CARER_AUTHORITY_STATE_WORDS = {
    **PATIENT_AUTHORITY_STATE_WORDS,
    "requested": _l("Waiting to be checked"), "active": _l("You can act for them"),
}
CARER_AUTHORITY_REASON_WORDS = {
    "no-legal-basis": _l("We could not see a legal reason for you to act for them."),
    "evidence-unclear": _l("We could not read or check the evidence."),
    "does-not-match-patient": _l("The details did not match this person."),
    "safeguarding": _l("We have a concern about their safety."),
    "declined-by-patient": _l("They told us they did not ask you to act for them."),
}
STAFF_AUTHORITY_BASIS_WORDS = {
    "health-and-welfare-lpa": _l("Lasting power of attorney for health and welfare"),
    "property-and-financial-lpa": _l("Lasting power of attorney for property and financial affairs (data uses only)"),
    "personal-welfare-deputy": _l("Deputy for personal welfare (Court of Protection)"),
    "parental-responsibility": _l("Parental responsibility for a child under 16"),
    "patient-nominated": _l("Nominated by the patient"),
}
STAFF_AUTHORITY_STATE_WORDS = {
    "requested": _l("Waiting to be checked"), "verified": _l("Checked"), "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn by the requester"), "active": _l("Active"), "suspended": _l("Suspended"),
    "review-due": _l("Review due"), "ended": _l("Ended"),
}
# The reasons a verifier can pick (the reject and end forms offer these, in this order).
STAFF_REJECT_REASON_WORDS = {
    "no-legal-basis": _l("No legal basis"),
    "evidence-unclear": _l("Evidence unclear"),
    "does-not-match-patient": _l("Does not match the patient"),
    "safeguarding": _l("Safeguarding concern"),
}
STAFF_END_REASON_WORDS = {
    "patient-died": _l("The patient died"),
    "deputyship-ended": _l("The deputyship ended"),
    "capacity-regained": _l("The patient can decide for themselves again"),
    "safeguarding": _l("Safeguarding concern"),
    "no-legal-basis": _l("No legal basis"),
    "expired": _l("Expired"),
}
# Every reason on an authority or one of its events, for staff.
STAFF_AUTHORITY_REASON_WORDS = {
    **STAFF_REJECT_REASON_WORDS, **STAFF_END_REASON_WORDS,
    "revoked-by-carer": _l("The carer stopped acting"), "ended-by-patient": _l("The patient ended it"),
    "child-reached-16": _l("The child reached 16"), "requested": _l("Asked"),
    "withdrawn-by-requester": _l("Withdrawn by the requester"), "verified": _l("Checked and approved"),
    "child-reached-13": _l("The child reached 13"), "review-confirmed": _l("Review confirmed"),
    "suspension-lifted": _l("Suspension lifted"),
    "patient-confirmed": _l("The patient confirmed they asked for this"),
    "declined-by-patient": _l("The patient said they did not ask for this"),
    "capacity-lost": _l("Ended: the patient can no longer decide for themselves"),
    "young-person-chose": _l("The young person made a choice themselves"),
}
ATTORNEYS_ACT_WORDS = {
    "jointly": _l("Jointly (all attorneys must agree)"),
    "jointly-and-severally": _l("Jointly and severally (any attorney may act alone)"),
}
IDENTITY_METHOD_WORDS = {
    "photo-id-in-person": _l("Photo ID seen in person"),
    "photo-id-video-call": _l("Photo ID seen on a video call"),
    "known-to-care-team": _l("Known to the care team, confirmed by a named clinician"),
}

TEMPLATE_GLOBALS: dict[str, Mapping[str, Any]] = {
    "dispute_status_words": DISPUTE_STATUS_WORDS,
    "dispute_kind_words": DISPUTE_KIND_WORDS,
    "dispute_actor_words": DISPUTE_ACTOR_WORDS,
    "decision_words": DECISION_WORDS,
    "choice_words": CHOICE_WORDS,
    "basis_words": BASIS_WORDS,
    "purpose_words": PURPOSE_WORDS,
    "answer_words": ANSWER_WORDS,
    "staff_actor_words": STAFF_ACTOR_WORDS,
    "staff_choice_purpose_words": STAFF_CHOICE_PURPOSE_WORDS,
    "purpose_labels": PATIENT_PURPOSE_WORDS,
    "channel_labels": CHANNEL_WORDS,
}


def in_words(mapping: Mapping[Any, Any], code: Any) -> str:
    """The words for ``code`` in the page's language; the code itself if it has none, "" for None."""
    if code is None:
        return ""
    return str(mapping.get(code, code))


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(TEMPLATE_GLOBALS)
    app.jinja_env.globals["in_words"] = in_words
