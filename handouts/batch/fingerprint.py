"""Turn a spec and the content and template directories into a fingerprint that says a PDF is up to date."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from handouts import __version__
from handouts.paths import regular_file_inside
from handouts.spec import HandoutSpec

# --- fingerprints -----------------------------------------------------------------------------------


def tree_digest(directories: Sequence[Path]) -> str:
    """A hash of every file in the content and template directories, so changed content re-renders."""
    digest = hashlib.sha256()
    for directory in directories:
        root = Path(directory).resolve()
        for path in sorted(p for p in Path(directory).rglob("*") if regular_file_inside(p, root)):
            relative = path.relative_to(directory).as_posix()
            if "__pycache__" in relative or relative.startswith("."):
                continue
            digest.update(relative.encode() + b"\0")
            with path.open("rb") as stream:  # in pieces: a large file never sits in memory whole
                while chunk := stream.read(1 << 20):
                    digest.update(chunk)
            digest.update(b"\0")
    return digest.hexdigest()


@lru_cache(maxsize=256)
def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _json_value(value: Any) -> Any:
    if isinstance(value, Path):
        return _file_digest(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def spec_fingerprint(spec: HandoutSpec, content_digest: str) -> str:
    """A hash of everything that decides a handout's bytes: the spec, its logo, the content, the version."""
    fields = json.dumps(dataclasses.asdict(spec), default=_json_value, sort_keys=True, ensure_ascii=False)
    text = f"handouts {__version__}\n{content_digest}\n{fields}"
    return hashlib.sha256(text.encode()).hexdigest()
