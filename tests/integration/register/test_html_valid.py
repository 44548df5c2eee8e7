"""Every register page, in every language and state, is valid HTML (Nu Html Checker)."""

from __future__ import annotations

import uuid

from portal.extensions import db
from portal.services.register import list_tools
from portal.web.guards import Viewer, set_viewer_loader
from tests.factories import make_patient
from tests.html_validation import validate_html
from tests.pages import LANGUAGES


def test_every_register_page_is_valid_html(app, make_app, shipped_register, tmp_path):
    with app.app_context():
        slugs = [tool.slug for tool in list_tools(db.session)]
        patient_id = make_patient(db.session).id
        db.session.commit()
    signed_in = make_app()
    viewer = Viewer(account_id=uuid.uuid4(), level="P9", self_patient_id=patient_id, subject_patient_id=patient_id)
    set_viewer_loader(signed_in, lambda: viewer)
    paths = {"list": ("/ai-tools?", app), "filtered": ("/ai-tools?organisation=RRK&", app),
             "filter error": ("/ai-tools?organisation=NOPE&", app), "signed in": ("/ai-tools?", signed_in)}
    paths.update({slug: (f"/ai-tools/{slug}?", app) for slug in slugs})
    documents = {
        f"{name} ({lang})": chosen.test_client().get(f"{path}lang={lang}").get_data(as_text=True)
        for name, (path, chosen) in paths.items()
        for lang in LANGUAGES
    }
    assert len(documents) == 3 * (4 + 11)
    assert validate_html(documents, tmp_path) == []
