"""Every public page, in every language, is valid HTML under the Nu Html Checker."""

from tests.html_validation import validate_html
from tests.pages import LANGUAGES, PUBLIC_PAGES


def test_public_pages_are_valid_html(client, shipped_register, tmp_path):
    documents = {
        f"{name} ({lang})": client.get(path, query_string={"lang": lang}).get_data(as_text=True)
        for name, path in PUBLIC_PAGES.items()
        for lang in LANGUAGES
    }
    assert validate_html(documents, tmp_path) == []
