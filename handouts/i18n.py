"""Turn a language code into gettext translations and dates written the way that language writes them."""

from __future__ import annotations

import datetime as dt
import gettext
from functools import lru_cache
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "handouts"
BABEL_LOCALES = {"en": "en_US", "es": "es"}
PDF_LANG = {"en": "en-US", "es": "es"}


@lru_cache(maxsize=8)
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalog for a language; English is the source language and needs none."""
    if language == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[language])


def format_date(day: dt.date, language: str) -> str:
    """A long date for print, e.g. 26 November 2026 or 26 de noviembre de 2026."""
    from babel.dates import format_date as babel_format_date  # 30 ms, needed only when a date prints

    return str(babel_format_date(day, format="long", locale=BABEL_LOCALES.get(language, language)))
