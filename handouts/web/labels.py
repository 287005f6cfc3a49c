"""Turn option values (rrms, a4, large) into the words a clinician or patient reads on a page."""

from __future__ import annotations

TYPE_LABELS = {
    "general": "MS in general (type not known yet, or not needed)",
    "cis": "Clinically isolated syndrome (CIS)",
    "rrms": "Relapsing-remitting MS (RRMS)",
    "spms": "Secondary progressive MS (SPMS)",
    "ppms": "Primary progressive MS (PPMS)",
}
STAGE_LABELS = {"newly-diagnosed": "Newly diagnosed", "established": "Living with MS for some time"}
AUDIENCE_LABELS = {"patient": "The person with MS", "caregiver": "Family or a caregiver"}
PAPER_LABELS = {"letter": "US Letter", "a4": "A4"}
PRINT_LABELS = {"standard": "Standard print", "large": "Large print (18 point, easier to read)"}
LANGUAGE_NAMES = {"en": "English", "es": "Español"}
LAYOUT_LABELS = {"standard": "Standard (the full handout)", "summary": "Summary (one page)"}
COUNTRY_LABELS = {
    "": "The clinic's country (United States if the clinic profile gives none)",
    "US": "United States",
    "GB": "United Kingdom",
    "AU": "Australia",
}

FIELD_LABELS = {
    "type": "Type of MS",
    "stage": "Stage",
    "audience": "Who will read it",
    "language": "Language",
    "paper": "Paper size",
    "print": "Print size",
    "layout": "Layout",
    "country": "Country for the help numbers",
    "sections": "Sections",
    "sheets": "Topic sheets",
    "sheets_only": "Topic sheets only",
    "allow_fallback": "Missing translations",
    "notes": "Notes from the care team",
    "patient_name": "Patient's name",
}


def label(labels: dict[str, str], value: str) -> str:
    """The label for a value, or the value itself made readable (an organisation's own layout)."""
    return labels.get(value, value.replace("-", " ").capitalize())
