"""Turn a library's blocks, sources and rendered tailorings into the problems a medical editor caught by hand."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from handouts.check.handouts import COMBINATIONS, tailoring_name
from handouts.check.lines import line_of, locate, read_lines
from handouts.check.model import CheckRequest, Problems
from handouts.check.readability import block_prose, split_sentences
from handouts.check.review_config import ReviewRules
from handouts.content.model import Block, Library, Source
from handouts.content.selection import select_blocks
from handouts.errors import HandoutsError
from handouts.layout.environment import render_block
from handouts.spec import HandoutSpec

VOICE_FIXES = {
    "caregiver_voice": (
        "caregiver handout addresses the reader as the person with MS",
        "speak to the caregiver, e.g. 'the person you care for', or branch with "
        '{% if audience == "caregiver" %}',
    ),
    "cis_voice": (
        "CIS handout tells the reader they have MS",
        "a first episode is not MS: say 'this episode' or 'CIS', or branch with {% if type == \"cis\" %}",
    ),
}


@dataclass(frozen=True)
class Printed:
    """One piece of text a handout prints, where it was written, and the line to search from."""

    path: Path
    line: int
    text: str
    exact_line: bool = False


def check_review_rules(library: Library, request: CheckRequest, problems: Problems) -> None:
    """Caregiver voice and CIS wording over every tailoring, time-sensitive facts, and the sources."""
    rules = request.config.review_rules
    hits: dict[tuple[str, Path, int, str], list[str]] = defaultdict(list)
    counts: dict[str, int] = defaultdict(int)
    for type_, stage, audience in COMBINATIONS:
        spec = HandoutSpec(
            type=type_, stage=stage, audience=audience, language=library.language, date=request.today
        )
        voices = [
            rule
            for rule, on in (("caregiver_voice", audience == "caregiver"), ("cis_voice", type_ == "cis"))
            if on
        ]
        for rule in voices:
            counts[rule] += 1
            for printed, phrase in voice_hits(library, spec, rules, rule):
                hits[(rule, printed.path, printed.line, phrase)].append(tailoring_name(spec))
    for (rule, path, line, phrase), names in sorted(hits.items()):
        what, fix = VOICE_FIXES[rule]
        where = f"in {len(names)} of {counts[rule]} such handouts, e.g. {names[0]}"
        problems.add(path, line, rule, f"{what}: '{phrase}' ({where})", fix)
    for block in library.blocks.values():
        check_time_sensitive(block, request.today, rules, problems)
    for source in library.sources.values():
        check_source(library, source, rules, problems)


def voice_hits(
    library: Library, spec: HandoutSpec, rules: ReviewRules, rule: str
) -> Iterator[tuple[Printed, str]]:
    """(where, phrase) for each phrase of the rule's list in the text printed for this spec."""
    language = library.language
    phrases = (rules.caregiver_phrases if rule == "caregiver_voice" else rules.cis_phrases).get(language, ())
    allowed = rules.cis_allowed.get(language, ()) if rule == "cis_voice" else ()
    pattern, exempt = phrase_pattern(tuple(phrases)), phrase_pattern(tuple(allowed))
    if pattern is None:
        return
    for printed in printed_texts(library, spec):
        for sentence in split_sentences(printed.text) or [printed.text]:
            text = exempt.sub(" ", sentence) if exempt is not None else sentence
            for match in pattern.finditer(text):
                yield place(printed, sentence, match.group(0)), match.group(0)


@lru_cache(maxsize=64)
def phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    """One whole-word, any-case pattern for a list of phrases (longest first), or None for no phrases."""
    if not phrases:
        return None
    words = sorted((" ".join(p.split()) for p in phrases), key=len, reverse=True)
    body = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)


def printed_texts(library: Library, spec: HandoutSpec) -> Iterator[Printed]:
    """Section titles, block titles, key points, rendered block bodies and questions printed for a spec."""
    selection = select_blocks(library, spec)
    topics_files = [p for p in reversed(library.files) if p.name == "topics.yaml"]
    for section in selection.sections:
        title = section.topic.title
        found = next(((p, n) for p in topics_files if (n := line_of(p, title, 0))), None)
        if found is not None:
            yield Printed(found[0], found[1], title, exact_line=True)
    for block in selection.blocks:
        yield Printed(block.path, line_of(block.path, "title:"), block.title, exact_line=True)
        if block.key_point in selection.key_points:
            yield Printed(
                block.path, line_of(block.path, "key_point:"), block.key_point or "", exact_line=True
            )
        try:
            units = block_prose(str(render_block(block, spec))).units
        except HandoutsError:
            continue  # reported by the Jinja2 check
        for unit in units:
            yield Printed(block.path, block.body_line, unit.full)
    for question in selection.questions:
        yield Printed(question.path, question.line, question.text, exact_line=True)


def place(printed: Printed, sentence: str, phrase: str) -> Printed:
    """The line where a sentence of a block body was written, and within it the line holding the phrase."""
    if printed.exact_line:
        return printed
    start = locate(printed.path, sentence, printed.line)
    wanted = " ".join(phrase.lower().split())
    lines = read_lines(printed.path)
    for number in range(start, min(start + 8, len(lines) + 1)):
        if wanted in " ".join(lines[number - 1].lower().split()):
            return Printed(printed.path, number, printed.text)
    return Printed(printed.path, start, printed.text)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def check_time_sensitive(block: Block, today: dt.date, rules: ReviewRules, problems: Problems) -> None:
    """A block citing a time-sensitive fact must have been reviewed within `max_age_months`."""
    cited = [fact for fact in block.facts if fact in rules.time_sensitive_facts]
    if not cited:
        return
    due = min(add_months(block.reviewed, rules.max_age_months), block.review_due)
    facts = ", ".join(cited)
    line = line_of(block.path, "reviewed:")
    fix = f"re-check {facts} against the fact base and its sources, then set reviewed to the day you did"
    if today > due:
        problems.add(
            block.path, line, "time_sensitive",
            f"cites time-sensitive {facts}, reviewed {block.reviewed}: the re-check was due on {due}", fix,
        )  # fmt: skip
    elif (due - today).days <= rules.warning_days:
        days = (due - today).days
        problems.warn(
            block.path, line, "time_sensitive",
            f"cites time-sensitive {facts}, reviewed {block.reviewed}: re-check due on {due}, in {days} days", fix,
        )  # fmt: skip


def check_source(library: Library, source: Source, rules: ReviewRules, problems: Problems) -> None:
    """https only, never a mirror or document-sharing copy; no trial acronym or hype in a printed title."""
    url_file = source_file(library, source.id, "url:")
    parts = urlsplit(source.url)
    host = (parts.hostname or "").lower()
    if url_file is not None:
        path, line = url_file
        if parts.scheme.lower() not in rules.schemes:
            problems.add(
                path, line, "source_url", f"source '{source.id}' links with {parts.scheme}://, not https://",
                "link to the publisher's own https:// page, or drop the source and the fact it backs",
            )  # fmt: skip
        blocked = next((h for h in rules.blocked_hosts if host == h or host.endswith("." + h)), None)
        if blocked:
            problems.add(
                path, line, "source_url", f"source '{source.id}' links to {blocked}, a copy, not the publisher",
                "link to the publisher's own page, or drop the source and the fact it backs",
            )  # fmt: skip
    title_file = source_file(library, source.id, "title:")
    if title_file is not None:
        for what in title_flags(source.title, rules, library.language):
            problems.add(
                title_file[0], title_file[1], "source_title", f"source '{source.id}' title {what}",
                "name the study plainly, e.g. 'A trial of ocrelizumab in primary progressive MS'",
            )  # fmt: skip


def title_flags(title: str, rules: ReviewRules, language: str) -> list[str]:
    """What reads as a trial name or hype in a source title."""
    flags = []
    acronyms = [w for w in re.findall(r"\b[A-Z]{4,}\b", title) if w not in rules.title_acronyms_allowed]
    if acronyms:
        flags.append(f"names a trial acronym ('{acronyms[0]}')")
    hype = phrase_pattern(tuple(rules.title_hype.get(language, ())))
    found = hype.search(title) if hype is not None else None
    if found:
        flags.append(f"uses hype ('{found.group(0)}')")
    return flags


def source_file(library: Library, source_id: str, key: str) -> tuple[Path, int] | None:
    """The last sources.yaml (the one that wins) that gives this source the key, and the key's line."""
    for path in reversed([p for p in library.files if p.name == "sources.yaml"]):
        found = key_line(read_lines(path), source_id, key)
        if found:
            return path, found
    return None


def key_line(lines: Sequence[str], source_id: str, key: str) -> int:
    """The line of `key` inside the entry `source_id:` of a sources.yaml, or 0."""
    inside = False
    for number, text in enumerate(lines, 1):
        if re.match(rf"^{re.escape(source_id)}\s*:", text):
            inside = True
        elif inside and text[:1] not in (" ", "\t", "") and not text.startswith("#"):
            return 0
        elif inside and text.strip().startswith(key):
            return number
    return 0
