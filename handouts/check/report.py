"""Turn a check Report into the text a person reads (problems, then summary tables) or JSON for machines."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict
from statistics import mean

from handouts.check.model import BlockScore, HandoutScore, Report
from handouts.check.readability import Scores

LANGUAGE_NAMES = {"en": "English", "es": "Spanish"}
HEADINGS = {
    "grade": "grade",
    "smog": "SMOG",
    "szigriszt_pazos": "Szigriszt-Pazos",
    "fernandez_huerta": "Fernández-Huerta",
}
Column = tuple[str, Callable[[Sequence[Scores]], str]]


def format_text(report: Report, strict: bool, details: bool = False) -> str:
    """Every problem on its own line, then the readability and problem tables, then a verdict."""
    lines = [problem.text(strict) for problem in report.problems]
    if lines:
        lines.append("")
    for language in report.languages:
        lines += score_table(report, language)
        if details:
            lines += detail_table(report, language)
        lines.append("")
    lines += problem_table(report, strict)
    lines.append(verdict(report, strict))
    return "\n".join(lines)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _values(scores: Iterable[Scores], metric: str) -> list[float]:
    return [v for s in scores if (v := s.metric(metric)) is not None]


def _stat(metric: str, how: Callable[[list[float]], float]) -> Callable[[Sequence[Scores]], str]:
    def cell(scores: Sequence[Scores]) -> str:
        values = _values(scores, metric)
        return _fmt(how(values)) if values else "-"

    return cell


def columns(language: str) -> list[Column]:
    """English is scored by grade level (lower is easier); Spanish by reading ease (higher is easier)."""
    if language == "es":
        return [
            ("Szigriszt-Pazos mean", _stat("szigriszt_pazos", mean)),
            ("min", _stat("szigriszt_pazos", min)),
            ("Fernández-Huerta mean", _stat("fernandez_huerta", mean)),
            ("min", _stat("fernandez_huerta", min)),
            ("words/sentence max", _stat("words_per_sentence", max)),
        ]
    return [
        ("grade mean", _stat("grade", mean)),
        ("max", _stat("grade", max)),
        ("SMOG max", _stat("smog", max)),
        ("words/sentence mean", _stat("words_per_sentence", mean)),
        ("max", _stat("words_per_sentence", max)),
    ]


def score_table(report: Report, language: str) -> list[str]:
    blocks = [b.scores for b in report.blocks if b.language == language]
    handouts = [h.scores for h in report.handouts if h.language == language]
    header = ["", "count", *(name for name, _ in columns(language))]
    rows = [
        [scope, str(len(scores)), *(cell(scores) for _, cell in columns(language))]
        for scope, scores in (("blocks", blocks), ("handouts", handouts))
    ]
    title = f"{LANGUAGE_NAMES.get(language, language)} ({language}) readability"
    return [title, *table([header, *rows])]


def detail_table(report: Report, language: str) -> list[str]:
    """One row per block, then one per handout."""
    metrics = ("szigriszt_pazos", "fernandez_huerta") if language == "es" else ("grade", "smog")
    header = ["", *(HEADINGS[m] for m in metrics), "words", "sentences", "words/sentence"]
    rows: list[list[str]] = []
    items: list[BlockScore | HandoutScore] = [
        *(b for b in report.blocks if b.language == language),
        *(h for h in report.handouts if h.language == language),
    ]
    for item in items:
        label = item.id if isinstance(item, BlockScore) else f"handout {item.name}"
        s = item.scores
        rows.append(
            [
                label,
                *(_fmt(s.metric(m)) for m in metrics),
                str(s.words),
                str(s.sentences),
                _fmt(s.words_per_sentence),
            ]
        )
    return ["", *table([header, *rows])]


def problem_table(report: Report, strict: bool) -> list[str]:
    counts = Counter((p.rule, p.effective(strict)) for p in report.problems)
    rules = sorted({rule for rule, _ in counts})
    if not rules:
        return []
    rows = [[rule, str(counts[(rule, "error")]), str(counts[(rule, "warning")])] for rule in rules]
    return ["Problems", *table([["rule", "errors", "warnings"], *rows]), ""]


def verdict(report: Report, strict: bool) -> str:
    errors = sum(1 for p in report.problems if p.effective(strict) == "error")
    warnings = len(report.problems) - errors
    status = "failed" if report.failed(strict) else "passed"
    mode = " (strict: warnings count as errors)" if strict else ""
    return f"handouts check {status}: {errors} error(s), {warnings} warning(s){mode}"


def table(rows: Sequence[Sequence[str]]) -> list[str]:
    """Left-aligned first column, right-aligned numbers, two spaces between columns."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  "
        + "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]


def format_json(report: Report, strict: bool) -> str:
    """The whole report as JSON: problems, every score, and the verdict."""
    data = {
        "passed": not report.failed(strict),
        "strict": strict,
        "errors": sum(1 for p in report.problems if p.effective(strict) == "error"),
        "warnings": sum(1 for p in report.problems if p.effective(strict) == "warning"),
        "problems": [{**asdict(p), "severity": p.effective(strict)} for p in report.problems],
        "blocks": [asdict(b) for b in report.blocks],
        "handouts": [asdict(h) for h in report.handouts],
    }
    return json.dumps(data, indent=2, ensure_ascii=False)
