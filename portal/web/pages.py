"""Public information pages: start, accessibility statement, privacy notice, cookies."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from portal.access import public
from portal.config import RETENTION_SETTINGS

bp = Blueprint("pages", __name__)


@bp.get("/")
@public
def start() -> str:
    return render_template("pages/start.html")


@bp.get("/accessibility-statement")
@public
def accessibility() -> str:
    return render_template("pages/accessibility.html")


@bp.get("/privacy-notice")
@public
def privacy() -> str:
    config = current_app.config
    return render_template("pages/privacy.html", organisation=config["ORGANISATION_NAME"],
                           retention={name: config[name] for name in RETENTION_SETTINGS},
                           help_address=config.get("HELP_POSTAL_ADDRESS"), help_phone=config.get("HELP_PHONE"))


@bp.get("/cookies")
@public
def cookies() -> str:
    return render_template("pages/cookies.html")
