"""Turn a batch manifest (CSV, a YAML list, or JSON Lines) into a stream of numbered rows of spec keys."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import yaml

from handouts.errors import ManifestError
from handouts.limits import MAX_MANIFEST_CELL_CHARS, MAX_YAML_DEPTH
from handouts.spec import SPEC_KEYS
from handouts.yamlfile import ValueProblem, construct_checked

ROW_KEYS = ("id", *SPEC_KEYS)
"""Every key a manifest row may have: an optional `id`, then the keys of a spec file."""

LIST_KEYS = ("notes", "sections", "skip_sections")
"""CSV cells that may hold several values: `a | b | c`, or a JSON list such as `["a", "b"]`."""

_SUFFIXES = {".csv": "csv", ".yaml": "yaml", ".yml": "yaml", ".jsonl": "jsonl", ".ndjson": "jsonl"}
MAX_LISTED_COLUMNS = 20
"""Column problems printed for a CSV header; a header of thousands of unknown columns gets a count."""
MAX_ROW_CHARS = MAX_MANIFEST_CELL_CHARS * len(ROW_KEYS)
"""One row of a manifest: a JSON line, or a YAML list item, at most every cell at its limit."""


@dataclass(frozen=True)
class ManifestRow:
    """One record of a manifest: its ordinal, the line it starts on, and its keys (or why it is unreadable)."""

    number: int
    line: int
    data: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None


def manifest_format(path: Path, given: str | None = None) -> str:
    """The manifest's format: given with --format, else from the file extension."""
    if given:
        return given
    suffix = path.suffix.lower()
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix]
    if suffix == ".json":
        return "yaml" if _first_char(path) == "[" else "jsonl"
    raise ManifestError(
        f"{path}: cannot tell the manifest format from '{suffix or 'no extension'}' "
        "(name it .csv, .yaml or .jsonl, or give --format csv|yaml|jsonl)"
    )


def _first_char(path: Path) -> str:
    with _open_text(path) as stream:
        return stream.read(4096).lstrip()[:1]


def read_manifest(path: Path, fmt: str) -> Iterator[ManifestRow]:
    """Stream the rows of a manifest; a problem with the whole file raises ManifestError."""
    readers = {"csv": _csv_rows, "yaml": _yaml_rows, "jsonl": _jsonl_rows}
    with _open_text(path, newline="" if fmt == "csv" else None) as stream:
        try:
            yield from readers[fmt](stream, str(path))
        except UnicodeDecodeError as exc:
            raise ManifestError(f"{path}: is not valid UTF-8 text (save the manifest as UTF-8)") from exc


def _open_text(path: Path, newline: str | None = None) -> IO[str]:
    try:
        if not path.is_file():
            what = (
                "is a folder, not a file"
                if path.is_dir()
                else "is not a regular file"
                if path.exists()
                else "does not exist"
            )
            raise ManifestError(f"{path}: {what} (check the manifest path)")
        return path.open(encoding="utf-8-sig", newline=newline)
    except OSError as exc:
        raise ManifestError(
            f"{path}: cannot be read: {exc.strerror} (check the path and permissions)"
        ) from exc


# --- CSV --------------------------------------------------------------------------------------------


def _csv_rows(stream: IO[str], where: str) -> Iterator[ManifestRow]:
    reader = csv.reader(_limited_lines(stream, where))
    header = _csv_header(reader, where)
    number = 0
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ManifestError(f"{where}:{reader.line_num}: {_csv_problem(exc)}") from exc
        if not any(cell.strip() for cell in cells):
            continue
        number += 1
        yield _csv_row(header, cells, number, start)


def _limited_lines(stream: IO[str], where: str) -> Iterator[str]:
    """The lines of a CSV file; a line longer than MAX_ROW_CHARS stops the run before it is held whole."""
    number = 0
    while text := stream.readline(MAX_ROW_CHARS + 1):
        number += 1
        if len(text) > MAX_ROW_CHARS and not text.endswith(("\n", "\r")):
            raise ManifestError(
                f"{where}:{number}: line is longer than {MAX_ROW_CHARS:,} characters (shorten it)"
            )
        yield text


def _csv_header(reader: Any, where: str) -> list[str]:
    try:
        names = next(reader)
    except StopIteration:
        return []
    except csv.Error as exc:
        raise ManifestError(f"{where}:1: {_csv_problem(exc)}") from exc
    header = [name.strip().lower().replace("-", "_") for name in names]
    problems = [
        f"{where}:1: column {i}: unknown column '{name}' (valid columns: {', '.join(ROW_KEYS)})"
        if name
        else f"{where}:1: column {i} has no name (remove it, or name it one of: {', '.join(ROW_KEYS)})"
        for i, name in enumerate(header, start=1)
        if name not in ROW_KEYS
    ]
    problems += [
        f"{where}:1: column '{name}' appears twice (keep one)"
        for i, name in enumerate(header)
        if name in ROW_KEYS and name in header[:i]
    ]
    if problems:
        shown = problems[:MAX_LISTED_COLUMNS]
        if len(problems) > len(shown):
            shown.append(f"{where}:1: ... and {len(problems) - len(shown):,} more column problems")
        raise ManifestError("\n".join(shown))
    return header


def _csv_problem(exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        return (
            f"a cell is far longer than {MAX_MANIFEST_CELL_CHARS:,} characters "
            "(shorten it, or close the quote it opens)"
        )
    return f"not valid CSV: {exc} (check the quotes)"


def _csv_row(header: list[str], cells: list[str], number: int, line: int) -> ManifestRow:
    if len(cells) > len(header):
        return ManifestRow(
            number, line, problem=f"has {len(cells)} cells but the header has {len(header)} columns "
            "(quote cells that contain commas)"
        )  # fmt: skip
    long = [name for name, cell in zip(header, cells, strict=False) if len(cell) > MAX_MANIFEST_CELL_CHARS]
    if long:
        return ManifestRow(
            number, line, problem=f"{long[0]}: cell is longer than {MAX_MANIFEST_CELL_CHARS:,} characters "
            "(shorten it)"
        )  # fmt: skip
    data: dict[str, Any] = {}
    for name, cell in zip(header, cells, strict=False):
        value = cell.strip()
        if value:
            data[name] = _list_cell(value) if name in LIST_KEYS else value
    return ManifestRow(number, line, data)


def _list_cell(cell: str) -> Any:
    """`a | b` becomes a list; `["a", "b"]` is read as JSON; anything else stays text."""
    if cell.startswith("["):
        try:
            return json.loads(cell)
        except json.JSONDecodeError:
            return cell
    if "|" in cell:
        return [part.strip() for part in cell.split("|") if part.strip()]
    return cell


# --- YAML -------------------------------------------------------------------------------------------


class _RowLoader(yaml.SafeLoader):
    """A SafeLoader that composes one node at a time and refuses anchors, aliases and deep nesting."""

    construct_object = construct_checked

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise yaml.constructor.ConstructorError(
                None, None, "anchors and aliases (&name, *name) are not allowed", event.start_mark
            )
        depth = getattr(self, "_depth", 0)
        if depth >= MAX_YAML_DEPTH:
            raise yaml.constructor.ConstructorError(
                None, None, f"nesting deeper than {MAX_YAML_DEPTH} levels", event.start_mark
            )
        self._depth = depth + 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth = depth


def _yaml_rows(stream: IO[str], where: str) -> Iterator[ManifestRow]:
    """Compose one list item at a time, so a long YAML manifest is never held in memory whole."""
    loader = _RowLoader(stream)
    try:
        yield from _yaml_items(loader, where)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise ManifestError(f"{where}:{line}: {exc.problem or exc.context} (fix the YAML syntax)") from exc
    except yaml.YAMLError as exc:
        raise ManifestError(f"{where}: not valid YAML: {exc} (fix the YAML syntax)") from exc
    finally:
        loader.dispose()


def _yaml_items(loader: _RowLoader, where: str) -> Iterator[ManifestRow]:
    loader.get_event()  # type: ignore[no-untyped-call] # stream start
    if loader.check_event(yaml.StreamEndEvent):
        return
    loader.get_event()  # type: ignore[no-untyped-call] # document start
    if not loader.check_event(yaml.SequenceStartEvent):
        line = loader.peek_event().start_mark.line + 1  # type: ignore[no-untyped-call]
        raise ManifestError(f"{where}:{line}: a YAML manifest must be a list of rows (start each row with -)")
    loader.get_event()  # type: ignore[no-untyped-call]
    number = 0
    while not loader.check_event(yaml.SequenceEndEvent):
        node = loader.compose_node(None, None)
        loader.anchors = {}
        number += 1
        yield _yaml_row(loader, node, number)
    loader.get_event()  # type: ignore[no-untyped-call] # sequence end
    loader.get_event()  # type: ignore[no-untyped-call] # document end
    if not loader.check_event(yaml.StreamEndEvent):
        line = loader.peek_event().start_mark.line + 1  # type: ignore[no-untyped-call]
        raise ManifestError(f"{where}:{line}: a YAML manifest must be one document (remove the second ---)")


def _yaml_row(loader: _RowLoader, node: yaml.Node, number: int) -> ManifestRow:
    line = node.start_mark.line + 1
    if node.end_mark.index - node.start_mark.index > MAX_ROW_CHARS:
        return ManifestRow(
            number, line, problem=f"row is longer than {MAX_ROW_CHARS:,} characters (shorten it)"
        )
    try:
        data = loader.construct_document(node)
    except ValueProblem as exc:
        loader.state_generators, loader.constructed_objects, loader.recursive_objects = [], {}, {}
        return ManifestRow(
            number,
            line,
            problem=f"{exc.unquoted or exc.problem} (quote it to keep it as text, or correct it)",
        )
    if not isinstance(data, dict):
        return ManifestRow(number, line, problem="a row must be a mapping of keys such as `type: rrms`")
    return ManifestRow(number, line, {str(key): value for key, value in data.items()})


# --- JSON Lines -------------------------------------------------------------------------------------


def _jsonl_rows(stream: IO[str], where: str) -> Iterator[ManifestRow]:
    number = 0
    for line_number, text in enumerate(_bounded_lines(stream), start=1):
        if text is not None and not text.strip():
            continue
        number += 1
        yield _jsonl_row(text, number, line_number)


def _bounded_lines(stream: IO[str]) -> Iterator[str | None]:
    """Each line of the stream; None for a line longer than MAX_ROW_CHARS (skipped, never held whole)."""
    while True:
        text = stream.readline(MAX_ROW_CHARS + 1)
        if not text:
            return
        if len(text) <= MAX_ROW_CHARS or text.endswith("\n"):
            yield text
            continue
        while text and not text.endswith("\n"):
            text = stream.readline(MAX_ROW_CHARS)
        yield None


def _jsonl_row(text: str | None, number: int, line: int) -> ManifestRow:
    if text is None:
        return ManifestRow(
            number, line, problem=f"line is longer than {MAX_ROW_CHARS:,} characters (shorten it)"
        )
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return ManifestRow(
            number, line, problem=f"not valid JSON: {exc.msg} at column {exc.colno} (fix the line)"
        )
    except ValueError:  # Python refuses to read a number of more than 4,300 digits
        return ManifestRow(number, line, problem="a number has more than 4,300 digits (shorten it)")
    except RecursionError:
        return ManifestRow(
            number, line, problem="values are nested far too deep (give text, or a list of texts)"
        )
    if not isinstance(data, dict):
        return ManifestRow(number, line, problem='a row must be a JSON object such as {"type": "rrms"}')
    return ManifestRow(number, line, data)
