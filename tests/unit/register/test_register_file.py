"""The shipped register file's text reads plainly, and a tool's content hash and changed
fields follow its content (register/README.md; issue 3 points 1 and 5)."""

from __future__ import annotations

import dataclasses

import pytest
import textstat

from portal.services.register import parse_register
from portal.services.register.spec import changed_fields, content_hash
from tests.register_files import as_yaml, shipped_register, small_register

SHIPPED = parse_register(as_yaml(shipped_register()))
OVERVIEW_FIELDS = ("summary", "human_oversight")  # shown in each page's plain overview
DETAIL_FIELDS = ("how_it_works", "data_used", "limitations", "groups_less_well", "monitoring")


def _fields():  # type: ignore[no-untyped-def]
    for tool in SHIPPED.tools:
        for name in OVERVIEW_FIELDS:
            yield tool.slug, name, getattr(tool, name), 6.0
        for purpose in tool.purposes:
            yield tool.slug, f"purposes.{purpose.purpose}.plain_terms", purpose.plain_terms, 6.0
        for name in DETAIL_FIELDS:
            yield tool.slug, name, getattr(tool, name), 9.0


@pytest.mark.parametrize(("slug", "field", "text", "bar"), list(_fields()),
                         ids=[f"{slug}.{field}" for slug, field, _t, _b in _fields()])
def test_each_shipped_text_field_reads_at_or_below_its_grade(slug, field, text, bar):
    grade = textstat.flesch_kincaid_grade(text)
    assert grade <= bar, f"{slug}.{field} scores grade {grade:.1f}, above {bar}"


def test_the_content_hash_changes_with_any_field_and_names_it():
    tool = parse_register(as_yaml(small_register())).tools[0]
    care = dataclasses.replace(tool.purposes[0], consent_model="opt-in", terms_version=2)
    changed = dataclasses.replace(tool, summary="Something else.", purposes=(care,))
    assert content_hash(changed) != content_hash(tool)
    assert content_hash(dataclasses.replace(tool)) == content_hash(tool)
    assert changed_fields(tool, changed) == ["purposes.care.consent_model", "purposes.care.terms_version", "summary"]


def test_deployment_order_does_not_count_as_a_change():
    tool = parse_register(as_yaml(small_register())).tools[0]
    two = (tool.deployments[0], dataclasses.replace(tool.deployments[0], ods_code="RBB"))
    assert changed_fields(dataclasses.replace(tool, deployments=two),
                          dataclasses.replace(tool, deployments=two[::-1])) == []
