"""Line breaks remembered per process: the same bytes as breaking every paragraph afresh, and a bounded memo."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from handouts.engine import Engine
from handouts.pdf.linebreaks import LINE_BREAKS, LineBreakMemo, RememberedBreak
from handouts.pdf.paragraphs import parsed_paragraph
from handouts.pdf.wordbreaks import _WORD_ENDS, soft_breaks

NOTES = ["Next MRI in March", "Bring this sheet to your next visit"]
HANDOUTS: dict[str, dict[str, Any]] = {
    "letter": {"type": "rrms", "notes": NOTES, "patient_name": "Person 00001"},
    "a4": {"type": "rrms", "notes": NOTES, "patient_name": "Person 00002", "paper": "a4"},
    "spanish": {"type": "spms", "language": "es", "audience": "caregiver"},
    "large print": {"type": "rrms", "print": "large", "patient_name": "Person 00003"},
    "summary": {"type": "ppms", "layout": "summary"},
    "pack": {"type": "rrms", "sheets": ["fatigue", "heat"], "patient_name": "Person 00004"},
}
ORDER = ["letter", "a4", "letter", "spanish", "large print", "letter", "pack", "summary", "a4", "pack"]
"""Letter then A4 then letter again, a pack after its core handout: every paragraph is met at several
widths and in several documents, so the memo is filled, skipped, and read."""


@pytest.fixture
def memo() -> Iterator[LineBreakMemo]:
    """The process's memo, emptied before and after the test."""
    LINE_BREAKS.clear()
    yield LINE_BREAKS
    LINE_BREAKS.clear()


def test_remembered_breaks_give_the_bytes_of_fresh_breaks(
    render: Callable[..., bytes], memo: LineBreakMemo, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as nothing_kept:
        nothing_kept.setattr(memo, "budget", 0)
        fresh = {name: render(**values) for name, values in HANDOUTS.items()}
        assert len(memo) == 0
    for name in ORDER * 2:
        assert render(**HANDOUTS[name]) == fresh[name], name
    assert len(memo) > 100


def test_drawing_and_splitting_leave_remembered_breaks_as_they_were(
    render: Callable[..., bytes], memo: LineBreakMemo
) -> None:
    for name in ("letter", "letter"):
        render(**HANDOUTS[name])
    before = {key: _dump(entry) for key, entry in _entries(memo)}
    assert before
    for name in ORDER:
        render(**HANDOUTS[name])
    after = dict(_entries(memo))
    assert {key: _dump(after[key]) for key in before if key in after} == {
        key: dump for key, dump in before.items() if key in after
    }


def test_a_remembered_break_leaves_the_paragraph_as_reportlab_would(
    engine: Engine, memo: LineBreakMemo
) -> None:
    """ReportLab internals the memo relies on: breakLines, and what it sets on the paragraph and its widths."""
    body = engine.theme("standard").style("body")
    bulleted = ParagraphStyle("bulleted", parent=body, bulletText="\u2022", bulletFontName=body.fontName)
    cases = [
        ("Plain words in one font " * 6, body),
        ("Some <b>bold words</b> and a <i>few</i> more " * 4, body),
        ("A bullet shortens the first line of these words " * 3, bulleted),
    ]
    for markup, style in cases:
        reference = Paragraph(markup, style)
        reference.wrap(200, 1000)
        first, second, third = (parsed_paragraph(markup, style) for _ in range(3))
        for paragraph in (first, second, third):
            paragraph.wrap(200, 1000)
        assert third.blPara is second.blPara  # kept the second time, read the third
        assert first.blPara is not second.blPara
        for paragraph in (first, second, third):
            assert _state(paragraph) == _state(reference)
    assert reference._wrapWidths[0] < reference._wrapWidths[1]  # the bullet took room on the first line


def test_soft_line_ends_are_worked_out_once_per_remembered_break(engine: Engine, memo: LineBreakMemo) -> None:
    style = engine.theme("standard").style("body")
    markup = "Words that <b>wrap</b> over a few lines of a narrow column, " * 3
    paragraphs = [parsed_paragraph(markup, style) for _ in range(4)]
    for paragraph in paragraphs:
        paragraph.wrap(150, 1000)
    paragraphs[3].handout_continues = True  # a part that goes on in the next column
    ends = [soft_breaks(paragraph) for paragraph in paragraphs]
    assert paragraphs[2].blPara is paragraphs[3].blPara  # one remembered break, one answer kept for it
    assert ends[0] == ends[1] == ends[2] != ends[3]
    assert ends[3][:-1] == ends[2][:-1]
    assert ends[3][-1]
    assert not ends[2][-1]
    assert _WORD_ENDS[paragraphs[2].blPara] == ends[3]


def test_a_word_split_at_a_line_end_is_not_remembered(engine: Engine, memo: LineBreakMemo) -> None:
    style = engine.theme("standard").style("body")
    markup = "Read " + "https://example.org/" + "a" * 80
    paragraphs = [parsed_paragraph(markup, style) for _ in range(3)]
    for paragraph in paragraphs:
        paragraph.wrap(150, 1000)
        assert paragraph._splitLongWordCount
    assert len({id(paragraph.blPara) for paragraph in paragraphs}) == 3
    assert len(memo) == 0


def test_right_to_left_lines_are_not_remembered(memo: LineBreakMemo) -> None:
    style = ParagraphStyle("rtl", wordWrap="RTL")
    paragraphs = [parsed_paragraph("words drawn from the right " * 3, style) for _ in range(3)]
    for paragraph in paragraphs:
        paragraph.wrap(120, 1000)
    assert len({id(paragraph.blPara) for paragraph in paragraphs}) == 3
    assert len(memo) == 0


def test_the_memo_stays_within_its_budget(
    engine: Engine, memo: LineBreakMemo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(memo, "budget", 5_000)
    monkeypatch.setattr(memo, "sightings", 50)
    style = engine.theme("standard").style("body")
    for number in range(300):
        markup = f"Paragraph {number} says the same few words again and again. " * 2
        for _ in range(2):
            parsed_paragraph(markup, style).wrap(200, 1000)
        assert memo.weight <= memo.budget
        assert len(memo._seen) <= memo.sightings
    assert 0 < len(memo) < 300
    assert memo.weight == sum(weight for _, weight in memo._entries.values())


def test_text_met_once_is_not_kept(render: Callable[..., bytes], memo: LineBreakMemo) -> None:
    """A patient's name prints once per handout: its line never takes room in the memo."""
    for number in range(3):
        render(type="rrms", patient_name=f"Person {number:05d}")
    kept = [str(key) for key, _ in _entries(memo)]
    assert kept
    assert not any("Person 0000" in key for key in kept)


def _entries(memo: LineBreakMemo) -> Iterator[tuple[Any, RememberedBreak]]:
    for key, (entry, _) in list(memo._entries.items()):
        yield key, entry


def _dump(entry: RememberedBreak) -> Any:
    """Everything drawing reads from a remembered break: line by line, word by word."""
    lines = entry.lines
    dumped: list[Any]
    if lines.kind == 0:
        dumped = [
            (extra, [(type(word).__name__, str(word)) for word in words]) for extra, words in lines.lines
        ]
    else:
        dumped = [
            (line.extraSpace, line.wordCount, line.lineBreak, [_frag(word) for word in line.words])
            for line in lines.lines
        ]
    attributes = {name: _words(value) if name == "frags" else value for name, value in entry.attributes}
    return lines.kind, dumped, attributes, entry.widths


def _words(frags: list[Any]) -> list[Any]:
    """Fragments, or the words ReportLab made of them: [width, (fragment, text), ...]."""
    return [
        (type(word).__name__, word[0], [(_frag(f), text) for f, text in word[1:]])
        if isinstance(word, list)
        else _frag(word)
        for word in frags
    ]


def _frag(frag: Any) -> tuple[Any, ...]:
    return (type(frag).__name__, getattr(frag, "text", None), frag.fontName, frag.fontSize, str(frag.link))


def _state(paragraph: Any) -> dict[str, Any]:
    """What drawing and splitting read from a broken paragraph, by value."""
    lines = paragraph.blPara
    if lines.kind == 0:
        text = [(extra, list(words)) for extra, words in lines.lines]
    else:
        text = [(line.extraSpace, [_frag(word) for word in line.words]) for line in lines.lines]
    return {
        "lines": (lines.kind, text),
        "frags": _words(paragraph.frags),
        "sizes": (paragraph.width, paragraph.height, paragraph._width_max, paragraph._wrapWidths),
        "counts": (paragraph._splitLongWordCount, paragraph._hyphenations),
    }
