"""Turn stacked content and template directories into libraries and themes, each loaded once per process
(a library parsed before, by any process, is read back from the user cache folder)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from handouts import vocabulary
from handouts.cache import entry_key, read_entry, source_fingerprint, write_entry
from handouts.content import loader, model, stored
from handouts.content.loader import load_library
from handouts.content.model import Library
from handouts.content.stored import content_version, library_from_json, library_to_json
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
    """The library, from the cache folder when the same directories were parsed by the same code before."""
    code = source_fingerprint(loader.__file__, model.__file__, stored.__file__, vocabulary.__file__)
    key = entry_key("library", language, code, content_version(content_dirs))
    data = read_entry(key)
    if data is not None:
        try:
            return library_from_json(data)
        except (ValueError, KeyError, TypeError):
            pass  # an entry from another layout of the same version: parse again and replace it
    library = load_library(content_dirs, language)
    write_entry(key, library_to_json(library))
    return library


@lru_cache(maxsize=16)
def _cached_theme(name: str, templates_dirs: tuple[Path, ...]) -> Theme:
    return load_theme(name, templates_dirs)
