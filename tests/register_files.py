"""Register files for tests: a small valid register as data, and YAML text from it.

``small_register()`` has two organisations and two tools (one opt-out for care, one with a
no-choice improvement purpose). Tests change one thing and dump it with ``as_yaml``.
"""

from __future__ import annotations

import copy
from typing import Any

import yaml

from tests.conftest import SHIPPED_REGISTER

_TOOL: dict[str, Any] = {
    "slug": "scan-reader",
    "name": "Scan reader",
    "product_name": "ScanRead",
    "version": "2.1",
    "supplier": {"name": "Example Scans Ltd", "url": "https://scans.example"},
    "category": "clinical-decision-making",
    "phase": "in-use",
    "phase_since": "2021",
    "jurisdictions": ["england"],
    "offers_choice": True,
    "no_choice_here_reason": None,
    "deployments": [{"ods_code": "RAA", "services": ["Radiology"]}],
    "summary": "This AI reads scans. A doctor checks what it finds.",
    "how_it_works": "It marks parts of the scan that may need a closer look.",
    "data_used": "Scans of the chest.",
    "human_oversight": "A doctor reads every scan.",
    "limitations": "Not yet verified.",
    "groups_less_well": "Not yet verified.",
    "monitoring": "Not yet verified.",
    "regulatory_status": "UKCA Class IIa medical device.",
    "contact": "Not yet verified.",
    "evidence": [{"kind": "trial", "title": "A trial of the scan reader", "url": "https://evidence.example/trial"}],
    "sources": [{"title": "Maker's page", "url": "https://scans.example/about"}],
    "purposes": {
        "care": {"consent_model": "opt-out", "terms_version": 1,
                 "plain_terms": "It reads your scan unless you say no.", "no_choice_reason": None},
    },
    "review": {"status": "unreviewed"},
}


def small_register() -> dict[str, Any]:
    second = copy.deepcopy(_TOOL)
    second.update({
        "slug": "feedback-reader", "name": "Feedback reader", "category": "administration",
        "deployments": [{"ods_code": "RBB", "services": ["Patient experience"]}],
        "purposes": {"improvement": {
            "consent_model": "no-choice", "terms_version": 1,
            "plain_terms": "It reads comments you choose to leave.",
            "no_choice_reason": "Reading feedback is part of running the hospital.",
        }},
    })
    return {
        "schema_version": 1,
        "organisations": [
            {"ods_code": "RAA", "name": "Alpha NHS Trust", "nation": "england"},
            {"ods_code": "RBB", "name": "Beta NHS Trust", "nation": "wales"},
        ],
        "tools": [copy.deepcopy(_TOOL), second],
    }


def as_yaml(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def shipped_register() -> dict[str, Any]:
    return yaml.safe_load(SHIPPED_REGISTER.read_text(encoding="utf-8"))
