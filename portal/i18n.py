"""Languages: which are offered, how one is chosen, and whether its translation is reviewed.

Order of choice (Flask-Babel 4 locale selector): ``?lang=`` > the ``lang`` cookie >
``Accept-Language`` > English. A malformed header falls back to English. Translations written
without a professional translator are drafts (``reviewed=False``): pages say so, and
``ALLOW_UNREVIEWED_LOCALES=false`` switches those languages off.
"""

from __future__ import annotations

from dataclasses import dataclass

from babel import Locale
from flask import Flask, current_app, request, url_for
from flask_babel import get_locale

from portal.config import PROJECT_ROOT
from portal.extensions import babel
from portal.machine_routes import is_machine_request

LANG_COOKIE = "lang"
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600


@dataclass(frozen=True)
class Language:
    """A language the portal can show: its code, its own name, and review status."""

    code: str
    native_name: str
    reviewed: bool
    reviewed_by: str | None = None


LANGUAGES: dict[str, Language] = {
    "en": Language("en", "English", reviewed=True, reviewed_by="source language"),
    "cy": Language("cy", "Cymraeg", reviewed=False),
    "ur": Language("ur", "اردو", reviewed=False),
}
DEFAULT_LOCALE = "en"


def enabled_languages(app: Flask | None = None) -> list[Language]:
    """Languages offered now: enabled in config, and reviewed unless drafts are allowed."""
    config = (app or current_app).config
    allow_drafts = config["ALLOW_UNREVIEWED_LOCALES"]
    return [
        LANGUAGES[code]
        for code in config["LOCALES_ENABLED"]
        if code in LANGUAGES and (LANGUAGES[code].reviewed or allow_drafts)
    ]


def select_locale() -> str:
    """Flask-Babel locale selector: query, then cookie, then Accept-Language, then English."""
    codes = [language.code for language in enabled_languages()]
    for candidate in (request.args.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in codes:
            return candidate
    try:
        best = request.accept_languages.best_match(codes)
    except (ValueError, TypeError):
        best = None
    return best or DEFAULT_LOCALE


def current_language() -> Language:
    """The language of this request's page."""
    return LANGUAGES.get(str(get_locale()), LANGUAGES[DEFAULT_LOCALE])


def text_direction() -> str:
    """``rtl`` or ``ltr`` for the current locale (Babel's CLDR data)."""
    return Locale.parse(str(get_locale())).text_direction


def language_url(code: str) -> str:
    """This page's address in language ``code``: the same endpoint and path parameters, and
    every query parameter kept (for example ``?organisation=RH5`` on the register) except an
    earlier ``lang``, which ``code`` replaces, and any named like a path parameter (the path
    wins). Outside a routed request: the start page."""
    if request.endpoint is None:
        return url_for("pages.start", lang=code)
    path = request.view_args or {}
    query = {key: request.args.getlist(key) for key in request.args if key != "lang" and key not in path}
    return url_for(request.endpoint, **path, **query, lang=code)


def init_app(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_locale=DEFAULT_LOCALE,
        default_translation_directories=str(PROJECT_ROOT / "translations"),
        default_timezone="Europe/London",
    )

    @app.after_request
    def _remember_language(response):  # type: ignore[no-untyped-def]
        if is_machine_request():  # pages only: the API sets no cookie
            return response
        chosen = request.args.get("lang")
        if chosen and chosen in {lang.code for lang in enabled_languages()}:
            response.set_cookie(
                LANG_COOKIE, chosen, max_age=LANG_COOKIE_MAX_AGE, httponly=True,
                secure=app.config["SESSION_COOKIE_SECURE"], samesite="Lax",
            )
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
        return response

    @app.context_processor
    def _language_context() -> dict[str, object]:
        language = current_language()
        return {
            "html_lang": "en-GB" if language.code == "en" else language.code,
            "html_dir": text_direction(),
            "current_language": language,
            "languages": enabled_languages(),
            "language_url": language_url,
        }

