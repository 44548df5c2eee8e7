"""Unbound singletons, bound to an app by ``create_app``.

``db`` gives each app context one SQLAlchemy session; repositories flush through it and the
request edge commits (``db.session.commit()``), so a change and its audit row land together.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, has_app_context, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf import CSRFProtect
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from portal.machine_routes import runs_for_machines

SQLITE_BUSY_TIMEOUT_MS = 5000


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """WAL, foreign keys on, and a busy timeout on every new SQLite connection (DESIGN.md 6)."""
    dbapi_connection.isolation_level = None  # let SQLAlchemy's BEGIN below govern transactions
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _begin_immediate(conn: Any) -> None:
    """Take SQLite's write lock at BEGIN so two writers queue instead of deadlocking.

    An ``AUTOCOMMIT`` connection (the held connection of quick single-statement reads,
    ``portal.data.decision_lookup``) begins nothing: each statement is its own read."""
    if conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        return
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def build_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for ``url`` with the portal's SQLite or PostgreSQL settings."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs)
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin_immediate)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


class Database:
    """One engine per app; one session per app context, removed at teardown."""

    def init_app(self, app: Flask) -> None:
        engine = build_engine(app.config["DATABASE_URL"])
        app.extensions["portal.db"] = {
            "engine": engine,
            "sessionmaker": sessionmaker(bind=engine, expire_on_commit=False),
        }
        app.teardown_appcontext(self._remove)

    @property
    def engine(self) -> Engine:
        return current_app.extensions["portal.db"]["engine"]

    @property
    def session(self) -> Session:
        session = g.get("_portal_db_session")
        if session is None:
            session = current_app.extensions["portal.db"]["sessionmaker"]()
            g._portal_db_session = session
        return session

    def open_session(self) -> Session | None:
        """This app context's session if something has used it, else None (none is made)."""
        return g.get("_portal_db_session")

    def _remove(self, _exc: BaseException | None) -> None:
        session = g.pop("_portal_db_session", None)
        if session is not None:
            session.close()


def _per_app(name: str) -> property:
    def get(self: PortalLimiter) -> Any:
        state = self._state_for_now()
        return state[name] if name in state else self.__dict__["_portal_defaults"].get(name)

    def set_(self: PortalLimiter, value: Any) -> None:
        self._state_for_now(writing=True)[name] = value

    return property(get, set_)


class PortalLimiter(Limiter):
    """Flask-Limiter whose storage, key prefix and on/off switch belong to each app.

    Flask-Limiter keeps them on the one extension object, so the last app built wins; tests
    build several apps (memory and Redis storage side by side), and a process in production
    builds one, for which this changes nothing."""

    enabled = _per_app("enabled")
    _storage = _per_app("_storage")
    _limiter = _per_app("_limiter")
    _key_prefix = _per_app("_key_prefix")
    _storage_dead = _per_app("_storage_dead")
    _fallback_limiter = _per_app("_fallback_limiter")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.__dict__["_portal_defaults"] = {}
        self.__dict__["_portal_initialising"] = None
        super().__init__(*args, **kwargs)

    def _state_for_now(self, writing: bool = False) -> dict[str, Any]:
        initialising = self.__dict__["_portal_initialising"]
        if initialising is not None:
            return initialising
        if has_app_context() and "portal.limiter" in current_app.extensions:
            return current_app.extensions["portal.limiter"]
        return self.__dict__["_portal_defaults"] if writing else {}

    def _check_request_limit(self, callable_name: str | None = None, in_middleware: bool = True) -> None:
        # A view marked ``portal_api_limited`` counts its own limit (``portal.api.rate``):
        # skip Flask-Limiter's before-request pass for it, which costs as much as the view.
        if in_middleware and getattr(current_app.view_functions.get(request.endpoint or ""),
                                     "portal_api_limited", False):
            return
        super()._check_request_limit(callable_name, in_middleware)

    def init_app(self, app: Flask) -> None:
        hooks_before = {kind: list(funcs.get(None, [])) for kind, funcs in _hook_lists(app)}
        self.__dict__["_portal_initialising"] = state = {}
        try:
            super().init_app(app)
        finally:
            self.__dict__["_portal_initialising"] = None
        app.extensions["portal.limiter"] = state
        # Of the machine routes, only the token endpoint has a Flask-Limiter limit: the API's
        # own is counted in leases by ``portal.api.rate``.
        for kind, funcs in _hook_lists(app):
            for hook in funcs.get(None, []):
                if hook not in hooks_before[kind]:
                    runs_for_machines(app, hook, ("/oauth2/",))


def _hook_lists(app: Flask) -> list[tuple[str, Any]]:
    return [("before", app.before_request_funcs), ("after", app.after_request_funcs),
            ("teardown", app.teardown_request_funcs)]


db = Database()
csrf = CSRFProtect()
babel = Babel()
limiter = PortalLimiter(key_func=get_remote_address)
