"""What happened with the patient's choices: AI used in their care, and who checked their
decisions (issue 5 points 5 and 6). Clinical information, so both pages need P9."""

from __future__ import annotations

from flask import Blueprint, render_template

from portal.extensions import db
from portal.services import transparency
from portal.web import choice_text
from portal.web.guards import current_viewer, patient_required

bp = Blueprint("care_record", __name__)
choice_text.init_blueprint(bp)


@bp.get("/ai-used-in-your-care")
@patient_required("P9")
def ai_used() -> str:
    viewer = current_viewer()
    assert viewer is not None and viewer.subject_patient_id is not None
    events = transparency.ai_use_timeline(db.session, viewer.subject_patient_id)
    return render_template("care_record/ai_used.html", events=events)


@bp.get("/who-checked-your-choices")
@patient_required("P9")
def who_checked() -> str:
    viewer = current_viewer()
    assert viewer is not None and viewer.subject_patient_id is not None
    checks = transparency.decision_checks(db.session, viewer.subject_patient_id)
    return render_template("care_record/who_checked.html", checks=checks)
