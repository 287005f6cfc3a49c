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

MAX_BLOCK_CHARS = 50_000
"""The body of one content block (a block is a few short paragraphs; split anything longer)."""

MAX_PARAGRAPH_CHARS = 50_000
"""The text of one paragraph, list item, question or table cell, from any source, when the handout is drawn."""

MAX_HANDOUT_XML_CHARS = 2_000_000
"""The handout XML a layout may write for one handout, block bodies included."""

MAX_TEMPLATE_TEXT_CHARS = MAX_HANDOUT_XML_CHARS
"""Any one text, list or mapping a layout or block body builds with `*`, `+`, `~`, `%`, a method or a filter."""

MAX_TEMPLATE_NUMBER = 100_000
"""The largest number a layout or block body may pass to a function or filter (widths, counts, range())."""

MAX_TEMPLATE_LOOP_STEPS = 100_000
"""Loop steps of one handout's layout and block bodies together."""

MAX_TEMPLATE_CALLS = 10_000
"""Calls (macros, methods, translations) of one handout's layout and block bodies together."""

MAX_JOBS = 64
"""Worker processes of `handouts batch --jobs` (each holds its own copy of the content and fonts); more is
allowed only up to the number of CPUs."""
