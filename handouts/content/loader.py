"""Turn stacked content directories into one validated Library of blocks, questions and terms."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from handouts.content.blocks import line_of, parse_tags, read_block
from handouts.content.model import (
    Block,
    Library,
    Question,
    Source,
    Term,
    Topic,
)
from handouts.content.sheets import SheetParts, finish_sheets, gather_sheets
from handouts.errors import ContentError, HandoutsError, Problem
from handouts.vocabulary import WEB_SCHEMES
from handouts.yamlfile import parse_yaml, read_text


def load_library(content_dirs: Sequence[Path], language: str) -> Library:
    """Load and validate one language from stacked directories; raise one ContentError listing all problems."""
    library, problems = read_library(content_dirs, language)
    if problems:
        raise ContentError.listing(problems, "content")
    return library


def read_library(content_dirs: Sequence[Path], language: str) -> tuple[Library, list[Problem]]:
    """Load what loads and return it with every problem found, each with its file and line."""
    loader = _Loader(language)
    for directory in content_dirs:
        loader.load_dir(directory)
    return loader.finish(), loader.problems


def link_problem(path: Path, root: Path) -> Problem | None:
    """Why a content file cannot be used because it is a symbolic link (to nothing, a loop, or outside)."""
    try:
        inside = path.resolve(strict=True).is_relative_to(root)
    except (OSError, RuntimeError):  # a link to nothing, or a loop of links (RuntimeError before Python 3.13)
        return Problem("is a symbolic link that leads nowhere", "remove it or fix it", file=str(path), line=1)
    outside = Problem(
        "links to a file outside the content directory", "copy the file in", file=str(path), line=1
    )
    return None if inside else outside


class _Loader:
    """Reads every file of every directory, collecting problems instead of stopping at the first."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.problems: list[Problem] = []
        self.topics: list[Topic] = []
        self.blocks: dict[str, Block] = {}
        self.questions: dict[str, Question] = {}
        self.glossary: dict[str, Term] = {}
        self.sources: dict[str, Source] = {}
        self.files: list[Path] = []
        self.root = Path()
        self.sheet_parts: dict[str, SheetParts] = {}

    def load_dir(self, directory: Path) -> None:
        if not directory.is_dir():
            self.problems.append(
                Problem("content directory not found", "check --content-dir", file=str(directory))
            )
            return
        self.root = directory.resolve()
        self._sources(directory / "sources.yaml")
        lang_dir = directory / self.language
        if not lang_dir.is_dir():
            return
        self._sources(lang_dir / "sources.yaml")
        self._topics(lang_dir / "topics.yaml")
        self._glossary(lang_dir / "glossary.yaml")
        self.questions.update((q.id, q) for q in self.read_questions(lang_dir / "questions.yaml"))
        for path in sorted(lang_dir.glob("*/*.md")):
            if not self.usable(path):
                continue
            block = self.read_block(path)
            if block:
                self.blocks[block.id] = block
        gather_sheets(self, lang_dir / "sheets")

    def finish(self) -> Library:
        cross_check(self.topics, self.blocks.values(), self.sources, self.language, self.problems)
        return Library(
            language=self.language,
            topics=tuple(self.topics),
            blocks=dict(self.blocks),
            questions=tuple(self.questions.values()),
            glossary=tuple(self.glossary.values()),
            sources=dict(self.sources),
            files=tuple(self.files),
            sheets=finish_sheets(self),
        )

    def usable(self, path: Path) -> bool:
        """False, with the problem recorded, for a symbolic link to nothing or to outside the directory."""
        problem = link_problem(path, self.root)
        self.problems += [problem] if problem else []
        return problem is None

    def read_yaml(self, path: Path) -> Any:
        """A YAML file's data, or None when it is missing or broken (the problem is recorded)."""
        return self._yaml(path)

    def read_block(self, path: Path) -> Block | None:
        """One block file, validated (problems are recorded), and remembered as a file read."""
        block, read = read_block(path, self.language, self.problems)
        self.files += [path] if read else []
        return block

    def _yaml(self, path: Path) -> Any:
        if not path.is_file():
            return None
        problem = link_problem(path, self.root)
        if problem:
            self.problems.append(problem)
            return None
        try:
            data = parse_yaml(read_text(path, ContentError), str(path), ContentError)
        except HandoutsError as exc:
            self.problems.extend(exc.problems)
            return None
        self.files.append(path)
        return data

    def _sources(self, path: Path) -> None:
        data = self._yaml(path)
        if data is None:
            return
        if not isinstance(data, Mapping):
            self.problems.append(
                Problem("must map source ids to details", "see docs/content.md", str(path), 1)
            )
            return
        translated = path.parent.name == self.language
        for key, given in data.items():
            made = read_source(str(key), given, self.sources.get(str(key)), translated)
            if isinstance(made, Source):
                self.sources[made.id] = made
            else:
                self.problems.append(replace(made, file=str(path), line=line_of(path, f"{key}:")))

    def _topics(self, path: Path) -> None:
        data = self._yaml(path)
        if data is None:
            return
        if not isinstance(data, list) or not all(isinstance(t, Mapping) and t.get("id") for t in data):
            self.problems.append(
                Problem("must be a list of `- id: ...` / `title: ...` entries", file=str(path), line=1)
            )
            return
        merged = {topic.id: topic for topic in self.topics}
        for entry in data:
            merged[str(entry["id"])] = Topic(id=str(entry["id"]), title=str(entry.get("title", entry["id"])))
        self.topics = list(merged.values())

    def _glossary(self, path: Path) -> None:
        data = self._yaml(path)
        if data is None:
            return
        if not isinstance(data, list):
            self.problems.append(
                Problem("must be a list of `- term: ...` / `definition: ...` entries", file=str(path), line=1)
            )
            return
        for entry in data:
            if not isinstance(entry, Mapping) or not entry.get("term") or not entry.get("definition"):
                where = line_of(path, str(entry)[:20])
                self.problems.append(
                    Problem("each entry needs term and definition", file=str(path), line=where)
                )
                continue
            also = entry.get("also") or []
            self.glossary[str(entry["term"]).lower()] = Term(
                term=str(entry["term"]),
                definition=str(entry["definition"]),
                also=tuple(str(a) for a in (also if isinstance(also, list) else [also])),
            )

    def read_questions(self, path: Path) -> list[Question]:
        """The valid questions of one questions.yaml; problems are recorded."""
        data = self._yaml(path)
        return [] if data is None else parse_questions(data, path, self.problems)


def parse_questions(data: Any, path: Path, problems: list[Problem]) -> list[Question]:
    """The questions of a questions.yaml's data that have an id, a text and valid tags."""
    if not isinstance(data, list):
        problems.append(Problem("must be a list of questions", "see docs/content.md", file=str(path), line=1))
        return []
    found: list[Question] = []
    for entry in data:
        if not isinstance(entry, Mapping) or not entry.get("id") or not entry.get("text"):
            problems.append(Problem("each question needs id and text", file=str(path), line=1))
            continue
        line = line_of(path, f"id: {entry['id']}")
        tags = parse_tags(entry, (path, line, f"question '{entry['id']}'"), problems)
        if tags:
            text = " ".join(str(entry["text"]).split())
            found.append(Question(id=str(entry["id"]), text=text, tags=tags, path=path, line=line))
    return found


def cross_check(
    topics: Sequence[Topic],
    blocks: Iterable[Block],
    sources: Mapping[str, Source],
    language: str,
    problems: list[Problem],
) -> None:
    """Every block's topic and sources must be listed."""
    topic_ids = {t.id for t in topics}
    if not topics:
        problems.append(
            Problem(f"content for language '{language}': no topics.yaml found", "see docs/content.md")
        )
    for block in blocks:
        if topic_ids and block.topic not in topic_ids:
            line = line_of(block.path, "topic:")
            problems.append(
                Problem(f"topic '{block.topic}' is not in topics.yaml", file=str(block.path), line=line)
            )
        for source in block.sources:
            if source not in sources:
                problems.append(
                    Problem(
                        f"source '{source}' is not in sources.yaml",
                        "add it there or fix the id",
                        file=str(block.path),
                        line=line_of(block.path, "sources:"),
                    )
                )


def read_source(key: str, given: Any, known: Source | None, translated: bool) -> Source | Problem:
    """One entry of sources.yaml; a translation's entry may only change the title and publisher of a known source."""
    if known is None and translated:
        return Problem(
            f"source '{key}' is not in sources.yaml", "translate only listed sources; remove it here"
        )
    item = {**(vars(known) if known else {}), **given} if isinstance(given, Mapping) else given
    if not isinstance(item, Mapping) or not all(item.get(k) for k in ("title", "url")):
        return Problem(f"source '{key}' needs title and url")
    if not str(item["url"]).startswith(WEB_SCHEMES):
        return Problem(f"source '{key}' url {str(item['url'])[:40]!r} must start with https:// or http://")
    return Source(
        id=key,
        title=str(item["title"]),
        publisher=str(item.get("publisher", "")),
        url=str(item["url"]),
        country=str(item.get("country") or "").upper(),  # an ISO code marks a source for one country only
    )
