"""The receipt on paper (issue 5 point 2): one A4 page in every language even in the longest
case (a long tool name, a paper form with its signing date, staff acting for the patient, and
the choice since cancelled), without the header, footer, language switcher or buttons; times
in UK time."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page

from portal.data import people
from portal.extensions import db
from portal.services import choices as choice_service
from portal.services.choices import ChoiceActor
from tests.factories import make_organisation, make_patient, make_tool
from tests.helpers.auth import sign_in_browser
from tests.pages import LANGUAGES

LONG_NAME = "Somerset and North Devon community chest X-ray and CT scan urgent findings prioritisation assistant"
A4_POINTS = (595, 842)  # 210 mm x 297 mm


@pytest.fixture()
def longest_receipt(live_app, base_url):  # type: ignore[no-untyped-def]
    """A patient whose receipt has every optional line, and the choice's reference."""
    with live_app.app_context():
        session = db.session
        trust = make_organisation(session, "RH5", "Somerset NHS Foundation Trust")
        patient = make_patient(session, given_name="Bartholomew-Alexander", family_name="Featherstonehaugh-Montgomery")
        people.set_patient_organisations(session, patient, [trust])
        make_tool(session, "long-tool", name=LONG_NAME, purposes={"improvement": "opt-in"}, organisations=[trust])
        staff = uuid.uuid4()
        choice = choice_service.record_choice(
            session, patient_id=patient.id, tool_slug="long-tool", purpose="improvement", decision="permit",
            actor=ChoiceActor.staff(staff), channel="paper", idempotency_key=None,
            signed_at=datetime(2026, 6, 30, 23, 30, tzinfo=UTC))  # 1 July in the UK (BST)
        choice_service.void_choice(session, choice_id=choice.id, staff_user_id=staff, staff_roles=("admin",),
                                   reason="Form was for someone else")
        session.commit()
        return patient, choice.reference


def pdf_pages(pdf: bytes) -> list[tuple[float, float]]:
    """The size of each page of ``pdf`` in points (from each page's MediaBox)."""
    pages = re.findall(rb"/Type\s*/Page(?![s\w])", pdf)
    boxes = [tuple(float(n) for n in box.split()[2:4])
             for box in re.findall(rb"/MediaBox\s*\[\s*([\d.\s]+)\]", pdf)]
    return boxes[-len(pages):] if len(boxes) >= len(pages) else [(0.0, 0.0)] * len(pages)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_longest_receipt_prints_on_one_a4_page(page: Page, base_url, live_app, longest_receipt, lang):
    patient, reference = longest_receipt
    sign_in_browser(page, live_app, base_url, patient, level="P9")
    page.goto(f"{base_url}/your-choices/receipt/{reference}?lang={lang}")
    main = page.locator("main").inner_text()
    assert reference in main and "Featherstonehaugh-Montgomery" in main
    page.emulate_media(media="print")
    for hidden in ("header.nhsuk-header", "footer", ".app-language-switcher", ".app-back-link", "#send-receipt"):
        assert not page.locator(hidden).first.is_visible(), hidden
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    sizes = pdf_pages(pdf)
    assert len(sizes) == 1, f"{len(sizes)} pages"
    assert [round(v) for v in sizes[0]] == list(A4_POINTS)


def test_the_receipt_gives_the_signing_date_in_uk_time(page: Page, base_url, live_app, longest_receipt):
    patient, reference = longest_receipt
    sign_in_browser(page, live_app, base_url, patient, level="P9")
    page.goto(f"{base_url}/your-choices/receipt/{reference}?lang=en")
    assert "Form signed on 1 July 2026" in page.locator("main").inner_text()
