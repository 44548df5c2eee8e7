"""Shared fixtures: a throwaway database per test run, an app, and a clean slate per test.

SQLite by default. With ``TEST_DATABASE_URL`` (or ``DATABASE_URL``) naming a PostgreSQL
server, the run creates its own database there, migrates it, and drops it at the end, so runs
never touch real data or each other.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from portal import create_app, migrate
from portal.data import Base
from portal.extensions import db, limiter

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHIPPED_REGISTER = PROJECT_ROOT / "register" / "ai-tools.yaml"


def _server_url() -> str | None:
    for name in ("TEST_DATABASE_URL", "DATABASE_URL"):
        url = os.environ.get(name, "")
        if url.startswith("postgresql"):
            return url.replace("postgresql://", "postgresql+psycopg://", 1)
    return None


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = _server_url()
    if server is None:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'portal.sqlite3'}"
        migrate.upgrade(url)
        yield url
        return
    name = f"portal_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        migrate.upgrade(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def make_test_config(database_url: str, **overrides: object) -> dict[str, object]:
    """The settings every test app starts from."""
    return {
        "PORTAL_ENV": "test",
        "DATABASE_URL": database_url,
        "REDIS_URL": "",
        "SECRET_KEY": "test-secret-key-" + "x" * 32,
        "ORGANISATION_NAME": "Demo NHS Trust",
        "ALLOW_UNREVIEWED_LOCALES": "true",
        # Nothing listens here: tests that need NHS login start their own stand-in (tests/oidc),
        # so a demo running on this machine's 127.0.0.1:9000 never answers a test.
        "NHS_LOGIN_ISSUER": "http://127.0.0.1:1",
        **overrides,
    }


def dispose(app: Flask) -> None:
    """Close the app's pooled connections (tests create apps; none may leak a connection)."""
    app.extensions["portal.db"]["engine"].dispose()


@pytest.fixture(scope="session")
def session_app(database_url: str) -> Iterator[Flask]:
    app = create_app(make_test_config(database_url))
    yield app
    dispose(app)


@pytest.fixture()
def make_app(database_url: str) -> Iterator:  # type: ignore[type-arg]
    """Build extra apps with other settings; their connections are closed after the test, and
    what they committed to the test database is emptied (as the ``app`` fixture does), so it
    cannot reach the next test."""
    made: list[tuple[Flask, bool]] = []

    def _make(**overrides: object) -> Flask:
        url = overrides.pop("database_url", database_url)
        app = create_app(make_test_config(url, **overrides))
        made.append((app, url == database_url))
        return app

    yield _make
    try:
        for app, _ in made:  # a read-audit buffer writes what it holds now, not after the truncate
            path = app.extensions.get("portal.lookup_path")
            if path is not None:
                path.close()
        on_test_database = [app for app, shared in made if shared]
        if on_test_database:
            truncate_all(on_test_database[0])
    finally:
        for app, _ in made:
            dispose(app)


def truncate_all(app: Flask) -> None:
    """Empty every table (not the Alembic version), whatever committed it, and forget the
    rate-limit counts (in-memory storage) so one test's attempts never limit the next."""
    with app.app_context():
        limiter.reset()
    tables = [table.name for table in reversed(Base.metadata.sorted_tables)]
    with app.app_context():
        engine = db.engine
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"))
            else:
                for table in tables:
                    connection.execute(text(f'DELETE FROM "{table}"'))


@pytest.fixture()
def app(session_app: Flask) -> Iterator[Flask]:
    yield session_app
    truncate_all(session_app)


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture()
def db_session(app: Flask):  # type: ignore[no-untyped-def]
    """A session inside an app context; committed work is cleaned up after the test."""
    with app.app_context():
        yield db.session


def load_shipped_register(app: Flask):  # type: ignore[no-untyped-def]
    """Import the shipped AI tool register into ``app``'s database and commit."""
    from portal.services.register import import_register_text

    with app.app_context():
        result = import_register_text(db.session, SHIPPED_REGISTER.read_text(encoding="utf-8"))
        db.session.commit()
    return result


@pytest.fixture()
def shipped_register(app: Flask):  # type: ignore[no-untyped-def]
    """The shipped register, imported (the register pages in ``tests.pages`` need it)."""
    return load_shipped_register(app)
