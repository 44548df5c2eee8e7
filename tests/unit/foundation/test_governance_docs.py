"""The governance documents (issue 9 points 2 and 3) exist, are linked from the README, and
keep saying what the hazard log relies on: the deployer's pack gives clinical systems the
rules for an outage, stale copies and merged records; the DPIA's retention table follows the
settings; the DPIA and the privacy notice name the same lawful bases."""

from __future__ import annotations

import re

import pytest

from portal import config

ROOT = config.PROJECT_ROOT
PACK = ROOT / "docs" / "clinical-safety" / "deployers-pack.md"
DPIA = ROOT / "docs" / "data-protection" / "dpia.md"
PRIVACY = ROOT / "templates" / "pages" / "privacy.html"
DOCUMENTS = ("docs/clinical-safety/hazard-log.md", "docs/clinical-safety/safety-case-report.md",
             "docs/clinical-safety/deployers-pack.md", "docs/data-protection/dpia.md", "templates/pages/privacy.html")
UNITS = {"MINUTES": "minutes", "HOURS": "hours", "DAYS": "days", "YEARS": "years"}


def _flat(path) -> str:  # type: ignore[no-untyped-def]
    return " ".join(path.read_text(encoding="utf-8").split())


@pytest.mark.parametrize("document", DOCUMENTS)
def test_the_readme_links_every_governance_document(document):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"]({document})" in readme and (ROOT / document).is_file()


def test_the_deployers_pack_tells_clinical_systems_to_fail_closed_for_opt_in_tools():
    pack = _flat(PACK)
    assert "If the portal cannot be reached**, the EPR must **fail closed for opt-in tools** (do not run the tool)" in pack


def test_the_deployers_pack_limits_local_copies_to_15_minutes():
    pack = _flat(PACK)
    assert "refresh it from the change feed (`/api/v1/ai-decision-changes`) **at least every 15 minutes**" in pack
    assert "must never treat a copy older than that as current" in pack


def test_the_deployers_pack_says_what_to_do_when_records_are_merged():
    pack = _flat(PACK)
    assert "**When records are merged**" in pack
    assert "until then, ask the patient before running any AI tool" in pack


def test_the_deployers_pack_schedules_purge_and_audit_verification():
    pack = _flat(PACK)
    assert "Run `flask portal purge` daily" in pack and "Run `flask portal verify-audit` daily" in pack
    assert "`EVIDENCE_UPLOAD_DIR`" in pack


@pytest.mark.parametrize("name", config.RETENTION_SETTINGS)
def test_the_dpia_retention_table_states_each_setting_with_its_default(name):
    default = next(setting.default for setting in config.SETTINGS if setting.name == name)
    unit = UNITS[name.rsplit("_", 1)[1]]
    assert re.search(rf"\| `{name}` \(default {default} {unit}\) \|", DPIA.read_text(encoding="utf-8"))


@pytest.mark.parametrize("article", ["Article 6(1)(e)", "Article 6(1)(c)", "Article 9(2)(h)"])
def test_the_dpia_and_the_privacy_notice_name_the_same_lawful_bases(article):
    assert article in DPIA.read_text(encoding="utf-8")
    assert f"UK GDPR {article}" in PRIVACY.read_text(encoding="utf-8")
