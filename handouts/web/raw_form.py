"""Turn a form body's raw bytes into the fields whose text is not valid UTF-8 (werkzeug keeps `%ff%fe` as the text "%FF%FE")."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import unquote_to_bytes

REPLACEMENT = "\ufffd"
"""What a decoder puts where bytes were not text: no one types it, so a value holding it was damaged."""

NOT_TEXT = "holds bytes that are not text (UTF-8), so it was not used (type it again)"


def undecodable_fields(body: bytes) -> list[str]:
    """Names of the fields of a URL-encoded body whose value is not valid UTF-8 once percent-decoded."""
    bad: list[str] = []
    for pair in body.split(b"&"):
        name, _, value = pair.partition(b"=")
        field = unquote_to_bytes(name.replace(b"+", b" ")).decode("utf-8", "replace")
        try:
            unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            if field not in bad:
                bad.append(field)
    return bad


def damaged_fields(form: Mapping[str, str] | Iterable[tuple[str, str]]) -> list[str]:
    """Names of decoded fields holding the replacement character (a multipart part that was not UTF-8)."""
    pairs = form.items() if isinstance(form, Mapping) else form
    return list(dict.fromkeys(name for name, value in pairs if REPLACEMENT in value))
