"""Turn flags, spec files, manifest rows and web forms into one validated HandoutSpec."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handouts.clinic import Clinic, load_clinic, parse_clinic
from handouts.country import COUNTRIES, DEFAULT_COUNTRY, normalise_country
from handouts.errors import Problem, SpecError, UsageError
from handouts.limits import MAX_FIELD_CHARS, MAX_NOTE_CHARS, MAX_NOTES
from handouts.normal import normalise
from handouts.vocabulary import (
    AUDIENCES,
    GENERAL,
    LANGUAGES,
    PAPERS,
    PRINT_SIZES,
    STAGES,
    TYPES,
    is_web_address,
)
from handouts.yamlfile import load_yaml_file

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters that cannot appear in printed text (control characters, lone surrogates, U+FFFE/FFFF).
Written as the characters it matches rather than as `[^...]` of the allowed ranges: the same set, but a
negated class over most of Unicode took about 3 ms to compile at every start, this one 0.3 ms."""


@dataclass(frozen=True)
class HandoutSpec:
    """Everything that decides what one handout says and how it looks."""

    type: str | None = None
    stage: str = "newly-diagnosed"
    audience: str = "patient"
    language: str = "en"
    paper: str = "letter"
    print_size: str = "standard"
    layout: str = "standard"
    sections: tuple[str, ...] | None = None
    skip_sections: tuple[str, ...] = ()
    clinic: Clinic | None = None
    notes: tuple[str, ...] = ()
    patient_name: str | None = None
    date: dt.date = field(default_factory=lambda: default_date())
    url: str | None = None
    fillable: bool = True
    tagged: bool = True
    allow_fallback: bool = False
    sheets: tuple[str, ...] = ()
    """Topic sheets printed after the core handout, in this order, as one document (a pack)."""
    sheets_only: bool = False
    duplex: bool = False
    """Start each part of a pack on an odd page, for two-sided printing."""
    country: str | None = None
    """ISO 3166 code given for this handout; None leaves it to the clinic, then US (see help_country)."""

    @property
    def theme(self) -> str:
        """The theme that prints this spec: large print has its own."""
        return "large-print" if self.print_size == "large" else "standard"

    @property
    def help_country(self) -> str:
        """The country whose help numbers print: the spec's own, then the clinic's, then the United States."""
        return self.country or (self.clinic.country if self.clinic else None) or DEFAULT_COUNTRY

    def user_text(self) -> dict[str, str]:
        """What a person typed, by field name, as the handout prints it (the fonts must have every character)."""
        clinic = self.clinic
        keys = ("name", "department", "phone", "website", "address")
        return {
            "patient_name": self.patient_name or "",
            "notes": " ".join(self.notes),
            **({f"clinic {k}": getattr(clinic, k) or "" for k in keys} if clinic else {}),
        }


SPEC_KEYS = (
    "type", "stage", "audience", "language", "paper", "print", "layout", "sections",
    "skip_sections", "clinic", "notes", "patient_name", "date", "url", "fillable", "tags",
    "allow_fallback", "country", "sheets", "sheets_only", "duplex",
)  # fmt: skip


def default_date() -> dt.date:
    """Today, or the day of SOURCE_DATE_EPOCH when it is set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
        except (OverflowError, OSError, ValueError) as exc:
            raise UsageError(
                f"SOURCE_DATE_EPOCH={epoch[:20]}: is not a date handouts can print "
                "(give seconds since 1970, e.g. 1767225600, or unset it)"
            ) from exc
    return dt.date.today()


FIRST_PRINT_YEAR = 2000
YEARS_AHEAD = 5
"""A printed date is a real day: from 2000 to the end of the fifth year after this one (for handouts made ahead)."""


def date_range() -> tuple[dt.date, dt.date]:
    """The first and last day a handout may say it was printed."""
    return dt.date(FIRST_PRINT_YEAR, 1, 1), dt.date(dt.date.today().year + YEARS_AHEAD, 12, 31)


def normalise_keys(data: Mapping[str, Any]) -> dict[str, Any]:
    """Accept `skip-sections` and `skip_sections` alike."""
    return {str(key).strip().replace("-", "_"): value for key, value in data.items()}


def load_spec_file(path: Path) -> dict[str, Any]:
    """Read a YAML spec file into a mapping of spec keys (validated later, with flags merged)."""
    data = load_yaml_file(path, SpecError)
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise SpecError.at(path, 0, "a spec file must be a mapping of keys such as `type: rrms`")
    return normalise_keys(data)


def parse_spec(
    data: Mapping[str, Any],
    origin: str,
    base_dir: Path | None = None,
    quote_values: bool = True,
    asset_roots: tuple[Path, ...] | None = None,
) -> HandoutSpec:
    """Validate a mapping of spec keys, reporting every problem at once as a SpecError.

    With `quote_values` off (manifest rows), messages never quote a value: a comma in an unquoted
    patient name shifts part of the name into the next cells, and their messages would print it.
    With `asset_roots`, a clinic mapping's logo must be a file inside one of those folders.
    """
    checker = _SpecChecker(origin, base_dir or Path.cwd(), quote_values, asset_roots)
    spec = checker.check(normalise_keys(data))
    if checker.problems:
        raise SpecError.listing(checker.problems, origin)
    return spec


class _ValueReader:
    """Reads one value after another, turning each mistake into a Problem instead of stopping at it."""

    def __init__(self, origin: str, quote_values: bool = True) -> None:
        self.origin = origin
        self.quote_values = quote_values
        self.problems: list[Problem] = []

    def show(self, value: object) -> str:
        """The value, quoted, for a message; or "the value" where values are never quoted."""
        return _show(value) if self.quote_values else "the value"

    def fail(self, key: str, what: str, how: str) -> None:
        self.problems.append(Problem(what, how, file=self.origin, field=key))

    def choice(
        self,
        data: dict[str, Any],
        key: str,
        valid: tuple[str, ...],
        default: str | None,
        allow_none: bool = False,
    ) -> Any:
        value = data.get(key)
        if value is None or (allow_none and str(value).strip().lower() in ("", GENERAL, "none")):
            return default
        text = str(value).strip().lower()
        if text not in valid:
            self.fail(key, f"{self.show(value)} is not allowed", "choose one of: " + ", ".join(valid))
            return default
        return text

    def name(self, data: dict[str, Any], key: str, default: str) -> str:
        value = data.get(key)
        if value is None or value == "":
            return default
        text = str(value).strip()
        if not _NAME.match(text):
            self.fail(key, f"{self.show(value)} is not a valid name", "use lowercase letters, digits and -")
            return default
        return text

    def names(self, data: dict[str, Any], key: str) -> tuple[str, ...] | None:
        value = data.get(key)
        if value is None or value == "":
            return None
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list | tuple):
            self.fail(key, "must be a list of section ids", "for example: about-ms, treatment")
            return None
        names = tuple(str(item).strip() for item in items if str(item).strip())
        bad = [n for n in names if not _NAME.match(n)]
        if bad:
            self.fail(key, f"{self.show(bad[0])} is not a section id", "run `handouts list` to see them")
        return names

    def text(self, data: dict[str, Any], key: str) -> str | None:
        value = data.get(key)
        if value is None or value == "":
            return None
        if not isinstance(value, str | int | float):
            self.fail(key, "must be text", "write it as a single line of text")
            return None
        text = normalise(" ".join(str(value).split()))
        if len(text) > MAX_FIELD_CHARS:
            self.fail(key, f"is {len(text):,} characters long", f"keep it under {MAX_FIELD_CHARS}")
            return None
        return None if self.unprintable(key, text) else text

    def unprintable(self, key: str, text: str) -> bool:
        """Record a problem if the text holds a character that cannot be printed."""
        found = _NOT_TEXT.search(text)
        if found:
            code = f"U+{ord(found.group()):04X}"
            self.fail(key, f"contains the unprintable character {code}", "remove it and type plain text")
        return found is not None

    def flag(self, data: dict[str, Any], key: str, default: bool) -> bool:
        value = data.get(key)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "yes", "1", "on"):
            return True
        if text in ("false", "no", "0", "off"):
            return False
        self.fail(key, f"{self.show(value)} is not true or false", "write true or false")
        return default


class _SpecChecker(_ValueReader):
    """Reads every key of a spec, so one message can list all its problems."""

    def __init__(
        self,
        origin: str,
        base_dir: Path,
        quote_values: bool = True,
        asset_roots: tuple[Path, ...] | None = None,
    ) -> None:
        super().__init__(origin, quote_values)
        self.base_dir = base_dir
        self.asset_roots = asset_roots

    def check(self, data: dict[str, Any]) -> HandoutSpec:
        for key in data:
            if key not in SPEC_KEYS:
                self.fail(key, "unknown key", "valid keys: " + ", ".join(SPEC_KEYS))
        values: dict[str, Any] = {
            "type": self.choice(data, "type", TYPES, None, allow_none=True),
            "stage": self.choice(data, "stage", STAGES, "newly-diagnosed"),
            "audience": self.choice(data, "audience", AUDIENCES, "patient"),
            "language": self.choice(data, "language", LANGUAGES, "en"),
            "paper": self.choice(data, "paper", PAPERS, "letter"),
            "print_size": self.choice(data, "print", PRINT_SIZES, "standard"),
            "layout": self.name(data, "layout", "standard"),
            "sections": self.names(data, "sections"),
            "skip_sections": self.names(data, "skip_sections") or (),
            "clinic": self.clinic(data.get("clinic")),
            "notes": self.notes(data.get("notes")),
            "patient_name": self.text(data, "patient_name"),
            "date": self.date(data.get("date")),
            "url": self.url(data.get("url")),
            "fillable": self.flag(data, "fillable", True),
            "tagged": self.flag(data, "tags", True),
            "allow_fallback": self.flag(data, "allow_fallback", False),
            **self.sheet_values(data),
            "country": self.country(data.get("country")),
        }
        return HandoutSpec(**values)

    def sheet_values(self, data: dict[str, Any]) -> dict[str, Any]:
        """`sheets`, `sheets_only` and `duplex`; whether each sheet exists is checked against the library."""
        sheets, problem = parse_sheet_ids(data.get("sheets"))
        if problem:
            self.fail("sheets", *problem)
        only = self.flag(data, "sheets_only", False)
        if only and not sheets:
            self.fail("sheets_only", "is true but no sheets are given", "add sheets, e.g. sheets: [fatigue]")
        if data.get("layout") == "sheet":
            self.fail(
                "layout", "'sheet' is the layout of topic sheets", "ask for sheets with `sheets` instead"
            )
        return {"sheets": sheets, "sheets_only": only, "duplex": self.flag(data, "duplex", False)}

    def notes(self, value: Any) -> tuple[str, ...]:
        if value is None or value == "":
            return ()
        notes = [value] if isinstance(value, str) else value
        if not isinstance(notes, list | tuple) or not all(isinstance(n, str) for n in notes):
            self.fail("notes", "must be text or a list of texts", "write each note as text")
            return ()
        cleaned = tuple(normalise(n.strip()) for n in notes if n.strip())
        if any(self.unprintable("notes", note) for note in cleaned):
            return ()
        if len(cleaned) > MAX_NOTES:
            self.fail("notes", f"has {len(cleaned)} notes", f"give at most {MAX_NOTES}")
        for note in cleaned:
            if len(note) > MAX_NOTE_CHARS:
                self.fail(
                    "notes",
                    f"a note is {len(note):,} characters long",
                    f"keep each note under {MAX_NOTE_CHARS:,} characters",
                )
        return cleaned

    def date(self, value: Any) -> dt.date:
        if value is None or value == "":
            return default_date()
        try:
            day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail("date", f"{self.show(value)} is not a date", "write it as YYYY-MM-DD, e.g. 2026-03-01")
            return default_date()
        if isinstance(day, dt.datetime):
            day = day.date()
        first, last = date_range()
        if not first <= day <= last:
            self.fail("date", f"{self.show(value)} is out of range", f"give a day from {first} to {last}")
            return default_date()
        return day

    def url(self, value: Any) -> str | None:
        if value is None or value == "":
            return None
        text = str(value).strip()
        if not is_web_address(text) or len(text) > MAX_FIELD_CHARS:
            self.fail(
                "url", f"{self.show(text)} is not a web address", "write it as https://example.org/page"
            )
            return None
        return text

    def country(self, value: Any) -> str | None:
        if value is None or value == "":
            return None
        code = normalise_country(value)
        if code is None:
            self.fail("country", f"{_show(value)} is not allowed", "choose one of: " + ", ".join(COUNTRIES))
        return code

    def clinic(self, value: Any) -> Clinic | None:
        if isinstance(value, Clinic):
            return value
        if value is None or value == "":
            return None
        try:
            if isinstance(value, str | Path):
                return load_clinic(self.base_dir / Path(value))
            if isinstance(value, Mapping):
                return parse_clinic(value, f"{self.origin}: clinic", self.base_dir, self.asset_roots)
        except SpecError as exc:
            self.problems.extend(exc.problems)
            return None
        self.fail("clinic", "must be a clinic file path or a mapping", "see docs/clinic.md")
        return None


def _show(value: object) -> str:
    """Quote a user value for a message, shortened so one line stays one line."""
    text = " ".join(str(value).split())
    return repr(text if len(text) <= 40 else text[:37] + "...")


def parse_sheet_ids(value: Any) -> tuple[tuple[str, ...], tuple[str, str] | None]:
    """Sheet ids from a list, a JSON list, or text split on `,` or `|`; with (what, how) when invalid.

    Repeated ids are printed once, in their first place.
    """
    if value is None or value == "" or value == []:
        return (), None
    items: Any = value
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                items = json.loads(text)
            except json.JSONDecodeError:
                return (), ("is not a JSON list", 'write it as ["fatigue", "mood"] or fatigue|mood')
        else:
            items = re.split(r"[,|]", text)
    if not isinstance(items, list | tuple):
        return (), ("must be a list of sheet ids", "for example: fatigue, pregnancy")
    ids = tuple(dict.fromkeys(str(item).strip() for item in items if str(item).strip()))
    bad = [i for i in ids if not _NAME.match(i)]
    if bad:
        shown = bad[0] if len(bad[0]) <= 40 else bad[0][:37] + "..."
        return (), (f"{shown!r} is not a sheet id", "run `handouts list` to see them")
    return ids, None
