"""Download your information (subject access, issue 9 point 4): for a patient signed in at
P9, everything the portal holds about them as a readable page and as a JSON download, each
built in one request and audited."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from flask import Blueprint, Response, abort, render_template

from portal.extensions import db
from portal.services import audit, subject_access
from portal.web.choice_text import london_date, london_datetime
from portal.web.guards import about_signed_in_person, current_viewer, patient_required
from portal.web.your_information_text import template_helpers

bp = Blueprint("your_information", __name__)


@bp.app_template_filter("iso_london")
def iso_london(value: str | None) -> str:
    """An ISO 8601 time from the export shown in UK time (a date alone as a date)."""
    if not value:
        return ""
    if "T" not in value:
        return london_date(datetime.fromisoformat(value + "T12:00:00+00:00"))
    return london_datetime(datetime.fromisoformat(value))


def _export() -> dict[str, object]:
    viewer = current_viewer()
    if viewer is None or viewer.self_patient_id is None:
        abort(404)
    export = subject_access.export_patient(db.session, viewer.self_patient_id,
                                           audit.Actor("patient", str(viewer.account_id)), datetime.now(UTC),
                                           hold_back_unreleased=True)
    db.session.commit()
    return export


@bp.get("/your-information")
@patient_required("P9")
def page() -> str:
    about_signed_in_person()  # your own information, even while acting for someone
    return render_template("your_information/page.html", export=_export(), **template_helpers())


@bp.get("/your-information/download")
@patient_required("P9")
def download() -> Response:
    body = json.dumps(_export(), indent=2, ensure_ascii=False)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": 'attachment; filename="your-information.json"'})
