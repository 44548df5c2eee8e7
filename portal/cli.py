"""``flask portal ...`` commands. Thin: parse arguments, call one service, commit, report."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from portal import migrate
from portal.config import PROJECT_ROOT
from portal.extensions import db
from portal.services import audit, demo
from portal.services import register as register_service

portal_cli = AppGroup("portal", help="AI choices portal commands.")
DEFAULT_REGISTER_FILE = PROJECT_ROOT / "register" / "ai-tools.yaml"


@portal_cli.command("db-upgrade")
def db_upgrade() -> None:
    """Apply every database migration (safe to run again)."""
    migrate.upgrade(current_app.config["DATABASE_URL"])
    click.echo(f"Database at migration {migrate.head_revision()}.")


def _import_register(path: Path) -> register_service.ImportResult:
    """Import ``path`` in the request session; on a problem print every one and exit 1
    with nothing written (the session is rolled back, never committed)."""
    try:
        text = path.read_text(encoding="utf-8")
        return register_service.import_register_text(db.session, text)
    except UnicodeDecodeError:
        problems = ["file: is not UTF-8 text"]
    except register_service.RegisterInvalid as error:
        problems = error.problems
    db.session.rollback()
    for problem in problems:
        click.echo(f"{path}: {problem}", err=True)
    click.echo(f"Nothing was imported: {len(problems)} problem(s) in {path}.", err=True)
    raise SystemExit(1)


def _echo_changes(result: register_service.ImportResult) -> None:
    for slug in result.added:
        click.echo(f"added {slug}")
    for slug, fields in result.updated.items():
        click.echo(f"updated {slug}: {', '.join(fields)}")
    for slug in result.retired:
        click.echo(f"retired {slug}")
    click.echo(result.summary())


@portal_cli.command("import-register")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_register(path: Path) -> None:
    """Check the AI tool register file at PATH, then import it (safe to run again).

    A file with any problem is rejected whole: every problem is listed, nothing is written."""
    result = _import_register(path)
    db.session.commit()
    _echo_changes(result)


@portal_cli.command("load-demo")
def load_demo() -> None:
    """Import the shipped register, then load the synthetic demo patients, linked to the
    register's organisations (safe to run again)."""
    session = db.session
    result = _import_register(DEFAULT_REGISTER_FILE)
    codes = demo.load_organisations(session, DEFAULT_REGISTER_FILE)
    patients = demo.load_demo_patients(session, codes)
    session.commit()
    click.echo(f"Register: {result.summary()}.")
    click.echo(f"Loaded {len(codes)} organisations and {len(patients)} synthetic patients.")


@portal_cli.command("verify-audit")
def verify_audit() -> None:
    """Walk the audit trail's hash chains; exit 1 at the first broken link."""
    result = audit.verify(db.session)
    if result.ok:
        if result.events_checked == 0:
            click.echo("The audit trail is empty: nothing to verify.")
        else:
            click.echo(f"Audit trail intact: {result.events_checked} events over {result.days_checked} day(s).")
        return
    click.echo(
        f"Audit trail BROKEN on {result.broken_day} at position {result.broken_position}: "
        f"{result.problem}. {result.events_checked} events before it verified.",
        err=True,
    )
    raise SystemExit(1)


def init_app(app: Flask) -> None:
    app.cli.add_command(portal_cli)
