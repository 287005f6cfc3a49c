"""Turn a clinic profile (YAML) into a validated Clinic, logo checked before any rendering."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from handouts.cache import entry_key, read_entry, source_fingerprint, write_entry
from handouts.country import COUNTRIES, COUNTRY_NAMES, DEFAULT_COUNTRY, address_country, normalise_country
from handouts.errors import SpecError
from handouts.limits import MAX_FIELD_CHARS, MAX_LOGO_BYTES, MAX_LOGO_PIXELS
from handouts.normal import normalise
from handouts.paths import OUTSIDE_ASSETS, file_inside
from handouts.vocabulary import is_web_address
from handouts.yamlfile import load_yaml_file, read_at_most

CLINIC_KEYS = (
    "name", "department", "phone", "website", "address", "logo", "logo_alt", "accent", "url", "country",
)  # fmt: skip
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class Clinic:
    """Who the handout comes from; printed in the title block and footer."""

    name: str
    department: str | None = None
    phone: str | None = None
    website: str | None = None
    address: str | None = None
    logo: Path | None = None
    logo_alt: str | None = None
    accent: str = "#1F4E79"
    url: str | None = None
    country: str | None = None
    """ISO 3166 code (US, GB, AU) choosing the help numbers; a spec's own country wins."""

    @property
    def phone_uri(self) -> str | None:
        """The phone number as a tel: link (digits and a leading +), or None when it has too few digits."""
        if not self.phone:
            return None
        digits = "".join(ch for ch in self.phone if ch.isascii() and ch.isdigit())
        if len(digits) < 3:
            return None
        return "tel:" + ("+" if self.phone.lstrip().startswith("+") else "") + digits


def load_clinic(path: Path, roots: Sequence[Path] | None = None) -> Clinic:
    """Read a clinic YAML file; a relative logo path is relative to the file (and must lie in `roots`, if given)."""
    data = load_yaml_file(path, SpecError)
    if not isinstance(data, Mapping):
        raise SpecError(f"{path}: a clinic file must be a mapping with at least `name: ...`")
    return parse_clinic(data, str(path), path.parent, roots)


def parse_clinic(
    data: Mapping[str, Any], origin: str, base_dir: Path, roots: Sequence[Path] | None = None
) -> Clinic:
    """Validate a clinic mapping, reporting every problem at once.

    With `roots` (a manifest row), the logo must be a file inside one of them; anything else gets
    the same message, whether it is missing, outside, or not an image.
    """
    problems: list[str] = []
    fields = {str(k).strip().replace("-", "_"): v for k, v in data.items()}
    for key in fields:
        if key not in CLINIC_KEYS:
            problems.append(f"{origin}: {key}: unknown key (valid keys: {', '.join(CLINIC_KEYS)})")
    texts: dict[str, str | None] = {}
    for key in ("name", "department", "phone", "website", "address", "logo_alt", "url"):
        texts[key] = _text(fields.get(key), key, origin, problems)
    if not texts["name"]:
        problems.append(f"{origin}: name: is missing (add `name: Your Clinic`)")
    if texts["url"] and not is_web_address(texts["url"]):
        problems.append(f"{origin}: url: is not a web address (write it as https://example.org/page)")
    accent = str(fields.get("accent") or "#1F4E79").strip()
    if not _HEX.match(accent):
        problems.append(f"{origin}: accent: {accent!r} is not a colour (write it as #RRGGBB, e.g. #1F4E79)")
    country = check_country(fields.get("country"), f"{origin}: country", problems)
    logo = _logo(fields.get("logo"), origin, base_dir, roots, problems) if fields.get("logo") else None
    if problems:
        raise SpecError.listing(problems, origin)
    return Clinic(
        name=texts["name"] or "",
        department=texts["department"],
        phone=texts["phone"],
        website=texts["website"],
        address=texts["address"],
        logo=logo,
        logo_alt=texts["logo_alt"],
        accent=accent,
        url=texts["url"],
        country=country,
    )


def clinic_country_warning(clinic: Clinic | None, origin: str = "clinic") -> str | None:
    """One line when a clinic's address names another country but the clinic gives no `country`."""
    if clinic is None or clinic.country:
        return None
    found = address_country(clinic.address)
    if found is None:
        return None
    code, name = found
    how = (
        f"add `country: {code}` to the clinic profile"
        if code in COUNTRIES
        else f"help numbers are confirmed only for {', '.join(COUNTRIES)}; set `country:` to one of them on purpose"
    )
    return (
        f"warning: {origin}: address names {name} but the clinic has no country, "
        f"so handouts print the help numbers for {COUNTRY_NAMES[DEFAULT_COUNTRY]} ({how})"
    )


def check_country(value: Any, where: str, problems: list[str]) -> str | None:
    """The ISO code for a `country` value, or None (recording why when a value was given)."""
    if value is None or value == "":
        return None
    code = normalise_country(value)
    if code is None:
        shown = " ".join(str(value).split())[:40]
        problems.append(f"{where}: {shown!r} is not allowed (choose one of: {', '.join(COUNTRIES)})")
    return code


def _logo(
    value: Any, origin: str, base_dir: Path, roots: Sequence[Path] | None, problems: list[str]
) -> Path | None:
    """The logo's path if it can be used; with `roots`, only a file inside them is even looked at."""
    if roots is None:
        return check_logo(base_dir / str(value), origin, problems)
    found = file_inside(base_dir, str(value), roots)
    if found is None:
        problems.append(f"{origin}: logo: {OUTSIDE_ASSETS}")
        return None
    return check_logo(found, origin, problems)


def _text(value: Any, key: str, origin: str, problems: list[str]) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    if not isinstance(value, str | int | float):
        problems.append(f"{origin}: {key}: must be text (write it as one line of text)")
        return None
    text = normalise(" ".join(str(value).split()))
    if len(text) > MAX_FIELD_CHARS:
        problems.append(f"{origin}: {key}: is {len(text):,} characters (keep it under {MAX_FIELD_CHARS})")
        return None
    return text


def check_logo(path: Path, origin: str, problems: list[str]) -> Path | None:
    """Return the logo path if it is a small PNG or JPEG, else record why not."""
    where = f"{origin}: logo: {path.name}"
    try:
        if not path.is_file():
            problems.append(f"{where}: file not found (give a PNG or JPEG path relative to the clinic file)")
            return None
        size = path.stat().st_size
        if size > MAX_LOGO_BYTES:
            problems.append(f"{where}: is {size:,} bytes (use a logo under {MAX_LOGO_BYTES:,} bytes)")
            return None
        head = read_at_most(path, 32)
    except OSError as exc:
        problems.append(f"{where}: cannot be read: {exc.strerror} (check the path and permissions)")
        return None
    if not (head.startswith(b"\x89PNG\r\n\x1a\n") or head.startswith(b"\xff\xd8\xff")):
        problems.append(f"{where}: is not a PNG or JPEG image (save the logo as PNG or JPEG)")
        return None
    return path if _logo_size_ok(path, where, problems) else None


def _logo_size_ok(path: Path, where: str, problems: list[str]) -> bool:
    """True when the logo decodes and is at most MAX_LOGO_PIXELS a side, else record why not.

    Pillow checks it the first time; its size is then kept in the user cache folder, keyed by the file's
    bytes, so a later build of the same logo needs no Pillow (about 6 ms of a cold start).
    """
    data = path.read_bytes()  # at most MAX_LOGO_BYTES, checked before
    key = entry_key("logo-size", hashlib.sha256(data).digest(), source_fingerprint(__file__))
    size = _stored_size(read_entry(key))
    if size is None:
        size = _pillow_size(path, where, problems)
        if size is None:
            return False
        write_entry(key, json.dumps(size).encode())
    width, height = size
    if max(width, height) > MAX_LOGO_PIXELS:
        problems.append(
            f"{where}: is {width}x{height} pixels (resize it to at most {MAX_LOGO_PIXELS} pixels a side)"
        )
        return False
    return True


def _stored_size(payload: bytes | None) -> tuple[int, int] | None:
    """A logo's size as stored by a build that decoded it, or None (missing or not a size)."""
    try:
        width, height = json.loads(payload or b"")
    except (ValueError, TypeError):
        return None
    if isinstance(width, int) and isinstance(height, int) and width > 0 and height > 0:
        return width, height
    return None


def _pillow_size(path: Path, where: str, problems: list[str]) -> tuple[int, int] | None:
    """The logo's size once Pillow has decoded and verified it, else None with the reason recorded."""
    from PIL import Image  # Pillow comes with ReportLab; imported only when a new logo is checked

    try:
        with Image.open(path) as image:
            width, height = image.size
            image.verify()
    except Image.DecompressionBombError:
        problems.append(
            f"{where}: has far more pixels than a logo needs (resize it to at most {MAX_LOGO_PIXELS} pixels a side)"
        )
        return None
    except Exception as exc:
        problems.append(f"{where}: is damaged or unreadable ({type(exc).__name__}; re-save the image)")
        return None
    return width, height
