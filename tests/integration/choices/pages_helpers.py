"""Helpers for the choices page tests: read what a person would see."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import select

from portal.data.choices import Choice
from portal.extensions import db
from tests.integration.choices.conftest import hidden_fields

TRIAGE_CARE = "/your-choices/ai-tools/chest-x-ray-triage/care"


def choices_in_db(app) -> list[Choice]:  # type: ignore[no-untyped-def]
    """Every choice in the database, by sequence (read on a fresh connection)."""
    with app.app_context():
        return list(db.session.execute(select(Choice).order_by(Choice.sequence)).scalars())


def text_of(html: str) -> str:
    """The page's visible words, tags removed and spaces collapsed."""
    main = html[html.find("<main"):html.find("</main>")] if "<main" in html else html
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", main))).strip()


def h1s(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", h))).strip()
            for h in re.findall(r"<h1[^>]*>(.*?)</h1>", html, re.S)]


def title(html: str) -> str:
    return unescape(re.search(r"<title>(.*?)</title>", html, re.S).group(1)).strip()


def checked_value(html: str, name: str = "decision") -> str | None:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]+)"[^>]* checked', html)
    return match.group(1) if match else None


def answer(client, path: str, decision: str | None, **extra: str):  # type: ignore[no-untyped-def]
    """Open the question page, pick ``decision`` and send it; returns the POST response."""
    fields = hidden_fields(client.get(path).get_data(as_text=True))
    data = {**fields, **extra}
    if decision is not None:
        data["decision"] = decision
    return client.post(path, data=data)


def links(html: str) -> list[str]:
    return re.findall(r'(?:href|action)="([^"]+)"', html)
