"""Turn content and template directories into Problems and health-literacy scores (`handouts check`)."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from handouts.check_config import CheckConfig
from handouts.errors import HandoutsError
from handouts.library import Block, Library, read_library
from handouts.readability import Scores
from handouts.spec import LANGUAGES

SEVERITIES = ("error", "warning")


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong, where it is, and how to fix it."""

    path: str
    line: int
    severity: str
    message: str
    fix: str = ""
    rule: str = "content"

    def text(self, strict: bool = False) -> str:
        """`path:line: severity: what is wrong (how to fix)`."""
        where = f"{self.path}:{self.line}" if self.line else self.path
        fix = f" ({self.fix})" if self.fix else ""
        return f"{where}: {self.effective(strict)}: {self.message}{fix}"

    def effective(self, strict: bool) -> str:
        return "error" if strict else self.severity


@dataclass(frozen=True)
class BlockScore:
    language: str
    id: str
    path: str
    scores: Scores


@dataclass(frozen=True)
class HandoutScore:
    language: str
    type: str
    stage: str
    audience: str
    scores: Scores

    @property
    def name(self) -> str:
        return f"{self.type}/{self.stage}/{self.audience}"


@dataclass(frozen=True)
class Report:
    """What one check run found."""

    problems: tuple[Problem, ...]
    blocks: tuple[BlockScore, ...]
    handouts: tuple[HandoutScore, ...]
    languages: tuple[str, ...]

    def count(self, severity: str) -> int:
        return sum(1 for p in self.problems if p.severity == severity)

    def failed(self, strict: bool) -> bool:
        """Errors always fail; warnings fail only in strict mode."""
        return any(p.severity == "error" or strict for p in self.problems)


@dataclass(frozen=True)
class CheckRequest:
    """What to check: stacked directories (built-in first), the config, and the day to judge dates by."""

    content_dirs: tuple[Path, ...]
    templates_dirs: tuple[Path, ...]
    config: CheckConfig
    today: dt.date
    languages: tuple[str, ...] = ()


@dataclass
class Problems:
    """Collects problems once each; the config decides each rule's severity, `off` drops it."""

    config: CheckConfig
    found: dict[tuple[str, int, str], Problem] = field(default_factory=dict)

    def keep(self, problem: Problem) -> None:
        """Keep the first problem reported at a place with a message (many renders find the same one)."""
        self.found.setdefault((problem.path, problem.line, problem.message), problem)

    def add(self, path: Path | str, line: int, rule: str, message: str, fix: str = "") -> None:
        severity = self.config.severity.get(rule, "error")
        if severity != "off":
            self.keep(Problem(display(path), line, severity, message, fix, rule))

    def warn(self, path: Path | str, line: int, rule: str, message: str, fix: str = "") -> None:
        """A problem that is a warning whatever the config says (e.g. a review falling due soon)."""
        self.keep(Problem(display(path), line, "warning", message, fix, rule))

    def messages(self, messages: Iterable[str], rule: str) -> None:
        """Problems from the loader or a stage error, already written as `path:line: what (how)`."""
        for message in messages:
            for line in message.splitlines():
                if line.strip() and not re.match(r"^\d+ problems in ", line):
                    self.keep(parse_message(line.strip(), rule))

    def error(self, exc: HandoutsError, rule: str) -> None:
        self.messages([exc.message], rule)


_WHERE = re.compile(r"^(?P<path>[^\s:][^:]*?)(?::(?P<line>\d+))?: (?P<rest>.+)$")
_FIX = re.compile(r"^(?P<what>.+?)\s+\((?P<how>[^()]*(?:\([^()]*\)[^()]*)*)\)$")


def parse_message(message: str, rule: str) -> Problem:
    """Split `path:line: what (how)` into a Problem; a message without a path keeps it whole."""
    where = _WHERE.match(message)
    path, line, rest = ("", 0, message)
    if where and ("/" in where["path"] or "." in where["path"] or where["line"]):
        path, line, rest = where["path"], int(where["line"] or 0), where["rest"]
    fix = _FIX.match(rest)
    what, how = (fix["what"], fix["how"]) if fix else (rest, "")
    return Problem(display(path) if path else "", line, "error", what, how, rule)


def display(path: Path | str) -> str:
    """A path relative to the working directory when it is under it."""
    candidate = Path(path)
    try:
        return str(candidate.resolve().relative_to(Path.cwd()))
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a loop of symbolic links (Python < 3.13)
        return str(path)


def run_check(request: CheckRequest) -> Report:
    """Check everything, then report everything: content, translations, glyphs, templates, readability."""
    from handouts.check_handouts import check_glyphs, check_language, load_themes

    problems = Problems(request.config)
    languages = request.languages or present_languages(request.content_dirs)
    libraries = {language: load_checked(request, language, problems) for language in languages}
    check_duplicates(request.content_dirs, languages, problems)
    if set(languages) == set(present_languages(request.content_dirs)):
        check_sources(libraries, problems)
    source = libraries.get("en")
    for library in libraries.values():
        if source is not None and library.language != source.language:
            from handouts.check_sheets import check_sheet_translation

            check_translation(source, library, problems)
            check_sheet_translation(source, library, problems)
    themes = load_themes(request.templates_dirs, problems)
    check_glyphs(libraries.values(), themes, request.templates_dirs, problems)
    blocks: list[BlockScore] = []
    handouts: list[HandoutScore] = []
    for library in libraries.values():
        language_blocks, language_handouts = check_language(library, request, problems)
        blocks += language_blocks
        handouts += language_handouts
    return Report(
        problems=tuple(sorted(problems.found.values())),
        blocks=tuple(blocks),
        handouts=tuple(handouts),
        languages=tuple(languages),
    )


def present_languages(content_dirs: Sequence[Path]) -> tuple[str, ...]:
    """Every known language that has a folder in one of the content directories."""
    return tuple(lang for lang in LANGUAGES if any((d / lang).is_dir() for d in content_dirs))


def load_checked(request: CheckRequest, language: str, problems: Problems) -> Library:
    """The library as far as it loads, with the loader's problems and the review dates checked."""
    library, messages = read_library(request.content_dirs, language)
    problems.messages(messages, "content")
    for block in library.blocks.values():
        check_review(block, request.today, request.config.review_warning_days, problems)
    return without_unknown_sources(library)


def without_unknown_sources(library: Library) -> Library:
    """The library with unresolved source ids dropped (already reported), so every tailoring can render."""
    blocks = {
        block_id: replace(block, sources=tuple(s for s in block.sources if s in library.sources))
        for block_id, block in library.blocks.items()
    }
    return replace(library, blocks=blocks)


def check_review(block: Block, today: dt.date, warning_days: int, problems: Problems) -> None:
    """Past review_due is an error; within `warning_days` of it, a warning."""
    line = line_of(block.path, "review_due:")
    fix = "review the block against its sources, then set reviewed and a new review_due"
    if block.review_due <= block.reviewed:
        problems.add(block.path, line, "review", f"review_due {block.review_due} is not after reviewed", fix)
    elif block.review_due < today:
        problems.add(block.path, line, "review", f"review was due on {block.review_due}", fix)
    elif (block.review_due - today).days <= warning_days:
        days = (block.review_due - today).days
        problems.warn(block.path, line, "review", f"review is due on {block.review_due}, in {days} days", fix)
    if block.reviewed > today:
        problems.add(
            block.path, line_of(block.path, "reviewed:"), "review",
            f"reviewed {block.reviewed} is in the future", "use the day the block was last reviewed",
        )  # fmt: skip


def check_duplicates(content_dirs: Sequence[Path], languages: Sequence[str], problems: Problems) -> None:
    """Ids must be unique within one content directory (a later directory may override them)."""
    for directory in content_dirs:
        check_unique(sorted(directory.glob("sources.yaml")), r"^([^\s#-][^:]*):", "source id", problems)
        for language in languages:
            lang_dir = directory / language
            check_unique(sorted(lang_dir.glob("sources.yaml")), r"^([^\s#-][^:]*):", "source id", problems)
            check_unique([lang_dir / "questions.yaml"], r"^-\s+id:\s*(\S+)", "question id", problems)
            check_unique([lang_dir / "glossary.yaml"], r"^-\s+term:\s*(.+)$", "glossary term", problems)
            check_unique([lang_dir / "topics.yaml"], r"^-\s+id:\s*(\S+)", "section id", problems)
            check_block_ids(sorted(lang_dir.glob("*/*.md")), problems)


def check_unique(paths: Iterable[Path], pattern: str, what: str, problems: Problems) -> None:
    for path in paths:
        seen: dict[str, int] = {}
        for number, text in enumerate(read_lines(path), 1):
            match = re.match(pattern, text)
            if not match:
                continue
            key = match.group(1).strip().strip("'\"").lower()
            if key in seen:
                problems.add(
                    path, number, "duplicate", f"{what} '{key}' is already used on line {seen[key]}",
                    "give each one its own id, or merge them",
                )  # fmt: skip
            seen.setdefault(key, number)


def check_block_ids(paths: Sequence[Path], problems: Problems) -> None:
    counts = Counter(path.stem for path in paths)
    first: dict[str, Path] = {}
    for path in paths:
        if counts[path.stem] > 1 and path.stem in first:
            problems.add(
                path, 1, "duplicate", f"block id '{path.stem}' is also used by {display(first[path.stem])}",
                "rename one of the files and its id",
            )  # fmt: skip
        first.setdefault(path.stem, path)


def check_sources(libraries: dict[str, Library], problems: Problems) -> None:
    """Sources that no block of any checked language cites."""
    from handouts.check_sheets import sheet_sources

    cited = {s for library in libraries.values() for block in library.blocks.values() for s in block.sources}
    cited |= {s for library in libraries.values() for s in sheet_sources(library)}
    for library in libraries.values():
        for source_id in library.sources:
            if source_id in cited:
                continue
            path = next((p for p in library.files if p.name == "sources.yaml"), None)
            if path is not None:
                problems.add(
                    path, line_of(path, f"{source_id}:"), "unused_source",
                    f"source '{source_id}' is not cited by any block", "cite it in a block, or remove it",
                )  # fmt: skip


def check_translation(source: Library, target: Library, problems: Problems) -> None:
    """Blocks, questions and sections the translation lacks, and translations older than their source."""
    from handouts.translation import language_name, translated_dir

    name = language_name(target.language)
    for block in source.blocks.values():
        other = target.blocks.get(block.id)
        if other is None:
            where = translated_dir(block.path, target.language) / block.topic / block.path.name
            problems.add(
                block.path,
                1,
                "missing_translation",
                f"block '{block.id}' has no {name} translation",
                f"add {where}",
            )
        else:
            check_translated_block(block, other, problems)
    for block in target.blocks.values():
        if block.id not in source.blocks:
            problems.add(
                block.path, line_of(block.path, "id:"), "missing_translation",
                f"block '{block.id}' has no English source block", "use the id of an English block, or remove it",
            )  # fmt: skip
    translated = {q.id for q in target.questions}
    for question in source.questions:
        if question.id not in translated:
            problems.add(
                question.path, question.line, "missing_translation",
                f"question '{question.id}' has no {name} translation",
                f"add it to {translated_dir(question.path, target.language, depth=1) / 'questions.yaml'}",
            )  # fmt: skip
    check_translated_topics(source, target, name, problems)


def check_translated_block(block: Block, other: Block, problems: Problems) -> None:
    if other.reviewed < block.reviewed:
        problems.add(
            other.path, line_of(other.path, "reviewed:"), "stale_translation",
            f"translation reviewed {other.reviewed}, before its English source was ({block.reviewed})",
            f"compare it with {display(block.path)}, then update reviewed",
        )  # fmt: skip
    if (other.tags, other.topic) != (block.tags, block.topic):
        problems.add(
            other.path, line_of(other.path, "types:"), "stale_translation",
            "topic, types, stages or audiences differ from the English block",
            f"use the same as {display(block.path)}",
        )  # fmt: skip


def check_translated_topics(source: Library, target: Library, name: str, problems: Problems) -> None:
    translated = set(target.topic_ids())
    topics_file = next((p for p in reversed(source.files) if p.name == "topics.yaml"), None)
    for topic in source.topics:
        if topic.id not in translated and topics_file is not None:
            problems.add(
                topics_file, line_of(topics_file, f"id: {topic.id}"), "missing_translation",
                f"section '{topic.id}' has no {name} title", f"add it to the {name} topics.yaml",
            )  # fmt: skip


# --- finding lines in files ------------------------------------------------------------------


@lru_cache(maxsize=512)
def read_lines(path: Path) -> tuple[str, ...]:
    try:
        return tuple(path.read_text(encoding="utf-8", errors="replace").splitlines())
    except OSError:
        return ()


def line_of(path: Path, needle: str, default: int = 1) -> int:
    """The first line containing `needle`, or `default`."""
    return next((n for n, text in enumerate(read_lines(path), 1) if needle in text), default)


_MARKUP = re.compile(r"\*\*|__|\[|\]\([^)]*\)|^\s*(?:[-*+>]|\d+[.)])\s+|\{[%{#].*?[%}#]\}")


def locate(path: Path, snippet: str, default: int) -> int:
    """The line of a file where a piece of printed text starts, found by its first words."""
    words = snippet.split()
    lines = [" ".join(_MARKUP.sub("", text).split()).lower() for text in read_lines(path)]
    for size in (6, 4, 2):
        if len(words) < size and size != 2:
            continue
        phrase = " ".join(words[:size]).lower()
        found = _find_line(lines, phrase, default)
        if found:
            return found
    return default


def _find_line(lines: Sequence[str], phrase: str, start: int) -> int:
    for number in _from(start, len(lines)):
        if phrase and phrase in lines[number - 1]:
            return number
    return 0


def _from(start: int, count: int) -> Iterator[int]:
    """Line numbers from `start` to the end, then the ones before it."""
    yield from range(max(start, 1), count + 1)
    yield from range(1, min(max(start, 1), count + 1))


def check_directories(
    content_dirs: Sequence[Path],
    templates_dirs: Sequence[Path],
    config_path: Path | None = None,
    languages: Sequence[str] = (),
    today: str | None = None,
) -> Report:
    """Check the built-in content and templates with the organisation's directories layered on top."""
    from handouts.check_config import load_check_config
    from handouts.errors import UsageError
    from handouts.paths import stacked
    from handouts.spec import default_date

    try:
        day = dt.date.fromisoformat(today) if today else default_date()
    except ValueError as exc:
        raise UsageError(f"--date: {today!r} is not a date (write it as YYYY-MM-DD)") from exc
    request = CheckRequest(
        content_dirs=stacked("content", content_dirs),
        templates_dirs=stacked("templates", templates_dirs),
        config=load_check_config(config_path),
        today=day,
        languages=tuple(languages),
    )
    return run_check(request)
