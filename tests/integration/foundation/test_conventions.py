"""Conventions the whole codebase keeps, checked by walking the app and the tree."""

import re
import subprocess
import sys
from pathlib import Path

from portal import migrate
from portal.access import ACCESS_KINDS, access_rule

PROJECT_ROOT = Path(__file__).resolve().parents[3]
# Routes outside our views: Flask's static files (public by nature).
PUBLIC_ALLOW_LIST = {"static"}


def test_every_route_declares_who_may_reach_it(app):
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ALLOW_LIST:
            continue
        declared = access_rule(app.view_functions[rule.endpoint])
        if declared is None or declared.kind not in ACCESS_KINDS:
            missing.append(f"{rule.rule} ({rule.endpoint})")
    assert missing == []


def _kebab(part: str, rule: str) -> bool:
    if part.startswith("<"):
        return True
    if rule.startswith("/fhir/") and re.fullmatch(r"[A-Z][A-Za-z]+|_[a-z]+", part):
        return True  # FHIR resource types (PascalCase) and operations (_search) per the FHIR REST specification
    return not any(c.isupper() or c == "_" for c in part)


def test_urls_are_kebab_case(app):
    bad = [r.rule for r in app.url_map.iter_rules()
           if not all(_kebab(part, r.rule) for part in r.rule.split("/"))]
    assert bad == []


def test_migrations_have_one_head_recorded_in_the_head_file():
    head_file = (PROJECT_ROOT / "migrations" / ".current-alembic-head").read_text().strip()
    assert migrate.head_revision() == head_file


def test_import_layers_hold():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports")], cwd=PROJECT_ROOT,
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_migrations_create_exactly_the_models(app):
    """Every schema change is a migration: the migrated database matches the models."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from portal.data import Base
    from portal.extensions import db

    with app.app_context(), db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_patient_pages_are_guarded_at_their_level_of_assurance(app):
    from tests.pages import PATIENT_PAGES

    for name, (_path, endpoint, level) in PATIENT_PAGES.items():
        rule = access_rule(app.view_functions[endpoint])
        assert rule is not None and (rule.kind, rule.detail) == ("patient", (level,)), name
