"""Read YAML files and text safely: size limits, no aliases, bounded nesting, clear errors."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from handouts.errors import HandoutsError
from handouts.limits import MAX_SPEC_FILE_BYTES, MAX_YAML_DEPTH

_BASE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ~10x faster


class ValueProblem(yaml.constructor.ConstructorError):
    """A scalar YAML reads as a date or number but cannot build (2026-02-30, an int of 5,000 digits)."""

    unquoted = ""
    """The problem without the value, for places that must not quote it (a manifest row's cells)."""


def construct_checked(loader: Any, node: Any, deep: bool = False) -> Any:
    """Build one node; a value that cannot be built becomes a ValueProblem with its line."""
    try:
        return yaml.constructor.BaseConstructor.construct_object(loader, node, deep)
    except (ValueError, OverflowError) as exc:
        text = node.value if isinstance(node.value, str) else ""
        shown = repr(text if len(text) <= 40 else text[:37] + "...")
        reason = "it has more than 4,300 digits" if "digits" in str(exc) else str(exc)
        problem = ValueProblem(None, None, f"{shown} cannot be read: {reason}", node.start_mark)
        problem.unquoted = f"a value cannot be read: {reason}"
        raise problem from exc


class _Loader(_BASE_LOADER):  # type: ignore[misc]
    """The safe loader, with values that cannot be built reported at their line."""

    construct_object = construct_checked


_LOADER: Any = _Loader


@dataclass
class _Mapping:
    seen: dict[str, int] = field(default_factory=dict)
    expect_key: bool = True


class KeyTracker:
    """Follows mappings and sequences as events arrive; `see` returns a message for a repeated key.

    PyYAML keeps the last of two equal keys without a word, so a spec with `type: rrms` and, further
    down, `type: ppms` would print a PPMS handout.
    """

    def __init__(self) -> None:
        self._stack: list[_Mapping | None] = []  # None for a sequence

    def see(self, event: yaml.Event, line: int) -> str | None:
        """Record one event (its line counted from 1); a message if it repeats a key of its mapping."""
        if isinstance(event, yaml.CollectionEndEvent):
            if self._stack:
                self._stack.pop()
            return None
        if not isinstance(event, yaml.ScalarEvent | yaml.CollectionStartEvent | yaml.AliasEvent):
            return None
        problem = self._take_slot(event, line)
        if isinstance(event, yaml.MappingStartEvent):
            self._stack.append(_Mapping())
        elif isinstance(event, yaml.SequenceStartEvent):
            self._stack.append(None)
        return problem

    def _take_slot(self, event: yaml.Event, line: int) -> str | None:
        """A node fills the next key or value of the mapping it is in."""
        parent = self._stack[-1] if self._stack else None
        if parent is None:
            return None
        is_key, parent.expect_key = parent.expect_key, not parent.expect_key
        if not is_key or not isinstance(event, yaml.ScalarEvent):
            return None
        key = str(event.value)
        if key in parent.seen:
            shown = key if len(key) <= 40 else key[:37] + "..."
            return (
                f"the key {shown!r} appears twice, on lines {parent.seen[key]} and {line} (keep one of them)"
            )
        parent.seen[key] = line
        return None


def _check_events(text: str, where: str, error: type[HandoutsError], first_line: int) -> None:
    """Refuse anchors/aliases (alias bombs), deep nesting and repeated keys before anything is built."""
    depth = 0
    keys = KeyTracker()
    for event in yaml.parse(text, Loader=_LOADER):
        line = event.start_mark.line + first_line if event.start_mark else first_line
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise error.at(
                where, line, "anchors and aliases (&name, *name) are not allowed", "write the value out"
            )
        repeated = keys.see(event, line)
        if repeated:
            raise error.at(where, line, repeated)
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                raise error.at(
                    where, line, f"nesting deeper than {MAX_YAML_DEPTH} levels", "simplify the file"
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def read_text(path: Path, error: type[HandoutsError], max_bytes: int = MAX_SPEC_FILE_BYTES) -> str:
    """Return the UTF-8 text of a file, or raise `error` saying what is wrong with it."""
    try:
        if not path.is_file():
            what = (
                "is a folder, not a file"
                if path.is_dir()
                else "is not a regular file"
                if path.exists()
                else "does not exist"
            )
            raise error.at(path, 0, what, "check the path")
        size = path.stat().st_size
        if size > max_bytes:
            raise error.at(
                path, 0, f"file is {size:,} bytes, the limit is {max_bytes:,}", "use a smaller file"
            )
        data = read_at_most(path, max_bytes + 1)
        if len(data) > max_bytes:  # a file that says it is empty and is not (/proc)
            raise error.at(path, 0, f"file is more than {max_bytes:,} bytes", "use a smaller file")
    except OSError as exc:
        raise error.at(path, 0, f"cannot be read: {exc.strerror}", "check the path and permissions") from exc
    return decode_text(data, str(path), error)


def read_at_most(path: Path, limit: int) -> bytes:
    """Up to `limit` bytes of a file, never waiting: a file that would block (/proc/kmsg) raises OSError."""
    handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        chunks: list[bytes] = []
        total = 0
        while total < limit and (chunk := os.read(handle, min(1 << 20, limit - total))):
            chunks.append(chunk)
            total += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(handle)


def decode_text(data: bytes, where: str, error: type[HandoutsError]) -> str:
    """Decode UTF-8 (a BOM is allowed), refusing NUL bytes; CRLF becomes LF."""
    if b"\x00" in data:
        raise error.at(where, 0, "contains NUL bytes", "save it as UTF-8 text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error.at(where, 0, f"is not valid UTF-8 at byte {exc.start}", "save it as UTF-8") from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_yaml(text: str, where: str, error: type[HandoutsError], first_line: int = 1) -> Any:
    """Parse YAML text; a syntax error becomes `error` with the file and line."""
    try:
        _check_events(text, where, error, first_line)
        return yaml.load(text, Loader=_LOADER)  # a SafeLoader, C or Python
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + first_line) if mark else first_line
        problem = exc.problem or exc.context or "invalid YAML"
        how = (
            "quote it to keep it as text, or correct it"
            if isinstance(exc, ValueProblem)
            else "fix the YAML syntax"
        )
        raise error.at(where, line, problem, how) from exc
    except yaml.YAMLError as exc:
        raise error.at(where, 0, f"not valid YAML: {exc}", "fix the YAML syntax") from exc
    except RecursionError as exc:
        raise error.at(where, 0, "nesting is too deep", "simplify the file") from exc


def load_yaml_file(path: Path, error: type[HandoutsError]) -> Any:
    """Read and parse one YAML file with every safety limit applied."""
    return parse_yaml(read_text(path, error), str(path), error)


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """`override` laid over `base`, mapping by mapping (how themes extend and configs override)."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged
