"""The register pages as a patient meets them (issue 3 point 4): grouped by category,
filterable without JavaScript, plain overview first, English marked where not translated."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import pytest

from portal.data.people import get_organisation_by_ods_code, set_patient_organisations
from portal.extensions import db
from portal.services.register import import_register_text
from portal.web.guards import Viewer, set_viewer_loader
from tests.factories import make_patient
from tests.register_files import as_yaml, small_register

MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def main(html: str) -> str:
    return html[html.index("<main"):html.index("</main>")]


def words(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def headings(html: str, level: int) -> list[str]:
    return [words(h) for h in re.findall(rf"<h{level}[^>]*>(.*?)</h{level}>", main(html), re.S)]


def card(html: str, slug: str) -> str:
    """The words of the card (a ``div``) that links to ``slug``."""
    start = html.rindex('<div class="nhsuk-card">', 0, html.index(f'href="/ai-tools/{slug}"'))
    depth, position = 0, start
    for tag in re.finditer(r"<(/?)div\b[^>]*>", html[start:]):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            position = start + tag.end()
            break
    return words(html[start:position])


def page(client, path: str, lang: str = "en") -> str:  # type: ignore[no-untyped-def]
    response = client.get(f"{path}{'&' if '?' in path else '?'}lang={lang}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def import_small(app, data=None, now=MONDAY) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        import_register_text(db.session, as_yaml(data or small_register()), now=now)
        db.session.commit()


@pytest.mark.usefixtures("shipped_register")
def test_the_register_groups_every_tool_under_plain_category_headings(client):
    html = page(client, "/ai-tools")
    assert headings(html, 2) == ["Admin and paperwork", "Helping staff make decisions about your care",
                                 "Giving you care and support", "Planning care for large groups of people"]
    assert len(re.findall(r'class="nhsuk-card__link" href="/ai-tools/[a-z0-9-]+"', html)) == 11
    assert card(html, "sleepio").startswith("Sleep app that helps with insomnia Sleepio is an app")
    assert card(html, "sleepio").endswith(
        "Used in your care: Only used if you say yes Your data used for research: Only used if you say yes")
    assert card(html, "covid-19-data-store-models").endswith(
        "Your data used to improve the tool: You cannot opt out of this")
    assert card(html, "brainomix-e-stroke").endswith("Used in your care: You can say no")
    assert card(html, "ethos-adaptive-radiotherapy-beatson").endswith(
        "You cannot make a choice about this tool here. It is not used in England or Wales.")


@pytest.mark.usefixtures("shipped_register")
def test_the_organisation_filter_is_a_plain_get_form_that_keeps_the_choice(client):
    html = page(client, "/ai-tools?organisation=RH5")
    form = re.search(r'<form class="app-register-filter" method="get" action="/ai-tools"', html)
    assert form and '<button class="nhsuk-button nhsuk-button--secondary"' in html
    assert '<option value="RH5" selected>Somerset NHS Foundation Trust</option>' in html
    assert "Showing 1 tool used by Somerset NHS Foundation Trust." in words(html)
    assert re.findall(r'class="nhsuk-card__link" href="(/ai-tools/[a-z0-9-]+)"', html) == [
        "/ai-tools/somerset-chest-xray-triage"]
    everything = page(client, "/ai-tools?organisation=")
    assert len(re.findall(r'class="nhsuk-card__link"', everything)) == 11


@pytest.mark.usefixtures("shipped_register")
def test_an_unknown_organisation_is_an_error_that_still_shows_every_tool(client):
    html = page(client, "/ai-tools?organisation=NOPE")
    assert re.search(r"<title>Error: AI tools used in the NHS", html)
    summary = words(html[html.index('<div class="nhsuk-error-summary"'):html.index("</form>")])
    assert summary.startswith("There is a problem Select an organisation from the list")
    assert '<a href="#organisation">' in html
    assert len(re.findall(r'class="nhsuk-card__link"', html)) == 11


@pytest.mark.usefixtures("shipped_register")
def test_a_tool_page_gives_the_plain_overview_first_then_detail_then_sources(client):
    html = page(client, "/ai-tools/skin-analytics-derm")
    assert headings(html, 1) == ["Skin spot checker for suspected skin cancer"]
    assert headings(html, 2) == ["What it does", "Can you say no?", "Who checks the result",
                                 "Requests for review in the last 12 months", "More detail",
                                 "Used after someone said no", "Evidence and sources"]
    text = words(main(html))
    assert text.index("Nobody has checked these facts yet.") < text.index("What it does")
    assert ("Used in your care You can say no DERM checks photos of your skin spot. It may decide you do not need "
            "to see a skin doctor. This is done unless you say no. To say no, use this service or tell your care "
            "team.") in text
    assert "Your data used to improve the tool Only used if you say yes" in text
    assert headings(html, 3)[2:9] == ["Who is responsible", "How it works", "What data it uses", "What it cannot do well",
                                      "Who it may work less well for", "How it is checked over time", "Approval and rules"]
    assert "Official guidance: NICE HTE24" in text
    assert '<a class="nhsuk-link" href="https://skin-analytics.com/faq/"' in html
    assert re.search(r"Last updated \d{1,2} [A-Z][a-z]+ \d{4}", text)


def test_last_updated_is_the_last_import_that_changed_the_tool_in_the_page_language(app, client):
    import_small(app, now=MONDAY)
    data = small_register()
    data["tools"][0]["summary"] = "This AI reads chest scans. A doctor checks what it finds."
    import_small(app, data, now=datetime(2027, 1, 4, 23, 30, tzinfo=UTC))
    assert "Last updated 30 November 2026" in words(page(client, "/ai-tools/feedback-reader"))
    assert "Last updated 4 January 2027" in words(page(client, "/ai-tools/scan-reader"))
    welsh = words(page(client, "/ai-tools/feedback-reader", "cy"))
    assert "30 Tachwedd 2026" in welsh and "Last updated" not in welsh


def test_a_no_choice_purpose_gives_its_reason_and_the_right_to_object(app, client):
    import_small(app)
    text = words(main(page(client, "/ai-tools/feedback-reader")))
    assert ("You cannot opt out of this It reads comments you choose to leave. The reason you cannot opt out is: "
            "Reading feedback is part of running the hospital. You can still object.") in text


@pytest.mark.usefixtures("shipped_register")
def test_a_tool_not_used_in_england_or_wales_says_why_there_is_no_choice(client):
    text = words(main(page(client, "/ai-tools/ethos-adaptive-radiotherapy-beatson")))
    assert ("Can you say no? Information: You cannot make a choice about this tool here. This service covers care in "
            "England and Wales. This tool is not used there, so there is no choice to make here. This tool is only "
            "used in Scotland.") in text
    assert "To say no" not in text


@pytest.mark.parametrize("path", ["/ai-tools/no-such-tool", "/ai-tools/NOT%20A%20SLUG"])
def test_an_unknown_tool_is_the_404_page(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_a_retired_tool_leaves_the_list_but_keeps_its_page(app, client):
    import_small(app)
    data = small_register()
    del data["tools"][0]
    import_small(app, data)
    assert "/ai-tools/scan-reader" not in page(client, "/ai-tools")
    assert "This tool has been taken off the register." in words(page(client, "/ai-tools/scan-reader"))


@pytest.mark.usefixtures("shipped_register")
@pytest.mark.parametrize(("lang", "marks"), [("cy", 'lang="en"'), ("ur", 'lang="en" dir="ltr"')])
def test_register_text_not_yet_translated_is_english_marked_and_noted(client, lang, marks):
    html = page(client, "/ai-tools/sleepio", lang)
    assert f"<h1{' ' + marks}>Sleep app that helps with insomnia</h1>" in html
    assert re.search(rf"<p {marks}>Sleepio is an app and website", html)
    assert html.count('class="nhsuk-body-s app-untranslated-note"') == 2  # overview, more detail
    listing = page(client, "/ai-tools", lang)
    assert re.search(rf'<h3 class="nhsuk-card__heading" {marks}>', listing)
    assert listing.count("app-untranslated-note") == 1


@pytest.mark.usefixtures("shipped_register")
def test_english_pages_carry_no_untranslated_marks(client):
    html = main(page(client, "/ai-tools/sleepio"))
    assert 'lang="en"' not in html and "app-untranslated-note" not in html


def test_translated_register_text_is_shown_in_the_page_language(app, client):
    data = small_register()
    data["tools"][0]["translations"] = {"cy": {"summary": "Mae'r AI hwn yn darllen sganiau."}}
    import_small(app, data)
    html = page(client, "/ai-tools/scan-reader", "cy")
    assert "<p>Mae&#39;r AI hwn yn darllen sganiau.</p>" in html
    assert '<h1 lang="en">Scan reader</h1>' in html


def _signed_in_app(make_app, patient_id):  # type: ignore[no-untyped-def]
    app = make_app()
    viewer = Viewer(account_id=uuid.uuid4(), level="P9", self_patient_id=patient_id, subject_patient_id=patient_id)
    set_viewer_loader(app, lambda: viewer)
    return app


def _patient(app, ods_codes: list[str]) -> uuid.UUID:  # type: ignore[no-untyped-def]
    with app.app_context():
        patient = make_patient(db.session)
        organisations = [get_organisation_by_ods_code(db.session, code) for code in ods_codes]
        set_patient_organisations(db.session, patient, organisations)  # type: ignore[arg-type]
        db.session.commit()
        return patient.id


@pytest.mark.usefixtures("shipped_register")
def test_a_signed_in_patient_sees_the_tools_used_in_their_care_first(app, make_app):
    patient_id = _patient(app, ["RH5", "RP4"])
    response = _signed_in_app(make_app, patient_id).test_client().get("/ai-tools")
    html = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert headings(html, 2)[:2] == ["AI tools used in your care", "All AI tools"]
    yours = html[html.index('id="your-tools"'):html.index("All AI tools")]
    assert re.findall(r'href="(/ai-tools/[a-z0-9-]+)"', yours) == ["/ai-tools/gosh-ai-scribe",
                                                                   "/ai-tools/somerset-chest-xray-triage"]
    assert "The NHS services that care for you use these tools." in words(yours)


@pytest.mark.usefixtures("shipped_register")
def test_a_patient_whose_organisations_are_unknown_sees_every_tool_that_offers_a_choice(app, make_app):
    patient_id = _patient(app, [])
    html = _signed_in_app(make_app, patient_id).test_client().get("/ai-tools").get_data(as_text=True)
    yours = html[html.index('id="your-tools"'):html.index("All AI tools")]
    assert "We do not know which NHS services care for you yet." in words(yours)
    slugs = re.findall(r'href="/ai-tools/([a-z0-9-]+)"', yours)
    assert len(slugs) == 10 and "ethos-adaptive-radiotherapy-beatson" not in slugs


@pytest.mark.usefixtures("shipped_register")
def test_without_a_signed_in_patient_the_register_is_public_and_cacheable(client):
    response = client.get("/ai-tools")
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert "AI tools used in your care" not in response.get_data(as_text=True)
