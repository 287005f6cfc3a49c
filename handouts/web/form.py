"""Turn a submitted web form into a HandoutSpec, and spec problems back into one message per form field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from werkzeug.datastructures import MultiDict

from handouts.clinic import Clinic
from handouts.errors import Problem, SpecError
from handouts.spec import HandoutSpec, parse_spec
from handouts.vocabulary import GENERAL
from handouts.web.labels import LANGUAGE_NAMES, label
from handouts.web.options import SOURCE_LANGUAGE, Offer

ORIGIN = "form"
SECTIONS_SHOWN = "sections-shown"
"""A hidden field: present when the section checkboxes were on the page, so none ticked is a mistake."""

ACTIONS = ("download", "print", "html")


@dataclass(frozen=True)
class FormValues:
    """What the clinician entered, as text, so the page can show it again after a mistake."""

    type: str = GENERAL
    stage: str = "newly-diagnosed"
    audience: str = "patient"
    language: str = SOURCE_LANGUAGE
    paper: str = "letter"
    print_size: str = "standard"
    layout: str = "standard"
    country: str = ""
    sections: tuple[str, ...] | None = None
    allow_fallback: bool = False
    sheets: tuple[str, ...] = ()
    sheets_only: bool = False
    notes: str = ""
    patient_name: str = ""
    action: str = "download"

    def ticked(self, section: str) -> bool:
        """Whether a section's checkbox is ticked: all are, until the form says otherwise."""
        return self.sections is None or section in self.sections


def read_form(form: MultiDict[str, str]) -> FormValues:
    """The known fields of a submitted form; anything else in the request is ignored, never read as a path."""
    given = FormValues()
    sections = tuple(form.getlist("sections"))
    action = form.get("action", "download")
    return FormValues(
        type=form.get("type", given.type),
        stage=form.get("stage", given.stage),
        audience=form.get("audience", given.audience),
        language=form.get("language", given.language),
        paper=form.get("paper", given.paper),
        print_size=form.get("print", given.print_size),
        layout=form.get("layout", given.layout),
        country=form.get("country", given.country),
        sections=sections if sections or SECTIONS_SHOWN in form else None,
        allow_fallback=form.get("allow_fallback", "") in ("on", "true", "1", "yes"),
        sheets=tuple(form.getlist("sheets")),
        sheets_only=form.get("sheets_only", "") in ("on", "true", "1", "yes"),
        notes=form.get("notes", ""),
        patient_name=form.get("patient_name", ""),
        action=action if action in ACTIONS else "download",
    )


def note_lines(text: str) -> list[str]:
    """One note per non-empty line of the notes box."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def spec_keys(values: FormValues, clinic: Clinic | None) -> dict[str, Any]:
    """The spec keys for the form's values; the clinic comes from the server, never from the request."""
    return {
        "type": values.type,
        "stage": values.stage,
        "audience": values.audience,
        "language": values.language,
        "paper": values.paper,
        "print": values.print_size,
        "layout": values.layout,
        "country": values.country or None,
        "sections": list(values.sections) if values.sections else None,
        "allow_fallback": values.allow_fallback,
        "sheets": list(values.sheets),
        "sheets_only": values.sheets_only,
        "notes": note_lines(values.notes),
        "patient_name": values.patient_name,
        "clinic": clinic,
    }


def offer_problems(values: FormValues, offer: Offer) -> list[Problem]:
    """Values the spec allows in general but this server does not offer."""
    problems = []
    if values.language not in offer.languages:
        names = ", ".join(label(LANGUAGE_NAMES, code) for code in offer.languages)
        problems.append(
            _problem("language", f"{values.language!r} is not available here", f"choose one of: {names}")
        )
    if values.layout not in offer.layouts:
        problems.append(
            _problem(
                "layout", f"{values.layout!r} is not available", f"choose one of: {', '.join(offer.layouts)}"
            )
        )
    if values.sections == ():
        problems.append(_problem("sections", "no section is ticked", "tick at least one section"))
    known = {topic.id for topic in offer.sections}
    unknown = [s for s in values.sections or () if s not in known]
    if unknown:
        problems.append(
            _problem("sections", f"{unknown[0]!r} is not a section here", "tick sections from the list")
        )
    sheets = {sheet.id for sheet in offer.sheets}
    strange = [s for s in values.sheets if s not in sheets]
    if strange:
        problems.append(
            _problem("sheets", f"{strange[0][:40]!r} is not a sheet here", "tick sheets from the list")
        )
    return problems


def _problem(field: str, what: str, how: str) -> Problem:
    return Problem(what, how, file=ORIGIN, field=field)


def parse_form(values: FormValues, offer: Offer, clinic: Clinic | None) -> HandoutSpec:
    """Validate the form exactly as the CLI validates flags; raise one SpecError with every field's problem."""
    problems: list[Problem] = []
    spec = None
    try:
        spec = parse_spec(spec_keys(values, clinic), ORIGIN)
    except SpecError as exc:
        problems.extend(exc.problems)
    problems.extend(offer_problems(values, offer))
    if problems or spec is None:
        raise SpecError.listing(problems, ORIGIN)
    return spec


def field_messages(exc: SpecError, fields: tuple[str, ...]) -> dict[str, str]:
    """The first problem for each form field; a problem for a field the form does not show is keyed ''."""
    messages: dict[str, str] = {}
    for problem in exc.problems:
        messages.setdefault(problem.field if problem.field in fields else "", problem.detail)
    return messages
