"""The countries a handout can be printed for, said once, and which country an address names."""

from __future__ import annotations

import re

COUNTRIES = ("US", "GB", "AU")
"""ISO 3166 codes of the countries whose help numbers the fact base confirms (F-HELP-02..04)."""

DEFAULT_COUNTRY = "US"

COUNTRY_NAMES = {"US": "the United States", "GB": "the United Kingdom", "AU": "Australia"}

ALIASES = {"UK": "GB"}
"""Codes people write that are not ISO 3166 but mean one we know."""

_ADDRESS_NAMES: tuple[tuple[str, str, str], ...] = (
    # (pattern, ISO code, name): whole words of an address that name a country.
    (r"australia|new south wales", "AU", "Australia"),
    (r"united kingdom|u\.k\.|uk|great britain|england|scotland|wales|northern ireland", "GB", "the United Kingdom"),
    (r"canada", "CA", "Canada"),
    (r"ireland|éire", "IE", "Ireland"),
    (r"new zealand|aotearoa", "NZ", "New Zealand"),
    (r"espa[ñn]a|spain", "ES", "Spain"),
    (r"m[ée]xico", "MX", "Mexico"),
    (r"argentina|chile|colombia|per[úu]|venezuela|ecuador|uruguay|paraguay|bolivia", "LATAM", "a Latin American country"),
    (r"india|germany|deutschland|france|italy|italia|netherlands|south africa", "OTHER", "another country"),
)  # fmt: skip
_ADDRESS_PATTERNS = tuple(
    (re.compile(rf"(?<![\w.])(?:{pattern})(?![\w])", re.IGNORECASE), code, name)
    for pattern, code, name in _ADDRESS_NAMES
)


def normalise_country(value: object) -> str | None:
    """An ISO code in capitals (`uk` becomes `GB`), or None when the value names no country we know."""
    text = str(value).strip().upper()
    text = ALIASES.get(text, text)
    return text if text in COUNTRIES else None


def address_country(address: str | None) -> tuple[str, str] | None:
    """(ISO code, name) of the first country other than the United States that an address names."""
    for pattern, code, name in _ADDRESS_PATTERNS:
        if address and pattern.search(address):
            return code, name
    return None
