"""``flask portal ...`` commands. Thin: parse arguments, call one service, commit, report."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from portal import migrate
from portal.config import INSTANCE_DIR, PROJECT_ROOT
from portal.extensions import db
from portal.services import api_clients, demo

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
    _demo_api_client()


DEMO_ACCOUNTS_FILE = INSTANCE_DIR / "demo-accounts.json"


def _demo_api_client() -> None:
    """Register (or keep) the demo's development API client; save it in demo-accounts.json,
    merged with what other demo steps wrote there."""
    accounts_file = DEMO_ACCOUNTS_FILE
    accounts = json.loads(accounts_file.read_text(encoding="utf-8")) if accounts_file.exists() else {}
    made = api_clients.ensure_demo_client(db.session, accounts.get("api_client"))
    db.session.commit()
    accounts["api_client"] = {"client_id": made.client_id, "secret": made.secret,
                              "scopes": list(api_clients.SCOPES), "token_url": "http://127.0.0.1:5000/oauth2/token"}
    accounts_file.parent.mkdir(exist_ok=True)
    accounts_file.write_text(json.dumps(accounts, indent=2) + "\n", encoding="utf-8")
    click.echo(f"Demo API client (development secret): client id {made.client_id}, secret {made.secret}")
    click.echo(f"Saved in {accounts_file.relative_to(PROJECT_ROOT) if accounts_file.is_relative_to(PROJECT_ROOT) else accounts_file}.")


@portal_cli.command("create-api-client")
@click.option("--name", required=True, help="The clinical system's name.")
@click.option("--ods", "ods_code", required=True, help="The organisation's ODS code.")
@click.option("--jwks-url", help="Where the system publishes its public keys (https).")
@click.option("--jwks-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A file holding the system's public JWKS.")
@click.option("--development-secret", is_flag=True, help="A client secret instead of keys (development only).")
@click.option("--scope", "scopes", multiple=True, required=True,
              type=click.Choice([*api_clients.SCOPES, api_clients.CONSENT_READ_V2]),
              help="A scope the client may ask for (repeat for more).")
def create_api_client(name: str, ods_code: str, jwks_url: str | None, jwks_file: Path | None,
                      development_secret: bool, scopes: tuple[str, ...]) -> None:
    """Register a clinical system as an API client and print its client id (and secret once)."""
    if development_secret and current_app.config["PORTAL_ENV"] == "production":
        raise click.UsageError("A development secret cannot be used in production: register a JWKS.")
    try:
        jwks = api_clients.read_jwks_file(jwks_file) if jwks_file else None
        made = api_clients.create_client(db.session, name=name, ods_code=ods_code, scopes=scopes,
                                         jwks_url=jwks_url, jwks=jwks, development_secret=development_secret)
    except api_clients.ApiClientError as error:
        raise click.UsageError(str(error)) from None
    db.session.commit()
    click.echo(f"Client id: {made.client_id}")
    if made.secret:
        click.echo(f"Client secret (shown once, keep it safe): {made.secret}")


def init_app(app: Flask) -> None:
    app.cli.add_command(portal_cli)
