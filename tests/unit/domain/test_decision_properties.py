"""Deciding what applies, checked against a plain re-statement of the rule and its invariants.

The reference model below replays the patient's choices in sequence order, as a person would
read the history, then applies DESIGN.md section 3 "Deciding what applies" step by step.
"""

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from portal.domain.decision import ChoiceFact, PurposePolicy, decide, decide_many
from portal.domain.values import Basis, ConsentModel, Decision, Purpose

TOOLS = ["triage", "scribe", "retina"]
LONDON = ZoneInfo("Europe/London")
PERMIT, DENY, CLEAR = Decision.PERMIT, Decision.DENY, Decision.CLEAR

# Awkward clocks: the repeated hour when BST ends on 25 October 2026, the missing hour when
# it starts on 29 March 2026, and zones far from London.
AWKWARD_TIMES = [
    datetime(2026, 10, 25, 1, 30, fold=0, tzinfo=LONDON),
    datetime(2026, 10, 25, 1, 30, fold=1, tzinfo=LONDON),
    datetime(2026, 3, 29, 1, 30, tzinfo=LONDON),
    datetime(2026, 10, 25, 0, 59, 59, tzinfo=UTC),
    datetime(2026, 10, 25, 14, 0, tzinfo=timezone(timedelta(hours=13, minutes=45))),
]
recorded_ats = st.one_of(
    st.none(),
    st.sampled_from(AWKWARD_TIMES),
    st.datetimes(
        min_value=datetime(2024, 1, 1),
        max_value=datetime(2028, 1, 1),
        timezones=st.sampled_from(
            [UTC, LONDON, ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata")]
        ),
    ),
)
tools = st.sampled_from(TOOLS)
purposes = st.sampled_from(Purpose)
policies = st.builds(
    PurposePolicy,
    consent_model=st.sampled_from(ConsentModel),
    terms_version=st.integers(1, 3),
    no_choice_reason=st.none() | st.just("Statutory duty"),
)


@st.composite
def histories(draw):
    """A patient's choices in arbitrary input order, with unique sequence numbers."""
    sequences = draw(st.lists(st.integers(1, 1_000), max_size=14, unique=True))
    choices = []
    for index, sequence in enumerate(sequences):
        slug = draw(st.sampled_from([*TOOLS, None]))
        if slug is None:
            decision, terms = draw(st.sampled_from([DENY, CLEAR])), None
        else:
            decision = draw(st.sampled_from(Decision))
            terms = draw(st.integers(1, 3) | st.none())
        choices.append(
            ChoiceFact(
                id=f"choice-{index}",
                sequence=sequence,
                tool_slug=slug,
                purpose=draw(st.sampled_from([Purpose.CARE, Purpose.CARE, Purpose.RESEARCH])),
                decision=decision,
                terms_version=terms,
                voided=draw(st.integers(0, 4)) == 0,
                recorded_at=draw(recorded_ats),
            )
        )
    return choices


def reference_decide(tool_slug, purpose, policy, choices):
    """(decision, basis, choice id, stale permit id), by replaying the history."""
    in_force_tool = in_force_all = None
    for choice in sorted(choices, key=lambda c: c.sequence):
        if choice.voided or choice.purpose != purpose:
            continue
        kept = None if choice.decision == CLEAR else choice
        if choice.tool_slug == tool_slug:
            in_force_tool = kept
        elif choice.tool_slug is None:
            in_force_all = kept
    if policy.consent_model == ConsentModel.NO_CHOICE:
        return (PERMIT, Basis.NO_CHOICE, None, None)
    stale = None
    if (
        in_force_tool is not None
        and in_force_tool.decision == PERMIT
        and policy.consent_model == ConsentModel.OPT_IN
        and (in_force_tool.terms_version or 0) < policy.terms_version
    ):
        stale, in_force_tool = in_force_tool.id, None
    if in_force_all is not None and in_force_all.decision == DENY:
        if in_force_tool is None or in_force_all.sequence > in_force_tool.sequence:
            return (DENY, Basis.ALL_TOOLS_CHOICE, in_force_all.id, stale)
    if in_force_tool is not None:
        return (in_force_tool.decision, Basis.CHOICE, in_force_tool.id, stale)
    if policy.consent_model == ConsentModel.OPT_IN:
        return (DENY, Basis.DEFAULT_OPT_IN, None, stale)
    return (PERMIT, Basis.DEFAULT_OPT_OUT, None, stale)


def summary(effective):
    return (
        effective.decision,
        effective.basis,
        effective.choice and effective.choice.id,
        effective.stale_permit and effective.stale_permit.id,
    )


@given(histories(), tools, purposes, policies)
def test_decide_agrees_with_the_reference_model(choices, tool_slug, purpose, policy):
    effective = decide(tool_slug, purpose, policy, choices)
    assert summary(effective) == reference_decide(tool_slug, purpose, policy, choices)
    assert effective.consent_model == policy.consent_model
    assert effective.terms_version == policy.terms_version


@given(histories(), tools, purposes, policies)
def test_every_answer_is_permit_or_deny_and_rests_on_a_live_choice_of_its_own(
    choices, tool_slug, purpose, policy
):
    effective = decide(tool_slug, purpose, policy, choices)
    assert effective.decision in (PERMIT, DENY)
    rests_on = effective.choice
    if effective.basis == Basis.ALL_TOOLS_CHOICE:
        assert effective.decision == DENY
        assert rests_on.tool_slug is None and rests_on.decision == DENY
    elif effective.basis == Basis.CHOICE:
        assert rests_on.tool_slug == tool_slug and rests_on.decision == effective.decision
    else:
        assert rests_on is None
    if rests_on is not None:
        assert not rests_on.voided and rests_on.purpose == purpose
    if effective.stale_permit is not None:
        assert policy.consent_model == ConsentModel.OPT_IN
        assert effective.basis != Basis.CHOICE


@given(st.data(), histories(), tools, purposes, policies)
def test_the_order_choices_are_given_in_never_matters(data, choices, tool_slug, purpose, policy):
    shuffled = data.draw(st.permutations(choices))
    assert decide(tool_slug, purpose, policy, shuffled) == decide(
        tool_slug, purpose, policy, choices
    )
    assert decide(tool_slug, purpose, policy, iter(choices)) == decide(
        tool_slug, purpose, policy, choices
    )


@given(st.data(), histories(), tools, purposes, policies)
def test_when_choices_were_recorded_never_matters_only_their_sequence(
    data, choices, tool_slug, purpose, policy
):
    retimed = [
        ChoiceFact(c.id, c.sequence, c.tool_slug, c.purpose, c.decision, c.terms_version,
                   c.voided, data.draw(recorded_ats))
        for c in choices
    ]
    assert summary(decide(tool_slug, purpose, policy, retimed)) == summary(
        decide(tool_slug, purpose, policy, choices)
    )


@given(histories(), tools, purposes, policies)
def test_a_later_all_tools_clear_restores_the_per_tool_answer(
    choices, tool_slug, purpose, policy
):
    last = max((c.sequence for c in choices), default=0)
    blanket_no = ChoiceFact("blanket-no", last + 1, None, purpose, DENY, None)
    blanket_clear = ChoiceFact("blanket-clear", last + 2, None, purpose, CLEAR, None)
    without_blanket = [c for c in choices if not (c.tool_slug is None and c.purpose == purpose)]

    restored = decide(tool_slug, purpose, policy, [*choices, blanket_no, blanket_clear])

    assert restored == decide(tool_slug, purpose, policy, without_blanket)
    if len(without_blanket) == len(choices):
        assert restored == decide(tool_slug, purpose, policy, choices)


@given(histories(), tools, purposes, policies)
def test_a_later_all_tools_no_denies_every_choosable_tool(choices, tool_slug, purpose, policy):
    last = max((c.sequence for c in choices), default=0)
    blanket_no = ChoiceFact("blanket-no", last + 1, None, purpose, DENY, None)
    effective = decide(tool_slug, purpose, policy, [*choices, blanket_no])
    if policy.consent_model == ConsentModel.NO_CHOICE:
        assert effective.basis == Basis.NO_CHOICE
    else:
        assert (effective.decision, effective.choice) == (DENY, blanket_no)


@given(histories(), tools, purposes, st.integers(1, 3), st.none() | st.text(max_size=20))
def test_a_no_choice_purpose_always_permits_with_its_reason(
    choices, tool_slug, purpose, terms, reason
):
    policy = PurposePolicy(ConsentModel.NO_CHOICE, terms, reason)
    effective = decide(tool_slug, purpose, policy, choices)
    assert (effective.decision, effective.basis) == (PERMIT, Basis.NO_CHOICE)
    assert effective.no_choice_reason == reason
    assert effective.choice is None and effective.stale_permit is None


@given(histories())
def test_voided_choices_change_nothing(choices):
    live = [c for c in choices if not c.voided]
    policy = PurposePolicy(ConsentModel.OPT_IN, 2)
    for tool_slug in TOOLS:
        assert decide(tool_slug, Purpose.CARE, policy, choices) == decide(
            tool_slug, Purpose.CARE, policy, live
        )


@given(st.integers(), purposes, st.none() | st.integers())
def test_an_all_tools_choice_is_never_permit(sequence, purpose, terms):
    try:
        ChoiceFact("x", sequence, None, purpose, PERMIT, terms)
    except ValueError:
        return
    raise AssertionError("an all-tools permit was accepted")


@given(histories(), st.dictionaries(st.tuples(tools, purposes), policies, max_size=9))
def test_decide_many_agrees_with_decide_for_every_key(choices, policy_by_key):
    answers = decide_many(policy_by_key, iter(choices))
    assert answers.keys() == policy_by_key.keys()
    for (tool_slug, purpose), policy in policy_by_key.items():
        assert answers[tool_slug, purpose] == decide(tool_slug, purpose, policy, choices)
