"""The public pages: NHS design, language and direction, headers, errors."""

import json
import re

import pytest

from tests.pages import LANGUAGES, PUBLIC_PAGES

EXPECTED_HTML_LANG = {"en": ("en-GB", "ltr"), "cy": ("cy", "ltr"), "ur": ("ur", "rtl")}


@pytest.mark.parametrize("path", [p for n, p in PUBLIC_PAGES.items() if n != "page not found"])
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.usefixtures("shipped_register")
def test_each_page_has_one_h1_a_title_starting_with_it_and_the_right_lang(client, path, lang):
    response = client.get(path, query_string={"lang": lang})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    h1s = re.findall(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert len(h1s) == 1
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert title.startswith(h1s[0].strip())
    html_lang, direction = EXPECTED_HTML_LANG[lang]
    assert f'<html lang="{html_lang}" dir="{direction}"' in html
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "duplicate ids"


def test_welsh_page_is_in_welsh_and_says_the_translation_is_not_reviewed(client):
    html = client.get("/?lang=cy").get_data(as_text=True)
    english = client.get("/?lang=en").get_data(as_text=True)
    welsh_h1 = re.search(r"<h1>(.*?)</h1>", html).group(1)
    assert welsh_h1 != re.search(r"<h1>(.*?)</h1>", english).group(1)
    assert 'class="app-translation-notice"' in html
    assert 'class="app-translation-notice"' not in english


def test_language_choice_is_remembered_in_a_cookie(client):
    client.get("/?lang=cy")
    assert '<html lang="cy"' in client.get("/cookies").get_data(as_text=True)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("cy-GB,cy;q=0.9,en;q=0.5", "cy"),
        ("ur", "ur"),
        ("fr-FR,fr;q=0.9", "en-GB"),
        (";;;q=abc,,=", "en-GB"),
        ("\x00\xff", "en-GB"),
    ],
)
def test_accept_language_is_used_and_a_malformed_header_falls_back_to_english(client, header, expected):
    response = client.get("/", headers={"Accept-Language": header})
    assert response.status_code == 200
    assert f'<html lang="{expected}"' in response.get_data(as_text=True)
    assert "Accept-Language" in response.headers["Vary"]


def test_unreviewed_languages_can_be_switched_off(make_app):
    app = make_app(ALLOW_UNREVIEWED_LOCALES="false")
    html = app.test_client().get("/?lang=cy").get_data(as_text=True)
    assert '<html lang="en-GB"' in html
    assert "Cymraeg" not in html


def test_security_headers_are_on_every_page(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "default-src 'self'" in csp
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert f'<script nonce="{nonce}">' in response.get_data(as_text=True)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "camera=()" in response.headers["Permissions-Policy"]


def test_a_new_nonce_each_request(client):
    first = client.get("/").headers["Content-Security-Policy"]
    assert first != client.get("/").headers["Content-Security-Policy"]


def test_unknown_page_is_the_nhs_styled_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Page not found" in html and "nhsuk-header" in html


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing", "/api/anything"])
def test_unknown_api_url_is_a_problem_document(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    body = json.loads(response.data)
    assert body["status"] == 404 and body["type"].endswith("/not-found")


def test_wrong_method_is_405_in_the_nhs_design(client):
    response = client.post("/cookies")
    assert response.status_code in (400, 405)
    assert "nhsuk-header" in response.get_data(as_text=True)


def test_the_built_stylesheet_is_served_and_reaches_nothing_outside(client):
    with client.get("/assets/dist/portal.css") as response:
        assert response.status_code == 200
        css = response.get_data(as_text=True)
    assert "https://" not in css and "http://" not in css
    assert "arial" in css.lower()


def _switcher_links(html: str) -> dict[str, str]:
    nav = html[html.index('<nav class="app-language-switcher"'):]
    nav = nav[:nav.index("</nav>")]
    return {lang: href.replace("&amp;", "&")
            for href, lang in re.findall(r'<a class="nhsuk-link" href="([^"]+)" lang="([^"]+)"', nav)}


@pytest.mark.usefixtures("shipped_register")
def test_switching_language_keeps_the_other_query_parameters(client):
    html = client.get("/ai-tools?organisation=RH5&lang=en").get_data(as_text=True)
    links = _switcher_links(html)
    assert set(links) == {"cy", "ur"}
    for lang, href in links.items():
        path, _, query = href.partition("?")
        assert path == "/ai-tools"
        assert sorted(query.split("&")) == sorted(["organisation=RH5", f"lang={lang}"])
    welsh = client.get(links["cy"]).get_data(as_text=True)
    assert '<html lang="cy"' in welsh
    assert 'value="RH5" selected' in welsh


def test_switching_language_on_a_page_without_a_query_adds_only_the_language(client):
    links = _switcher_links(client.get("/cookies?lang=cy").get_data(as_text=True))
    assert links == {"en": "/cookies?lang=en", "ur": "/cookies?lang=ur"}


@pytest.mark.usefixtures("shipped_register")
def test_a_query_parameter_named_like_a_path_parameter_does_not_break_the_switcher(client):
    slug = "somerset-chest-xray-triage"
    response = client.get(f"/ai-tools/{slug}?slug=other&lang=en")
    assert response.status_code == 200
    assert _switcher_links(response.get_data(as_text=True))["cy"] == f"/ai-tools/{slug}?lang=cy"
