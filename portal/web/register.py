"""The AI tool register pages (issue 3 point 4): ``/ai-tools`` and ``/ai-tools/<slug>``.

Public pages. A signed-in patient also sees "AI tools used in your care" first, from the
organisations caring for them; that version of the page is personal, so it is ``no-store``.
The organisation filter is a plain GET form, so it works without JavaScript.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, make_response, render_template, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import ValidationError

from portal.access import public
from portal.domain.errors import NotFound
from portal.extensions import db
from portal.security import mark_no_store
from portal.services import conflicts, register
from portal.services import disputes as dispute_service
from portal.web.guards import current_viewer

bp = Blueprint("register", __name__)


class OrganisationFilterForm(FlaskForm):
    """Which organisation's tools to show (a GET form: nothing to protect from CSRF)."""

    class Meta:
        csrf = False

    organisation = SelectField(_l("Show tools used by"), validate_choice=False)

    def validate_organisation(self, field: SelectField) -> None:
        if field.data and field.data not in {value for value, _label in field.choices or []}:
            raise ValidationError(_l("Select an organisation from the list"))


def _locale() -> str:
    return str(get_locale())


def _filter_form(options: tuple[register.OrganisationOption, ...]) -> OrganisationFilterForm:
    submitted = "organisation" in request.args
    form = OrganisationFilterForm(formdata=request.args if submitted else None)
    form.organisation.choices = [("", str(_l("All organisations")))] + [(o.ods_code, o.name) for o in options]
    if submitted:
        form.validate()
    return form


@bp.get("/ai-tools")
@public
def list_tools() -> Response:
    session = db.session
    options = register.list_organisation_options(session)
    form = _filter_form(options)
    chosen = next((o for o in options if not form.errors and o.ods_code == form.organisation.data), None)
    tools = register.list_tools_at_organisation(session, chosen.ods_code) if chosen else register.list_tools(session)
    viewer = current_viewer()
    yours = None
    if viewer is not None and viewer.subject_patient_id is not None:
        yours = register.tools_for_patient(session, viewer.subject_patient_id)
    locale = _locale()
    shown = tools + (yours.tools if yours else ())
    items = [{"value": value, "text": label, "selected": value == (form.organisation.data or "")}
             for value, label in form.organisation.choices or []]
    response = make_response(render_template(
        "register/list.html", form=form, organisation_items=items, chosen=chosen, yours=yours,
        groups=register.group_by_category(tools), tool_count=len(tools), locale=locale,
        untranslated=any(t.text("summary", locale).fell_back or t.text("name", locale).fell_back for t in shown),
    ))
    return mark_no_store(response) if yours is not None else response


@bp.get("/ai-tools/<slug>")
@public
def tool(slug: str) -> str:
    try:
        found = register.get_tool(db.session, slug)
    except NotFound:
        abort(404)
    counts = conflicts.counts_for_tool(db.session, found.id)
    return render_template("register/tool.html", tool=found, locale=_locale(), conflict_counts=counts,
                           small_number=conflicts.SMALL_NUMBER,
                           dispute_counts=dispute_service.counts_for_tool(db.session, found.id))
