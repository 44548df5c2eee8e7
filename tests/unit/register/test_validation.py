"""Checking the register file: every problem is found before anything is written, each named
by its path in the file (issue 3 point 2)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from portal.services.register import CATEGORIES, RegisterInvalid, parse_register
from tests.register_files import as_yaml, shipped_register, small_register

Change = Callable[[dict[str, Any]], None]


def problems_after(change: Change) -> list[str]:
    data = small_register()
    change(data)
    with pytest.raises(RegisterInvalid) as raised:
        parse_register(as_yaml(data))
    return raised.value.problems


def _set(path: str, value: Any) -> Change:
    """A change that sets the field at ``path`` ("tools.0.purposes.care.consent_model")."""
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = data
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        if value is _DELETE:
            del target[int(last) if last.isdigit() else last]
        else:
            target[int(last) if last.isdigit() else last] = value
    return change


_DELETE = object()


def _duplicate_slug(data: dict[str, Any]) -> None:
    data["tools"][1]["slug"] = "scan-reader"


def test_the_small_register_is_valid():
    register = parse_register(as_yaml(small_register()))
    assert [tool.slug for tool in register.tools] == ["scan-reader", "feedback-reader"]


@pytest.mark.parametrize(("change", "expected"), [
    pytest.param(_duplicate_slug, 'tools[1].slug: "scan-reader" is already used by tools[0]', id="duplicate slug"),
    pytest.param(_set("tools.0.purposes.care.consent_model", _DELETE),
                 "tools[0].purposes.care.consent_model: must be one of opt-in, opt-out, no-choice",
                 id="missing consent model"),
    pytest.param(_set("tools.0.purposes.care.consent_model", "opt-maybe"),
                 'tools[0].purposes.care.consent_model: must be one of opt-in, opt-out, no-choice, not "opt-maybe"',
                 id="unknown consent model"),
    pytest.param(_set("tools.1.category", "marketing"),
                 "tools[1].category: must be one of administration, clinical-decision-making, service-delivery, "
                 'population-health, research, not "marketing"', id="unknown category"),
    pytest.param(_set("tools.0.phase", "live"), 'tools[0].phase: must be one of pilot, in-use, retired, not "live"',
                 id="unknown phase"),
    pytest.param(_set("organisations.1.ods_code", "rbb-1"),
                 'organisations[1].ods_code: must be 3 to 6 upper-case letters or digits, not "rbb-1"',
                 id="invalid ODS code shape"),
    pytest.param(_set("organisations.0.ods_code", "RAAAAAA"),
                 'organisations[0].ods_code: must be 3 to 6 upper-case letters or digits, not "RAAAAAA"',
                 id="ODS code too long"),
    pytest.param(_set("tools.0.sources.0.url", "ftp://scans.example/about"),
                 'tools[0].sources[0].url: must be an http or https link, not "ftp://scans.example/about"',
                 id="non-http link"),
    pytest.param(_set("tools.0.evidence.0.url", "javascript:alert(1)"),
                 'tools[0].evidence[0].url: must be an http or https link, not "javascript:alert(1)"',
                 id="script link"),
    pytest.param(_set("tools.0.supplier.url", "scans.example"),
                 'tools[0].supplier.url: must be an http or https link, not "scans.example"',
                 id="link without a scheme"),
    pytest.param(_set("tools.1.purposes.improvement.no_choice_reason", None),
                 "tools[1].purposes.improvement.no_choice_reason: is required when consent_model is no-choice",
                 id="no-choice without a reason"),
    pytest.param(_set("tools.0.deployments.0.ods_code", "RZZ"),
                 'tools[0].deployments[0].ods_code: "RZZ" is not listed under organisations',
                 id="deployment at an unlisted organisation"),
    pytest.param(_set("tools.0.purposes.marketing", {"consent_model": "opt-in"}),
                 "tools[0].purposes.marketing: is not a purpose; must be one of care, improvement, research",
                 id="unknown purpose"),
    pytest.param(_set("tools.0.purposes", {}),
                 "tools[0].purposes: must list at least one of care, improvement, research", id="no purposes"),
    pytest.param(_set("tools.0.purposes.care.terms_version", 0),
                 "tools[0].purposes.care.terms_version: must be a whole number, 1 or more", id="terms version 0"),
    pytest.param(_set("tools.0.summary", _DELETE), "tools[0].summary: is required", id="missing summary"),
    pytest.param(_set("tools.0.summary", "  "), "tools[0].summary: must not be empty", id="empty summary"),
    pytest.param(_set("tools.0.colour", "blue"), "tools[0].colour: is not a field here (check the spelling)",
                 id="unknown field"),
    pytest.param(_set("tools.0.slug", "Scan_Reader"),
                 'tools[0].slug: must be lower-case letters, digits and single hyphens, like "stroke-scan-reader"',
                 id="slug shape"),
    pytest.param(_set("tools.0.offers_choice", False),
                 "tools[0].no_choice_here_reason: is required when offers_choice is false",
                 id="no choice here without a reason"),
    pytest.param(_set("tools.0.offers_choice", False),
                 "tools[0].purposes.care.consent_model: must be no-choice when offers_choice is false",
                 id="a choice model on a tool that offers no choice here"),
    pytest.param(_set("tools.0.jurisdictions", ["scotland"]),
                 "tools[0].offers_choice: must be false when the tool is not used in England or Wales",
                 id="choice offered for a tool used only in Scotland"),
    pytest.param(_set("tools.0.evidence.0.kind", "anecdote"),
                 "tools[0].evidence[0].kind: must be one of trial, real-world-evaluation, lab-study, guidance, "
                 'other, not "anecdote"', id="unknown evidence kind"),
    pytest.param(_set("tools.0.review", {"status": "reviewed"}),
                 "tools[0].review.reviewed_by: is required when status is reviewed", id="reviewed without a reviewer"),
    pytest.param(_set("tools.0.translations", {"fr": {"summary": "Bonjour"}}),
                 "tools[0].translations.fr: is not a language the register is translated into; must be one of cy, ur",
                 id="translation into a language the portal does not offer"),
    pytest.param(_set("tools.0.phase_since", "last year"),
                 'tools[0].phase_since: must be a year or date in quotes, like "2020" or "2020-03", or null',
                 id="phase since not a date"),
    pytest.param(_set("schema_version", 2), "schema_version: must be 1", id="schema version"),
])
def test_a_bad_register_is_rejected_with_the_exact_problem(change, expected):
    assert expected in problems_after(change)


def test_every_problem_is_listed_at_once_in_file_order():
    def many(data: dict[str, Any]) -> None:
        _duplicate_slug(data)
        del data["tools"][0]["purposes"]["care"]["consent_model"]
        data["tools"][1]["category"] = "marketing"
        data["organisations"][1]["ods_code"] = "rbb"
        data["tools"][0]["sources"][0]["url"] = "ftp://x.example"

    assert problems_after(many) == [
        'organisations[1].ods_code: must be 3 to 6 upper-case letters or digits, not "rbb"',
        'tools[0].sources[0].url: must be an http or https link, not "ftp://x.example"',
        "tools[0].purposes.care.consent_model: must be one of opt-in, opt-out, no-choice",
        'tools[1].slug: "scan-reader" is already used by tools[0]',
        'tools[1].category: must be one of administration, clinical-decision-making, service-delivery, '
        'population-health, research, not "marketing"',
        'tools[1].deployments[0].ods_code: "RBB" is not listed under organisations',
    ]


@pytest.mark.parametrize(("text", "expected"), [
    ("schema_version: 1\ntools: [\n", "line 3: not valid YAML"),
    ("schema_version: 1\nschema_version: 1\n", 'line 2: "schema_version" is written twice in the same block'),
    ("- just\n- a list\n", "file: must be a block with schema_version, organisations and tools"),
])
def test_a_file_that_is_not_a_register_says_where(text, expected):
    with pytest.raises(RegisterInvalid) as raised:
        parse_register(text)
    assert raised.value.problems[0].startswith(expected)


def test_a_key_written_twice_in_a_tool_is_caught_not_silently_overwritten():
    text = as_yaml(small_register()).replace("  summary: This AI reads scans", "  summary: First.\n  summary: This AI reads scans", 1)
    with pytest.raises(RegisterInvalid) as raised:
        parse_register(text)
    assert len(raised.value.problems) == 1 and '"summary" is written twice' in raised.value.problems[0]


def test_the_shipped_register_is_valid_and_real():
    register = parse_register(as_yaml(shipped_register()))
    assert len(register.tools) >= 8
    assert {tool.category for tool in register.tools} <= set(CATEGORIES)
    assert all(tool.review_status == "unreviewed" for tool in register.tools)
    not_here = [tool.slug for tool in register.tools if not tool.offers_choice]
    assert not_here == ["ethos-adaptive-radiotherapy-beatson"]
    assert all(tool.evidence or tool.sources for tool in register.tools), "every fact needs a public source"
