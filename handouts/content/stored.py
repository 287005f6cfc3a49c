"""Turn a Library into JSON and back (for the cache across processes), and content directories into a version."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from handouts.content.model import Block, Library, Question, Source, Tags, Term, Topic


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
        "topics": [[t.id, t.title] for t in library.topics],
        "blocks": [_block(b) for b in library.blocks.values()],
        "questions": [[q.id, q.text, _tags(q.tags), str(q.path), q.line] for q in library.questions],
        "glossary": [[t.term, t.definition, list(t.also)] for t in library.glossary],
        "sources": [[s.id, s.title, s.publisher, s.url, s.accessed] for s in library.sources.values()],
        "files": [str(p) for p in library.files],
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def library_from_json(text: bytes) -> Library:
    """The Library stored by `library_to_json`."""
    data = json.loads(text)
    return Library(
        language=data["language"],
        topics=tuple(Topic(i, title) for i, title in data["topics"]),
        blocks={b["id"]: _read_block(b) for b in data["blocks"]},
        questions=tuple(
            Question(i, text, _read_tags(tags), Path(path), line)
            for i, text, tags, path, line in data["questions"]
        ),
        glossary=tuple(Term(term, definition, tuple(also)) for term, definition, also in data["glossary"]),
        sources={s[0]: Source(*s) for s in data["sources"]},
        files=tuple(Path(p) for p in data["files"]),
    )


def _tags(tags: Tags) -> list[list[str]]:
    return [sorted(tags.types), sorted(tags.stages), sorted(tags.audiences)]


def _read_tags(values: list[list[str]]) -> Tags:
    types, stages, audiences = values
    return Tags(frozenset(types), frozenset(stages), frozenset(audiences))


def _block(block: Block) -> dict[str, Any]:
    return {
        "id": block.id,
        "title": block.title,
        "topic": block.topic,
        "order": block.order,
        "tags": _tags(block.tags),
        "key_point": block.key_point,
        "sources": list(block.sources),
        "facts": list(block.facts),
        "reviewed": block.reviewed.isoformat(),
        "review_due": block.review_due.isoformat(),
        "body": block.body,
        "path": str(block.path),
        "body_line": block.body_line,
        "language": block.language,
    }


def _read_block(data: dict[str, Any]) -> Block:
    return Block(
        **{
            **data,
            "tags": _read_tags(data["tags"]),
            "sources": tuple(data["sources"]),
            "facts": tuple(data["facts"]),
            "reviewed": dt.date.fromisoformat(data["reviewed"]),
            "review_due": dt.date.fromisoformat(data["review_due"]),
            "path": Path(data["path"]),
        }
    )
