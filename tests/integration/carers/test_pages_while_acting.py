"""While a carer acts for someone, each page is plainly about one person: the landing page is
about the person they act for (as the banner says); pages about the carer themselves (their own
information, who can act for them) say "This page is about you, not <name>" instead."""

from __future__ import annotations

from datetime import date

import pytest

from portal.extensions import db
from tests.factories import make_patient
from tests.helpers.carers import sign_in_as_carer


@pytest.fixture()
def acting(app, client):
    with app.app_context():
        carer = make_patient(db.session, given_name="Rhian", family_name="Evans", nhs_number="9990000018")
        patient = make_patient(db.session, given_name="Eira", family_name="Jones", date_of_birth=date(1940, 5, 6),
                               postcode="SA1 1AA", nhs_number="9990000034")
        db.session.commit()
    sign_in_as_carer(client, carer, patient)
    return client


def page(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True).replace("&#39;", "'")


def test_the_landing_page_is_about_the_person_the_carer_acts_for(acting):
    shown = page(acting, "/signed-in")
    assert "You are acting for Eira Jones" in shown
    assert "••• ••• •034" in shown and "Eira Jones</dd>" in shown
    assert "Rhian Evans" not in shown and "•018" not in shown
    assert "See when AI was used in their care" in shown and "See and change their choices" in shown
    assert "See when AI was used in your care" not in shown and "Download your information" not in shown


@pytest.mark.parametrize("path", ["/your-information", "/people-who-can-act-for-you"])
def test_pages_about_the_carer_say_so_not_that_they_are_acting(acting, path):
    shown = page(acting, path)
    assert "This page is about you, not Eira Jones" in shown
    assert "You are acting for Eira Jones" not in shown
