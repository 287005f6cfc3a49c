"""Turn a library and the templates into rendered handouts for every tailoring, checked and scored."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from handouts.check.config import LanguageConfig, Limit
from handouts.check.lines import line_of, locate
from handouts.check.model import BlockScore, CheckRequest, HandoutScore, Problems, display
from handouts.check.readability import (
    Flag,
    Prose,
    Scores,
    Unit,
    banned_words,
    bare_percentages,
    block_prose,
    count_words,
    long_lists,
    long_sentences,
    node_prose,
    passive_voice,
    score_text,
    scoring_text,
)
from handouts.check.terms import Piece, Vocabulary, unexplained_words
from handouts.content.model import Block, Library
from handouts.content.selection import Selection, select_blocks
from handouts.errors import HandoutsError
from handouts.layout.environment import layout_names, render_block, render_layout
from handouts.pdf.themes import find_file
from handouts.spec import HandoutSpec
from handouts.vocabulary import AUDIENCES, GENERAL, PRINT_SIZES, STAGES, TYPES
from handouts.xmltree import Node, parse_handout_xml

COMBINATIONS = tuple(itertools.product((None, *TYPES), STAGES, AUDIENCES))
"""Every tailoring: general and each MS type, each stage, each audience."""


@dataclass(frozen=True)
class Origin:
    """Where a piece of printed text was written: a file and the line to fall back on."""

    path: Path
    line: int


@dataclass
class LanguageCheck:
    """What one language's renders found, gathered over every tailoring."""

    library: Library
    request: CheckRequest
    problems: Problems
    variants: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    unexplained: dict[tuple[Path, int, str, str, bool], list[str]] = field(
        default_factory=lambda: defaultdict(list)
    )
    handouts: list[HandoutScore] = field(default_factory=list)
    more_blocks: dict[str, Block] = field(default_factory=dict)
    """Blocks outside library.blocks that an extra check rendered (topic sheets), scored like the others."""

    @property
    def settings(self) -> LanguageConfig:
        return self.request.config.language(self.library.language)

    @cached_property
    def vocabulary(self) -> Vocabulary:
        return vocabulary(self.library, self.settings)


def check_language(
    library: Library,
    request: CheckRequest,
    problems: Problems,
    extra: Sequence[Callable[[LanguageCheck], None]] = (),
) -> tuple[list[BlockScore], list[HandoutScore]]:
    """Render every block and layout for every tailoring, then run the `extra` checks (topic sheets);
    check and score the text."""
    check = LanguageCheck(library, request, problems)
    layouts = layout_names(request.templates_dirs)
    if request.config.handout_layout not in layouts:
        problems.add(
            "check config", 0, "config", f"handout_layout '{request.config.handout_layout}' is not a layout",
            "available layouts: " + ", ".join(layouts),
        )  # fmt: skip
    for combination in COMBINATIONS:
        check_tailoring(check, combination, layouts)
    for more in extra:
        more(check)
    report_unexplained(check)
    check_front_matter_text(check)
    blocks = {**check.more_blocks, **library.blocks}
    return [score_block(check, blocks[i], xmls) for i, xmls in sorted(check.variants.items())], check.handouts


def check_tailoring(
    check: LanguageCheck, combination: tuple[str | None, str, str], layouts: Sequence[str]
) -> None:
    type_, stage, audience = combination
    spec = HandoutSpec(
        type=type_, stage=stage, audience=audience, language=check.library.language, date=check.request.today
    )
    selection = select_blocks(check.library, spec)
    check_question_count(check, spec, len(selection.questions))
    for block in selection.blocks:
        try:
            check.variants[block.id].add(str(render_block(block, spec)))
        except HandoutsError as exc:
            check.problems.error(exc, "jinja")
    for layout, print_size in itertools.product(layouts, PRINT_SIZES):
        root = render_tailoring(check, replace(spec, layout=layout, print_size=print_size))
        if root is not None and layout == check.request.config.handout_layout and print_size == "standard":
            check_handout(check, spec, root)


def check_question_count(check: LanguageCheck, spec: HandoutSpec, count: int) -> None:
    config = check.request.config
    if config.min_questions <= count <= config.max_questions:
        return
    path = next(
        (p for p in reversed(check.library.files) if p.name == "questions.yaml"), Path("questions.yaml")
    )
    check.problems.add(
        path, 1, "question_count", f"handout {tailoring_name(spec)} prints {count} questions",
        f"tag {config.min_questions} to {config.max_questions} questions for this type, stage and audience",
    )  # fmt: skip


def render_tailoring(check: LanguageCheck, spec: HandoutSpec) -> Node | None:
    """The handout XML tree for a spec, or None after recording why it does not render."""
    try:
        xml = render_layout(
            spec, check.library, select_blocks(check.library, spec), check.request.templates_dirs
        )
        return parse_handout_xml(xml, f"layout '{spec.layout}' output for {tailoring_name(spec)}")
    except HandoutsError as exc:
        check.problems.error(exc, "layout")
    except OSError as exc:
        check.problems.add(
            "", 0, "layout", f"layout '{spec.layout}' cannot load its {spec.language} strings: {exc}",
            "compile the translation catalog (pybabel compile)",
        )  # fmt: skip
    return None


def tailoring_name(spec: HandoutSpec) -> str:
    return f"{spec.language} {spec.type or 'general'}/{spec.stage}/{spec.audience}"


# --- blocks ----------------------------------------------------------------------------------


def score_block(check: LanguageCheck, block: Block, xmls: Iterable[str]) -> BlockScore:
    """Check each rendered variant of a block; its score is that of its hardest variant."""
    worst: Scores | None = None
    for xml in sorted(xmls):
        prose = block_prose(xml)
        report_flags(check, text_flags(check, prose), Origin(block.path, block.body_line))
        check_paragraphs(check, block, prose)
        scores = score_text(scoring_text(prose.units), check.library.language)
        judge(check, scores, check.settings.scores, Origin(block.path, block.body_line), "block")
        if worst is None or hardness(scores) > hardness(worst):
            worst = scores
    return BlockScore(
        check.library.language, block.id, display(block.path), worst or score_text("", check.library.language)
    )


def hardness(scores: Scores) -> float:
    """One number that grows as text gets harder, to pick a block's hardest variant."""
    if scores.grade is not None:
        return scores.grade
    return -(scores.szigriszt_pazos or 0.0)


def text_flags(check: LanguageCheck, prose: Prose, passive: bool = True) -> list[Flag]:
    config, language = check.request.config, check.library.language
    return [
        *long_sentences(prose.units, config.max_sentence_words),
        *long_lists(prose.lists, config.max_list_items),
        *bare_percentages(prose.units, language),
        *banned_words(prose.units, check.settings.banned_words, check.settings.allowed_phrases),
        *(passive_voice(prose.units, language, config.passive_max_share) if passive else []),
    ]


def report_flags(check: LanguageCheck, flags: Iterable[Flag], origin: Origin) -> None:
    for flag in flags:
        check.problems.add(
            origin.path, locate(origin.path, flag.snippet, origin.line), flag.rule, flag.message, flag.fix
        )


def check_paragraphs(check: LanguageCheck, block: Block, prose: Prose) -> None:
    """A single long paragraph is scored on its own, so one hard paragraph cannot hide in an easy block."""
    for unit in prose.units:
        if unit.kind == "paragraph" and count_words(unit.text) >= check.request.config.paragraph_min_words:
            scores = score_text(scoring_text([unit]), check.library.language)
            origin = Origin(block.path, locate(block.path, unit.text, block.body_line))
            judge(check, scores, check.settings.paragraph_scores, origin, "paragraph", unit.text)


_NAMES = {
    "grade": "grade",
    "smog": "SMOG grade",
    "szigriszt_pazos": "Szigriszt-Pazos",
    "fernandez_huerta": "Fernández-Huerta",
    "words_per_sentence": "words per sentence",
}


def judge(
    check: LanguageCheck,
    scores: Scores,
    limits: Sequence[Limit],
    origin: Origin,
    what: str,
    text: str = "",
    fix: str = "use shorter sentences and everyday words",
) -> None:
    """A problem for each score beyond its limits."""
    for limit in limits:
        value = scores.metric(limit.metric)
        verdict = limit.judge(value)
        if verdict is None or value is None:
            continue
        severity, line = verdict
        side = "above" if value > line else "below"
        quoted = f": {quote_start(text)}" if text else ""
        message = f"{what} scores {_NAMES[limit.metric]} {value:g} ({side} {line:g}){quoted}"
        if severity == "warning":
            check.problems.warn(origin.path, origin.line, "readability", message, fix)
        else:
            check.problems.add(origin.path, origin.line, "readability", message, fix)


def quote_start(text: str) -> str:
    words = text.split()
    return '"' + " ".join(words[:8]) + ('..."' if len(words) > 8 else '"')


def check_front_matter_text(check: LanguageCheck) -> None:
    """Key points, questions and glossary definitions get the sentence-level checks too."""
    library = check.library
    points = [
        (Origin(b.path, line_of(b.path, "key_point:")), b.key_point)
        for b in library.blocks.values()
        if b.key_point
    ]
    questions = [(Origin(q.path, q.line), q.text) for q in library.questions]
    terms = [(glossary_origin(library, t.term), t.definition) for t in library.glossary]
    for kind, items in (("paragraph", points), ("question", questions), ("term", terms)):
        units = [Unit(kind, text) for _, text in items]
        for (origin, _), unit in zip(items, units, strict=True):
            report_flags(check, text_flags(check, Prose((unit,), ()), passive=False), origin)
        if items and kind != "paragraph":
            first = items[0][0]
            flags = passive_voice(units, library.language, check.request.config.passive_max_share)
            report_flags(check, flags, Origin(first.path, 1))


def glossary_origin(library: Library, term: str) -> Origin:
    files = [p for p in library.files if p.name == "glossary.yaml"]
    for path in reversed(files):
        line = line_of(path, f"term: {term}", 0)
        if line:
            return Origin(path, line)
    return Origin(files[-1] if files else Path("glossary.yaml"), 1)


# --- assembled handouts ------------------------------------------------------------------------


def check_handout(check: LanguageCheck, spec: HandoutSpec, root: Node) -> None:
    """Score an assembled handout and follow its medical terms and acronyms in reading order."""
    name = tailoring_name(spec)
    selection = select_blocks(check.library, spec)
    scores = score_text(
        scoring_text(node_prose(root).units), spec.language, check.request.config.smog_min_sentences
    )
    check.handouts.append(
        HandoutScore(spec.language, spec.type or GENERAL, spec.stage, spec.audience, scores)
    )
    layout = find_file(check.request.templates_dirs, "layouts", f"{spec.layout}.xml.j2") or Path(spec.layout)
    fix = f"simplify its hardest blocks: {hardest_blocks(check, spec, selection)}"
    judge(check, scores, check.settings.scores, Origin(layout, 0), f"handout {name}", fix=fix)
    if check.request.config.glossary_defines == "all":
        printed = [term.term for term in check.library.glossary]
    else:
        printed = [t.attrs.get("name", "") for t in walk(root) if t.tag == "term"]
    pieces = reading_order(check, spec, root, selection, layout)
    for found in unexplained_words(pieces, check.vocabulary, printed):
        line = locate(found.origin.path, found.snippet, found.origin.line)
        key = (found.origin.path, line, found.kind, found.word, found.explained_later)
        check.unexplained[key].append(name)


def walk(node: Node) -> Iterator[Node]:
    yield node
    for child in node.elements():
        yield from walk(child)


def hardest_blocks(check: LanguageCheck, spec: HandoutSpec, selection: Selection, count: int = 3) -> str:
    """The handout's hardest blocks with their scores, e.g. `rrms (7.9), cis (7.5)`."""
    scored = []
    for block in selection.blocks:
        try:
            scores = score_text(
                scoring_text(block_prose(str(render_block(block, spec))).units), spec.language
            )
        except HandoutsError:
            continue
        scored.append((hardness(scores), block.id))
    top = sorted(scored, reverse=True)[:count]
    return ", ".join(f"{block_id} ({abs(value):g})" for value, block_id in top)


def selection_pieces(selection: Selection, spec: HandoutSpec) -> list[Piece[Origin]]:
    """Key points, block prose, then questions: what a reader meets of the selected content, in order."""
    pieces: list[Piece[Origin]] = []
    by_point = {b.key_point: b for b in selection.blocks if b.key_point}
    for point in selection.key_points:
        block = by_point[point]
        pieces.append(Piece(Origin(block.path, line_of(block.path, "key_point:")), point))
    for block in selection.blocks:
        try:
            units = block_prose(str(render_block(block, spec))).units
        except HandoutsError:
            continue
        pieces += [Piece(Origin(block.path, block.body_line), u.full) for u in units]
    pieces += [Piece(Origin(q.path, q.line), q.text) for q in selection.questions]
    return pieces


def reading_order(
    check: LanguageCheck, spec: HandoutSpec, root: Node, selection: Selection, layout: Path
) -> list[Piece[Origin]]:
    """Title, key points, blocks, questions, then the printed glossary: the order a reader meets them."""
    pieces = [Piece(Origin(layout, 1), n.text()) for n in walk(root) if n.tag in ("title", "subtitle")]
    pieces += selection_pieces(selection, spec)
    for node in walk(root):
        if node.tag == "term":
            origin = glossary_origin(check.library, node.attrs.get("name", ""))
            pieces.append(Piece(origin, node.text()))
    return pieces


def vocabulary(library: Library, settings: LanguageConfig) -> Vocabulary:
    forms = {form.lower(): term.term.lower() for term in library.glossary for form in (term.term, *term.also)}
    return Vocabulary(
        language=library.language,
        glossary=forms,
        medical_terms=settings.medical_terms,
        jargon=settings.jargon,
        plain_words=frozenset(w.lower() for w in settings.plain_words),
        known_acronyms=settings.known_acronyms,
    )


def report_unexplained(check: LanguageCheck) -> None:
    """One problem per first use, naming how many tailorings print it unexplained."""
    total = len(COMBINATIONS)
    for (path, line, kind, word, later), names in sorted(check.unexplained.items()):
        where = f"in {len(names)} of {total} handouts, e.g. {names[0]}"
        if kind == "acronym":
            rule, message = (
                "acronym",
                f"acronym '{word}' is not spelled out at or before its first use ({where})",
            )
            fix = f"write it out first, e.g. 'plain words ({word})'"
        elif later:
            rule, message = (
                "term_before_definition",
                f"medical term '{word}' is used before it is explained ({where})",
            )
            fix = "move the explanation to its first use"
        else:
            rule, message = "undefined_term", f"medical term '{word}' is not explained ({where})"
            fix = f"explain it in plain words where it is first used, e.g. '..., called {word}'"
        check.problems.add(path, line, rule, message, fix)
