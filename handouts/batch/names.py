"""Turn a `--name` template and a row's spec into a safe output file name, or say why it cannot be one."""

from __future__ import annotations

import re
import string
import unicodedata
from pathlib import Path
from typing import Any

from handouts.errors import UsageError
from handouts.spec import HandoutSpec
from handouts.vocabulary import GENERAL

DEFAULT_NAME = "{id}-{type}-{language}.pdf"
NAME_FIELDS = (
    "id", "row", "type", "stage", "audience", "language", "paper", "print", "layout", "sheets", "date",
)  # fmt: skip
"""What `--name` may use. Never the patient's name or notes."""
_UNSAFE = re.compile(r"[^\w.-]+")
_FORMATTER = string.Formatter()


# --- output names -----------------------------------------------------------------------------------


def check_name_template(template: str) -> None:
    """Refuse a --name that could leave OUTDIR, name the patient, or use an unknown field."""
    where = f"--name '{template}'"
    if not template.endswith(".pdf"):
        raise UsageError(f"{where}: must end with .pdf (for example {DEFAULT_NAME})")
    if template.startswith(("/", "~")) or "\\" in template or re.match(r"^[A-Za-z]:", template):
        raise UsageError(f"{where}: must be a file name inside OUTDIR, not an absolute path")
    if any(part in ("", ".", "..") for part in template.split("/")):
        raise UsageError(f"{where}: must not contain '..', '.' or empty folder names")
    try:
        fields = [
            (name, spec, conversion)
            for _, name, spec, conversion in _FORMATTER.parse(template)
            if name is not None
        ]
    except ValueError as exc:
        raise UsageError(f"{where}: {exc} (write fields as {{id}}, {{type}} ...)") from exc
    for name, spec, conversion in fields:
        if conversion or (spec and not (name == "row" and re.fullmatch(r"0?\d{1,2}d?", spec))):
            raise UsageError(
                f"{where}: {{{name}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}}} "
                "is not allowed (only {row} takes a width, such as {row:05d})"
            )
        if name in ("patient_name", "notes"):
            raise UsageError(f"{where}: {{{name}}} is not allowed (patient details never go into file names)")
        if name not in NAME_FIELDS:
            raise UsageError(f"{where}: unknown field {{{name}}} (use: {', '.join(NAME_FIELDS)})")


def safe_part(value: str) -> str:
    """A value made safe for one path component: letters, digits, `.`, `_`, `-` only; no leading dot."""
    text = _UNSAFE.sub("-", unicodedata.normalize("NFC", value)).strip(".-")
    return text[:80].strip(".-")


def output_name(template: str, spec: HandoutSpec, row_id: str, number: int) -> str:
    """The file name for a row, from the --name template with every value made safe."""
    values: dict[str, Any] = {
        "id": safe_part(row_id),
        "row": _RowNumber(number),
        "type": spec.type or GENERAL,
        "stage": spec.stage,
        "audience": spec.audience,
        "language": spec.language,
        "paper": spec.paper,
        "print": spec.print_size,
        "layout": spec.layout,
        "sheets": "-".join(spec.sheets) or "none",
        "date": spec.date.isoformat(),
    }
    return _FORMATTER.vformat(template, (), values)


class _RowNumber(int):
    """A row number whose width pads with zeros: `{row:5d}` gives 00042, never spaces in a file name."""

    def __format__(self, spec: str) -> str:
        if spec and not spec.startswith("0"):
            spec = "0" + spec
        return format(int(self), spec)


def name_problem(name: str, outdir: Path) -> str | None:
    """Why a formatted name cannot be used under OUTDIR, or None when it is fine."""
    parts = name.split("/")
    if any(part in ("", ".", "..") or part.startswith(".") for part in parts):
        return f"output name '{name}' has an empty or hidden part (give every row an id, or change --name)"
    if any(len(part.encode()) > 200 for part in parts):
        return f"output name '{name[:60]}...' is too long (shorten the id or --name)"
    root = outdir.resolve()
    if not (root / name).resolve().is_relative_to(root):
        return f"output name '{name}' leads outside {outdir} (change --name)"
    return None
