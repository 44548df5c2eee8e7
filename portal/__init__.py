"""The composition root: ``create_app`` builds the portal, and is the only module that imports
everything. Config comes from the environment (``portal.config``); ``config`` overrides it,
which is how tests pass theirs.
"""

from __future__ import annotations

import os
import sys
import weakref
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, request, request_tearing_down
from flask.globals import request_ctx
from jinja2 import ChainableUndefined, ChoiceLoader, FileSystemLoader, PackageLoader
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import config as config_module
from portal import errors, i18n, logging_setup, machine_routes, oidc, security, templating
from portal.extensions import csrf, db, limiter

_NOT_GIVEN: Any = object()
AUTOESCAPE_SUFFIXES = (".html", ".htm", ".xml", ".xhtml", ".svg", ".jinja")


class PortalFlask(Flask):
    """Flask that autoescapes the NHS.UK ``.jinja`` component templates too, runs for machine
    routes only the request hooks declared for them (below), and remembers which hooks and
    views are plain functions instead of asking ``inspect`` about each one on every request
    (Flask's ``ensure_sync``: about 5% of a lookup's time, measured with cProfile)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Weak: a callable made for one request (an ``after_this_request`` function) is
        # forgotten with it, so the set holds only what lives on (hooks, views).
        self._known_sync: weakref.WeakSet[Callable[..., Any]] = weakref.WeakSet()

    # Machine routes (/api/, /fhir/, /oauth2/) run only the app-wide hooks declared for them
    # (``machine_routes.runs_for_machines``): the session, viewer, language, CSRF and page
    # rate-limit hooks cost a lookup more than its query (issue 8 point 9). Pages run every
    # hook as Flask does. Each method below is Flask 3.1's own with that one list swapped in.

    def preprocess_request(self) -> Any:
        hooks = machine_routes.hooks_for(self, "before", request.path)
        if hooks is None:
            return super().preprocess_request()
        for hook in hooks:
            answer = self.ensure_sync(hook)()
            if answer is not None:
                return answer
        return None

    def process_response(self, response: Any) -> Any:
        hooks = machine_routes.hooks_for(self, "after", request.path)
        if hooks is None:
            return super().process_response(response)
        context = request_ctx._get_current_object()  # type: ignore[attr-defined]
        for hook in context._after_request_functions:  # ``after_this_request``
            response = self.ensure_sync(hook)(response)
        for hook in hooks:
            response = self.ensure_sync(hook)(response)
        if not self.session_interface.is_null_session(context._session):
            self.session_interface.save_session(self, context._session, response)
        return response

    def do_teardown_request(self, exc: BaseException | None = _NOT_GIVEN) -> None:  # type: ignore[assignment]
        hooks = machine_routes.hooks_for(self, "teardown", request.path)
        if hooks is None:
            if exc is _NOT_GIVEN:
                return super().do_teardown_request()
            return super().do_teardown_request(exc)
        if exc is _NOT_GIVEN:
            exc = sys.exc_info()[1]
        for hook in hooks:
            self.ensure_sync(hook)(exc)
        request_tearing_down.send(self, _async_wrapper=self.ensure_sync, exc=exc)

    def select_jinja_autoescape(self, filename: str | None) -> bool:
        return filename is None or filename.endswith(AUTOESCAPE_SUFFIXES)

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        try:
            if func in self._known_sync:
                return func
        except TypeError:  # unhashable or not weakly referable: ask every time
            return super().ensure_sync(func)
        wrapped = super().ensure_sync(func)
        if wrapped is func:
            try:
                self._known_sync.add(func)
            except TypeError:
                pass
        return wrapped


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` overrides settings: strings named in ``config.SETTINGS`` are
    read as if they were environment variables, anything else is set directly.

    Raises ``config.ConfigError`` when a required setting is missing (e.g. ``SECRET_KEY`` in
    production).
    """
    overrides = dict(config or {})
    env_names = {setting.name for setting in config_module.SETTINGS}
    environ = {**os.environ, **{k: str(v) for k, v in overrides.items() if k in env_names}}
    settings = config_module.load(environ)
    settings.update({k: v for k, v in overrides.items() if k not in env_names})

    app = PortalFlask(
        __name__,
        static_folder=str(config_module.PROJECT_ROOT / "static"),
        static_url_path="/assets",
        template_folder=str(config_module.PROJECT_ROOT / "templates"),
        instance_path=str(config_module.INSTANCE_DIR),
    )
    app.config.update(settings)
    # No browser session (cookie) for /api/, /fhir/, /oauth2/: bearer tokens only.
    app.session_interface = machine_routes.PageSessionInterface()
    if app.config["DATABASE_URL"].startswith("sqlite:///" + str(config_module.INSTANCE_DIR)):
        config_module.INSTANCE_DIR.mkdir(exist_ok=True)
    app.jinja_env.loader = ChoiceLoader(
        [FileSystemLoader(app.template_folder), PackageLoader("nhsuk_frontend_jinja")]
    )
    app.jinja_env.undefined = ChainableUndefined
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.add_extension("jinja2.ext.i18n")
    if app.config["PROXY_COUNT"]:
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]

    logging_setup.configure_logging(app.config["LOG_LEVEL"])
    logging_setup.init_request_logging(app)
    db.init_app(app)
    _wire_notifications(app)
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    oidc.init_app(app, oidc.providers_from_config(app.config))
    _register_blueprints(app)

    from portal import cli

    cli.init_app(app)
    return app


def _wire_notifications(app: Flask) -> None:
    """Messages queued in this app's database sessions go to the sender ``NOTIFY_CHANNEL``
    names (none in tests: the in-memory outbox)."""
    from portal.services import notify, notify_senders

    sender = notify_senders.build_notification_sender(app.config)
    if sender is not None:
        app.extensions["portal.db"]["sessionmaker"].configure(info={notify.SENDER_KEY: sender})


def _register_blueprints(app: Flask) -> None:
    from portal import api, staff
    from portal.api import fhir_device
    from portal.api import register as api_register
    from portal.web import (
        auth,
        care_record,
        carers,
        choices,
        disputes,
        health,
        help,
        pages,
        your_information,
    )
    from portal.web import register as register_pages
    from portal.web import representatives

    app.register_blueprint(pages.bp)
    app.register_blueprint(health.bp)
    auth.init_app(app)
    staff.init_app(app)
    app.register_blueprint(register_pages.bp)
    app.register_blueprint(choices.bp)
    app.register_blueprint(care_record.bp)
    app.register_blueprint(your_information.bp)
    app.register_blueprint(carers.bp)
    app.register_blueprint(disputes.bp)
    app.register_blueprint(help.bp)
    app.register_blueprint(representatives.bp)
    api.init_app(app)
    app.register_blueprint(api_register.bp)
    app.register_blueprint(fhir_device.bp)
