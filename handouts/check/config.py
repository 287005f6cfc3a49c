"""Turn the check config YAML (built-in defaults, then --config) into typed thresholds and word lists."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handouts.check.readability import METRICS
from handouts.check.review_config import REVIEW_KEYS, REVIEW_RULES, ReviewRules, read_review_rules
from handouts.errors import UsageError
from handouts.yamlfile import deep_merge, load_yaml_file

DEFAULT_CONFIG = Path(__file__).with_name("checks.yaml")
SEVERITIES = ("error", "warning", "off")
RULES = (
    "long_sentence", "long_list", "undefined_term", "term_before_definition", "acronym", "percentage",
    "passive_voice", "missing_translation", "stale_translation", "unused_source", "banned_word", "question_count",
    "sheet_shape",
    *REVIEW_RULES,
)  # fmt: skip
WARNING_ONLY = frozenset({"passive_voice"})
LIMIT_KEYS = ("warning_above", "error_above", "warning_below", "error_below")
_TOP_KEYS = (
    "review", "sentences", "lists", "questions", "passive_voice", "paragraphs", "smog", "handout_layout", "glossary_defines", "severity",
    "languages", *REVIEW_KEYS,
)  # fmt: skip
GLOSSARY_DEFINES = ("all", "printed")
_LANGUAGE_KEYS = (
    "scores", "paragraph_scores", "known_acronyms", "plain_words", "medical_terms", "jargon", "banned_words",
    "allowed_phrases",
)  # fmt: skip


@dataclass(frozen=True)
class Limit:
    """Bounds for one score: above/below a warning line, and above/below an error line."""

    metric: str
    warning_above: float | None = None
    error_above: float | None = None
    warning_below: float | None = None
    error_below: float | None = None

    def judge(self, value: float | None) -> tuple[str, float] | None:
        """('error' or 'warning', the line crossed), or None when the value is within bounds."""
        if value is None:
            return None
        for severity, above, below in (
            ("error", self.error_above, self.error_below),
            ("warning", self.warning_above, self.warning_below),
        ):
            if above is not None and value > above:
                return severity, above
            if below is not None and value < below:
                return severity, below
        return None


@dataclass(frozen=True)
class LanguageConfig:
    """Score limits and word lists for one language."""

    scores: tuple[Limit, ...] = ()
    paragraph_scores: tuple[Limit, ...] = ()
    known_acronyms: tuple[str, ...] = ()
    plain_words: tuple[str, ...] = ()
    medical_terms: tuple[str, ...] = ()
    jargon: tuple[str, ...] = ()
    banned_words: tuple[str, ...] = ()
    allowed_phrases: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckConfig:
    """Everything `handouts check` can be told, with the built-in defaults filled in."""

    review_warning_days: int
    max_sentence_words: int
    max_list_items: int
    min_questions: int
    max_questions: int
    passive_max_share: float
    paragraph_min_words: int
    smog_min_sentences: int
    handout_layout: str
    glossary_defines: str
    severity: Mapping[str, str]
    languages: Mapping[str, LanguageConfig] = field(default_factory=dict)
    review_rules: ReviewRules = field(default_factory=ReviewRules)

    def language(self, code: str) -> LanguageConfig:
        return self.languages.get(code, LanguageConfig())


def load_check_config(path: Path | None = None) -> CheckConfig:
    """The built-in config, with `path` merged over it; every problem is reported at once (exit 2)."""
    data = _read(DEFAULT_CONFIG)
    origin = str(DEFAULT_CONFIG)
    if path is not None:
        data = deep_merge(data, _read(path))
        origin = str(path)
    reader = _ConfigReader(origin)
    config = reader.config(data)
    if reader.problems:
        raise UsageError.listing(reader.problems, origin)
    return config


def _read(path: Path) -> dict[str, Any]:
    data = load_yaml_file(path, UsageError)
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise UsageError(f"{path}:1: a check config must be a mapping of keys (see handouts/checks.yaml)")
    return dict(data)


class _ConfigReader:
    """Reads each key, collecting problems so one message can list them all."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.problems: list[str] = []

    def fail(self, key: str, what: str, how: str) -> None:
        self.problems.append(f"{self.origin}: {key}: {what} ({how})")

    def config(self, data: Mapping[str, Any]) -> CheckConfig:
        self.unknown(data, _TOP_KEYS, "")
        return CheckConfig(
            review_warning_days=self.number(data, "review", "warning_days", 60),
            max_sentence_words=self.number(data, "sentences", "max_words", 25),
            max_list_items=self.number(data, "lists", "max_items", 7),
            min_questions=self.number(data, "questions", "min", 6),
            max_questions=self.number(data, "questions", "max", 8),
            passive_max_share=self.share(data, "passive_voice", "max_share", 0.2),
            paragraph_min_words=self.number(data, "paragraphs", "min_words", 20),
            smog_min_sentences=self.number(data, "smog", "min_sentences", 30),
            handout_layout=str(data.get("handout_layout", "standard")),
            glossary_defines=self.choice(data, "glossary_defines", GLOSSARY_DEFINES),
            severity=self.severity(self.mapping(data, "severity")),
            languages={
                str(code): self.language(str(code), value)
                for code, value in self.mapping(data, "languages").items()
            },
            review_rules=read_review_rules(data, self.fail),
        )

    def choice(self, data: Mapping[str, Any], key: str, allowed: tuple[str, ...]) -> str:
        value = data.get(key, allowed[0])
        if value not in allowed:
            self.fail(key, f"{value!r} is not allowed", "use " + " or ".join(allowed))
            return allowed[0]
        return str(value)

    def unknown(self, data: Mapping[str, Any], known: tuple[str, ...], where: str) -> None:
        for key in data:
            if key not in known:
                self.fail(f"{where}{key}", "unknown key", "valid keys: " + ", ".join(known))

    def mapping(self, data: Mapping[str, Any], key: str, where: str = "") -> Mapping[str, Any]:
        value = data.get(key) or {}
        if not isinstance(value, Mapping):
            self.fail(f"{where}{key}", "must be a mapping of keys", "see handouts/checks.yaml")
            return {}
        return value

    def number(self, data: Mapping[str, Any], section: str, key: str, default: int) -> int:
        value = self.mapping(data, section).get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.fail(f"{section}.{key}", f"{value!r} is not a whole number", "write e.g. 25")
            return default
        return value

    def share(self, data: Mapping[str, Any], section: str, key: str, default: float) -> float:
        value = self.mapping(data, section).get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            self.fail(f"{section}.{key}", f"{value!r} is not a share from 0 to 1", "write e.g. 0.2")
            return default
        return float(value)

    def severity(self, data: Mapping[str, Any]) -> dict[str, str]:
        self.unknown(data, RULES, "severity.")
        result = {rule: "error" for rule in RULES} | {"passive_voice": "warning", "source_title": "warning"}
        for rule, given in data.items():
            value = "off" if given is False else given  # YAML reads a bare `off` as false
            allowed = ("warning", "off") if rule in WARNING_ONLY else SEVERITIES
            if rule in RULES and value not in allowed:
                self.fail(f"severity.{rule}", f"{value!r} is not allowed", "use " + " or ".join(allowed))
            elif rule in RULES:
                result[rule] = str(value)
        return result

    def language(self, code: str, data: Any) -> LanguageConfig:
        where = f"languages.{code}."
        if not isinstance(data, Mapping):
            self.fail(where.rstrip("."), "must be a mapping of keys", "see handouts/checks.yaml")
            return LanguageConfig()
        self.unknown(data, _LANGUAGE_KEYS, where)
        return LanguageConfig(
            scores=self.limits(self.mapping(data, "scores", where), f"{where}scores."),
            paragraph_scores=self.limits(
                self.mapping(data, "paragraph_scores", where), f"{where}paragraph_scores."
            ),
            known_acronyms=self.words(data, "known_acronyms", where),
            plain_words=self.words(data, "plain_words", where),
            medical_terms=self.words(data, "medical_terms", where),
            jargon=self.patterns(data, where),
            banned_words=self.words(data, "banned_words", where),
            allowed_phrases=self.words(data, "allowed_phrases", where),
        )

    def limits(self, data: Mapping[str, Any], where: str) -> tuple[Limit, ...]:
        limits = []
        for metric, bounds in data.items():
            if metric not in METRICS:
                self.fail(f"{where}{metric}", "unknown score", "valid scores: " + ", ".join(METRICS))
                continue
            if not isinstance(bounds, Mapping):
                self.fail(f"{where}{metric}", "must map bounds to numbers", "e.g. {error_above: 8}")
                continue
            self.unknown(bounds, LIMIT_KEYS, f"{where}{metric}.")
            values = {k: v for k, v in bounds.items() if k in LIMIT_KEYS}
            bad = [k for k, v in values.items() if isinstance(v, bool) or not isinstance(v, int | float)]
            for key in bad:
                self.fail(f"{where}{metric}.{key}", f"{values[key]!r} is not a number", "write e.g. 8")
            if not bad:
                limits.append(Limit(metric=str(metric), **{k: float(v) for k, v in values.items()}))
        return tuple(limits)

    def words(self, data: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
        value = data.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(f"{where}{key}", "must be a list of words", "e.g. [MS, MRI]")
            return ()
        return tuple(value)

    def patterns(self, data: Mapping[str, Any], where: str) -> tuple[str, ...]:
        patterns = self.words(data, "jargon", where)
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                self.fail(
                    f"{where}jargon", f"{pattern!r} is not a regular expression: {exc}", "fix the pattern"
                )
        return patterns
