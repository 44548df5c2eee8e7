"""Reading age of a rendered page's main content, measured as a patient would meet it.

``main_text(html)`` takes the text inside ``<main>`` (never the header, footer or
navigation), split into three parts by ``data-readability`` marks:

- ``data-readability="exempt"``: wording quoted exactly (a legal basis, a regulator's term,
  a publication's title, a name): left out of every score;
- ``data-readability="detail"``: tier 2 detail of the register (grade 9 or below);
- everything else: the page's main text (grade 6 or below), with the element whose
  ``id="overview"`` also kept on its own.

Headings, list items, table cells and paragraphs each count as a sentence: a heading with no
full stop is not run into the next sentence, which would inflate the grade. Scores are
``textstat`` 0.7.8 Flesch-Kincaid grades (US school grade; reading age is about grade + 5).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import textstat

BLOCKS = frozenset({"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "td", "th", "caption",
                    "label", "legend", "button", "option", "summary", "section", "div", "ul", "ol", "dl",
                    "form", "select", "tr", "table"})
VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "source", "wbr"})
MAIN_TEXT_BAR = 6.0
DETAIL_BAR = 9.0


@dataclass
class PageText:
    main: list[str] = field(default_factory=list)
    detail: list[str] = field(default_factory=list)
    overview: list[str] = field(default_factory=list)
    exempt: list[str] = field(default_factory=list)


class _MainText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text = PageText()
        self.stack: list[tuple[str, str | None, bool]] = []  # (tag, mark, is overview)
        self.in_main = False
        self.buffer: list[str] = []

    def _mark(self) -> str | None:
        marks = [mark for _tag, mark, _overview in self.stack if mark]
        return "exempt" if "exempt" in marks else ("detail" if "detail" in marks else None)

    def _overview(self) -> bool:
        return any(overview for _tag, _mark, overview in self.stack)

    def _flush(self) -> None:
        sentence = re.sub(r"\s+", " ", "".join(self.buffer)).strip()
        self.buffer = []
        if not re.search(r"\w", sentence):  # punctuation alone (": " between names) is no sentence
            return
        if not re.search(r"[.!?:;]$", sentence):
            sentence += "."
        mark = self._mark()
        target = {"exempt": self.text.exempt, "detail": self.text.detail}.get(mark or "", self.text.main)
        target.append(sentence)
        if mark is None and self._overview():
            self.text.overview.append(sentence)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "main":
            self.in_main = True
        if not self.in_main or tag in VOID:
            return
        if tag in BLOCKS or values.get("data-readability"):
            self._flush()
        hidden = "nhsuk-u-visually-hidden" in (values.get("class") or "")
        self.stack.append((tag, "exempt" if hidden else values.get("data-readability"), values.get("id") == "overview"))

    def handle_endtag(self, tag: str) -> None:
        if not self.in_main or tag in VOID:
            return
        if tag == "main":
            self._flush()
            self.in_main = False
            return
        if tag in BLOCKS or (self.stack and self.stack[-1][1]):
            self._flush()
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.in_main:
            self.buffer.append(data)


def main_text(html: str) -> PageText:
    parser = _MainText()
    parser.feed(html)
    parser.close()
    return parser.text


def grade(sentences: list[str]) -> float:
    """Flesch-Kincaid grade of the sentences joined (0.0 for no text)."""
    text = " ".join(sentences)
    return float(textstat.flesch_kincaid_grade(text)) if text.strip() else 0.0
