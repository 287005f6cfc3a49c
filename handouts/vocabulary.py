"""The words every stage shares, said once: tailoring values, handout titles, and which links may print."""

from __future__ import annotations

import re

GENERAL = "general"
"""The type of a handout for any MS type; blocks tag it, specs leave the type out."""
TYPES = ("cis", "rrms", "spms", "ppms")
TYPE_CHOICES = (GENERAL, *TYPES)
STAGES = ("newly-diagnosed", "established")
AUDIENCES = ("patient", "caregiver")
LANGUAGES = ("en", "es")
PAPERS = ("letter", "a4")
PRINT_SIZES = ("standard", "large")
MANIFEST_FORMATS = ("csv", "yaml", "jsonl")

HANDOUT_TITLES = {
    "general": "Living with multiple sclerosis (MS)",
    "cis": "Clinically isolated syndrome (CIS)",
    "rrms": "Relapsing-remitting MS (RRMS)",
    "spms": "Secondary progressive MS (SPMS)",
    "ppms": "Primary progressive MS (PPMS)",
}
"""The handout titles the layouts print (the same gettext message ids), so a heading matches its PDF."""

WEB_SCHEMES = ("https://", "http://")
"""What a web address (a source, a QR code, the online version) starts with."""
LINK_SCHEMES = (*WEB_SCHEMES, "mailto:", "tel:")
"""What a link in a block body may start with: nothing that runs script or opens local files."""
_WEB_ADDRESS = re.compile(r"^https?://[^\s<>\"']+$")


def is_web_address(text: str) -> bool:
    """True for an http(s) address with no spaces, angle brackets or quotes."""
    return bool(_WEB_ADDRESS.match(text))


def is_link(href: str) -> bool:
    """True for a link a printed handout may carry (web, mail or phone)."""
    return href.startswith(LINK_SCHEMES)


_PRINTED_ADDRESS = re.compile(r"^(?:https?://)?(?:[\w-]+\.)+[A-Za-z]{2,}(?::\d{1,5})?(?:/\S*)?$")


def web_href(text: str | None) -> str:
    """`riverside.example.org/ms` -> `https://riverside.example.org/ms`; "" for text that is not an address."""
    address = (text or "").strip()
    if not _PRINTED_ADDRESS.match(address) or "@" in address:
        return ""
    href = address if address.startswith(WEB_SCHEMES) else f"https://{address}"
    return href if is_web_address(href) else ""
