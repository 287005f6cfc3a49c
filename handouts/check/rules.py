"""Turn content and template directories into Problems and health-literacy scores (`handouts check`)."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from handouts.check.config import load_check_config
from handouts.check.glyphs import check_glyphs, load_themes
from handouts.check.handouts import check_language
from handouts.check.lines import line_of, read_lines
from handouts.check.model import BlockScore, CheckRequest, HandoutScore, Problems, Report, display
from handouts.check.review import check_review_rules
from handouts.check.sheets import check_sheet_translation, check_sheets, sheet_blocks, sheet_sources
from handouts.content.loader import read_library
from handouts.content.model import Block, Library
from handouts.content.translation import language_name, translated_dir
from handouts.errors import UsageError
from handouts.paths import stacked
from handouts.spec import default_date
from handouts.vocabulary import LANGUAGES


def run_check(request: CheckRequest) -> Report:
    """Check everything, then report everything: content, translations, glyphs, templates, readability."""
    problems = Problems(request.config)
    languages = request.languages or present_languages(request.content_dirs)
    libraries = {language: load_checked(request, language, problems) for language in languages}
    check_duplicates(request.content_dirs, languages, problems)
    if set(languages) == set(present_languages(request.content_dirs)):
        check_sources(libraries, problems)
    source = libraries.get("en")
    for library in libraries.values():
        if source is not None and library.language != source.language:
            check_translation(source, library, problems)
            check_sheet_translation(source, library, problems, check_translated_block)
    themes = load_themes(request.templates_dirs, problems)
    check_glyphs(libraries.values(), themes, request.templates_dirs, problems)
    blocks: list[BlockScore] = []
    handouts: list[HandoutScore] = []
    for library in libraries.values():
        check_review_rules(library, request, problems)
        language_blocks, language_handouts = check_language(library, request, problems, extra=(check_sheets,))
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
    library, found = read_library(request.content_dirs, language)
    problems.take(found, "content")
    for block in (*library.blocks.values(), *sheet_blocks(library).values()):
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


def check_directories(
    content_dirs: Sequence[Path],
    templates_dirs: Sequence[Path],
    config_path: Path | None = None,
    languages: Sequence[str] = (),
    today: str | None = None,
) -> Report:
    """Check the built-in content and templates with the organisation's directories layered on top."""
    try:
        day = dt.date.fromisoformat(today) if today else default_date()
    except ValueError as exc:
        raise UsageError(f"--today: {today!r} is not a date (write it as YYYY-MM-DD)") from exc
    request = CheckRequest(
        content_dirs=stacked("content", content_dirs),
        templates_dirs=stacked("templates", templates_dirs),
        config=load_check_config(config_path),
        today=day,
        languages=tuple(languages),
    )
    return run_check(request)
