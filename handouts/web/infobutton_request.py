"""Read an Infobutton query string: identifying parameters dropped first, sizes capped, the rest checked."""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field

from handouts.country import COUNTRIES, normalise_country
from handouts.vocabulary import AUDIENCES, PAPERS, PRINT_SIZES, STAGES, TYPE_CHOICES
from handouts.web.infobutton_codes import CodeSystem, find_system

MAX_QUERY_BYTES = 4096
MAX_PARAMETERS = 64
MAX_VALUE_CHARS = 256
MAX_CODE_CHARS = 32

CODE = "mainSearchCriteria.v.c"
SYSTEM = "mainSearchCriteria.v.cs"
RECIPIENT = "informationRecipient"
LANGUAGE = "informationRecipient.languageCode.c"
RESPONSE_TYPE = "knowledgeResponseType"
VIEW = "view"
"""Ours: `view=handout` with text/html answers with the handout itself as a web page (the feed's alternate)."""

IDENTIFYING_PREFIXES = ("patientperson", "recordtarget", "holder.assignedentity")
"""Parameters about the patient or the requester's credentials (name, birth time, record ids, passwords)."""
FREE_TEXT_SUFFIXES = (".dn", ".ot")
"""Display names and original text: free text a record may fill with anything, so never read."""

RESPONSE_TYPES = {
    "text/html": "html",
    "text/xml": "atom",
    "application/xml": "atom",
    "application/atom+xml": "atom",
    "application/json": "json",
    "application/pdf": "pdf",
}
SCRIPT_TYPES = ("application/javascript", "text/javascript", "application/x-javascript")

EXTENSION_VALUES: dict[str, tuple[str, ...]] = {
    "type": TYPE_CHOICES,
    "stage": STAGES,
    "audience": AUDIENCES,
    "paper": PAPERS,
    "print": PRINT_SIZES,
}
EXTENSIONS = (*EXTENSION_VALUES, "layout", "sheets", "country")
"""This tool's own parameters, not part of the Infobutton standard: explicit tailoring in the link."""
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$")
_CODE_TEXT = re.compile(r"^[A-Za-z0-9.\-]{1,32}$")


class InfobuttonError(Exception):
    """A request this endpoint cannot answer: an HTTP status and a message naming the parameter."""

    def __init__(self, status: int, parameter: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.parameter = parameter
        self.message = f"{parameter}: {message}" if parameter else message


@dataclass(frozen=True)
class InfobuttonQuery:
    """What an Infobutton request asks for, with nothing identifying left in it."""

    response: str
    media_type: str
    code: str = ""
    system: CodeSystem | None = None
    recipient: str = ""
    language: str = "en"
    language_asked: str = ""
    view: str = ""
    overrides: dict[str, str] = field(default_factory=dict)

    @property
    def shown_code(self) -> str:
        """The code as it may be shown on a page: only letters, digits, dots and dashes, else nothing."""
        return self.code if _CODE_TEXT.match(self.code) else ""

    @property
    def language_unsupported(self) -> bool:
        return bool(self.language_asked) and primary_language(self.language_asked) is None


def identifying(name: str) -> bool:
    """True for a parameter that may name the patient or carry free text or credentials."""
    key = name.strip().lower()
    if key.endswith(FREE_TEXT_SUFFIXES):
        return True
    return any(key == prefix or key.startswith(prefix + ".") for prefix in IDENTIFYING_PREFIXES)


def safe_parameters(query_string: bytes) -> dict[str, list[str]]:
    """The query's parameters, keyed by lower-case name, with every identifying one already dropped."""
    if len(query_string) > MAX_QUERY_BYTES:
        raise InfobuttonError(
            414, "", f"the link is longer than {MAX_QUERY_BYTES} bytes (send only the Infobutton parameters)"
        )
    text = query_string.decode("utf-8", errors="replace")
    try:
        pairs = urllib.parse.parse_qsl(
            text, keep_blank_values=True, max_num_fields=MAX_PARAMETERS, encoding="utf-8", errors="replace"
        )
    except ValueError:
        raise InfobuttonError(400, "", f"the link has more than {MAX_PARAMETERS} parameters") from None
    kept: dict[str, list[str]] = {}
    for name, value in pairs:
        if not identifying(name):
            kept.setdefault(name.strip().lower(), []).append(value)
    return kept


def read_query(parameters: dict[str, list[str]], layouts: tuple[str, ...]) -> InfobuttonQuery:
    """Check the parameters this endpoint reads; every other standard parameter is accepted and ignored."""
    response, media_type = _response_type(_single(parameters, RESPONSE_TYPE))
    code = _single(parameters, CODE).strip()
    named_system = _single(parameters, SYSTEM).strip()
    overrides = _overrides(parameters, layouts)
    if len(code) > MAX_CODE_CHARS:
        raise InfobuttonError(400, CODE, f"a problem code has at most {MAX_CODE_CHARS} characters")
    system = _code_system(code, named_system, overrides)
    view = _single(parameters, VIEW).strip().lower()
    if view not in ("", "handout"):
        raise InfobuttonError(400, VIEW, "use view=handout for the handout as a web page, or leave it out")
    asked = _single(parameters, LANGUAGE).strip()
    recipient = _single(parameters, RECIPIENT).strip().upper()
    return InfobuttonQuery(
        response=response,
        media_type=media_type,
        code=code,
        system=system,
        recipient=recipient if recipient in ("PAT", "PROV") else "",
        language=primary_language(asked) or "en",
        language_asked=asked if _LANGUAGE_TAG.match(asked) else ("?" if asked else ""),
        view=view,
        overrides=overrides,
    )


def _code_system(code: str, named_system: str, overrides: dict[str, str]) -> CodeSystem | None:
    """The code system of a given code; without a code, `type=` must say which handout."""
    system = None
    if code:
        if not named_system:
            raise InfobuttonError(
                400,
                SYSTEM,
                "give the code system of the problem code (e.g. 2.16.840.1.113883.6.90 for ICD-10-CM)",
            )
        system = find_system(named_system)
        if system is None:
            raise InfobuttonError(
                400,
                SYSTEM,
                "not a code system this service knows (use ICD-10-CM 2.16.840.1.113883.6.90, SNOMED CT 2.16.840.1.113883.6.96, ICD-10 2.16.840.1.113883.6.3 or ICD-9-CM 2.16.840.1.113883.6.103)",
            )
    elif "type" not in overrides:
        raise InfobuttonError(
            400, CODE, "give the problem code (e.g. G35.A with ICD-10-CM), or type= for an explicit handout"
        )
    return system


def answer_kind(parameters: dict[str, list[str]]) -> str:
    """The kind of answer asked for, for an error's body: json, or html for anything else."""
    values = parameters.get(RESPONSE_TYPE.lower(), [])
    media_type = values[0].split(";", 1)[0].strip().lower() if len(values) == 1 else ""
    return "json" if RESPONSE_TYPES.get(media_type) == "json" else "html"


def primary_language(tag: str) -> str | None:
    """`es`, `es-MX`, `spa` -> es; `en`, `en-US`, `eng` -> en; anything else -> None."""
    primary = re.split(r"[-_]", tag.strip().lower(), maxsplit=1)[0]
    return {"es": "es", "spa": "es", "en": "en", "eng": "en"}.get(primary)


def _single(parameters: dict[str, list[str]], name: str) -> str:
    values = parameters.get(name.lower(), [])
    if len(values) > 1:
        raise InfobuttonError(400, name, "is given more than once (give one value)")
    value = values[0] if values else ""
    if len(value) > MAX_VALUE_CHARS:
        raise InfobuttonError(400, name, f"is longer than {MAX_VALUE_CHARS} characters")
    if "\ufffd" in value:
        raise InfobuttonError(400, name, "is not valid UTF-8 (percent-encode the value as UTF-8)")
    return value


def _response_type(value: str) -> tuple[str, str]:
    media_type = value.split(";", 1)[0].strip().lower() or "text/html"
    if media_type in SCRIPT_TYPES:
        raise InfobuttonError(
            406,
            RESPONSE_TYPE,
            "this service sends no scripts (ask for application/json, text/xml, text/html or application/pdf)",
        )
    if media_type not in RESPONSE_TYPES:
        raise InfobuttonError(
            406, RESPONSE_TYPE, "ask for application/json, text/xml, text/html or application/pdf"
        )
    return RESPONSE_TYPES[media_type], media_type


def _overrides(parameters: dict[str, list[str]], layouts: tuple[str, ...]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name in EXTENSIONS:
        value = _single(parameters, name).strip().lower()
        if not value:
            continue
        allowed = EXTENSION_VALUES.get(name, layouts if name == "layout" else ())
        if name == "country":
            value = normalise_country(value) or ""
            if not value:
                raise InfobuttonError(400, name, "use one of: " + ", ".join(COUNTRIES))
        elif name == "sheets":
            if not all(_NAME.match(part.strip()) for part in value.split(",")):
                raise InfobuttonError(
                    400, name, "give sheet names separated by commas (e.g. fatigue,bladder)"
                )
        elif value not in allowed:
            raise InfobuttonError(400, name, "use one of: " + ", ".join(allowed))
        found[name] = value
    return found
