"""Settings, read from environment variables only.

Every setting is listed in ``SETTINGS`` with its default and whether production must set it;
the README's configuration table is checked against this list by a test. Defaults are safe to
publish: ``SECRET_KEY`` has none outside development and tests, and the app refuses to start
without it (``ConfigError``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message says which and how to fix it."""


@dataclass(frozen=True)
class Setting:
    """One environment variable: its name, default (None = no default), and meaning."""

    name: str
    default: str | None
    required_in_production: bool
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("PORTAL_ENV", "production", False,
            "`production`, `development` or `test`. Development and test relax the secret key "
            "and cookie rules; never use them on a server."),
    Setting("SECRET_KEY", None, True,
            "Signs sessions and form tokens. At least 32 random characters."),
    Setting("DATABASE_URL", "sqlite:///instance/portal.sqlite3", True,
            "SQLAlchemy URL. SQLite (embedded default, relative to the project) or PostgreSQL "
            "as `postgresql+psycopg://user:password@host/db`."),
    Setting("REDIS_URL", "", True,
            "Rate-limit storage, e.g. `redis://127.0.0.1:6379/0`. Empty means in-process "
            "memory, which is only right for one process in development."),
    Setting("ORGANISATION_NAME", "Demo NHS Trust", True,
            "The deploying organisation's name, shown in the header."),
    Setting("PROXY_COUNT", "0", True,
            "How many reverse proxies sit in front of the app. Forwarded headers are trusted "
            "only from that many hops; 0 trusts none."),
    Setting("LOCALES_ENABLED", "en,cy,ur", False,
            "Languages offered, in order. English must stay first."),
    Setting("ALLOW_UNREVIEWED_LOCALES", "true", True,
            "`false` switches off every language whose translation is not yet reviewed by a "
            "professional translator."),
    Setting("LOG_LEVEL", "INFO", False, "Python logging level."),
    Setting("NHS_LOGIN_ISSUER", "", True,
            "NHS login's issuer, e.g. `https://auth.login.nhs.uk`; its endpoints come from "
            "discovery. Empty in development and test means the local stand-in at "
            "`http://127.0.0.1:9000`; empty in production switches NHS login off."),
    Setting("NHS_LOGIN_CLIENT_ID", "ai-choices-portal", True,
            "The client id NHS login gave the portal."),
    Setting("NHS_LOGIN_PRIVATE_KEY_FILE", "instance/nhs-login-client-private.pem", True,
            "The portal's RSA private key (PEM, or a JWK in JSON) for `private_key_jwt` "
            "client assertions signed RS512. Relative paths are from the project."),
    Setting("NHS_LOGIN_REDIRECT_URI", "", False,
            "The registered callback URL. Empty: built from the request "
            "(`<host>/sign-in/callback`)."),
    Setting("STAFF_OIDC_ISSUER", "", False,
            "Staff sign-in through OpenID Connect (as NHS CIS2). Empty switches it off; "
            "staff then use a password and an authenticator app."),
    Setting("STAFF_OIDC_CLIENT_ID", "", False, "The portal's client id at the staff provider."),
    Setting("STAFF_OIDC_PRIVATE_KEY_FILE", "", False,
            "The RSA private key (PEM or JWK) for the staff provider's `private_key_jwt`."),
    Setting("STAFF_OIDC_REDIRECT_URI", "", False,
            "The staff callback URL. Empty: built from the request (`<host>/staff/sign-in/oidc/callback`)."),
    Setting("HELP_PHONE", "", True,
            "The phone number people without contact details on record can call for help."),
    Setting("HELP_POSTAL_ADDRESS", "", True, "The postal address for the same help, on one line."),
    Setting("NOTIFY_CHANNEL", "", True,
            "How one-time codes and other messages (receipts, \"a choice was recorded for you\") "
            "are sent: `console` (development only: printed, and codes shown on the page), "
            "`smtp` or `notify` (GOV.UK Notify). Empty means `console` in "
            "development and test; production must choose `smtp` or `notify`."),
    Setting("SMTP_HOST", "127.0.0.1", False, "SMTP server for `NOTIFY_CHANNEL=smtp`."),
    Setting("SMTP_PORT", "587", False, "SMTP port."),
    Setting("SMTP_SECURITY", "starttls", False,
            "`starttls`, `tls` (implicit TLS, usually port 465) or `none` (loopback only)."),
    Setting("SMTP_USERNAME", "", False, "SMTP user name; empty means no authentication."),
    Setting("SMTP_PASSWORD", "", False, "SMTP password."),
    Setting("SMTP_FROM", "no-reply@ai-choices.nhs.example", False, "The From address of emails."),
    Setting("NOTIFY_API_KEY", "", False, "GOV.UK Notify API key, for `NOTIFY_CHANNEL=notify`."),
    Setting("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk", False,
            "GOV.UK Notify's API address."),
    Setting("NOTIFY_EMAIL_TEMPLATE_ID", "", False,
            "Notify email template with a `((code))` placeholder."),
    Setting("NOTIFY_SMS_TEMPLATE_ID", "", False,
            "Notify text message template with a `((code))` placeholder."),
    Setting("SERVICE_URL", "", False,
            "The portal's public address, e.g. `https://ai-choices.example.nhs.uk`, put in "
            "emails and text messages so people know where to sign in. Empty: messages name "
            "the service only."),
    Setting("NOTIFY_MESSAGE_EMAIL_TEMPLATE_ID", "", False,
            "Notify email template with `((subject))` and `((body))` placeholders, for receipts "
            "and other messages sent after a change (`NOTIFY_CHANNEL=notify`)."),
    Setting("NOTIFY_MESSAGE_SMS_TEMPLATE_ID", "", False,
            "Notify text message template with a `((body))` placeholder, for the same messages."),
    Setting("API_RATE_LIMIT", "1200 per minute", False,
            "Requests each API client may make to `/api/v1` and `/fhir/r4` (Flask-Limiter "
            "syntax, for example `20 per second`). Over it: 429 with `Retry-After`."),
    Setting("API_TOKEN_RATE_LIMIT", "60 per minute", False,
            "Token requests per client and address at `/oauth2/token`."),
    # Retention schedule (docs/data-protection/dpia.md section 4), applied by `flask portal purge`.
    Setting("RETAIN_ONE_TIME_CODES_MINUTES", "10", False,
            "One-time sign-in codes are deleted once used, or this many minutes after they were sent."),
    Setting("RETAIN_ENDED_SESSIONS_HOURS", "24", False,
            "Sign-in sessions are deleted this many hours after they ended (sign-out or timeout)."),
    Setting("RETAIN_DRAFTS_DAYS", "30", False,
            "Unfinished requests for review are deleted after this many days without activity."),
    Setting("RETAIN_REJECTED_UPLOADS_DAYS", "30", False,
            "Evidence uploaded with a carer's request that was rejected or withdrawn is deleted this "
            "many days later (the request and its history stay)."),
    Setting("RETAIN_RECORDS_YEARS", "8", False,
            "Choices and audit events are kept for this many years (stated in the privacy notice; "
            "purge never deletes them)."),
    Setting("EVIDENCE_UPLOAD_DIR", "instance/uploads", True,
            "Where evidence uploaded with carers' requests is stored (relative paths are from the "
            "project). Keep it off the web root, backed up, and shared by every app server and "
            "the one that runs `flask portal purge`."),
    # Dispute due dates (issue 6 point 4): working days, with the nation's bank holidays, of the
    # nation of the organisation that used the tool.
    Setting("DISPUTE_ACKNOWLEDGE_DAYS_ENGLAND", "3", False,
            "Working days to acknowledge a request for review about care in England."),
    Setting("DISPUTE_DECIDE_DAYS_ENGLAND", "20", False,
            "Working days to decide a request for review about care in England."),
    Setting("DISPUTE_ACKNOWLEDGE_DAYS_WALES", "3", False,
            "Working days to acknowledge a request for review about care in Wales."),
    Setting("DISPUTE_DECIDE_DAYS_WALES", "30", False,
            "Working days to decide a request for review about care in Wales."),
    Setting("DISPUTE_ACKNOWLEDGE_DAYS_SCOTLAND", "3", False,
            "Working days to acknowledge a request for review about care in Scotland."),
    Setting("DISPUTE_DECIDE_DAYS_SCOTLAND", "20", False,
            "Working days to decide a request for review about care in Scotland."),
    Setting("DISPUTE_ACKNOWLEDGE_DAYS_NORTHERN_IRELAND", "3", False,
            "Working days to acknowledge a request for review about care in Northern Ireland."),
    Setting("DISPUTE_DECIDE_DAYS_NORTHERN_IRELAND", "20", False,
            "Working days to decide a request for review about care in Northern Ireland."),
    Setting("AUDIT_READ_FLUSH_MS", "250", False,
            "Audit events of single decision lookups are written to the audit trail by a background "
            "flush at most this many milliseconds after the read (0 to 1000); a crash of the app can "
            "lose that much. `0` writes each in the read's own transaction (the default under "
            "`PORTAL_ENV=test`)."),
)
RETENTION_SETTINGS = ("RETAIN_ONE_TIME_CODES_MINUTES", "RETAIN_ENDED_SESSIONS_HOURS", "RETAIN_DRAFTS_DAYS",
                      "RETAIN_REJECTED_UPLOADS_DAYS", "RETAIN_RECORDS_YEARS")
DISPUTE_NATIONS = ("england", "wales", "scotland", "northern-ireland")
DISPUTE_MAX_WORKING_DAYS = 250  # about a year of working days: anything longer is a typing mistake

LOCAL_NHS_LOGIN_ISSUER = "http://127.0.0.1:9000"
NOTIFY_CHANNELS = ("console", "smtp", "notify")
SMTP_SECURITY_MODES = ("starttls", "tls", "none")

_TRUE = {"1", "true", "yes", "on"}


def _env(name: str, environ: dict[str, str]) -> str | None:
    for setting in SETTINGS:
        if setting.name == name:
            return environ.get(name, setting.default)
    raise KeyError(name)


def _database_url(raw: str) -> str:
    """Return an absolute SQLAlchemy URL; a relative SQLite path is taken from the project root."""
    prefix = "sqlite:///"
    if raw.startswith(prefix) and not raw.startswith(prefix + "/") and raw != "sqlite://":
        relative = raw[len(prefix):]
        if relative and relative != ":memory:":
            return prefix + str(PROJECT_ROOT / relative)
    if raw.startswith("postgresql://"):
        return "postgresql+psycopg://" + raw[len("postgresql://"):]
    return raw


def load(environ: dict[str, str] | None = None) -> dict[str, object]:
    """Build the Flask config mapping from ``environ`` (default: ``os.environ``).

    Raises ``ConfigError`` when production lacks ``SECRET_KEY`` or a value is malformed.
    """
    environ = dict(os.environ if environ is None else environ)
    env = (_env("PORTAL_ENV", environ) or "production").strip().lower()
    if env not in {"production", "development", "test"}:
        raise ConfigError(f"PORTAL_ENV must be production, development or test, not {env!r}.")
    secret = _env("SECRET_KEY", environ)
    if not secret:
        if env == "production":
            raise ConfigError(
                "SECRET_KEY is not set. Set it to at least 32 random characters, for example "
                "the output of: python -c \"import secrets; print(secrets.token_urlsafe(48))\""
            )
        secret = "development-only-secret-key-not-for-production-use"
    elif env == "production" and len(secret) < 32:
        raise ConfigError("SECRET_KEY is too short: use at least 32 random characters.")
    try:
        proxy_count = int(_env("PROXY_COUNT", environ) or "0")
    except ValueError:
        raise ConfigError("PROXY_COUNT must be a whole number (0 when no proxy).") from None
    locales = [code.strip() for code in (_env("LOCALES_ENABLED", environ) or "en").split(",")]
    redis_url = _env("REDIS_URL", environ) or ""
    return {
        "PORTAL_ENV": env,
        "TESTING": env == "test",
        "DEBUG": False,
        "SECRET_KEY": secret,
        "DATABASE_URL": _database_url(_env("DATABASE_URL", environ) or ""),
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "ORGANISATION_NAME": _env("ORGANISATION_NAME", environ),
        "PROXY_COUNT": proxy_count,
        "LOCALES_ENABLED": [code for code in locales if code],
        "ALLOW_UNREVIEWED_LOCALES": (_env("ALLOW_UNREVIEWED_LOCALES", environ) or "").lower() in _TRUE,
        "LOG_LEVEL": (_env("LOG_LEVEL", environ) or "INFO").upper(),
        "API_RATE_LIMIT": _env("API_RATE_LIMIT", environ),
        "API_TOKEN_RATE_LIMIT": _env("API_TOKEN_RATE_LIMIT", environ),
        "SESSION_COOKIE_SECURE": env == "production",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "__Host-session" if env == "production" else "session",
        "WTF_CSRF_TIME_LIMIT": 3600,
        "MAX_CONTENT_LENGTH": 64 * 1024 * 1024,
        **_sign_in_settings(env, environ),
        **_retention_settings(environ),
        "EVIDENCE_UPLOAD_DIR": _project_path(_env("EVIDENCE_UPLOAD_DIR", environ) or "instance/uploads"),
        **_dispute_settings(environ),
        "AUDIT_READ_FLUSH_MS": _audit_flush_ms(env, environ),
    }


def _audit_flush_ms(env: str, environ: dict[str, str]) -> int:
    """0 to 1000 (the issue allows at most one second of read audit to be lost in a crash)."""
    raw = environ.get("AUDIT_READ_FLUSH_MS", "0" if env == "test" else _env("AUDIT_READ_FLUSH_MS", environ)) or ""
    if not raw.strip().isdigit() or int(raw) > 1000:
        raise ConfigError("AUDIT_READ_FLUSH_MS must be a whole number of milliseconds from 0 to 1000.")
    return int(raw)


def _retention_settings(environ: dict[str, str]) -> dict[str, int]:
    """The retention schedule as whole numbers. Raises ``ConfigError`` for anything else."""
    values: dict[str, int] = {}
    for name in RETENTION_SETTINGS:
        raw = (_env(name, environ) or "").strip()
        if not raw.isdigit() or int(raw) < 1:
            raise ConfigError(f"{name} must be a whole number of at least 1.")
        values[name] = int(raw)
    return values


def _dispute_settings(environ: dict[str, str]) -> dict[str, dict[str, int]]:
    """``DISPUTE_ACKNOWLEDGE_WITHIN`` and ``DISPUTE_DECIDE_WITHIN``: working days by nation
    (``england``, ``wales``, ``scotland``, ``northern-ireland``), from the
    ``DISPUTE_{ACKNOWLEDGE,DECIDE}_DAYS_<NATION>`` settings.

    Raises ``ConfigError`` unless each is a whole number from 1 to 250 and a nation's decision
    target is no shorter than its acknowledgement target.
    """
    acknowledge: dict[str, int] = {}
    decide: dict[str, int] = {}
    for nation in DISPUTE_NATIONS:
        suffix = nation.upper().replace("-", "_")
        for stage, target in (("ACKNOWLEDGE", acknowledge), ("DECIDE", decide)):
            name = f"DISPUTE_{stage}_DAYS_{suffix}"
            raw = (_env(name, environ) or "").strip()
            if not raw.isdigit() or not 1 <= int(raw) <= DISPUTE_MAX_WORKING_DAYS:
                raise ConfigError(f"{name} must be a whole number of working days from 1 to "
                                  f"{DISPUTE_MAX_WORKING_DAYS}, not {raw!r}.")
            target[nation] = int(raw)
        if decide[nation] < acknowledge[nation]:
            raise ConfigError(f"DISPUTE_DECIDE_DAYS_{suffix} ({decide[nation]}) must not be shorter than "
                              f"DISPUTE_ACKNOWLEDGE_DAYS_{suffix} ({acknowledge[nation]}).")
    return {"DISPUTE_ACKNOWLEDGE_WITHIN": acknowledge, "DISPUTE_DECIDE_WITHIN": decide}


def _project_path(raw: str) -> str:
    """An absolute path; a relative one is taken from the project root."""
    return str(PROJECT_ROOT / raw) if raw and not Path(raw).is_absolute() else raw


def _sign_in_settings(env: str, environ: dict[str, str]) -> dict[str, object]:
    """NHS login, staff OpenID Connect, code delivery and session timeouts (DESIGN.md 4).

    Raises ``ConfigError`` for a production issuer on loopback, a console code channel in
    production, or an unknown channel or SMTP mode.
    """
    issuer = (_env("NHS_LOGIN_ISSUER", environ) or "").rstrip("/")
    if env == "production" and issuer.startswith(("http://127.", "http://localhost")):
        raise ConfigError("NHS_LOGIN_ISSUER points at the local stand-in: set NHS login's issuer.")
    if not issuer and env != "production":
        issuer = LOCAL_NHS_LOGIN_ISSUER
    channel = (_env("NOTIFY_CHANNEL", environ) or "").strip().lower()
    if not channel:
        channel = "" if env == "production" else "console"
    if channel and channel not in NOTIFY_CHANNELS:
        raise ConfigError("NOTIFY_CHANNEL must be console, smtp or notify.")
    if channel == "console" and env == "production":
        raise ConfigError("NOTIFY_CHANNEL=console shows codes on screen: use smtp or notify in production.")
    security = (_env("SMTP_SECURITY", environ) or "starttls").strip().lower()
    if security not in SMTP_SECURITY_MODES:
        raise ConfigError("SMTP_SECURITY must be starttls, tls or none.")
    try:
        smtp_port = int(_env("SMTP_PORT", environ) or "587")
    except ValueError:
        raise ConfigError("SMTP_PORT must be a whole number.") from None
    settings: dict[str, object] = {
        name: (_env(name, environ) or "").strip() for name in (
            "NHS_LOGIN_CLIENT_ID", "NHS_LOGIN_REDIRECT_URI", "STAFF_OIDC_CLIENT_ID",
            "STAFF_OIDC_REDIRECT_URI", "SMTP_HOST", "SMTP_USERNAME", "SMTP_PASSWORD", "SMTP_FROM",
            "NOTIFY_API_KEY", "NOTIFY_BASE_URL", "NOTIFY_EMAIL_TEMPLATE_ID", "NOTIFY_SMS_TEMPLATE_ID",
            "HELP_PHONE", "HELP_POSTAL_ADDRESS",
            "SERVICE_URL", "NOTIFY_MESSAGE_EMAIL_TEMPLATE_ID", "NOTIFY_MESSAGE_SMS_TEMPLATE_ID",
        )
    }
    settings.update({
        "NHS_LOGIN_ISSUER": issuer,
        "NHS_LOGIN_PRIVATE_KEY_FILE": _project_path(_env("NHS_LOGIN_PRIVATE_KEY_FILE", environ) or ""),
        "STAFF_OIDC_ISSUER": (_env("STAFF_OIDC_ISSUER", environ) or "").rstrip("/"),
        "STAFF_OIDC_PRIVATE_KEY_FILE": _project_path(_env("STAFF_OIDC_PRIVATE_KEY_FILE", environ) or ""),
        "NOTIFY_CHANNEL": channel,
        "SMTP_PORT": smtp_port,
        "SMTP_SECURITY": security,
        # Fixed by DESIGN.md section 4; not environment settings (tests shorten them).
        "SESSION_IDLE_TIMEOUT": 30 * 60,
        "SESSION_ABSOLUTE_TIMEOUT": 12 * 60 * 60,
        "SESSION_WARNING_BEFORE": 2 * 60,
        "RATELIMIT_KEY_PREFIX": "portal",
        "RATELIMIT_SIGN_IN_PER_ADDRESS": "60 per hour",
        "SIGNED_IN_LANDING_ENDPOINT": "auth.signed_in",
    })
    return settings
