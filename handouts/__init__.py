"""Tailored, plain-language patient handouts about multiple sclerosis, rendered as PDF.

The Python API, for code that builds handouts without the command line::

    from handouts import Engine, parse_spec, render_handout

    spec = parse_spec({"type": "rrms", "language": "es"}, origin="my program")
    pdf = render_handout(spec, Engine.from_dirs()).pdf  # bytes; nothing is written

`load_library` reads a content library and `check_directories` checks content and templates the way
`handouts check` does. Every mistake in the input raises a `HandoutsError` whose `problems` say where.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_PUBLIC = {
    "HandoutSpec": "handouts.spec",
    "parse_spec": "handouts.spec",
    "Engine": "handouts.engine",
    "Rendered": "handouts.render",
    "render_handout": "handouts.render",
    "handout_xml": "handouts.render",
    "Library": "handouts.content.model",
    "load_library": "handouts.content.loader",
    "Report": "handouts.check.model",
    "check_directories": "handouts.check.rules",
    "HandoutsError": "handouts.errors",
    "Problem": "handouts.errors",
}
"""Each public name and the module that defines it. They load on first use: importing any part of the
package runs this file first, and the command line must not pay for the PDF stage to print its help."""

__all__ = [
    "Engine",
    "HandoutSpec",
    "HandoutsError",
    "Library",
    "Problem",
    "Rendered",
    "Report",
    "__version__",
    "check_directories",
    "handout_xml",
    "load_library",
    "parse_spec",
    "render_handout",
]

if TYPE_CHECKING:  # the same names, for type checkers and editors
    from handouts.check.model import Report
    from handouts.check.rules import check_directories
    from handouts.content.loader import load_library
    from handouts.content.model import Library
    from handouts.engine import Engine
    from handouts.errors import HandoutsError, Problem
    from handouts.render import Rendered, handout_xml, render_handout
    from handouts.spec import HandoutSpec, parse_spec


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'handouts' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
