"""Turn a printed web address (a clinic's website) into the address a link opens, or nothing when it is not one."""

from __future__ import annotations

import re

_ADDRESS = re.compile(r"^(?:https?://)?(?:[\w-]+\.)+[A-Za-z]{2,}(?::\d{1,5})?(?:/\S*)?$")


def web_href(text: str | None) -> str:
    """`riverside.example.org/ms` -> `https://riverside.example.org/ms`; "" for text that is not an address."""
    address = (text or "").strip()
    if not _ADDRESS.match(address) or "@" in address:
        return ""
    return address if address.startswith(("https://", "http://")) else f"https://{address}"
