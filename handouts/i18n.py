"""Turn a language code into gettext translations and dates written the way that language writes them.

Babel writes dates exactly as CLDR says (`November 26, 2026`, `26 de noviembre de 2026`), but importing
it and loading a locale's CLDR data costs about 20 ms of a cold `handouts build`, for one date. So the
first process asks Babel once for the locale's long date pattern (Babel's own parse of it, a `%`-format
string such as `%(MMMM)s %(d)s, %(y)s`) and its month names, and stores them as JSON in the user cache
folder (`cache.py`), keyed by the locale, Babel's installed `__init__.py` (so a new Babel, with new CLDR
data, misses) and this module's source. Later processes fill the pattern in here. A pattern with a
field this module does not write (a weekday, an era, a two-digit year...) is always left to Babel, so
the printed text is Babel's in every case; a test compares the two for every day of a year.
"""

from __future__ import annotations

import datetime as dt
import gettext
import hashlib
import importlib.util
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from handouts.cache import entry_key, read_entry, source_fingerprint, write_entry

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
    """A long date for print, e.g. November 26, 2026 or 26 de noviembre de 2026 (Babel's, without
    importing Babel once its pattern is in the cache folder: see the module docstring)."""
    return format_long_date(day, BABEL_LOCALES.get(language, language))


FIELD = re.compile(r"%\((\w+)\)s")
"""A field of Babel's parsed pattern: `%(MMMM)s`."""

WRITTEN = frozenset({"d", "dd", "M", "MM", "MMMM", "y", "yyyy"})
"""The fields `LongDate` fills in: the day and month as numbers, the month's name, the full year."""


@dataclass(frozen=True)
class LongDate:
    """A locale's long date: Babel's parsed pattern and the month names (format context, wide)."""

    pattern: str
    months: tuple[str, ...]

    def written(self, day: dt.date) -> str:
        """The date in this pattern, as Babel writes it."""
        values = {
            "d": str(day.day),
            "dd": f"{day.day:02d}",
            "M": str(day.month),
            "MM": f"{day.month:02d}",
            "MMMM": self.months[day.month - 1],
            "y": str(day.year),
            "yyyy": f"{day.year:04d}",
        }
        return self.pattern % values


def format_long_date(day: dt.date, locale: str) -> str:
    """`day` as Babel's `format_date(day, format="long", locale=locale)` writes it."""
    long_date = long_date_for(locale)
    if long_date is None:
        return babel_long_date(day, locale)
    return long_date.written(day)


def babel_long_date(day: dt.date, locale: str) -> str:
    """Babel's long date (imports Babel and loads the locale's CLDR data)."""
    from babel.dates import format_date

    return str(format_date(day, format="long", locale=locale))


@lru_cache(maxsize=8)
def long_date_for(locale: str) -> LongDate | None:
    """The locale's long date from the cache folder, else from Babel (and stored); None when its pattern
    has a field `LongDate` does not write."""
    key = entry_key("long-date", locale, _babel_fingerprint(), source_fingerprint(__file__))
    stored = read_entry(key)
    if stored is not None:
        found = _decoded(stored)
        if found is not None:
            return found
    made = _from_babel(locale)
    if made is not None:
        write_entry(key, json.dumps({"pattern": made.pattern, "months": made.months}).encode())
    return made


def _from_babel(locale: str) -> LongDate | None:
    from babel import Locale

    data = Locale.parse(locale)
    pattern = str(data.date_formats["long"].format)
    if not set(FIELD.findall(pattern)) <= WRITTEN:
        return None
    names = data.months["format"]["wide"]
    return LongDate(pattern, tuple(str(names[month]) for month in range(1, 13)))


def _decoded(payload: bytes) -> LongDate | None:
    """A stored long date, or None when the entry is not one (a damaged cache entry is a miss)."""
    try:
        data = json.loads(payload)
        pattern, months = data["pattern"], data["months"]
    except (ValueError, TypeError, KeyError):
        return None
    valid = (
        isinstance(pattern, str)
        and set(FIELD.findall(pattern)) <= WRITTEN
        and isinstance(months, list)
        and len(months) == 12
        and all(isinstance(name, str) for name in months)
    )
    if not valid:
        return None
    long_date = LongDate(pattern, tuple(months))
    try:
        long_date.written(dt.date(2026, 1, 1))  # a stray % or field outside the mapping
    except (KeyError, ValueError, TypeError):
        return None
    return long_date


@lru_cache(maxsize=1)
def _babel_fingerprint() -> str:
    """A hash of Babel's installed `__init__.py` (it names the version), found without importing Babel."""
    spec = importlib.util.find_spec("babel")
    if spec is None or spec.origin is None:
        return ""
    try:
        return hashlib.sha256(Path(spec.origin).read_bytes()).hexdigest()
    except OSError:
        return ""
