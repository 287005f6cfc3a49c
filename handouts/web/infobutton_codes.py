"""Turn an Infobutton problem code and its code system into the type of MS handout it asks for."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from handouts.vocabulary import TYPE_CHOICES

CODES_FILE = "infobutton_codes.yaml"


@dataclass(frozen=True)
class CodeSystem:
    """One code system an EHR may name by OID, `urn:oid:` OID or FHIR system URI."""

    id: str
    name: str
    oid: str
    uris: tuple[str, ...]
    dotless: bool
    codes: dict[str, CodeRow]

    def find(self, code: str) -> CodeRow | None:
        """The row for a code, compared without case (and without the dot for ICD codes)."""
        return self.codes.get(self.key(code))

    def key(self, code: str) -> str:
        key = code.strip().upper()
        return key.replace(".", "") if self.dotless else key


@dataclass(frozen=True)
class CodeRow:
    """A code, the handout type it opens, its title in the code system, and where that was checked."""

    code: str
    type: str
    title: str
    source: str


@lru_cache(maxsize=1)
def code_systems() -> tuple[CodeSystem, ...]:
    """The code tables shipped with the package, read and checked once."""
    text = resources.files("handouts.web").joinpath(CODES_FILE).read_text(encoding="utf-8")
    return tuple(_system(entry) for entry in yaml.safe_load(text)["systems"])


def _system(entry: dict[str, Any]) -> CodeSystem:
    dotless = bool(entry["dotless"])
    rows: dict[str, CodeRow] = {}
    for row in entry["codes"]:
        found = CodeRow(str(row["code"]), str(row["type"]), str(row["title"]), str(row["source"]))
        if found.type not in TYPE_CHOICES or not found.source.strip():
            raise ValueError(f"{CODES_FILE}: {found.code} needs a known type and a source")
        key = found.code.upper().replace(".", "") if dotless else found.code.upper()
        rows[key] = found
    return CodeSystem(
        id=str(entry["id"]),
        name=str(entry["name"]),
        oid=str(entry["oid"]),
        uris=tuple(str(uri) for uri in entry.get("uris", ())),
        dotless=dotless,
        codes=rows,
    )


def find_system(named: str) -> CodeSystem | None:
    """The code system a `mainSearchCriteria.v.cs` value names: an OID, `urn:oid:OID`, or a FHIR URI."""
    text = named.strip()
    if text.lower().startswith("urn:oid:"):
        text = text[len("urn:oid:") :]
    for system in code_systems():
        if text == system.oid or text.rstrip("/").lower() in system.uris:
            return system
    return None
