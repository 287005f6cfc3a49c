"""Turn typed text into one Unicode form (NFC), so a letter typed as letter + accent prints as one letter."""

from __future__ import annotations

import unicodedata


def normalise(text: str) -> str:
    """NFC: `e` + combining diaeresis becomes `ë`; text already in NFC comes back unchanged."""
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)
