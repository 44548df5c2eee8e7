"""Public information pages: start, accessibility statement, privacy notice, cookies."""

from __future__ import annotations

from flask import Blueprint, render_template

from portal.access import public

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
    return render_template("pages/privacy.html")


@bp.get("/cookies")
@public
def cookies() -> str:
    return render_template("pages/cookies.html")
