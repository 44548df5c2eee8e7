"""Deciding what applies (DESIGN.md section 3): worked examples, one per step of the rule."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from portal.domain.decision import ChoiceFact, PurposePolicy, decide, validate_new_choice
from portal.domain.errors import DomainError, InvalidChoice
from portal.domain.values import Basis, ConsentModel, Decision, Purpose

TOOL = "sepsis-alert"
OTHER_TOOL = "letter-drafter"
CARE = Purpose.CARE
PERMIT, DENY, CLEAR = Decision.PERMIT, Decision.DENY, Decision.CLEAR
OPT_IN = PurposePolicy(ConsentModel.OPT_IN, terms_version=2)
OPT_OUT = PurposePolicy(ConsentModel.OPT_OUT, terms_version=2)
NO_CHOICE = PurposePolicy(
    ConsentModel.NO_CHOICE, terms_version=1, no_choice_reason="Direct care, common law duty"
)


def tool(sequence, decision, terms=2, slug=TOOL, purpose=CARE, voided=False, at=None):
    return ChoiceFact(f"t{sequence}", sequence, slug, purpose, decision, terms, voided, at)


def all_tools(sequence, decision, purpose=CARE, voided=False):
    return ChoiceFact(f"a{sequence}", sequence, None, purpose, decision, None, voided)


# (policy, choices, expected decision, expected basis, id of the choice it rests on)
EXAMPLES = {
    # 6. defaults
    "nothing said, opt-in: not used": (OPT_IN, [], DENY, Basis.DEFAULT_OPT_IN, None),
    "nothing said, opt-out: used": (OPT_OUT, [], PERMIT, Basis.DEFAULT_OPT_OUT, None),
    # 5. the patient's own choice for the tool
    "yes to an opt-in tool": (OPT_IN, [tool(1, PERMIT)], PERMIT, Basis.CHOICE, "t1"),
    "no to an opt-out tool": (OPT_OUT, [tool(1, DENY)], DENY, Basis.CHOICE, "t1"),
    "yes to an opt-out tool": (OPT_OUT, [tool(1, PERMIT)], PERMIT, Basis.CHOICE, "t1"),
    # 1. the latest by sequence, whatever the order given
    "latest per-tool choice wins": (
        OPT_IN, [tool(1, PERMIT), tool(2, DENY)], DENY, Basis.CHOICE, "t2"),
    "latest wins in any input order": (
        OPT_IN, [tool(5, PERMIT), tool(3, DENY)], PERMIT, Basis.CHOICE, "t5"),
    "clear withdraws the choice: back to the default": (
        OPT_OUT, [tool(1, DENY), tool(2, CLEAR)], PERMIT, Basis.DEFAULT_OPT_OUT, None),
    "a choice after a clear counts": (
        OPT_IN, [tool(1, CLEAR), tool(2, PERMIT)], PERMIT, Basis.CHOICE, "t2"),
    # 0. voided choices, other tools and other purposes are ignored
    "a voided latest choice: the one before counts": (
        OPT_IN, [tool(1, PERMIT), tool(2, DENY, voided=True)], PERMIT, Basis.CHOICE, "t1"),
    "a voided only choice: the default": (
        OPT_OUT, [tool(1, DENY, voided=True)], PERMIT, Basis.DEFAULT_OPT_OUT, None),
    "a voided clear clears nothing": (
        OPT_OUT, [tool(1, DENY), tool(2, CLEAR, voided=True)], DENY, Basis.CHOICE, "t1"),
    "another tool's choice is not this tool's": (
        OPT_IN, [tool(1, PERMIT, slug=OTHER_TOOL)], DENY, Basis.DEFAULT_OPT_IN, None),
    "another purpose's choice is not this purpose's": (
        OPT_OUT, [tool(1, DENY, purpose=Purpose.RESEARCH),
                  all_tools(2, DENY, purpose=Purpose.IMPROVEMENT)],
        PERMIT, Basis.DEFAULT_OPT_OUT, None),
    # 4. an all-tools no, when newer than the tool's own choice
    "no to all tools, nothing said about this one": (
        OPT_OUT, [all_tools(1, DENY)], DENY, Basis.ALL_TOOLS_CHOICE, "a1"),
    "no to all tools after yes to this one": (
        OPT_IN, [tool(1, PERMIT), all_tools(2, DENY)], DENY, Basis.ALL_TOOLS_CHOICE, "a2"),
    "yes to this one after no to all tools": (
        OPT_IN, [all_tools(1, DENY), tool(2, PERMIT)], PERMIT, Basis.CHOICE, "t2"),
    "all-tools clear restores this tool's choice": (
        OPT_IN, [tool(1, PERMIT), all_tools(2, DENY), all_tools(3, CLEAR)],
        PERMIT, Basis.CHOICE, "t1"),
    "all-tools clear restores the default": (
        OPT_OUT, [all_tools(1, DENY), all_tools(2, CLEAR)],
        PERMIT, Basis.DEFAULT_OPT_OUT, None),
    "a per-tool clear after an all-tools no leaves the all-tools no": (
        OPT_OUT, [all_tools(1, DENY), tool(2, DENY), tool(3, CLEAR)],
        DENY, Basis.ALL_TOOLS_CHOICE, "a1"),
    # 3. a yes under older terms of an opt-in purpose no longer counts
    "yes under older opt-in terms: the default again": (
        OPT_IN, [tool(1, PERMIT, terms=1)], DENY, Basis.DEFAULT_OPT_IN, None),
    "yes under older opt-in terms, older no to all tools: the no applies": (
        OPT_IN, [all_tools(1, DENY), tool(2, PERMIT, terms=1)],
        DENY, Basis.ALL_TOOLS_CHOICE, "a1"),
    "no under older terms still counts": (
        OPT_IN, [tool(1, DENY, terms=1)], DENY, Basis.CHOICE, "t1"),
    "yes under older opt-out terms still counts": (
        OPT_OUT, [tool(1, PERMIT, terms=1)], PERMIT, Basis.CHOICE, "t1"),
    "yes under the current opt-in terms counts": (
        OPT_IN, [tool(1, PERMIT, terms=2)], PERMIT, Basis.CHOICE, "t1"),
    "yes with no recorded terms on an opt-in purpose does not count": (
        OPT_IN, [tool(1, PERMIT, terms=None)], DENY, Basis.DEFAULT_OPT_IN, None),
    # 2. no-choice purposes permit whatever was said
    "no-choice, nothing said": (NO_CHOICE, [], PERMIT, Basis.NO_CHOICE, None),
    "no-choice ignores an all-tools no (the route is an objection)": (
        NO_CHOICE, [all_tools(1, DENY)], PERMIT, Basis.NO_CHOICE, None),
    "no-choice ignores a stray per-tool no": (
        NO_CHOICE, [tool(1, DENY, terms=1)], PERMIT, Basis.NO_CHOICE, None),
}


@pytest.mark.parametrize(
    ("policy", "choices", "decision", "basis", "rests_on"), EXAMPLES.values(), ids=EXAMPLES
)
def test_worked_example(policy, choices, decision, basis, rests_on):
    for ordering in (choices, choices[::-1]):
        effective = decide(TOOL, CARE, policy, ordering)
        assert (effective.decision, effective.basis) == (decision, basis)
        assert (effective.choice and effective.choice.id) == rests_on


def test_every_answer_carries_the_policy_it_was_decided_under():
    effective = decide(TOOL, CARE, NO_CHOICE, [])
    assert effective.consent_model == ConsentModel.NO_CHOICE
    assert effective.terms_version == 1
    assert effective.no_choice_reason == "Direct care, common law duty"
    assert decide(TOOL, CARE, OPT_IN, []).no_choice_reason is None


def test_a_permit_under_older_opt_in_terms_is_reported_so_the_page_asks_again():
    old_yes = tool(1, PERMIT, terms=1)
    assert decide(TOOL, CARE, OPT_IN, [old_yes]).stale_permit == old_yes
    assert decide(TOOL, CARE, OPT_IN, [tool(1, PERMIT, terms=2)]).stale_permit is None
    assert decide(TOOL, CARE, OPT_IN, [old_yes, tool(2, CLEAR)]).stale_permit is None
    assert decide(TOOL, CARE, OPT_OUT, [old_yes]).stale_permit is None


def test_sequence_orders_not_the_clock_even_across_the_end_of_bst():
    london = ZoneInfo("Europe/London")
    # 01:30 on 25 October 2026 happens twice; fold=0 is BST (00:30 UTC), fold=1 GMT (01:30).
    first_0130 = datetime(2026, 10, 25, 1, 30, tzinfo=london)
    second_0130 = datetime(2026, 10, 25, 1, 30, fold=1, tzinfo=london)
    assert second_0130.astimezone(UTC) > first_0130.astimezone(UTC)
    later_by_clock = tool(1, PERMIT, at=second_0130)
    later_by_sequence = tool(2, DENY, at=first_0130)
    effective = decide(TOOL, CARE, OPT_IN, [later_by_clock, later_by_sequence])
    assert effective.choice == later_by_sequence


def test_an_all_tools_permit_cannot_exist():
    with pytest.raises(ValueError, match="only deny or clear"):
        all_tools(1, PERMIT)


def test_decide_needs_a_tool():
    with pytest.raises(ValueError, match="needs a tool"):
        decide(None, CARE, OPT_IN, [])


@pytest.mark.parametrize(
    ("tool_slug", "decision", "policy", "code", "message"),
    [
        (None, PERMIT, None, "permit-on-all-tools",
         "You can say yes to AI tools one at a time, not all at once"),
        (None, PERMIT, OPT_IN, "permit-on-all-tools",
         "You can say yes to AI tools one at a time, not all at once"),
        (TOOL, PERMIT, None, "purpose-not-served", "This AI tool is not used for this purpose"),
        (TOOL, CLEAR, None, "purpose-not-served", "This AI tool is not used for this purpose"),
        *[
            (TOOL, decision, NO_CHOICE, "no-choice-purpose",
             "You cannot make a choice about this use of this AI tool. You can object to it")
            for decision in (PERMIT, DENY, CLEAR)
        ],
    ],
)
def test_choices_that_can_never_be_recorded(tool_slug, decision, policy, code, message):
    with pytest.raises(InvalidChoice) as raised:
        validate_new_choice(tool_slug, CARE, decision, policy)
    assert raised.value.code == code
    assert str(raised.value) == message
    assert isinstance(raised.value, DomainError)


@pytest.mark.parametrize(
    ("tool_slug", "decision", "policy"),
    [
        (None, DENY, None),
        (None, CLEAR, None),
        (TOOL, PERMIT, OPT_IN),
        (TOOL, DENY, OPT_IN),
        (TOOL, CLEAR, OPT_OUT),
    ],
)
def test_choices_that_may_be_recorded(tool_slug, decision, policy):
    assert validate_new_choice(tool_slug, CARE, decision, policy) is None
