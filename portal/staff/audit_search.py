"""``/staff/audit``: auditors search the audit trail by patient, API client, staff member and
time (issue 9 point 5). A POST form, so NHS numbers stay out of URLs and logs."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.domain.errors import NotFound
from portal.domain.nhs_number import InvalidNhsNumber
from portal.extensions import db
from portal.services import audit_search
from portal.staff import bp
from portal.staff.forms import AuditSearchForm
from portal.staff.guards import staff_required
from portal.staff.session import current_staff

LONDON = ZoneInfo("Europe/London")
# The domain's messages speak to the patient ("Your NHS number ..."); these speak to staff.
NHS_NUMBER_PROBLEMS = {
    "not-10-digits": _l("Enter a 10 digit NHS number"),
    "check-digit": _l("This NHS number is not right. Check it and try again"),
}


def _start_of(day: date | None) -> datetime | None:
    """00:00 UK time on ``day`` (GMT or BST as it was), or None."""
    return datetime.combine(day, time.min, tzinfo=LONDON).astimezone(UTC) if day else None


@bp.route("/audit", methods=["GET", "POST"])
@staff_required("auditor")
def audit_search_page() -> str:
    form = AuditSearchForm()
    rows = None
    if form.validate_on_submit():
        staff = current_staff()
        assert staff is not None
        query = audit_search.AuditQuery(
            nhs_number=form.nhs_number.data or None, client_id=form.client_id.data or None,
            staff_email=form.staff_email.data or None, start=_start_of(form.date_from.data),
            end=_start_of(form.date_to.data + timedelta(days=1)) if form.date_to.data else None)
        try:
            rows = audit_search.search(db.session, query, staff.id)
            db.session.commit()
        except InvalidNhsNumber as problem:
            form.nhs_number.errors = [str(NHS_NUMBER_PROBLEMS.get(problem.reason, _(problem.message)))]
        except NotFound as missing:
            if str(missing) == "patient":
                form.nhs_number.errors = [_("No patient with this NHS number is held here")]
            else:
                form.staff_email.errors = [_("No staff member has this email address")]
    return render_template("staff/audit.html", form=form, rows=rows, limit=audit_search.MAX_RESULTS)
