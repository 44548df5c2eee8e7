"""The public pages in real Chromium: no axe violations, no horizontal scroll at 320 px, no
request leaves the portal, and everything works without JavaScript."""

import pytest

from tests.browser.conftest import axe_violations, horizontal_overflow
from tests.pages import LANGUAGES, PUBLIC_PAGES


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", PUBLIC_PAGES)
@pytest.mark.usefixtures("live_register")
def test_page_is_accessible_and_reflows_at_320px(page, base_url, axe, name, lang):
    outside, console_errors = [], []
    page.on("request", lambda r: None if r.url.startswith(base_url) or r.url.startswith("data:") else outside.append(r.url))
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{base_url}{PUBLIC_PAGES[name]}?lang={lang}")
    page.wait_for_load_state("networkidle")
    assert axe_violations(axe, page) == []
    assert horizontal_overflow(page) <= 0
    assert outside == [], "the page fetched something from outside the portal"
    expected_errors = 1 if name == "page not found" else 0  # the browser logs the 404 itself
    assert len(console_errors) == expected_errors, console_errors


def test_the_page_font_is_arial_not_a_serif_fallback(page, base_url):
    page.goto(base_url + "/")
    family = page.evaluate("getComputedStyle(document.querySelector('main p')).fontFamily")
    assert family.lower().startswith("arial")


def test_nhsuk_frontend_javascript_starts(page, base_url):
    page.goto(base_url + "/")
    page.wait_for_load_state("networkidle")
    assert "nhsuk-frontend-supported" in page.evaluate("document.body.className")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_without_javascript_the_language_switcher_and_footer_links_work(no_js_page, base_url, lang):
    no_js_page.goto(f"{base_url}/?lang={lang}")
    no_js_page.get_by_role("link", name="English", exact=True).click() if lang != "en" else None
    assert no_js_page.locator("html").get_attribute("lang") == "en-GB"
    no_js_page.get_by_role("link", name="Cymraeg", exact=True).click()
    assert no_js_page.locator("html").get_attribute("lang") == "cy"
    footer_links = no_js_page.locator("footer a")
    assert footer_links.count() == 3
    footer_links.nth(1).click()
    assert no_js_page.locator("h1").count() == 1
    assert no_js_page.locator("html").get_attribute("lang") == "cy"


def test_urdu_pages_are_right_to_left_with_the_text_on_the_right(page, base_url):
    page.goto(base_url + "/?lang=ur")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.querySelector('main p')).direction") == "rtl"
