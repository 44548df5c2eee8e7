"""Plain English: the main text of every choices page reads at grade 6 or below
(Flesch-Kincaid; a reading age of about 11), as the developers' guide asks."""

import re
from html import unescape

import textstat

from tests.integration.choices.pages_helpers import answer

BLOCKS = r"<(p|li|h1|h2|h3|legend|label|dt|dd)\b[^>]*>(.*?)</\1>"
MAX_GRADE = 6


def main_text(html: str) -> str:
    """The main content's sentences (headings and labels end a sentence)."""
    main = html[html.find("<main"):html.find("</main>")]
    sentences = []
    for _tag, block in re.findall(BLOCKS, main, re.S):
        text = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", block))).strip()
        if text:
            sentences.append(text if text.endswith((".", "?", "!", ":")) else text + ".")
    return " ".join(sentences)


def test_choices_pages_are_plain_english(client, signed_in):
    recorded = answer(client, "/your-choices/ai-tools/chest-x-ray-triage/care", "deny").headers["Location"]
    reference = recorded.rsplit("/", 1)[1]
    pages = ["/your-choices", "/your-choices/ai-tools/chest-x-ray-triage/care", "/your-choices/all-ai-tools/care",
             "/your-choices/all-ai-tools/improvement", recorded, f"/your-choices/receipt/{reference}",
             "/your-choices/history", "/ai-used-in-your-care", "/who-checked-your-choices",
             "/your-choices/ai-tools/feedback-reader/care/object",
             "/help/how-choices-work", "/help/if-you-do-not-recognise-something"]
    grades = {path: textstat.flesch_kincaid_grade(main_text(client.get(path).get_data(as_text=True))) for path in pages}
    assert {path: grade for path, grade in grades.items() if grade > MAX_GRADE} == {}
    assert all(grade > 0 for grade in grades.values()), "every page has text to measure"
