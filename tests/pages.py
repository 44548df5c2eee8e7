"""Every page the suite checks for accessibility, valid HTML, reflow and readability.

Each later journey adds its pages here (signed-in pages add a sign-in step in their own test).
Tests that visit these pages load the shipped AI tool register first (fixtures
``shipped_register`` and, in the browser, ``live_register``). Paths carry no query string:
the tests add ``?lang=``.
"""

PUBLIC_PAGES = {
    "start": "/",
    "accessibility statement": "/accessibility-statement",
    "privacy notice": "/privacy-notice",
    "cookies": "/cookies",
    "page not found": "/no-such-page",
    "AI tools": "/ai-tools",
    "AI tool with opt-in and opt-out purposes": "/ai-tools/skin-analytics-derm",
    "AI tool with no choice": "/ai-tools/covid-19-data-store-models",
    "AI tool not used in England or Wales": "/ai-tools/ethos-adaptive-radiotherapy-beatson",
}
LANGUAGES = ("en", "cy", "ur")
