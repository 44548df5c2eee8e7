"""Conventions the whole codebase keeps, checked by walking the app and the tree."""

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


def test_urls_are_kebab_case(app):
    # FHIR's own paths (/fhir/r4/Consent/_search) follow the FHIR specification instead.
    bad = [r.rule for r in app.url_map.iter_rules() if not r.rule.startswith("/fhir/")
           if any(c.isupper() or c == "_" for part in r.rule.split("/") if not part.startswith("<") for c in part)]
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
