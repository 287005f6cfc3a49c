"""Turn a Library into JSON and back (for the cache across processes), and content directories into a version."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import fields, replace
from pathlib import Path
from typing import Any, TypeVar

from handouts.content.model import Block, Library, Question, Sheet, Source, Tags, Term, Topic

T = TypeVar("T")


def content_version(content_dirs: Sequence[Path]) -> str:
    """A hash of every file's path, size and modification time under the directories (like a .pyc's check)."""
    digest = hashlib.sha256()
    for directory in content_dirs:
        digest.update(str(directory).encode() + b"\0")
        for root, folders, files in os.walk(directory):
            folders.sort()
            for name in sorted(files):
                path = os.path.join(root, name)
                try:
                    info = os.stat(path)
                except OSError:
                    continue  # a broken link: the loader reports it; the version just differs
                digest.update(f"{path}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def library_to_json(library: Library) -> bytes:
    """The library as JSON text; `library_from_json` gives back an equal Library."""
    data = {
        "language": library.language,
        "topics": [_encode(t) for t in library.topics],
        "blocks": [_encode(b) for b in library.blocks.values()],
        "questions": [_encode(q) for q in library.questions],
        "glossary": [_encode(t) for t in library.glossary],
        "sources": [_encode(s) for s in library.sources.values()],
        "files": [str(p) for p in library.files],
        "sheets": [_encode_sheet(sheet) for sheet in library.sheets.values()],
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def library_from_json(text: bytes) -> Library:
    """The Library stored by `library_to_json` (a KeyError or TypeError when the model has changed)."""
    data = json.loads(text)
    blocks = [_decode(Block, b) for b in data["blocks"]]
    sources = [_decode(Source, s) for s in data["sources"]]
    return Library(
        language=data["language"],
        topics=tuple(_decode(Topic, t) for t in data["topics"]),
        blocks={b.id: b for b in blocks},
        questions=tuple(_decode(Question, q) for q in data["questions"]),
        glossary=tuple(_decode(Term, t) for t in data["glossary"]),
        sources={s.id: s for s in sources},
        files=tuple(Path(p) for p in data["files"]),
        sheets={sheet.id: sheet for sheet in (_decode_sheet(entry) for entry in data["sheets"])},
    )


def _encode_sheet(sheet: Sheet) -> dict[str, Any]:
    """A topic sheet: its own fields, then its blocks and questions."""
    return {
        "sheet": _encode(replace(sheet, blocks=(), questions=())),
        "blocks": [_encode(b) for b in sheet.blocks],
        "questions": [_encode(q) for q in sheet.questions],
    }


def _decode_sheet(entry: dict[str, Any]) -> Sheet:
    sheet = _decode(Sheet, entry["sheet"])
    blocks = tuple(_decode(Block, b) for b in entry["blocks"])
    return replace(sheet, blocks=blocks, questions=tuple(_decode(Question, q) for q in entry["questions"]))


def _encode(value: Any) -> dict[str, Any]:
    """A frozen model value as a JSON object, field by field (its annotations say how to read it back)."""
    out: dict[str, Any] = {}
    for item in fields(value):
        field_value = getattr(value, item.name)
        if isinstance(field_value, Tags):
            field_value = [
                sorted(field_value.types),
                sorted(field_value.stages),
                sorted(field_value.audiences),
            ]
        elif isinstance(field_value, dt.date):
            field_value = field_value.isoformat()
        elif isinstance(field_value, Path):
            field_value = str(field_value)
        elif isinstance(field_value, tuple):
            field_value = list(field_value)
        out[item.name] = field_value
    return out


_READERS: dict[str, Callable[[Any], Any]] = {
    "Tags": lambda v: Tags(frozenset(v[0]), frozenset(v[1]), frozenset(v[2])),
    "dt.date": dt.date.fromisoformat,
    "Path": Path,
    "tuple[str, ...]": tuple,
}


def _decode(kind: type[T], data: dict[str, Any]) -> T:
    values = {}
    for item in fields(kind):  # type: ignore[arg-type]
        reader = _READERS.get(str(item.type))
        values[item.name] = reader(data[item.name]) if reader else data[item.name]
    return kind(**values)
