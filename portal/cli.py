"""``flask portal ...`` commands. Thin: parse arguments, call one service, commit, report."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from portal import migrate
from portal.config import INSTANCE_DIR, PROJECT_ROOT
from portal.domain.errors import NotFound
from portal.domain.nhs_number import InvalidNhsNumber
from portal.extensions import db
from portal.services import (
    api_clients,
    audit,
    demo,
    demo_accounts,
    demo_ai_use,
    demo_disputes,
    demo_reads,
    health,
    retention,
    staff_accounts,
    subject_access,
)
from portal.services import authority as authority_service
from portal.services import authority_children
from portal.services import register as register_service

portal_cli = AppGroup("portal", help="AI choices portal commands.")
DEFAULT_REGISTER_FILE = PROJECT_ROOT / "register" / "ai-tools.yaml"
IDP_USERS_FILE = PROJECT_ROOT / "idp" / "demo-users.json"
DEMO_ACCOUNTS_FILE = INSTANCE_DIR / "demo-accounts.json"


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
@click.option("--accounts-file", type=click.Path(dir_okay=False), default=str(DEMO_ACCOUNTS_FILE),
              show_default=True, help="Where to write the demo sign-in details.")
def load_demo(accounts_file: str) -> None:
    """Import the shipped register, then load the synthetic demo patients (linked to the
    register's organisations) and the demo sign-in accounts (safe to run again)."""
    session = db.session
    result = _import_register(DEFAULT_REGISTER_FILE)
    codes = demo.load_organisations(session, DEFAULT_REGISTER_FILE)
    patients = demo.load_demo_patients(session, codes)
    accounts = {
        "about": "Made-up people for the demo only. NHS login users sign in at the local stand-in "
                 "(http://127.0.0.1:9000); staff sign in at /staff/sign-in with a code from the TOTP secret.",
        "nhs_login": demo_accounts.load_identity_provider_patients(session, IDP_USERS_FILE),
        "details_and_code": demo_accounts.code_route_examples(patients),
        "staff": demo_accounts.load_demo_staff(session, current_app.config["SECRET_KEY"], datetime.now(UTC)),
    }
    uses = demo_ai_use.load_demo_ai_use(session, datetime.now(UTC))
    accounts["carer"] = demo_accounts.load_demo_carer(session, IDP_USERS_FILE, patients, datetime.now(UTC))
    disputes = demo_disputes.load_demo_disputes(
        session, datetime.now(UTC), decide_within=current_app.config.get("DISPUTE_DECIDE_WITHIN"),
        acknowledge_within=current_app.config.get("DISPUTE_ACKNOWLEDGE_WITHIN"))
    target = Path(accounts_file)
    previous = json.loads(target.read_text(encoding="utf-8")) if target.exists() else {}
    made = api_clients.ensure_demo_client(session, previous.get("api_client"))
    accounts["api_client"] = {"client_id": made.client_id, "secret": made.secret,
                              "scopes": list(api_clients.SCOPES),
                              "token_url": "http://127.0.0.1:5000/oauth2/token"}
    reads = demo_reads.load_demo_reads(session, made.client_id, [p.nhs_number for p in patients])
    session.commit()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(accounts, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    target.chmod(0o600)
    click.echo(f"Register: {result.summary()}.")
    click.echo(f"Loaded {len(codes)} organisations and {len(patients)} synthetic patients.")
    click.echo(f"Added {uses} demo report(s) of AI use (one is AI used against the patient's wishes).")
    click.echo(f"Added {len(disputes)} demo request(s) for review for amelia.hughes@example.org"
               + (f" ({', '.join(disputes)}; one in review, one overdue)." if disputes else "."))
    click.echo(f"Added {reads} demo read(s) of a patient's choices by the demo clinical system.")
    _echo_demo_accounts(accounts)
    click.echo(f"All demo sign-in details are in {target}.")


def _echo_demo_accounts(accounts: dict) -> None:  # type: ignore[type-arg]
    click.echo("Demo sign-in (made-up people):")
    for user in accounts["nhs_login"]:
        if not user["test_behaviour"]:
            click.echo(f"  NHS login {user['level']}: {user['login']} / {user['password']}")
    for person in accounts["details_and_code"]:
        click.echo(f"  NHS number {person['nhs_number']}, born {person['date_of_birth']}, "
                   f"postcode {person['postcode']}: {person['expect']}")
    for staff in accounts["staff"]:
        click.echo(f"  staff {staff['email']} / {staff['password']}, TOTP secret {staff['totp_secret']}")
    client = accounts["api_client"]
    click.echo(f"  API client (development secret): client id {client['client_id']}, secret {client['secret']}")


@portal_cli.command("create-staff")
@click.option("--email", required=True, help="The staff member's work email address.")
@click.option("--role", "roles", multiple=True, required=True,
              type=click.Choice(staff_accounts.STAFF_ROLES), help="A role (repeat for more).")
@click.option("--oidc", "oidc_only", is_flag=True,
              help="Sign-in only through the staff identity provider (no password, no link).")
@click.option("--base-url", default="http://127.0.0.1:5000", show_default=True,
              help="The portal's address, for the set-up link.")
def create_staff(email: str, roles: tuple[str, ...], oidc_only: bool, base_url: str) -> None:
    """Create a staff user (or re-issue their set-up link) and print a one-time set-up link."""
    try:
        link = staff_accounts.create_staff_user(db.session, email, roles, datetime.now(UTC), oidc_only=oidc_only)
    except staff_accounts.InvalidStaffDetails as problem:
        raise click.UsageError(str(problem)) from None
    db.session.commit()
    if link is None:
        click.echo(f"Created {email.strip().lower()} ({', '.join(roles)}): signs in through the staff identity provider.")
        return
    click.echo(f"Created {link.user.email} ({', '.join(link.user.roles)}). Send them this link; it works once, "
               f"until {link.expires_at:%Y-%m-%d %H:%M} UTC:")
    click.echo(f"{base_url.rstrip('/')}/staff/set-up/{link.token}")


def _require_database(nothing_done: str) -> None:
    """Exit 1 with ``nothing_done`` and the reason when the database cannot be reached or is
    not at the migrations' head (a new or old database), so a command never half-runs or
    prints a traceback."""
    readiness = health.check_readiness(db.engine)
    if not readiness.database:
        click.echo(f"{nothing_done}: the database cannot be reached. Check DATABASE_URL.", err=True)
        raise SystemExit(1)
    if not readiness.ready:
        click.echo(f"{nothing_done}: the database is not set up for this version of the portal "
                   f"(at migration {readiness.revision or 'none'}, needs {readiness.head}). "
                   "Run `flask portal db-upgrade` first.", err=True)
        raise SystemExit(1)


@portal_cli.command("verify-audit")
def verify_audit() -> None:
    """Walk the audit trail's hash chains; exit 1 at the first broken link."""
    _require_database("The audit trail was not checked")
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


NHS_NUMBER_PROBLEMS = {  # for the person running the command (the patient's own words are in the domain)
    "empty": "no NHS number was given",
    "not-10-digits": "an NHS number is 10 digits (spaces allowed)",
    "check-digit": "that is not a valid NHS number (its check digit is wrong: look for a mistyped digit)",
}


@portal_cli.command("export-patient")
@click.argument("nhs_number")
def export_patient(nhs_number: str) -> None:
    """Print everything the portal holds about the patient with NHS_NUMBER as JSON (a subject
    access request). Audited. An invalid or unknown NHS number: a message and exit 1."""
    _require_database("Nothing was exported")
    try:
        patient_id = subject_access.patient_id_for_nhs_number(db.session, nhs_number)
    except InvalidNhsNumber as problem:
        click.echo(f"Nothing was exported: {NHS_NUMBER_PROBLEMS.get(problem.reason, problem.message)}.", err=True)
        raise SystemExit(1) from None
    except NotFound:
        click.echo("Nothing was exported: no patient with that NHS number is held here.", err=True)
        raise SystemExit(1) from None
    export = subject_access.export_patient(db.session, patient_id, audit.Actor("system", "cli"), datetime.now(UTC))
    db.session.commit()
    click.echo(json.dumps(export, indent=2, ensure_ascii=False))


@portal_cli.command("purge")
def purge() -> None:
    """Delete what the retention schedule says has expired (safe to run again, or twice at
    once). Never deletes choices or audit events."""
    _require_database("Nothing was removed")
    report = retention.purge(db.session, current_app.config, datetime.now(UTC))
    db.session.commit()
    for kind, count in report.removed.items():
        click.echo(f"Removed {count} {kind}.")
    click.echo("Choices and audit events are never removed by purge.")


@portal_cli.command("authority-review")
def authority_review() -> None:
    """Apply carers' time rules now: end authorities past their order's end date or a
    child's 16th birthday; move parental responsibility to review at 13; tell families whose
    child turns 13 within 30 days (once each). Run it daily; safe to run again."""
    now = datetime.now(UTC)
    changed = authority_service.apply_time_rules(db.session, now)
    notices = authority_children.send_review_notices(db.session, now)
    db.session.commit()
    click.echo(f"Authorities changed: {changed}.")
    click.echo(f"Families told a review at 13 is coming: {notices}.")


def init_app(app: Flask) -> None:
    app.cli.add_command(portal_cli)
