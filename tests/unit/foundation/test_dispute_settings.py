"""Dispute due-date targets are settings from the environment (issue 6 point 4): working days
to acknowledge and to decide, per nation, with defaults 3 and 20 (England), 3 and 30 (Wales),
3 and 20 (Scotland, Northern Ireland). A bad value stops the portal starting and says why."""

import pytest

from portal import config, create_app
from portal.config import ConfigError


def test_the_defaults_are_3_working_days_to_acknowledge_and_20_or_30_to_decide():
    settings = config.load({"PORTAL_ENV": "test"})
    assert settings["DISPUTE_ACKNOWLEDGE_WITHIN"] == {
        "england": 3, "wales": 3, "scotland": 3, "northern-ireland": 3}
    assert settings["DISPUTE_DECIDE_WITHIN"] == {
        "england": 20, "wales": 30, "scotland": 20, "northern-ireland": 20}


def test_each_nation_is_set_from_its_own_variable():
    settings = config.load({"PORTAL_ENV": "test", "DISPUTE_DECIDE_DAYS_WALES": "25",
                            "DISPUTE_ACKNOWLEDGE_DAYS_NORTHERN_IRELAND": " 2 "})
    assert settings["DISPUTE_DECIDE_WITHIN"]["wales"] == 25
    assert settings["DISPUTE_DECIDE_WITHIN"]["england"] == 20
    assert settings["DISPUTE_ACKNOWLEDGE_WITHIN"]["northern-ireland"] == 2


@pytest.mark.parametrize(("environ", "message"), [
    ({"DISPUTE_DECIDE_DAYS_ENGLAND": "twenty"},
     "DISPUTE_DECIDE_DAYS_ENGLAND must be a whole number of working days from 1 to 250, not 'twenty'"),
    ({"DISPUTE_DECIDE_DAYS_WALES": "0"}, "DISPUTE_DECIDE_DAYS_WALES must be a whole number"),
    ({"DISPUTE_ACKNOWLEDGE_DAYS_SCOTLAND": "-1"}, "DISPUTE_ACKNOWLEDGE_DAYS_SCOTLAND must be a whole number"),
    ({"DISPUTE_DECIDE_DAYS_NORTHERN_IRELAND": "2.5"}, "DISPUTE_DECIDE_DAYS_NORTHERN_IRELAND must be a whole number"),
    ({"DISPUTE_DECIDE_DAYS_ENGLAND": "251"}, "DISPUTE_DECIDE_DAYS_ENGLAND must be a whole number"),
    ({"DISPUTE_DECIDE_DAYS_ENGLAND": ""}, "DISPUTE_DECIDE_DAYS_ENGLAND must be a whole number"),
    ({"DISPUTE_ACKNOWLEDGE_DAYS_WALES": "10", "DISPUTE_DECIDE_DAYS_WALES": "5"},
     r"DISPUTE_DECIDE_DAYS_WALES \(5\) must not be shorter than DISPUTE_ACKNOWLEDGE_DAYS_WALES \(10\)"),
])
def test_a_bad_target_is_refused_with_a_clear_message(environ, message):
    with pytest.raises(ConfigError, match=message):
        config.load({"PORTAL_ENV": "test", **environ})


def test_the_portal_refuses_to_start_with_a_bad_target(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "test")
    monkeypatch.setenv("DISPUTE_DECIDE_DAYS_WALES", "thirty")
    with pytest.raises(ConfigError, match="DISPUTE_DECIDE_DAYS_WALES"):
        create_app({"DATABASE_URL": "sqlite://"})


def test_the_readme_table_gives_each_dispute_setting_with_its_default():
    readme = (config.PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(): line.split("|")[2].strip()
            for line in readme.splitlines() if line.startswith("| `DISPUTE_")}
    expected = {f"`{s.name}`": f"`{s.default}`" for s in config.SETTINGS if s.name.startswith("DISPUTE_")}
    assert len(expected) == 8
    assert rows == expected
