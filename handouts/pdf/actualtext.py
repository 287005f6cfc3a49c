"""Turn text into a PDF string for `/ActualText`: UTF-16BE with its byte-order mark, written in hex."""

from __future__ import annotations


def actual_text_string(text: str) -> str:
    """`<FEFF...>`: any script survives, and no character can end the string or the content stream early."""
    return f"<FEFF{text.encode('utf-16-be').hex().upper()}>"
