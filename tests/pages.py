"""Every page the suite checks for accessibility, valid HTML, reflow and readability.

Each later journey adds its pages here (signed-in pages add a sign-in step in their own test).
"""

PUBLIC_PAGES = {
    "start": "/",
    "accessibility statement": "/accessibility-statement",
    "privacy notice": "/privacy-notice",
    "cookies": "/cookies",
    "page not found": "/no-such-page",
    "sign in": "/sign-in",
    "sign in: your details": "/sign-in/your-details",
    "sign in: no contact details": "/sign-in/no-contact-details",
    "sign in: start again": "/sign-in/start-again",
    "signed out": "/signed-out",
    "staff sign in": "/staff/sign-in",
}
LANGUAGES = ("en", "cy", "ur")
