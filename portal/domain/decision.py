"""Deciding what applies: the one rule every page, carer journey, API read and batch uses.

Source: DESIGN.md section 3 "Deciding what applies" and "Choice". Everything is ordered by
the choices' database-assigned ``sequence``, never by time: clocks, time zones and the
ambiguous hour when British Summer Time ends cannot change an answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from portal.domain.errors import InvalidChoice
from portal.domain.values import Basis, ConsentModel, Decision, Purpose


@dataclass(frozen=True, slots=True)
class ChoiceFact:
    """One recorded choice, as the rule needs it.

    ``tool_slug`` None is an all-tools choice, which is only ``deny`` or ``clear``
    (constructing an all-tools ``permit`` raises ``ValueError``: the design says one can
    never exist). ``terms_version`` is the version of the tool purpose's terms the patient
    answered (None for all-tools choices). ``recorded_at`` (aware) is for display only.
    """

    id: str
    sequence: int
    tool_slug: str | None
    purpose: Purpose
    decision: Decision
    terms_version: int | None
    voided: bool = False
    recorded_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.tool_slug is None and self.decision == Decision.PERMIT:
            raise ValueError("an all-tools choice is only deny or clear")


@dataclass(frozen=True, slots=True)
class PurposePolicy:
    """What the register says for one tool and purpose: its consent model, the current
    version of its terms (raised when they change materially) and, for ``no-choice``,
    the stated legal reason."""

    consent_model: ConsentModel
    terms_version: int
    no_choice_reason: str | None = None


@dataclass(frozen=True, slots=True)
class EffectiveDecision:
    """What applies now. ``decision`` is only ``permit`` or ``deny``; ``choice`` is the
    choice it rests on (None for a default or ``no-choice``); ``stale_permit`` is a
    per-tool permit that no longer counts because the opt-in terms changed materially
    since it was given, so the page can ask the patient again."""

    decision: Decision
    basis: Basis
    choice: ChoiceFact | None
    consent_model: ConsentModel
    terms_version: int
    no_choice_reason: str | None
    stale_permit: ChoiceFact | None


def decide(
    tool_slug: str, purpose: Purpose, policy: PurposePolicy, choices: Iterable[ChoiceFact]
) -> EffectiveDecision:
    """The effective decision for one tool and purpose, given the patient's choices.

    ``choices`` may be all of the patient's choices, in any order:

    0. Voided choices, and choices for other tools or other purposes, are ignored.
    1. T is the latest (highest ``sequence``) per-tool choice for this tool and purpose,
       none if it is ``clear``; A is the latest all-tools choice for this purpose, none if
       it is ``clear``.
    2. A ``no-choice`` purpose permits, basis ``no-choice``, with its reason, whatever the
       choices say. Deliberate reading: DESIGN.md lets the patient *object* to a no-choice
       tool (a review), not deny it, so an all-tools deny does not override a legal basis.
    3. If T is a ``permit`` for an ``opt-in`` purpose given under older terms
       (``T.terms_version < policy.terms_version``, or unknown), T no longer counts: it is
       treated as none and reported in ``stale_permit``.
    4. If A is ``deny`` and T is none or older than A: ``deny``, basis ``all-tools-choice``.
    5. Otherwise, if T: T's decision, basis ``choice``.
    6. Otherwise the default: ``opt-in`` denies (``default-opt-in``), ``opt-out``
       permits (``default-opt-out``).

    ``recorded_at`` is never read. Sequences are unique per database; were two equal for
    one tool (or all tools) and purpose, the higher ``id`` counts as later, and an all-tools
    deny must be strictly newer than T, so the answer never depends on the input order.
    """
    if tool_slug is None:
        raise ValueError("decide needs a tool; all-tools choices apply to every tool")
    latest = _latest_by_key(
        choice
        for choice in choices
        if choice.purpose == purpose and choice.tool_slug in (tool_slug, None)
    )
    return _resolve(policy, latest.get((tool_slug, purpose)), latest.get((None, purpose)))


def decide_many(
    policies: Mapping[tuple[str, Purpose], PurposePolicy], choices: Iterable[ChoiceFact]
) -> dict[tuple[str, Purpose], EffectiveDecision]:
    """``decide`` for every ``(tool_slug, purpose)`` in ``policies`` at once.

    Reads ``choices`` once and keeps only the latest per tool and purpose, so a batch costs
    one pass over the patient's choices plus one step per key. Same answers as ``decide``.
    """
    latest = _latest_by_key(choices)
    return {
        (tool_slug, purpose): _resolve(
            policy, latest.get((tool_slug, purpose)), latest.get((None, purpose))
        )
        for (tool_slug, purpose), policy in policies.items()
    }


def validate_new_choice(
    tool_slug: str | None, purpose: Purpose, decision: Decision, policy: PurposePolicy | None
) -> None:
    """Refuse a choice the design says can never be recorded (DESIGN.md section 3 "Choice").

    ``policy`` is the register's entry for the tool and purpose (None if the tool does not
    serve it; ignored for all-tools choices). Raises ``InvalidChoice`` with code
    ``permit-on-all-tools`` (nobody is opted into an opt-in tool by a blanket answer),
    ``purpose-not-served``, or ``no-choice-purpose`` (the patient's route is an objection).
    """
    if tool_slug is None:
        if decision == Decision.PERMIT:
            raise InvalidChoice(
                InvalidChoice.PERMIT_ON_ALL_TOOLS,
                "You can say yes to AI tools one at a time, not all at once",
            )
        return
    if policy is None:
        raise InvalidChoice(
            InvalidChoice.PURPOSE_NOT_SERVED, "This AI tool is not used for this purpose"
        )
    if policy.consent_model == ConsentModel.NO_CHOICE:
        raise InvalidChoice(
            InvalidChoice.NO_CHOICE_PURPOSE,
            "You cannot make a choice about this use of this AI tool. You can object to it",
        )


def _latest_by_key(
    choices: Iterable[ChoiceFact],
) -> dict[tuple[str | None, Purpose], ChoiceFact]:
    """The latest non-voided choice for each (tool slug or None, purpose)."""
    latest: dict[tuple[str | None, Purpose], ChoiceFact] = {}
    for choice in choices:
        if choice.voided:
            continue
        key = (choice.tool_slug, choice.purpose)
        current = latest.get(key)
        if current is None or (choice.sequence, choice.id) > (current.sequence, current.id):
            latest[key] = choice
    return latest


def _in_force(latest: ChoiceFact | None) -> ChoiceFact | None:
    if latest is None or latest.decision == Decision.CLEAR:
        return None
    return latest


def _is_stale_permit(choice: ChoiceFact, policy: PurposePolicy) -> bool:
    return (
        choice.decision == Decision.PERMIT
        and policy.consent_model == ConsentModel.OPT_IN
        and (choice.terms_version is None or choice.terms_version < policy.terms_version)
    )


def _resolve(
    policy: PurposePolicy, latest_tool: ChoiceFact | None, latest_all: ChoiceFact | None
) -> EffectiveDecision:
    """Steps 2 to 6 of ``decide``, given the latest per-tool and all-tools choices."""
    if policy.consent_model == ConsentModel.NO_CHOICE:
        return _answer(policy, Decision.PERMIT, Basis.NO_CHOICE)
    tool_choice, all_tools = _in_force(latest_tool), _in_force(latest_all)
    stale = None
    if tool_choice is not None and _is_stale_permit(tool_choice, policy):
        stale, tool_choice = tool_choice, None
    if all_tools is not None and all_tools.decision == Decision.DENY:
        if tool_choice is None or all_tools.sequence > tool_choice.sequence:
            return _answer(policy, Decision.DENY, Basis.ALL_TOOLS_CHOICE, all_tools, stale)
    if tool_choice is not None:
        return _answer(policy, Decision(tool_choice.decision), Basis.CHOICE, tool_choice, stale)
    if policy.consent_model == ConsentModel.OPT_IN:
        return _answer(policy, Decision.DENY, Basis.DEFAULT_OPT_IN, stale=stale)
    return _answer(policy, Decision.PERMIT, Basis.DEFAULT_OPT_OUT, stale=stale)


def _answer(
    policy: PurposePolicy,
    decision: Decision,
    basis: Basis,
    choice: ChoiceFact | None = None,
    stale: ChoiceFact | None = None,
) -> EffectiveDecision:
    reason = policy.no_choice_reason if basis == Basis.NO_CHOICE else None
    return EffectiveDecision(
        decision=decision,
        basis=basis,
        choice=choice,
        consent_model=policy.consent_model,
        terms_version=policy.terms_version,
        no_choice_reason=reason,
        stale_permit=stale,
    )
