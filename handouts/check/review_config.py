"""Turn the `voice`, `time_sensitive` and `sources` parts of the check config into typed review rules."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Fail = Callable[[str, str, str], None]
"""Records a config problem: (key, what is wrong, how to fix it)."""

REVIEW_KEYS = ("voice", "time_sensitive", "sources")
REVIEW_RULES = ("caregiver_voice", "cis_voice", "time_sensitive", "source_url", "source_title")
_VOICE_KEYS = ("caregiver", "cis", "cis_allowed")
_TIME_KEYS = ("max_age_months", "warning_days", "facts")
_SOURCE_KEYS = ("schemes", "blocked_hosts", "title_acronyms_allowed", "title_hype")
_FACT_ID = re.compile(r"^F-[A-Z]+-\d+$")


@dataclass(frozen=True)
class ReviewRules:
    """Phrase lists and limits for the rules that repeat a medical editor's review."""

    caregiver_phrases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    cis_phrases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    cis_allowed: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    max_age_months: int = 6
    warning_days: int = 30
    time_sensitive_facts: frozenset[str] = frozenset()
    schemes: tuple[str, ...] = ("https",)
    blocked_hosts: tuple[str, ...] = ()
    title_acronyms_allowed: frozenset[str] = frozenset()
    title_hype: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def read_review_rules(data: Mapping[str, Any], fail: Fail) -> ReviewRules:
    """The review rules from a merged config mapping; each bad key is passed to `fail`."""
    voice = _section(data, "voice", _VOICE_KEYS, fail)
    time = _section(data, "time_sensitive", _TIME_KEYS, fail)
    sources = _section(data, "sources", _SOURCE_KEYS, fail)
    facts = _words(time, "time_sensitive.facts", fail)
    for fact in facts:
        if not _FACT_ID.match(fact):
            fail(
                "time_sensitive.facts",
                f"{fact!r} is not a fact id",
                "write ids as in the fact base, e.g. F-DMT-05",
            )
    return ReviewRules(
        caregiver_phrases=_by_language(voice, "caregiver", "voice.", fail),
        cis_phrases=_by_language(voice, "cis", "voice.", fail),
        cis_allowed=_by_language(voice, "cis_allowed", "voice.", fail),
        max_age_months=_count(time, "time_sensitive.max_age_months", 6, fail),
        warning_days=_count(time, "time_sensitive.warning_days", 30, fail),
        time_sensitive_facts=frozenset(facts),
        schemes=tuple(s.lower() for s in _words(sources, "sources.schemes", fail)) or ("https",),
        blocked_hosts=tuple(h.lower().strip(".") for h in _words(sources, "sources.blocked_hosts", fail)),
        title_acronyms_allowed=frozenset(_words(sources, "sources.title_acronyms_allowed", fail)),
        title_hype=_by_language(sources, "title_hype", "sources.", fail),
    )


def _section(data: Mapping[str, Any], key: str, known: tuple[str, ...], fail: Fail) -> Mapping[str, Any]:
    value = data.get(key) or {}
    if not isinstance(value, Mapping):
        fail(key, "must be a mapping of keys", "see handouts/checks.yaml")
        return {}
    for name in value:
        if name not in known:
            fail(f"{key}.{name}", "unknown key", "valid keys: " + ", ".join(known))
    return value


def _words(data: Mapping[str, Any], where: str, fail: Fail) -> tuple[str, ...]:
    value = data.get(where.rsplit(".", 1)[-1]) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        fail(where, "must be a list of words", "e.g. [your MS, you have MS]")
        return ()
    return tuple(value)


def _by_language(data: Mapping[str, Any], key: str, prefix: str, fail: Fail) -> dict[str, tuple[str, ...]]:
    value = data.get(key) or {}
    if not isinstance(value, Mapping):
        fail(f"{prefix}{key}", "must map language codes to lists of phrases", "e.g. {en: [your MS]}")
        return {}
    return {str(code): _words(value, f"{prefix}{key}.{code}", fail) for code in value}


def _count(data: Mapping[str, Any], where: str, default: int, fail: Fail) -> int:
    value = data.get(where.rsplit(".", 1)[-1], default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        fail(where, f"{value!r} is not a whole number", "write e.g. 6")
        return default
    return value
