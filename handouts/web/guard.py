"""Turn a form post's headers and hidden token into a refusal when another web site sent it (cross-site request forgery)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

TOKEN_FIELD = "form_token"
TOKEN_SECONDS = 12 * 3600
"""A form page is good for a working day; after that (or after a restart) a browser that sends no
Sec-Fetch-Site header needs the page reloaded."""

FOREIGN_SITE = (
    "This form was sent from another web site, so no handout was made. A page elsewhere may have tried "
    "to print a handout in your clinic's name. Open the handout form itself and fill it in there."
)
EXPIRED = (
    "This form is too old to be sent (the server was restarted, or the page was open for more than "
    "12 hours). Reload the handout form and fill it in again."
)


@dataclass(frozen=True)
class FormGuard:
    """Signs the hidden token each form page carries and judges each post; the key lives only in memory."""

    key: bytes = field(default_factory=lambda: secrets.token_bytes(32))

    def token(self, now: float | None = None) -> str:
        """A token for a new form page: the time it was issued and its signature."""
        issued = str(int(time.time() if now is None else now))
        return f"{issued}.{self._sign(issued)}"

    def valid(self, token: str, now: float | None = None) -> bool:
        issued, _, signature = token.partition(".")
        if not issued.isdigit() or not hmac.compare_digest(signature, self._sign(issued)):
            return False
        age = (time.time() if now is None else now) - int(issued)
        return -60 <= age <= TOKEN_SECONDS

    def _sign(self, text: str) -> str:
        return hmac.new(self.key, text.encode("ascii"), hashlib.sha256).hexdigest()

    def header_refusal(self, headers: Iterable[tuple[str, str]], host: str) -> str | None:
        """Why the headers alone show another site sent the post, or None (read before the body)."""
        lowered = _lowered(headers)
        fetch_site = lowered.get("sec-fetch-site", "").strip().lower()
        if fetch_site in ("cross-site", "same-site"):  # same-site: another port or sub-domain of this host
            return FOREIGN_SITE
        origin = lowered.get("origin", "").strip()
        if origin and origin != "null" and not _same_host(origin, host):
            return FOREIGN_SITE
        return None

    def token_refusal(self, headers: Iterable[tuple[str, str]], form: Mapping[str, str]) -> str | None:
        """Why the hidden token does not vouch for the post, or None.

        A browser that says where a post comes from (Sec-Fetch-Site: same-origin, or none when a person
        reloads it) needs no token. One that does not but sends `Origin: null` -- as every browser does
        under our `Referrer-Policy: no-referrer`, and as a hostile page can make it do -- must return the
        token its form page carried. A program that sends neither header is not a browser, and forging
        a request with it needs no victim's browser at all.
        """
        lowered = _lowered(headers)
        fetch_site = lowered.get("sec-fetch-site", "").strip().lower()
        if fetch_site in ("same-origin", "none"):
            return None
        token = form.get(TOKEN_FIELD, "")
        if token:
            return None if self.valid(token) else EXPIRED
        if lowered.get("origin", "").strip() == "null":
            return FOREIGN_SITE
        return None


def _lowered(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers}


def _same_host(origin: str, host: str) -> bool:
    """Whether an Origin header names this server's host and port (as the Host header gives them)."""
    try:
        parts = urlsplit(origin)
    except ValueError:
        return False
    default = ":443" if parts.scheme == "https" else ":80"

    def bare(netloc: str) -> str:
        netloc = netloc.strip().lower()
        return netloc.removesuffix(default)

    return bool(parts.netloc) and bare(parts.netloc) == bare(host)
