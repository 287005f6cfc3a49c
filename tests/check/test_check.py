"""`handouts check`: one broken content directory per rule, each caught with its message and exit code."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from handouts import paths
from handouts.check.readability import Unit, banned_words, block_prose, passive_sentences, scoring_text
from handouts.check.terms import Piece, Vocabulary, unexplained_words

from ..conftest import FIXTURES

Cli = Callable[..., Result]
CHECK = FIXTURES / "check"
DATE = "2026-12-01"


@pytest.fixture
def check(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """`handouts check` over a small, clean base library in place of the built-in content."""
    builtin = paths.builtin_dir
    monkeypatch.setattr(
        paths, "builtin_dir", lambda name: CHECK / "base" if name == "content" else builtin(name)
    )

    def _check(*args: str) -> Result:
        return cli("check", "--date", DATE, *args)

    return _check


def layered(rule: str) -> list[str]:
    return ["--content-dir", str(CHECK / rule)]


def line_with(output: str, text: str) -> str:
    lines = [line for line in output.splitlines() if text in line]
    assert lines, f"{text!r} not in:\n{output}"
    return lines[0]


def test_clean_content_passes_strict(check: Cli) -> None:
    result = check("--strict")
    assert result.exit_code == 0, result.output
    assert "handouts check passed: 0 error(s), 0 warning(s)" in result.output
    assert "English (en) readability" in result.output
    assert "Spanish (es) readability" in result.output


@pytest.mark.parametrize(
    ("rule", "where", "message"),
    [
        ("missing-key", "missing-key/en/about-ms/no-title.md:2: error: ", "front matter is missing 'title'"),
        ("bad-value", "bad-value/en/about-ms/bad-tag.md:2: error: ", "types has 'rrsm' (use any or any of:"),
        ("duplicate-id", "duplicate-id/en/lifestyle/twin.md:1: error: ", "block id 'twin' is also used by"),
        (
            "duplicate-question",
            "duplicate-question/en/questions.yaml:6: error: ",
            "question id 'q-fixture-rest' is already used on line 1",
        ),
        (
            "missing-source",
            "missing-source/en/about-ms/unknown-source.md:9: error: ",
            "source 'no-such-source' is not in sources.yaml",
        ),
        (
            "review-expired",
            "review-expired/en/about-ms/old-review.md:11: error: ",
            "review was due on 2020-01-01",
        ),
        (
            "jinja",
            "jinja/en/about-ms/broken-jinja.md:15: error: ",
            "Jinja2 error: Unexpected end of template",
        ),
        ("markdown", "markdown/en/about-ms/big-heading.md:15: error: ", "only #### headings are allowed"),
        ("long-sentence", "long-sentence/en/about-ms/long-sentence.md:13: error: ", "sentence has 39 words"),
        ("long-list", "long-list/en/about-ms/long-list.md:15: error: ", "list has 12 items (split it"),
        (
            "hard-paragraph",
            "hard-paragraph/en/about-ms/hard-paragraph.md:15: error: ",
            "paragraph scores grade",
        ),
        ("hard-paragraph", "hard-paragraph/en/about-ms/hard-paragraph.md:13: error: ", "block scores grade"),
        (
            "undefined-term",
            "undefined-term/en/about-ms/undefined-term.md:13: error: ",
            "medical term 'oligoclonal bands' is not explained",
        ),
        (
            "term-before-definition",
            "term-before-definition/en/about-ms/term-before.md:13: error: ",
            "medical term 'neuritis' is used before it is explained",
        ),
        ("acronym", "acronym/en/about-ms/acronym.md:13: error: ", "acronym 'EDSS' is not spelled out"),
        ("percentage", "percentage/en/about-ms/percentage.md:13: error: ", "bare percentage '85%'"),
        (
            "banned-word",
            "banned-word/en/about-ms/banned.md:13: error: ",
            "'attack' is on the list of words to avoid",
        ),
        (
            "glyph",
            "glyph/en/about-ms/snowman.md:13: error: ",
            "character '☃' (U+2603) has no glyph in Atkinson",
        ),
    ],
)
def test_each_broken_directory_is_caught(check: Cli, rule: str, where: str, message: str) -> None:
    result = check("--language", "en", *layered(rule))
    assert result.exit_code == 1, result.output
    assert where in line_with(result.output, message)
    assert "handouts check failed" in result.output


@pytest.mark.parametrize(
    ("rule", "languages", "message"),
    [
        ("review-soon", ["--language", "en"], "review is due on 2027-01-15, in 45 days"),
        ("passive-voice", ["--language", "en"], "2 of 4 sentences look passive ('are done', 'are sent')"),
        ("missing-translation", [], "block 'english-only' has no Spanish translation"),
        (
            "stale-translation",
            [],
            "translation reviewed 2026-01-01, before its English source was (2026-06-01)",
        ),
    ],
)
def test_warnings_fail_only_in_strict_mode(check: Cli, rule: str, languages: list[str], message: str) -> None:
    relaxed = check(*languages, *layered(rule))
    assert relaxed.exit_code == 0, relaxed.output
    assert ": warning: " in line_with(relaxed.output, message)
    strict = check("--strict", *languages, *layered(rule))
    assert strict.exit_code == 1
    assert ": error: " in line_with(strict.output, message)


def test_spanish_is_scored_with_spanish_formulas(check: Cli) -> None:
    result = check(*layered("spanish-hard"))
    assert result.exit_code == 1
    line = line_with(result.output, "block scores Szigriszt-Pazos")
    assert "spanish-hard/es/about-ms/hard-pair.md" in line
    assert "(below 55)" in line
    assert "Fernández-Huerta" in result.output


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("broken-layout", "broken.xml.j2"),
        ("unknown-element", "unknown element <blink>"),
        ("broken-theme", "unknown theme 'nowhere'"),
    ],
)
def test_broken_templates_are_caught(check: Cli, rule: str, message: str) -> None:
    result = check("--language", "en", "--templates-dir", str(CHECK / rule))
    assert result.exit_code == 1, result.output
    assert ": error: " in line_with(result.output, message)


def test_question_count_is_checked_for_every_tailoring(check: Cli) -> None:
    result = check("--language", "en", "--strict", "--config", str(CHECK / "few-questions.yaml"))
    assert result.exit_code == 1
    line = line_with(result.output, "handout en ppms/established/caregiver prints 6 questions")
    assert "base/en/questions.yaml:1: error: " in line
    assert "(tag 8 to 10 questions for this type, stage and audience)" in line


def test_config_changes_thresholds_and_severities(check: Cli) -> None:
    result = check(
        "--language", "en", "--config", str(CHECK / "tight-config.yaml"), *layered("passive-voice")
    )
    assert result.exit_code == 1
    assert "keep sentences to 5 words or fewer" in result.output
    assert "look passive" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--config", str(CHECK / "bad-config.yaml")], "sentences.max_words: 'many' is not a whole number"),
        (["--config", str(CHECK / "bad-config.yaml")], "colour: unknown key"),
        (["--date", "soon"], "--today: 'soon' is not a date (write it as YYYY-MM-DD)"),
        (["--content-dir", "no/such/dir"], "Directory 'no/such/dir' does not exist"),
        (["--format", "xml"], "'xml' is not one of 'text', 'json'"),
    ],
)
def test_usage_errors_exit_2(cli: Cli, args: list[str], message: str) -> None:
    result = cli("check", *args)
    assert result.exit_code == 2
    assert message in result.output


def test_json_report_for_machines(check: Cli) -> None:
    result = check("--format", "json", "--language", "en", *layered("long-list"))
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["passed"] is False
    problem = next(p for p in report["problems"] if p["rule"] == "long_list")
    assert problem["path"].endswith("long-list/en/about-ms/long-list.md")
    assert (problem["line"], problem["severity"]) == (15, "error")
    assert problem["message"] == "list has 12 items"
    assert problem["fix"] == "split it, or keep the 7 that matter most"
    assert {b["id"] for b in report["blocks"]} == {"basics", "long-list"}


def test_builtin_content_is_checked_for_every_tailoring(cli: Cli) -> None:
    """The one run over the real content: every type x stage x audience, per language, is scored."""
    result = cli("check", "--format", "json")
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.output)
    languages = {h["language"] for h in report["handouts"]}
    assert {"en", "es"} <= languages
    for language in languages:
        assert len([h for h in report["handouts"] if h["language"] == language]) == 20
    english = [b for b in report["blocks"] if b["language"] == "en"]
    assert english
    assert all(b["scores"]["grade"] is not None for b in english)
    assert all(h["scores"]["smog"] is not None for h in report["handouts"] if h["language"] == "en")
    assert all(":" in p["path"] or p["path"] for p in report["problems"])


def test_help_explains_the_command(cli: Cli) -> None:
    result = cli("check", "--help")
    assert result.exit_code == 0
    for option in ("--content-dir", "--templates-dir", "--config", "--strict", "--format", "--scores"):
        assert option in result.output


# --- the heuristics, without the command ---------------------------------------------------


def test_scores_leave_out_headings_and_list_labels() -> None:
    prose = block_prose(
        '<heading level="4">Big words here</heading>\n<paragraph>Rest helps.</paragraph>\n'
        '<list kind="bullet">\n<item><b>Keep moving.</b> Walk each day</item>\n</list>\n'
    )
    assert scoring_text(prose.units) == "Rest helps. Walk each day."
    assert prose.lists[0][0].label == "Keep moving."


def test_naming_a_thing_is_not_passive_voice() -> None:
    units = [Unit("paragraph", "This is called myelin. The result was repaired by nobody.")]
    assert [words for _, words in passive_sentences(units, "en")] == ["was repaired"]


def test_terms_and_acronyms_count_as_explained_at_or_before_first_use() -> None:
    words = Vocabulary(language="en", glossary={"myelin": "myelin"}, jargon=(r"\w+itis",))
    pieces = [
        Piece(1, "Magnetic resonance imaging (MRI) shows swelling, called myelitis."),
        Piece(2, "An MRI can show myelitis. Ask about your CSF."),
    ]
    found = unexplained_words(pieces, words, printed=["myelin"])
    assert [(f.origin, f.kind, f.word) for f in found] == [(2, "acronym", "CSF")]


def test_a_glossary_term_not_printed_needs_explaining() -> None:
    words = Vocabulary(language="en", glossary={"lesion": "lesion", "lesions": "lesion"})
    found = unexplained_words([Piece(Path("a.md"), "Scans show lesions.")], words, printed=[])
    assert [(f.word, f.explained_later) for f in found] == [("lesion", False)]


def test_banned_word_is_allowed_only_inside_an_allowed_phrase(check: Cli) -> None:
    """The safe denial of a cure and "heart attack" pass; a cure offered on its own still trips."""
    result = check("--language", "en", *layered("banned-allowed"))
    assert result.exit_code == 1, result.output
    banned = [line for line in result.output.splitlines() if "on the list of words to avoid" in line]
    assert len(banned) == 1, result.output
    assert "banned-allowed/en/about-ms/allowed.md:13: error: 'cure' is" in banned[0]


def test_allowed_phrases_leave_other_sentences_banned() -> None:
    units = [
        Unit(
            "paragraph",
            "No diet has been proven to cure MS. This diet will cure MS. A heart attack. It may attack.",
        )
    ]
    flagged = [
        flag.message
        for flag in banned_words(
            units, ["cure", "attack"], ["no diet has been proven to cure MS", "heart attack"]
        )
    ]
    assert flagged == ["'cure' is on the list of words to avoid", "'attack' is on the list of words to avoid"]
