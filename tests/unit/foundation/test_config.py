"""Settings come from the environment only, with defaults safe to publish."""

import pytest

from portal import config, create_app
from portal.config import ConfigError


def test_production_refuses_to_start_without_a_secret_key():
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        config.load({"PORTAL_ENV": "production"})


def test_production_refuses_a_short_secret_key():
    with pytest.raises(ConfigError, match="too short"):
        config.load({"PORTAL_ENV": "production", "SECRET_KEY": "short"})


def test_the_app_factory_refuses_too(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("PORTAL_ENV", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_development_has_a_clearly_marked_key_and_relaxed_cookies():
    settings = config.load({"PORTAL_ENV": "development"})
    assert "development-only" in settings["SECRET_KEY"]
    assert settings["SESSION_COOKIE_SECURE"] is False


def test_production_cookies_are_secure_httponly_and_lax():
    settings = config.load({"PORTAL_ENV": "production", "SECRET_KEY": "k" * 40})
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_HTTPONLY"] is True
    assert settings["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_sqlite_is_the_default_database_in_the_instance_folder():
    settings = config.load({"PORTAL_ENV": "test"})
    assert settings["DATABASE_URL"] == f"sqlite:///{config.PROJECT_ROOT / 'instance' / 'portal.sqlite3'}"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:p@db/portal", "postgresql+psycopg://u:p@db/portal"),
        ("postgresql+psycopg://u@db/portal", "postgresql+psycopg://u@db/portal"),
        ("sqlite:////var/lib/portal.db", "sqlite:////var/lib/portal.db"),
    ],
)
def test_database_url_selects_the_database(given, expected):
    assert config.load({"PORTAL_ENV": "test", "DATABASE_URL": given})["DATABASE_URL"] == expected


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"PORTAL_ENV": "staging"}, "PORTAL_ENV must be production, development or test"),
        ({"PORTAL_ENV": "test", "PROXY_COUNT": "two"}, "PROXY_COUNT must be a whole number"),
    ],
)
def test_malformed_settings_are_refused_with_a_clear_message(environ, message):
    with pytest.raises(ConfigError, match=message):
        config.load(environ)


def test_readme_documents_every_setting():
    readme = (config.PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    missing = [setting.name for setting in config.SETTINGS if f"`{setting.name}`" not in readme]
    assert missing == []


def test_development_uses_the_local_nhs_login_stand_in_and_the_console():
    settings = config.load({"PORTAL_ENV": "development"})
    assert settings["NHS_LOGIN_ISSUER"] == "http://127.0.0.1:9000"
    assert settings["NOTIFY_CHANNEL"] == "console"
    assert settings["SESSION_IDLE_TIMEOUT"] == 30 * 60 and settings["SESSION_ABSOLUTE_TIMEOUT"] == 12 * 3600


def test_production_without_nhs_login_or_a_channel_offers_neither():
    settings = config.load({"PORTAL_ENV": "production", "SECRET_KEY": "k" * 40})
    assert settings["NHS_LOGIN_ISSUER"] == "" and settings["NOTIFY_CHANNEL"] == ""


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"NHS_LOGIN_ISSUER": "http://127.0.0.1:9000"}, "points at the local stand-in"),
        ({"NOTIFY_CHANNEL": "console"}, "shows codes on screen"),
        ({"NOTIFY_CHANNEL": "pigeon"}, "NOTIFY_CHANNEL must be"),
        ({"SMTP_SECURITY": "maybe"}, "SMTP_SECURITY must be"),
        ({"SMTP_PORT": "twenty-five"}, "SMTP_PORT must be a whole number"),
    ],
)
def test_production_refuses_sign_in_settings_that_are_unsafe_or_malformed(environ, message):
    with pytest.raises(ConfigError, match=message):
        config.load({"PORTAL_ENV": "production", "SECRET_KEY": "k" * 40, **environ})
