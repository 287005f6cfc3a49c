"""Printed dates: the long date filled in from the cache folder is Babel's, day for day, in every language."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.dates import format_date as babel_format_date

from handouts import cache, i18n
from handouts.vocabulary import LANGUAGES

DAYS_OF_2026 = [dt.date(2026, 1, 1) + dt.timedelta(days=n) for n in range(365)]


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    target = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_ENV, str(target))
    cache.cache_folder.cache_clear()
    i18n.long_date_for.cache_clear()
    yield target
    cache.cache_folder.cache_clear()
    i18n.long_date_for.cache_clear()


def babel_dates(language: str) -> list[str]:
    locale = i18n.BABEL_LOCALES.get(language, language)
    return [str(babel_format_date(day, format="long", locale=locale)) for day in DAYS_OF_2026]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_day_of_a_year_prints_as_babel_writes_it(folder: Path, language: str) -> None:
    expected = babel_dates(language)
    made = [i18n.format_date(day, language) for day in DAYS_OF_2026]  # from Babel, then stored
    assert [p.name.startswith("long-date-") for p in folder.iterdir()] == [True]
    i18n.long_date_for.cache_clear()
    stored = [i18n.format_date(day, language) for day in DAYS_OF_2026]  # from the cache folder
    assert made == expected
    assert stored == expected


def test_a_build_with_the_pattern_stored_does_not_import_babel(folder: Path) -> None:
    code = (
        "import sys, datetime\n"
        "from handouts.i18n import format_date\n"
        "print(format_date(datetime.date(2026, 3, 9), 'es'), 'babel' in sys.modules)\n"
    )
    env = {**os.environ, cache.CACHE_ENV: str(folder)}
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    second = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert first.stdout.split() == ["9", "de", "marzo", "de", "2026", "True"]
    assert second.stdout.split() == ["9", "de", "marzo", "de", "2026", "False"]


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b"[]",
        json.dumps({"pattern": "%(d)s %(MMMM)s", "months": ["only one"]}).encode(),
        json.dumps({"pattern": "%(EEEE)s %(d)s", "months": ["m"] * 12}).encode(),
        json.dumps({"pattern": "%(d)s %", "months": ["m"] * 12}).encode(),
        json.dumps({"pattern": "%(d)s", "months": [1] * 12}).encode(),
    ],
)
def test_a_damaged_stored_pattern_is_a_miss(folder: Path, payload: bytes) -> None:
    i18n.format_date(dt.date(2026, 1, 1), "en")
    (entry,) = folder.iterdir()
    cache.write_entry(entry.name, payload)  # a sound entry (checksum and all) holding the wrong thing
    i18n.long_date_for.cache_clear()
    assert i18n.format_date(dt.date(2026, 7, 4), "en") == "July 4, 2026"
    assert json.loads(cache.read_entry(entry.name) or b"")["months"][6] == "July"  # made again


@pytest.mark.parametrize("locale", ["th", "yo", "la"])
def test_a_pattern_with_fields_the_formatter_does_not_write_is_left_to_babel(
    folder: Path, locale: str
) -> None:
    assert i18n.long_date_for(locale) is None
    for day in DAYS_OF_2026[::30]:
        assert i18n.format_long_date(day, locale) == babel_format_date(day, format="long", locale=locale)


def test_with_the_cache_off_dates_still_print(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, "off")
    cache.cache_folder.cache_clear()
    i18n.long_date_for.cache_clear()
    try:
        assert i18n.format_date(dt.date(2026, 11, 26), "en") == "November 26, 2026"
    finally:
        cache.cache_folder.cache_clear()
        i18n.long_date_for.cache_clear()
