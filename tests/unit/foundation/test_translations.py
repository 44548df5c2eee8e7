"""Every catalogue is complete, not fuzzy, and keeps its placeholders (msgfmt --check)."""

from scripts.check_translations import problems


def test_catalogues_are_complete_and_pass_msgfmt_check():
    assert problems() == []
