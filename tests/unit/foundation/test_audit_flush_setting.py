"""AUDIT_READ_FLUSH_MS (issue 8 point 9): at most one second of lookups' audit may wait."""

from __future__ import annotations

import pytest

from portal import config
from portal.config import ConfigError

SECRET = {"SECRET_KEY": "s" * 40}


def test_production_flushes_within_a_quarter_of_a_second_and_tests_write_each_read_at_once():
    assert config.load({**SECRET, "PORTAL_ENV": "production"})["AUDIT_READ_FLUSH_MS"] == 250
    assert config.load({"PORTAL_ENV": "test"})["AUDIT_READ_FLUSH_MS"] == 0
    assert config.load({"PORTAL_ENV": "test", "AUDIT_READ_FLUSH_MS": "200"})["AUDIT_READ_FLUSH_MS"] == 200


@pytest.mark.parametrize("value", ["1001", "-1", "half", ""])
def test_more_than_a_second_or_not_a_number_is_refused(value):
    with pytest.raises(ConfigError, match="AUDIT_READ_FLUSH_MS must be a whole number of milliseconds from 0 to 1000"):
        config.load({**SECRET, "PORTAL_ENV": "production", "AUDIT_READ_FLUSH_MS": value})
