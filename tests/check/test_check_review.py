"""`handouts check` repeats the medical review: caregiver voice, CIS wording, time-sensitive facts, sources."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from handouts import paths
from handouts.check.config import load_check_config
from handouts.check.review import add_months, key_line, phrase_pattern, title_flags

from ..conftest import FIXTURES

Cli = Callable[..., Result]
CHECK = FIXTURES / "check"
TODAY = "2026-12-01"


@pytest.fixture
def check(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """`handouts check --today 2026-12-01` over the small, clean base library in place of the built-in one."""
    builtin = paths.builtin_dir
    monkeypatch.setattr(
        paths, "builtin_dir", lambda name: CHECK / "base" if name == "content" else builtin(name)
    )

    def _check(*args: str) -> Result:
        return cli("check", "--today", TODAY, *args)

    return _check


def layered(rule: str) -> list[str]:
    return ["--content-dir", str(CHECK / rule)]


def lines_with(output: str, text: str) -> list[str]:
    found = [line for line in output.splitlines() if text in line]
    assert found, f"{text!r} not in:\n{output}"
    return found


def test_the_clean_base_library_passes_the_review_rules(check: Cli) -> None:
    result = check("--strict")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("rule", "language", "where", "message"),
    [
        (
            "caregiver-voice",
            "en",
            "caregiver-voice/en/about-ms/caregiver-voice.md:15: error: ",
            "caregiver handout addresses the reader as the person with MS: 'Your MS' (in 10 of 10 such handouts",
        ),
        (
            "caregiver-voice-es",
            "es",
            "caregiver-voice-es/es/about-ms/caregiver-voice.md:15: error: ",
            "caregiver handout addresses the reader as the person with MS: 'Su EM' (in 10 of 10",
        ),
        (
            "caregiver-title",
            "en",
            "caregiver-title/en/topics.yaml:2: error: ",
            "caregiver handout addresses the reader as the person with MS: 'your MS'",
        ),
        (
            "cis-voice",
            "en",
            "cis-voice/en/about-ms/cis-voice.md:15: error: ",
            "CIS handout tells the reader they have MS: 'you have MS' (in 2 of 4 such handouts",
        ),
        (
            "cis-voice-es",
            "es",
            "cis-voice-es/es/about-ms/cis-voice.md:15: error: ",
            "CIS handout tells the reader they have MS: 'usted tiene EM'",
        ),
        (
            "time-sensitive",
            "en",
            "time-sensitive/en/about-ms/dated.md:11: error: ",
            "cites time-sensitive F-DMT-05, reviewed 2026-01-10: the re-check was due on 2026-07-10",
        ),
        (
            "mirror-source",
            "en",
            "mirror-source/sources.yaml:5: error: ",
            "source 'mirror-copy' links to readkong.com, a copy, not the publisher",
        ),
        (
            "mirror-source",
            "en",
            "mirror-source/sources.yaml:10: error: ",
            "source 'plain-http' links with http://, not https://",
        ),
    ],
)
def test_each_review_rule_is_caught(check: Cli, rule: str, language: str, where: str, message: str) -> None:
    result = check("--language", language, *layered(rule))
    assert result.exit_code == 1, result.output
    found = lines_with(result.output, message)
    assert any(where in line for line in found), found
    assert all(line.endswith(")") for line in found), "every problem says how to fix it"


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            "time-sensitive-soon",
            "cites time-sensitive F-HELP-02, reviewed 2026-06-15: re-check due on 2026-12-15, in 14 days",
        ),
        ("source-title", "source 'trial-news' title names a trial acronym ('ORATORIO')"),
        ("source-title", "source 'trial-news' title uses hype ('breakthrough')"),
    ],
)
def test_review_warnings_fail_only_in_strict_mode(check: Cli, rule: str, message: str) -> None:
    relaxed = check("--language", "en", *layered(rule))
    assert relaxed.exit_code == 0, relaxed.output
    assert ": warning: " in lines_with(relaxed.output, message)[0]
    strict = check("--language", "en", "--strict", *layered(rule))
    assert strict.exit_code == 1
    assert ": error: " in lines_with(strict.output, message)[0]


def test_the_day_of_the_check_decides_what_is_due(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same block is fine on the day after its review and past due seven months later."""
    builtin = paths.builtin_dir
    monkeypatch.setattr(
        paths, "builtin_dir", lambda name: CHECK / "base" if name == "content" else builtin(name)
    )
    args = ["check", "--language", "en", *layered("time-sensitive"), "--format", "json"]
    early = json.loads(cli(*args, "--today", "2026-01-11").output)
    late = json.loads(cli(*args, "--today", "2026-08-11").output)
    assert not [p for p in early["problems"] if p["rule"] == "time_sensitive"]
    assert [p["severity"] for p in late["problems"] if p["rule"] == "time_sensitive"] == ["error"]


def test_a_caregiver_branch_is_not_flagged_in_patient_handouts(check: Cli) -> None:
    """The base block says 'Your help matters.' only to caregivers and 'Your team' to both: neither is flagged."""
    result = check("--language", "en", "--format", "json")
    report = json.loads(result.output)
    assert not [p for p in report["problems"] if p["rule"] in ("caregiver_voice", "cis_voice")]


def test_rules_can_be_turned_off_and_lists_replaced(check: Cli, tmp_path: Path) -> None:
    config = tmp_path / "checks.yaml"
    config.write_text("severity:\n  caregiver_voice: off\nvoice:\n  cis:\n    en: [rest can help]\n")
    result = check("--language", "en", "--config", str(config), *layered("caregiver-voice"))
    assert "addresses the reader as the person with MS" not in result.output
    result = check("--language", "en", "--config", str(config), *layered("cis-voice"))
    assert "CIS handout tells the reader they have MS: 'rest can help'" in result.output


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("voice:\n  caregiver: [your MS]\n", "voice.caregiver: must map language codes to lists of phrases"),
        ("time_sensitive:\n  facts: [DMT-5]\n", "time_sensitive.facts: 'DMT-5' is not a fact id"),
        (
            "time_sensitive:\n  max_age_months: soon\n",
            "time_sensitive.max_age_months: 'soon' is not a whole number",
        ),
        ("sources:\n  mirrors: [x.org]\n", "sources.mirrors: unknown key"),
    ],
)
def test_bad_review_config_is_a_usage_error(cli: Cli, tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / "checks.yaml"
    config.write_text(text)
    result = cli("check", "--config", str(config))
    assert result.exit_code == 2
    assert message in result.output


def test_today_option_rejects_a_non_date(cli: Cli) -> None:
    result = cli("check", "--today", "tomorrow")
    assert result.exit_code == 2
    assert "--today: 'tomorrow' is not a date (write it as YYYY-MM-DD)" in result.output


def test_ci_pins_the_check_to_the_last_commit_date() -> None:
    run = (Path(__file__).parents[2] / ".ci" / "run").read_text()
    assert 'handouts check --strict --today "$(git log -1 --format=%cs' in run


# --- the pieces, without the command ---------------------------------------------------------


def test_phrases_match_whole_words_in_any_case() -> None:
    pattern = phrase_pattern(("your MS", "su EM"))
    assert pattern is not None
    assert pattern.search("Your MS can change.")
    assert pattern.search("Cuide  su EM.")
    assert not pattern.search("Call yourMS now.")
    assert not pattern.search("su EMA")


def test_months_are_added_to_the_last_day_of_short_months() -> None:
    assert add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2026, 1, 10), 6) == dt.date(2026, 7, 10)


def test_titles_with_trial_names_or_hype_are_flagged() -> None:
    rules = load_check_config().review_rules
    assert title_flags("ORATORIO: ocrelizumab in PPMS", rules, "en") == ["names a trial acronym ('ORATORIO')"]
    assert title_flags("A miracle for MS", rules, "en") == ["uses hype ('miracle')"]
    assert title_flags("Multiple sclerosis in adults: management (NICE NG220)", rules, "en") == []
    assert title_flags("Un avance revolucionario", rules, "es") == ["uses hype ('avance revolucionario')"]


def test_the_url_line_is_found_inside_its_own_entry() -> None:
    lines = ["a:", '  title: "A"', "b:", '  title: "B"', '  url: "https://x.org"']
    assert key_line(lines, "b", "url:") == 5
    assert key_line(lines, "a", "url:") == 0


def test_builtin_sources_are_https_publisher_pages() -> None:
    """The built-in sources pass the source rules (the full check runs in CI with --strict)."""
    import yaml

    rules = load_check_config().review_rules
    sources = yaml.safe_load((paths.builtin_dir("content") / "sources.yaml").read_text())
    for source_id, entry in sources.items():
        assert entry["url"].startswith("https://"), source_id
        assert not any(host in entry["url"] for host in rules.blocked_hosts), source_id
        assert title_flags(entry["title"], rules, "en") == [], source_id
