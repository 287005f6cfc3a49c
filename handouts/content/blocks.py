"""Turn a block file (YAML front matter, then Markdown) into a validated Block, collecting every problem."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from handouts.content.model import ANY, BLOCK_KEYS, REQUIRED_BLOCK_KEYS, Block, Tags
from handouts.errors import ContentError, HandoutsError, Problem
from handouts.limits import MAX_BLOCK_CHARS
from handouts.vocabulary import AUDIENCES, STAGES, TYPE_CHOICES
from handouts.yamlfile import parse_yaml, read_text

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def read_block(path: Path, language: str, problems: list[Problem]) -> tuple[Block | None, bool]:
    """(the Block or None, whether the file could be read); each problem is appended to `problems`."""
    try:
        text = read_text(path, ContentError)
        front, body, body_line = split_front_matter(text, path)
        meta = parse_yaml(front, str(path), ContentError, first_line=2)
    except HandoutsError as exc:
        problems.extend(exc.problems)
        return None, False
    if not isinstance(meta, Mapping):
        problems.append(
            Problem("front matter must be a mapping of keys", "see docs/content.md", file=str(path), line=2)
        )
        return None, True
    if len(body) > MAX_BLOCK_CHARS:
        too_long = f"the text is {len(body):,} characters long, the limit is {MAX_BLOCK_CHARS:,}"
        problems.append(Problem(too_long, "split it into several blocks", file=str(path), line=body_line))
        return None, True
    return block_from(meta, body, body_line, path, language, problems), True


def split_front_matter(text: str, path: Path) -> tuple[str, str, int]:
    """Return (front matter YAML, body, line where the body starts)."""
    if not text.startswith("---\n"):
        raise ContentError.at(path, 1, "no front matter", "start the file with a line `---`")
    end = text.find("\n---\n", 3)
    if end == -1:
        if text.endswith("\n---"):
            end = len(text) - 4
        else:
            raise ContentError.at(path, 1, "front matter is not closed", "add a line `---` after it")
    front = text[4 : end + 1]
    body_line = front.count("\n") + 3
    return front, text[end + 5 :], body_line


def block_from(
    meta: Mapping[str, Any], body: str, body_line: int, path: Path, language: str, problems: list[Problem]
) -> Block | None:
    """A Block from its front matter and body, or None when any key is missing or wrong."""
    before = len(problems)
    for key in meta:
        if key not in BLOCK_KEYS:
            valid = f"valid: {', '.join(BLOCK_KEYS)}"
            problems.append(
                Problem(f"unknown key '{key}'", valid, file=str(path), line=line_of(path, f"{key}:"))
            )
    for key in REQUIRED_BLOCK_KEYS:
        if meta.get(key) in (None, "", []):
            problems.append(
                Problem(f"front matter is missing '{key}'", "see docs/content.md", file=str(path), line=2)
            )
    if len(problems) > before:
        return None
    block_id = str(meta["id"])
    if block_id != path.stem or not _ID.match(block_id):
        wrong_id = f"id '{block_id}' must equal the file name '{path.stem}'"
        problems.append(Problem(wrong_id, file=str(path), line=line_of(path, "id:")))
    if str(meta["topic"]) != path.parent.name:
        wrong_topic = f"topic '{meta['topic']}' must equal the folder name '{path.parent.name}'"
        problems.append(Problem(wrong_topic, file=str(path), line=line_of(path, "topic:")))
    dates = [_date(meta, key, path, problems) for key in ("reviewed", "review_due")]
    tags = parse_tags(meta, (path, 2, ""), problems)
    sources = _strings(meta["sources"])
    order = meta.get("order", 50)
    if not isinstance(order, int):
        problems.append(
            Problem("order must be a whole number", "e.g. 20", file=str(path), line=line_of(path, "order:"))
        )
    if len(problems) > before or tags is None or dates[0] is None or dates[1] is None:
        return None
    return Block(
        id=block_id,
        title=str(meta["title"]),
        topic=str(meta["topic"]),
        order=int(order),
        tags=tags,
        key_point=str(meta["key_point"]) if meta.get("key_point") else None,
        sources=sources,
        facts=_strings(meta.get("facts") or []),
        reviewed=dates[0],
        review_due=dates[1],
        body=body,
        path=path,
        body_line=body_line,
        language=language,
    )


def parse_tags(meta: Mapping[str, Any], where: tuple[Path, int, str], problems: list[Problem]) -> Tags | None:
    """The types, stages and audiences a block or question fits; None, with a problem, when one is wrong.

    `where` is the file, the line and what the tags belong to (e.g. "question 'q-mood'", or "" for a block).
    """
    path, line, subject = where
    sets: list[frozenset[str]] = []
    for key, valid in (("types", TYPE_CHOICES), ("stages", STAGES), ("audiences", AUDIENCES)):
        value = meta.get(key, [ANY])
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items:
            problems.append(Problem(f"{key} must be a list", f"e.g. [{ANY}]", str(path), line, subject))
            return None
        bad = [str(i) for i in items if str(i) not in (ANY, *valid)]
        if bad:
            use = f"use {ANY} or any of: {', '.join(valid)}"
            problems.append(Problem(f"{key} has {bad[0]!r}", use, str(path), line, subject))
            return None
        sets.append(frozenset(str(i) for i in items))
    return Tags(types=sets[0], stages=sets[1], audiences=sets[2])


def _date(meta: Mapping[str, Any], key: str, path: Path, problems: list[Problem]) -> dt.date | None:
    value = meta.get(key)
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        line = line_of(path, key + ":")
        problems.append(
            Problem(f"{key} {value!r} is not a date", "write YYYY-MM-DD", file=str(path), line=line)
        )
        return None


def _strings(value: Any) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else (value or [])
    return tuple(str(item) for item in items)


def line_of(path: Path, needle: str) -> int:
    """The first line of a file containing `needle`, for messages; 1 if it cannot be found."""
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if needle in line:
                return number
    except OSError:
        pass
    return 1
