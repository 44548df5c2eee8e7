"""``flask portal ...`` commands. Thin: parse arguments, call one service, commit, report."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from portal import migrate
from portal.config import PROJECT_ROOT
from portal.extensions import db
from portal.services import audit, demo

portal_cli = AppGroup("portal", help="AI choices portal commands.")
DEFAULT_REGISTER_FILE = PROJECT_ROOT / "register" / "ai-tools.yaml"


@portal_cli.command("db-upgrade")
def db_upgrade() -> None:
    """Apply every database migration (safe to run again)."""
    migrate.upgrade(current_app.config["DATABASE_URL"])
    click.echo(f"Database at migration {migrate.head_revision()}.")


@portal_cli.command("load-demo")
def load_demo() -> None:
    """Load the register's organisations and the synthetic demo patients (safe to run again)."""
    session = db.session
    codes = demo.load_organisations(session, DEFAULT_REGISTER_FILE)
    patients = demo.load_demo_patients(session, codes)
    session.commit()
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
