"""The README's API examples and command lines work against the demo (run by hand against a
running demo as well): the batch example names a tool that serves the purpose it asks about,
the CSV rules match ``portal.services.batch_checks``, and every command line says how to run
it (``flask --app wsgi portal ...``, with ``PORTAL_ENV=development`` against the demo)."""

from __future__ import annotations

import re

import yaml

from portal import config

ROOT = config.PROJECT_ROOT
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_batch_example_names_a_tool_that_serves_the_purpose():
    tools = {tool["slug"]: tool for tool in
             yaml.safe_load((ROOT / "register" / "ai-tools.yaml").read_text(encoding="utf-8"))["tools"]}
    examples = re.findall(r"ai-decision-checks\?tool=([a-z0-9-]+)&purpose=([a-z]+)", README)
    assert examples
    for slug, purpose in examples:
        assert purpose in tools[slug]["purposes"], (slug, purpose)


def test_the_readme_says_blank_rows_are_skipped_and_names_every_invalid_reason():
    flat = " ".join(README.split())
    assert "Blank rows are skipped" in flat and "still match the rows a spreadsheet shows" in flat
    for reason in ("not-10-digits", "check-digit", "more-than-one-column", "unterminated-quote"):
        assert f"`{reason}`" in flat


def test_commands_are_written_the_one_way_that_works():
    assert "flask portal" not in " ".join(README.split())
    assert "PORTAL_ENV=development DATABASE_URL=sqlite:///instance/portal.sqlite3 flask --app wsgi portal verify-audit" in README
