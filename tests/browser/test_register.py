"""The register pages in real Chromium, in English, Welsh and Urdu: the organisation filter
and the way to a tool's page work without JavaScript; the filtered list, the error state and
a tool page have no axe violations and no horizontal scroll at 320 px."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations, horizontal_overflow
from tests.pages import LANGUAGES

SHOW_TOOLS = {"en": "Show tools", "cy": "Dangos offer", "ur": "ٹولز دکھائیں"}
HTML_LANG = {"en": "en-GB", "cy": "cy", "ur": "ur"}


@pytest.mark.usefixtures("live_register")
@pytest.mark.parametrize("lang", LANGUAGES)
def test_without_javascript_the_filter_narrows_the_list_and_a_card_opens_the_tool(no_js_page, base_url, lang):
    page = no_js_page
    page.goto(f"{base_url}/ai-tools?lang={lang}")
    assert page.locator(".nhsuk-card").count() == 11
    page.select_option("#organisation", "RH5")
    page.get_by_role("button", name=SHOW_TOOLS[lang]).click()
    assert "organisation=RH5" in page.url
    assert page.locator(".nhsuk-card").count() == 1
    assert page.locator("#organisation").input_value() == "RH5"
    page.locator(".nhsuk-card__link").click()
    assert page.url.endswith("/ai-tools/somerset-chest-xray-triage")
    assert page.locator("h1").inner_text() == "Chest X-ray sorter that puts urgent scans first"
    assert page.locator("html").get_attribute("lang") == HTML_LANG[lang]


@pytest.mark.usefixtures("live_register")
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("path", ["/ai-tools?organisation=RRK", "/ai-tools?organisation=NOPE",
                                  "/ai-tools/somerset-chest-xray-triage"])
def test_register_pages_are_accessible_and_reflow_at_320px(page, base_url, axe, path, lang):
    outside = []
    page.on("request", lambda r: None if r.url.startswith((base_url, "data:")) else outside.append(r.url))
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{base_url}{path}&lang={lang}" if "?" in path else f"{base_url}{path}?lang={lang}")
    page.wait_for_load_state("networkidle")
    assert axe_violations(axe, page) == []
    assert horizontal_overflow(page) <= 0
    assert outside == []


@pytest.mark.usefixtures("live_register")
def test_on_urdu_pages_untranslated_register_text_runs_left_to_right(page, base_url):
    page.goto(f"{base_url}/ai-tools/sleepio?lang=ur")
    summary = page.locator("#overview p[lang='en']").first
    assert summary.evaluate("element => getComputedStyle(element).direction") == "ltr"
    assert page.evaluate("getComputedStyle(document.querySelector('main h2')).direction") == "rtl"
