"""Turn stacked content directories into one validated Library of blocks, questions and terms."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from handouts.content.model import (
    ANY,
    BLOCK_KEYS,
    REQUIRED_BLOCK_KEYS,
    Block,
    Library,
    Question,
    Source,
    Tags,
    Term,
    Topic,
)
from handouts.content.sheets import SheetParts, finish_sheets, gather_sheets
from handouts.errors import ContentError, HandoutsError, join_problems
from handouts.limits import MAX_BLOCK_CHARS
from handouts.vocabulary import AUDIENCES, STAGES, TYPE_CHOICES, WEB_SCHEMES
from handouts.yamlfile import parse_yaml, read_text

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def load_library(content_dirs: Sequence[Path], language: str) -> Library:
    """Load and validate one language from stacked directories; raise one ContentError listing all problems."""
    library, problems = read_library(content_dirs, language)
    if problems:
        raise ContentError(join_problems(problems, "content"))
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


def split_front_matter(text: str, path: Path) -> tuple[str, str, int]:
    """Return (front matter YAML, body, line where the body starts)."""
    if not text.startswith("---\n"):
        raise ContentError(f"{path}:1: no front matter (start the file with a line `---`)")
    end = text.find("\n---\n", 3)
    if end == -1:
        if text.endswith("\n---"):
            end = len(text) - 4
        else:
            raise ContentError(f"{path}:1: front matter is not closed (add a line `---` after it)")
    front = text[4 : end + 1]
    body_line = front.count("\n") + 3
    return front, text[end + 5 :], body_line


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
        self._questions(lang_dir / "questions.yaml")
        for path in sorted(lang_dir.glob("*/*.md")):
            problem = link_problem(path, self.root)
            if problem:
                self.problems.append(problem)
                continue
            self._block(path)
        gather_sheets(self, lang_dir / "sheets")

    def finish(self) -> Library:
        self._cross_check()
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
        if problem:
            self.problems.append(problem)
        return problem is None

    def read_yaml(self, path: Path) -> Any:
        """A YAML file's data, or None when it is missing or broken (the problem is recorded)."""
        return self._yaml(path)

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
            line = _line_of(path, f"{key}:")
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
                accessed=str(item.get("accessed", "")),
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
                    f"{path}:{_line_of(path, str(entry)[:20])}: each entry needs term and definition"
                )
                continue
            also = entry.get("also") or []
            self.glossary[str(entry["term"]).lower()] = Term(
                term=str(entry["term"]),
                definition=str(entry["definition"]),
                also=tuple(str(a) for a in (also if isinstance(also, list) else [also])),
            )

    def _questions(self, path: Path) -> None:
        for question in self.read_questions(path):
            self.questions[question.id] = question

    def read_questions(self, path: Path) -> list[Question]:
        """The valid questions of one questions.yaml; problems are recorded."""
        found: list[Question] = []
        data = self._yaml(path)
        if data is None:
            return found
        if not isinstance(data, list):
            self.problems.append(f"{path}:1: must be a list of questions (see docs/content.md)")
            return found
        for entry in data:
            if not isinstance(entry, Mapping) or not entry.get("id") or not entry.get("text"):
                self.problems.append(f"{path}:1: each question needs id and text")
                continue
            line = _line_of(path, f"id: {entry['id']}")
            where = f"{path}:{line}: question '{entry['id']}'"
            tags = self._tags(entry, where)
            if tags:
                found.append(
                    Question(
                        id=str(entry["id"]),
                        text=" ".join(str(entry["text"]).split()),
                        tags=tags,
                        path=path,
                        line=line,
                    )
                )
        return found

    def _tags(self, meta: Mapping[str, Any], where: str) -> Tags | None:
        sets: list[frozenset[str]] = []
        for key, valid in (("types", TYPE_CHOICES), ("stages", STAGES), ("audiences", AUDIENCES)):
            value = meta.get(key, [ANY])
            items = [value] if isinstance(value, str) else value
            if not isinstance(items, list) or not items:
                self.problems.append(f"{where}: {key} must be a list (e.g. [{ANY}])")
                return None
            bad = [str(i) for i in items if str(i) not in (ANY, *valid)]
            if bad:
                self.problems.append(
                    f"{where}: {key} has {bad[0]!r} (use {ANY} or any of: {', '.join(valid)})"
                )
                return None
            sets.append(frozenset(str(i) for i in items))
        return Tags(types=sets[0], stages=sets[1], audiences=sets[2])

    def _block(self, path: Path) -> None:
        block = self.read_block(path)
        if block:
            self.blocks[block.id] = block

    def read_block(self, path: Path) -> Block | None:
        """One block file, validated; problems are recorded and None returned."""
        try:
            text = read_text(path, ContentError)
            front, body, body_line = split_front_matter(text, path)
            meta = parse_yaml(front, str(path), ContentError, first_line=2)
        except HandoutsError as exc:
            self.problems.append(exc.message)
            return None
        self.files.append(path)
        if not isinstance(meta, Mapping):
            self.problems.append(f"{path}:2: front matter must be a mapping of keys (see docs/content.md)")
            return None
        if len(body) > MAX_BLOCK_CHARS:
            self.problems.append(
                f"{path}:{body_line}: the text is {len(body):,} characters long, the limit is "
                f"{MAX_BLOCK_CHARS:,} (split it into several blocks)"
            )
            return None
        return self._block_from(meta, body, body_line, path)

    def _block_from(self, meta: Mapping[str, Any], body: str, body_line: int, path: Path) -> Block | None:
        before = len(self.problems)
        for key in meta:
            if key not in BLOCK_KEYS:
                self.problems.append(
                    f"{path}:{_line_of(path, f'{key}:')}: unknown key '{key}' (valid: {', '.join(BLOCK_KEYS)})"
                )
        for key in REQUIRED_BLOCK_KEYS:
            if meta.get(key) in (None, "", []):
                self.problems.append(f"{path}:2: front matter is missing '{key}' (see docs/content.md)")
        if len(self.problems) > before:
            return None
        block_id = str(meta["id"])
        if block_id != path.stem or not _ID.match(block_id):
            self.problems.append(
                f"{path}:{_line_of(path, 'id:')}: id '{block_id}' must equal the file name '{path.stem}'"
            )
        if str(meta["topic"]) != path.parent.name:
            self.problems.append(
                f"{path}:{_line_of(path, 'topic:')}: topic '{meta['topic']}' must equal the folder name '{path.parent.name}'"
            )
        dates = [self._date(meta, key, path) for key in ("reviewed", "review_due")]
        tags = self._tags(meta, f"{path}:2")
        sources = _strings(meta["sources"])
        order = meta.get("order", 50)
        if not isinstance(order, int):
            self.problems.append(f"{path}:{_line_of(path, 'order:')}: order must be a whole number (e.g. 20)")
        if len(self.problems) > before or tags is None or dates[0] is None or dates[1] is None:
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
            language=self.language,
        )

    def _date(self, meta: Mapping[str, Any], key: str, path: Path) -> dt.date | None:
        value = meta.get(key)
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.problems.append(
                f"{path}:{_line_of(path, key + ':')}: {key} {value!r} is not a date (write YYYY-MM-DD)"
            )
            return None

    def _cross_check(self) -> None:
        topic_ids = {t.id for t in self.topics}
        if not self.topics:
            self.problems.append(
                f"content for language '{self.language}': no topics.yaml found (see docs/content.md)"
            )
        for block in self.blocks.values():
            if topic_ids and block.topic not in topic_ids:
                self.problems.append(
                    f"{block.path}:{_line_of(block.path, 'topic:')}: topic '{block.topic}' is not in topics.yaml"
                )
            for source in block.sources:
                if source not in self.sources:
                    self.problems.append(
                        f"{block.path}:{_line_of(block.path, 'sources:')}: source '{source}' is not in sources.yaml (add it there or fix the id)"
                    )


def _strings(value: Any) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else (value or [])
    return tuple(str(item) for item in items)


def _line_of(path: Path, needle: str) -> int:
    """The first line of a file containing `needle`, for messages; 1 if it cannot be found."""
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if needle in line:
                return number
    except OSError:
        pass
    return 1
