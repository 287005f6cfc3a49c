"""Turn stacked content and template directories into libraries and themes, each loaded once per process."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from handouts.content.loader import load_library
from handouts.content.model import Library
from handouts.paths import stacked
from handouts.pdf.themes import Theme, load_theme


@dataclass(frozen=True)
class Engine:
    """The stacked content and template directories; loads each library and theme once per process."""

    content_dirs: tuple[Path, ...]
    templates_dirs: tuple[Path, ...]

    @classmethod
    def from_dirs(cls, content_dirs: Sequence[Path] = (), templates_dirs: Sequence[Path] = ()) -> Engine:
        return cls(stacked("content", content_dirs), stacked("templates", templates_dirs))

    def library(self, language: str) -> Library:
        return _cached_library(self.content_dirs, language)

    def theme(self, name: str) -> Theme:
        return _cached_theme(name, self.templates_dirs)


@lru_cache(maxsize=16)
def _cached_library(content_dirs: tuple[Path, ...], language: str) -> Library:
    return load_library(content_dirs, language)


@lru_cache(maxsize=16)
def _cached_theme(name: str, templates_dirs: tuple[Path, ...]) -> Theme:
    return load_theme(name, templates_dirs)
