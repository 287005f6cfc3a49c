"""Turn stacked content directories into one validated Library of blocks, questions and terms."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
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
from handouts.errors import ContentError, HandoutsError
from handouts.vocabulary import WEB_SCHEMES
from handouts.yamlfile import parse_yaml, read_text


def load_library(content_dirs: Sequence[Path], language: str) -> Library:
    """Load and validate one language from stacked directories; raise one ContentError listing all problems."""
    library, problems = read_library(content_dirs, language)
    if problems:
        raise ContentError.listing(problems, "content")
    return library


def read_library(content_dirs: Sequence[Path], language: str) -> tuple[Library, list[str]]:
    """Load what loads and return it with every problem found, each as `path:line: what (how)`."""
    loader = _Loader(language)
    for directory in content_dirs:
        loader.load_dir(directory)
    return loader.finish(), loader.problems


def link_problem(path: Path, root: Path) -> str | None:
    """Why a content file cannot be used because it is a symbolic link (to nothing, a loop, or outside)."""
    try:
        inside = path.resolve(strict=True).is_relative_to(root)
    except (OSError, RuntimeError):  # a link to nothing, or a loop of links (RuntimeError before Python 3.13)
        return f"{path}:1: is a symbolic link that leads nowhere (remove it or fix it)"
    return None if inside else f"{path}:1: links to a file outside the content directory (copy the file in)"


class _Loader:
    """Reads every file of every directory, collecting problems instead of stopping at the first."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.problems: list[str] = []
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
            self.problems.append(f"{directory}: content directory not found (check --content-dir)")
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
            self.problems.append(exc.message)
            return None
        self.files.append(path)
        return data

    def _sources(self, path: Path) -> None:
        data = self._yaml(path)
        if data is None:
            return
        if not isinstance(data, Mapping):
            self.problems.append(f"{path}:1: must map source ids to details (see docs/content.md)")
            return
        for key, given in data.items():
            line = line_of(path, f"{key}:")
            known = self.sources.get(str(key))
            if known is None and path.parent.name == self.language:
                self.problems.append(
                    f"{path}:{line}: source '{key}' is not in sources.yaml (translate only listed sources; remove it here)"
                )
                continue
            item = {**(vars(known) if known else {}), **given} if isinstance(given, Mapping) else given
            if not isinstance(item, Mapping) or not all(item.get(k) for k in ("title", "url")):
                self.problems.append(f"{path}:{line}: source '{key}' needs title and url")
                continue
            if not str(item["url"]).startswith(WEB_SCHEMES):
                self.problems.append(
                    f"{path}:{line}: source '{key}' url {str(item['url'])[:40]!r} must start with https:// or http://"
                )
                continue
            self.sources[str(key)] = Source(
                id=str(key),
                title=str(item["title"]),
                publisher=str(item.get("publisher", "")),
                url=str(item["url"]),
            )

    def _topics(self, path: Path) -> None:
        data = self._yaml(path)
        if data is None:
            return
        if not isinstance(data, list) or not all(isinstance(t, Mapping) and t.get("id") for t in data):
            self.problems.append(f"{path}:1: must be a list of `- id: ...` / `title: ...` entries")
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
            self.problems.append(f"{path}:1: must be a list of `- term: ...` / `definition: ...` entries")
            return
        for entry in data:
            if not isinstance(entry, Mapping) or not entry.get("term") or not entry.get("definition"):
                self.problems.append(
                    f"{path}:{line_of(path, str(entry)[:20])}: each entry needs term and definition"
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


def parse_questions(data: Any, path: Path, problems: list[str]) -> list[Question]:
    """The questions of a questions.yaml's data that have an id, a text and valid tags."""
    if not isinstance(data, list):
        problems.append(f"{path}:1: must be a list of questions (see docs/content.md)")
        return []
    found: list[Question] = []
    for entry in data:
        if not isinstance(entry, Mapping) or not entry.get("id") or not entry.get("text"):
            problems.append(f"{path}:1: each question needs id and text")
            continue
        line = line_of(path, f"id: {entry['id']}")
        tags = parse_tags(entry, f"{path}:{line}: question '{entry['id']}'", problems)
        if tags:
            text = " ".join(str(entry["text"]).split())
            found.append(Question(id=str(entry["id"]), text=text, tags=tags, path=path, line=line))
    return found


def cross_check(
    topics: Sequence[Topic],
    blocks: Iterable[Block],
    sources: Mapping[str, Source],
    language: str,
    problems: list[str],
) -> None:
    """Every block's topic and sources must be listed."""
    topic_ids = {t.id for t in topics}
    if not topics:
        problems.append(f"content for language '{language}': no topics.yaml found (see docs/content.md)")
    for block in blocks:
        if topic_ids and block.topic not in topic_ids:
            problems.append(
                f"{block.path}:{line_of(block.path, 'topic:')}: topic '{block.topic}' is not in topics.yaml"
            )
        for source in block.sources:
            if source not in sources:
                problems.append(
                    f"{block.path}:{line_of(block.path, 'sources:')}: source '{source}' is not in sources.yaml (add it there or fix the id)"
                )
