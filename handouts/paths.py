"""Turn the built-in and organisation directory names into the stacked content and template paths."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def builtin_dir(name: str) -> Path:
    """`content` or `templates`: bundled in the wheel, or the checkout's top level in development."""
    bundled = _PACKAGE / "_data" / name
    return bundled if bundled.is_dir() else _PACKAGE.parent / name


def stacked(name: str, extra: Sequence[Path] = ()) -> tuple[Path, ...]:
    """The built-in directory first, then the organisation's; later ones win."""
    return (builtin_dir(name), *(Path(p).resolve() for p in extra))


def regular_file_inside(path: Path, root: Path) -> bool:
    """True for a regular file whose real path is inside `root` (resolved). A link that leads outside
    (say, to /proc/kmsg, which never ends), to nothing or round in a loop is not part of a directory."""
    try:
        real = path.resolve(strict=True)
        return real.is_relative_to(root) and real.is_file()
    except (OSError, RuntimeError):  # RuntimeError: a loop of links before Python 3.13
        return False


OUTSIDE_ASSETS = "no such file in the manifest's folder or --assets (a row can name only files there)"
"""The one message for every file a manifest row names that cannot be used: missing, outside, a folder,
a link out. One message, so a manifest cannot probe which files exist elsewhere on the machine."""


def file_inside(base_dir: Path, name: str, roots: Sequence[Path]) -> Path | None:
    """The real path of `name` (relative to `base_dir`, or absolute) if it is a regular file inside one of
    `roots` (resolved), else None: nothing outside them is ever opened."""
    try:
        real = (base_dir / name).resolve(strict=True)
        if any(real.is_relative_to(root) for root in roots) and real.is_file():
            return real
    except (OSError, RuntimeError, ValueError):
        return None
    return None
