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
    Setting("API_RATE_LIMIT", "1200 per minute", False,
            "Requests each API client may make to `/api/v1` and `/fhir/r4` (Flask-Limiter "
            "syntax, for example `20 per second`). Over it: 429 with `Retry-After`."),
    Setting("API_TOKEN_RATE_LIMIT", "60 per minute", False,
            "Token requests per client and address at `/oauth2/token`."),
)

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
    }
