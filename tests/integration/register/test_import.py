"""Importing the register: all or nothing, idempotent, and every change recorded (issue 3
point 2), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from portal.data.choices import Choice, add_choice
from portal.data.people import Organisation
from portal.data.register import AiTool, RegisterChange, ToolPolicyChange, ToolPurpose, list_register_changes
from portal.data.sequences import current_sequence, next_sequence
from portal.services.register import RegisterInvalid, import_register_text
from tests.factories import make_patient
from tests.register_files import as_yaml, shipped_register, small_register

MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
TUESDAY = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def count(session, model) -> int:  # type: ignore[no-untyped-def]
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def tool(session, slug: str) -> AiTool:  # type: ignore[no-untyped-def]
    return session.execute(select(AiTool).where(AiTool.slug == slug)).scalar_one()


def test_importing_the_shipped_register_adds_every_tool_then_changes_nothing(db_session):
    first = import_register_text(db_session, as_yaml(shipped_register()))
    db_session.commit()
    assert first.summary() == "added 11, updated 0, retired 0, unchanged 0"
    assert count(db_session, AiTool) == 11 and count(db_session, Organisation) == 13
    assert count(db_session, RegisterChange) == 11

    second = import_register_text(db_session, as_yaml(shipped_register()))
    db_session.commit()
    assert second.summary() == "added 0, updated 0, retired 0, unchanged 11"
    assert second.policy_changes == []
    assert count(db_session, RegisterChange) == 11


def test_a_new_tool_announces_each_purpose_in_the_decision_change_sequence(db_session):
    result = import_register_text(db_session, as_yaml(small_register()))
    db_session.commit()
    changes = [(c.purpose, c.consent_model, c.terms_version, c.previous_consent_model) for c in result.policy_changes]
    assert changes == [("care", "opt-out", 1, None), ("improvement", "no-choice", 1, None)]
    assert [c.sequence for c in result.policy_changes] == [1, 2]
    assert current_sequence(db_session) == 2


def test_changing_a_consent_model_writes_a_policy_change_after_every_earlier_number(db_session):
    import_register_text(db_session, as_yaml(small_register()), now=MONDAY)
    earlier = next_sequence(db_session)  # a choice recorded in between takes a number too
    db_session.commit()
    data = small_register()
    data["tools"][0]["purposes"]["care"].update(consent_model="opt-in", terms_version=2)
    result = import_register_text(db_session, as_yaml(data), now=TUESDAY)
    db_session.commit()

    assert result.summary() == "added 0, updated 1, retired 0, unchanged 1"
    assert result.updated == {"scan-reader": ["purposes.care.consent_model", "purposes.care.terms_version"]}
    [change] = db_session.execute(select(ToolPolicyChange).where(ToolPolicyChange.sequence > earlier)).scalars()
    assert (change.purpose, change.consent_model, change.terms_version) == ("care", "opt-in", 2)
    assert (change.previous_consent_model, change.previous_terms_version) == ("opt-out", 1)
    assert change.sequence == earlier + 1
    stored = db_session.execute(select(ToolPurpose).where(ToolPurpose.tool_id == change.tool_id)).scalar_one()
    assert (stored.consent_model, stored.terms_version) == ("opt-in", 2)
    kinds = [(c.kind, c.fields, c.created_at_utc) for c in list_register_changes(db_session, change.tool_id)]
    assert kinds == [("added", [], MONDAY),
                     ("updated", ["purposes.care.consent_model", "purposes.care.terms_version"], TUESDAY)]


def test_a_consent_model_change_without_a_new_terms_version_is_refused(db_session):
    import_register_text(db_session, as_yaml(small_register()))
    db_session.commit()
    data = small_register()
    data["tools"][0]["purposes"]["care"]["consent_model"] = "opt-in"
    with pytest.raises(RegisterInvalid) as raised:
        import_register_text(db_session, as_yaml(data))
    assert raised.value.problems == [
        "tools[0].purposes.care.terms_version: must go up when consent_model changes (the database has version 1)"]


def test_a_terms_version_never_goes_down(db_session):
    data = small_register()
    data["tools"][0]["purposes"]["care"]["terms_version"] = 3
    import_register_text(db_session, as_yaml(data))
    db_session.commit()
    data["tools"][0]["purposes"]["care"]["terms_version"] = 2
    with pytest.raises(RegisterInvalid) as raised:
        import_register_text(db_session, as_yaml(data))
    assert raised.value.problems == [
        "tools[0].purposes.care.terms_version: must not go down (the database has version 3)"]


def _duplicate_slug(data):  # type: ignore[no-untyped-def]
    data["tools"][1]["slug"] = "scan-reader"


def _no_consent_model(data):  # type: ignore[no-untyped-def]
    del data["tools"][0]["purposes"]["care"]["consent_model"]


def _unknown_category(data):  # type: ignore[no-untyped-def]
    data["tools"][0]["category"] = "marketing"


def _bad_ods_code(data):  # type: ignore[no-untyped-def]
    data["organisations"][1]["ods_code"] = "R-B"


def _non_http_link(data):  # type: ignore[no-untyped-def]
    data["tools"][1]["evidence"][0]["url"] = "mailto:someone@scans.example"


@pytest.mark.parametrize("break_it", [_duplicate_slug, _no_consent_model, _unknown_category, _bad_ods_code,
                                      _non_http_link])
def test_each_bad_input_in_the_issue_writes_nothing(db_session, break_it):
    data = small_register()
    data["tools"][0]["summary"] = "Text that must not land."
    data["organisations"].append({"ods_code": "RCC", "name": "Gamma NHS Trust", "nation": "england"})
    break_it(data)
    with pytest.raises(RegisterInvalid):
        import_register_text(db_session, as_yaml(data))
    assert not db_session.new and not db_session.dirty and not db_session.deleted
    db_session.commit()
    assert (count(db_session, AiTool), count(db_session, Organisation), count(db_session, RegisterChange),
            count(db_session, ToolPolicyChange), current_sequence(db_session)) == (0, 0, 0, 0, 0)


def test_a_broken_file_writes_nothing_and_leaves_the_register_as_it_was(db_session):
    import_register_text(db_session, as_yaml(small_register()))
    db_session.commit()
    before = (count(db_session, AiTool), count(db_session, RegisterChange), current_sequence(db_session))
    data = small_register()
    data["tools"][0]["summary"] = "A new summary that must not land."
    data["tools"][1]["category"] = "marketing"
    with pytest.raises(RegisterInvalid):
        import_register_text(db_session, as_yaml(data))
    assert not db_session.new and not db_session.dirty and not db_session.deleted
    db_session.rollback()
    assert (count(db_session, AiTool), count(db_session, RegisterChange), current_sequence(db_session)) == before
    assert tool(db_session, "scan-reader").summary == "This AI reads scans. A doctor checks what it finds."


def test_a_tool_that_leaves_the_file_is_retired_not_deleted_and_its_choices_still_refer_to_it(db_session):
    import_register_text(db_session, as_yaml(small_register()))
    patient = make_patient(db_session)
    scanner = tool(db_session, "scan-reader")
    add_choice(db_session, Choice(sequence=next_sequence(db_session), reference="AIC-TEST-0001", patient_id=patient.id,
                                  tool_id=scanner.id, purpose="care", decision="deny", terms_version=1,
                                  actor_kind="self", channel="web"))
    db_session.commit()
    data = small_register()
    del data["tools"][0]
    result = import_register_text(db_session, as_yaml(data), now=TUESDAY)
    db_session.commit()

    assert result.summary() == "added 0, updated 0, retired 1, unchanged 1"
    retired = tool(db_session, "scan-reader")
    assert retired.retired_at_utc == TUESDAY
    assert db_session.execute(select(Choice.tool_id)).scalar_one() == retired.id
    [withdrawn] = result.policy_changes
    assert (withdrawn.purpose, withdrawn.consent_model, withdrawn.previous_consent_model) == ("care", "withdrawn", "opt-out")
    assert list_register_changes(db_session, retired.id)[-1].kind == "retired"

    again = import_register_text(db_session, as_yaml(data))
    assert again.summary() == "added 0, updated 0, retired 0, unchanged 1"


def test_a_retired_tool_that_comes_back_is_restored(db_session):
    import_register_text(db_session, as_yaml(small_register()))
    data = small_register()
    del data["tools"][0]
    import_register_text(db_session, as_yaml(data))
    result = import_register_text(db_session, as_yaml(small_register()))
    db_session.commit()
    assert result.updated == {"scan-reader": ["retired"]}
    assert tool(db_session, "scan-reader").retired_at_utc is None
    assert [(c.consent_model, c.previous_consent_model) for c in result.policy_changes] == [("opt-out", None)]


def test_removing_a_purpose_withdraws_it_and_adding_one_announces_it(db_session):
    import_register_text(db_session, as_yaml(small_register()))
    data = small_register()
    data["tools"][0]["purposes"] = {"research": {"consent_model": "opt-in", "terms_version": 1,
                                                 "plain_terms": "Only if you say yes.", "no_choice_reason": None}}
    result = import_register_text(db_session, as_yaml(data))
    db_session.commit()
    assert [(c.purpose, c.consent_model) for c in result.policy_changes] == [("care", "withdrawn"), ("research", "opt-in")]
    purposes = db_session.execute(select(ToolPurpose.purpose).join(AiTool).where(AiTool.slug == "scan-reader")).scalars()
    assert list(purposes) == ["research"]


def test_new_deployments_and_text_are_updates_named_by_field(db_session):
    import_register_text(db_session, as_yaml(small_register()))
    data = small_register()
    data["tools"][0]["deployments"].append({"ods_code": "RBB", "services": ["Stroke care"]})
    data["tools"][0]["how_it_works"] = "It reads the scan in seconds."
    data["organisations"][0]["name"] = "Alpha Health NHS Trust"
    result = import_register_text(db_session, as_yaml(data))
    db_session.commit()
    assert result.updated == {"scan-reader": ["deployments", "how_it_works"]}
    assert result.policy_changes == []
    organisations = {o.ods_code: o.name for o in db_session.execute(select(Organisation)).scalars()}
    assert organisations == {"RAA": "Alpha Health NHS Trust", "RBB": "Beta NHS Trust"}
