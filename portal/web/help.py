"""Public help pages for the choices journey: how choices work (and how they relate to the
National Data Opt-out, the GP type 1 opt-out and the right to object), and what to do about
a choice or a check you do not recognise."""

from __future__ import annotations

from flask import Blueprint, render_template

from portal.access import public

bp = Blueprint("help", __name__)


@bp.get("/help/how-choices-work")
@public
def how_choices_work() -> str:
    return render_template("help/how_choices_work.html")


@bp.get("/help/if-you-do-not-recognise-something")
@public
def do_not_recognise() -> str:
    return render_template("help/do_not_recognise.html")
