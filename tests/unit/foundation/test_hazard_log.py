"""The hazard log cannot drift from the code: every test it names exists, and the rendered
Markdown matches the YAML."""

from scripts import hazard_log


def test_every_control_names_tests_that_exist():
    assert hazard_log.missing_tests(hazard_log.load()) == []


def test_the_rendered_log_is_up_to_date():
    assert hazard_log.RENDERED.read_text(encoding="utf-8") == hazard_log.render(hazard_log.load())


def test_a_missing_test_is_caught():
    log = {"hazards": [{"controls": [{"tests": ["tests/unit/foundation/test_hazard_log.py::test_that_does_not_exist"]}]}]}
    assert hazard_log.missing_tests(log) == ["tests/unit/foundation/test_hazard_log.py::test_that_does_not_exist"]
