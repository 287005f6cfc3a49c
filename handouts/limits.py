"""The size limits every front door enforces on untrusted input, in one place."""

from __future__ import annotations

MAX_SPEC_FILE_BYTES = 1_000_000
"""A spec file, clinic file, theme or content file larger than this is refused."""

MAX_NOTE_CHARS = 2_000
"""One note from the care team."""

MAX_NOTES = 10
"""Notes per handout."""

MAX_FIELD_CHARS = 200
"""Patient name, clinic name, department, phone, website, address line, URL."""

MAX_LOGO_BYTES = 5_000_000
"""A clinic logo file."""

MAX_LOGO_PIXELS = 4_000
"""Largest logo width or height in pixels."""

MAX_YAML_DEPTH = 20
"""Deepest nesting of lists and mappings in any YAML file."""

MAX_MANIFEST_CELL_CHARS = 10_000
"""One cell of a batch manifest."""

MAX_FORM_BYTES = 256_000
"""One web form request: ten notes at the note limit still fit when every character is percent-encoded."""
