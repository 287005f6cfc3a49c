"""The cache across processes: entries are checked, private and atomic, and never change what is printed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from handouts import cache
from handouts.content.loader import load_library
from handouts.content.stored import library_from_json, library_to_json
from handouts.engine import Engine, _cached_library


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    target = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_ENV, str(target))
    cache.cache_folder.cache_clear()
    yield target
    cache.cache_folder.cache_clear()


def test_an_entry_reads_back_what_was_written(folder: Path) -> None:
    key = cache.entry_key("test", "one", b"two")
    assert cache.read_entry(key) is None
    cache.write_entry(key, b"payload")
    assert cache.read_entry(key) == b"payload"
    assert oct(folder.stat().st_mode & 0o777) == oct(0o700)
    assert [p.name for p in folder.iterdir()] == [key]  # no temporary file left behind


def test_keys_differ_with_every_part() -> None:
    assert cache.entry_key("k", "a", "b") != cache.entry_key("k", "ab")
    assert cache.entry_key("k", "a") != cache.entry_key("j", "a")


def test_a_damaged_or_truncated_entry_is_a_miss(folder: Path) -> None:
    key = cache.entry_key("test", "damaged")
    cache.write_entry(key, b"payload")
    data = (folder / key).read_bytes()
    (folder / key).write_bytes(data[:-1] + b"X")
    assert cache.read_entry(key) is None
    (folder / key).write_bytes(data[:20])
    assert cache.read_entry(key) is None


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_an_entry_others_could_write_is_never_read(folder: Path) -> None:
    key = cache.entry_key("test", "shared")
    cache.write_entry(key, b"payload")
    (folder / key).chmod(0o666)
    assert cache.read_entry(key) is None
    (folder / key).chmod(0o600)
    folder.chmod(0o777)
    assert cache.read_entry(key) is None
    cache.write_entry(cache.entry_key("test", "other"), b"x")  # nor written into
    assert not (folder / cache.entry_key("test", "other")).exists()


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes anywhere")
def test_a_read_only_folder_means_no_cache_not_an_error(folder: Path) -> None:
    folder.mkdir(mode=0o500)
    cache.write_entry(cache.entry_key("test", "ro"), b"payload")
    assert list(folder.iterdir()) == []


def test_off_disables_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, "off")
    cache.cache_folder.cache_clear()
    try:
        assert cache.cache_folder() is None
        cache.write_entry("anything", b"x")
        assert cache.read_entry("anything") is None
    finally:
        cache.cache_folder.cache_clear()


def test_concurrent_writers_leave_one_whole_entry(folder: Path) -> None:
    code = (
        "import sys\nfrom handouts import cache\n"
        "for _ in range(200):\n    cache.write_entry('same', sys.argv[1].encode() * 5000)\n"
    )
    writers = [subprocess.Popen([sys.executable, "-c", code, letter]) for letter in "abcd"]
    for writer in writers:
        assert writer.wait() == 0
    payload = cache.read_entry("same")
    assert payload is not None
    assert payload in {letter.encode() * 5000 for letter in "abcd"}
    assert [p.name for p in folder.iterdir()] == ["same"]


def test_a_library_survives_json_unchanged(engine: Engine) -> None:
    for language in ("en", "es"):
        library = load_library(engine.content_dirs, language)
        assert library_from_json(library_to_json(library)) == library


def _build(work: Path, cache_dir: str, name: str) -> bytes:
    env = {**os.environ, cache.CACHE_ENV: cache_dir}
    options = ["--type", "rrms", "--date", "2026-01-05", "--url", "https://example.org/ms", "-o", name]
    subprocess.run([sys.executable, "-m", "handouts", "build", *options], cwd=work, env=env, check=True)
    return (work / name).read_bytes()


def test_a_cached_build_prints_the_same_bytes_as_an_uncached_one(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    uncached = _build(tmp_path, "off", "plain.pdf")
    first = _build(tmp_path, str(folder), "first.pdf")
    kinds = {p.name.split("-")[0] for p in folder.iterdir()}
    assert {"library", "layout", "block", "markdown", "qr"} <= kinds
    second = _build(tmp_path, str(folder), "second.pdf")  # now every entry is read back
    assert uncached == first == second


def test_a_changed_block_is_parsed_again(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(Path(__file__).parent / "fixtures" / "content", content)
    basics = content / "en" / "about-ms" / "basics.md"
    assert "A sentence added later." not in Engine((content,), ()).library("en").blocks["basics"].body
    basics.write_text(basics.read_text(encoding="utf-8") + "\nA sentence added later.\n", encoding="utf-8")
    _cached_library.cache_clear()  # as a new process would start
    assert "A sentence added later." in Engine((content,), ()).library("en").blocks["basics"].body
