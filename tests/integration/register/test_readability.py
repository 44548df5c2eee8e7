"""Plain language, measured (issue 3 point 5): the English main text of every register page
and of the foundation pages reads at Flesch-Kincaid grade 6 or below (reading age 9 to 11),
each tool's overview too; the register's tier 2 detail at grade 9 or below. Quoted wording
(``data-readability="exempt"``: legal bases, regulators' terms, titles, names) is left out.
Run with ``-s`` to see every page's scores."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.services.register import list_tools
from tests.readability import DETAIL_BAR, MAIN_TEXT_BAR, grade, main_text

FOUNDATION_PAGES = {"start": "/", "accessibility statement": "/accessibility-statement",
                    "privacy notice": "/privacy-notice", "cookies": "/cookies"}


def _register_pages(app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with app.app_context():
        slugs = [tool.slug for tool in list_tools(db.session)]
        slugs.append("ethos-adaptive-radiotherapy-beatson")
    pages = {"AI tools": "/ai-tools?lang=en", "AI tools at one organisation": "/ai-tools?organisation=RH5&lang=en"}
    pages.update({f"tool {slug}": f"/ai-tools/{slug}?lang=en" for slug in dict.fromkeys(slugs)})
    return pages


@pytest.mark.usefixtures("shipped_register")
def test_every_page_reads_plainly_and_every_tool_overview_too(app, client):
    pages = {name: f"{path}?lang=en" for name, path in FOUNDATION_PAGES.items()} | _register_pages(app)
    failures, tools_seen = [], 0
    for name, path in pages.items():
        response = client.get(path)
        assert response.status_code == 200, path
        text = main_text(response.get_data(as_text=True))
        scores = {"main": grade(text.main), "overview": grade(text.overview), "detail": grade(text.detail)}
        print(f"{name:55} main {scores['main']:4.1f}  overview {scores['overview']:4.1f}  detail {scores['detail']:4.1f}")
        assert text.main, f"{name}: no main text found"
        if name.startswith("tool "):
            tools_seen += 1
            assert text.overview and text.detail, f"{name}: overview or detail not found"
        bars = {"main": MAIN_TEXT_BAR, "overview": MAIN_TEXT_BAR, "detail": DETAIL_BAR}
        failures += [f"{name}: {part} grade {score:.1f} > {bars[part]}" for part, score in scores.items()
                     if score > bars[part]]
    assert tools_seen == 11
    assert failures == []


def test_the_measure_fails_hard_text_and_skips_quoted_text():
    hard = ("<main><p>Notwithstanding considerable methodological heterogeneity, multidisciplinary "
            "evaluations demonstrated statistically significant improvements.</p></main>")
    assert grade(main_text(hard).main) > MAIN_TEXT_BAR
    quoted = f'<main><h1>Rules</h1><p data-readability="exempt">{hard[9:-11]}</p><p>We quote it.</p></main>'
    text = main_text(quoted)
    assert grade(text.main) <= MAIN_TEXT_BAR and text.exempt and "Notwithstanding" not in " ".join(text.main)
