"""Reading sign-in pages as a person would: headings, errors, what a field shows."""

from __future__ import annotations

import html
import re

from flask.testing import FlaskClient


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def error_summary(page: str) -> list[str]:
    """The messages in the error summary, in order."""
    match = re.search(r'<ul class="nhsuk-list nhsuk-error-summary__list">(.*?)</ul>', page, re.S)
    return [text_of(item) for item in re.findall(r"<a [^>]*>(.*?)</a>", match.group(1), re.S)] if match else []


def inline_errors(page: str) -> list[str]:
    """Messages beside fields (without the hidden "Error:" prefix)."""
    found = re.findall(r'<span class="nhsuk-error-message"[^>]*>\s*<span class="nhsuk-u-visually-hidden">[^<]*</span>(.*?)</span>',
                       page, re.S)
    return [text_of(message) for message in found]


def field_value(page: str, name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', page)
    if not match:
        return None
    value = re.search(r'value="([^"]*)"', match.group(0))
    return html.unescape(value.group(1)) if value else ""


def csrf(client: FlaskClient, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def h1(page: str) -> str:
    return text_of(re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1))
