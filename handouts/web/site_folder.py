"""Turn a folder into a yes or no: may the static site be written there without replacing someone else's files?"""

from __future__ import annotations

import re
from pathlib import Path

from handouts.errors import UsageError

SITE_FILES = ("index.html", "handouts.css", "favicon.svg")
_SITE_PDF = re.compile(r"^ms-[a-z0-9-]+\.(pdf|html)$")
"""A handout's PDF or its web page."""
_LEFT_BY_A_CRASH = re.compile(
    r"^\.(index\.html|handouts\.css|favicon\.svg|ms-[a-z0-9-]+\.(pdf|html))\..*\.part$"
)


def is_site_file(name: str) -> bool:
    """Whether `handouts site` writes files under this name (or left it while writing one)."""
    return name in SITE_FILES or bool(_SITE_PDF.match(name) or _LEFT_BY_A_CRASH.match(name))


_SHEET_FILE = re.compile(r"^\.?[a-z0-9-]+\.(pdf|html)(\..*\.part)?$")
"""A topic sheet's PDF or web page in the sheets folder (or one left while writing it)."""


def is_site_sheets_folder(path: Path) -> bool:
    """Whether `path` is the sheets folder of an earlier site: only sheet PDFs and pages inside."""
    return path.name == "sheets" and all(
        child.is_file() and _SHEET_FILE.match(child.name) for child in path.iterdir()
    )


def check_site_folder(outdir: Path, force: bool) -> None:
    """Refuse a folder that holds anything besides an earlier site, unless `force`; a missing folder is fine."""
    if force or not outdir.is_dir():
        return
    try:
        foreign = sorted(
            p.name + ("/" if p.is_dir() else "")
            for p in outdir.iterdir()
            if not (is_site_file(p.name) or (p.is_dir() and is_site_sheets_folder(p)))
        )
    except OSError as exc:
        raise UsageError(f"{outdir}: cannot be read: {exc.strerror} (choose another folder)") from exc
    if not foreign:
        return
    shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3:,} more" if len(foreign) > 3 else "")
    replaces = " and would replace its index.html" if (outdir / "index.html").exists() else ""
    raise UsageError(
        f"{outdir}: already holds files the site did not write ({shown}){replaces} "
        "(give an empty or new folder, or add --force to write into it anyway)"
    )
