"""The logo, the form-field font and font coverage from the cache folder are what making them afresh gives."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PIL import Image
from reportlab.pdfbase.ttfonts import TTFontFile

from handouts import cache
from handouts.clinic import Clinic, check_logo
from handouts.engine import Engine
from handouts.paths import builtin_dir
from handouts.pdf import logo, scripts, widgets
from handouts.render import render_handout

from ..conftest import make_spec


def clear_caches() -> None:
    cache.cache_folder.cache_clear()
    logo._cached_reader.cache_clear()
    widgets._font_program.cache_clear()


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    target = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_ENV, str(target))
    clear_caches()
    yield target
    clear_caches()


def rgb(path: Path) -> None:
    Image.new("RGB", (240, 80), "#1F4E79").save(path)


def rgba(path: Path) -> None:
    image = Image.new("RGBA", (120, 60), (200, 40, 40, 255))
    image.putpixel((3, 3), (0, 0, 0, 0))
    image.save(path)


def grey_alpha(path: Path) -> None:
    image = Image.new("LA", (50, 20), (90, 128))
    image.save(path)


def palette_transparent(path: Path) -> None:
    image = Image.new("P", (40, 40), 1)
    image.putpalette([255, 255, 255, 10, 80, 160] + [0] * 762)
    image.putpixel((0, 0), 0)
    image.save(path, transparency=0)


def palette(path: Path) -> None:
    image = Image.new("P", (40, 40), 1)
    image.putpalette([255, 255, 255, 10, 80, 160] + [0] * 762)
    image.save(path)


def grey(path: Path) -> None:
    Image.new("L", (64, 32), 77).save(path)


def rgb_transparent_colour(path: Path) -> None:
    Image.new("RGB", (30, 30), (1, 2, 3)).save(path, transparency=(1, 2, 3))


def jpeg(path: Path) -> None:
    image = Image.new("RGB", (90, 45), "#1F4E79")
    image.putpixel((5, 5), (250, 250, 0))
    image.save(path, quality=90)


def jpeg_grey(path: Path) -> None:
    Image.new("L", (90, 45), 120).save(path)


KINDS: dict[str, tuple[Callable[[Path], None], str]] = {
    "rgb": (rgb, "png"),
    "rgba": (rgba, "png"),
    "grey-alpha": (grey_alpha, "png"),
    "palette-transparent": (palette_transparent, "png"),
    "palette": (palette, "png"),
    "grey": (grey, "png"),
    "rgb-transparent-colour": (rgb_transparent_colour, "png"),
    "jpeg": (jpeg, "jpg"),
    "jpeg-grey": (jpeg_grey, "jpg"),
}


def render_with_logo(engine: Engine, path: Path) -> bytes:
    spec = make_spec(clinic=Clinic(name="Riverside MS Centre", logo=path), url="https://example.org/ms")
    return render_handout(spec, engine).pdf


@pytest.mark.parametrize("kind", KINDS)
def test_a_logo_from_the_cache_folder_prints_the_same_bytes(
    engine: Engine, folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    make, suffix = KINDS[kind]
    path = tmp_path / f"logo.{suffix}"
    make(path)
    made = render_with_logo(engine, path)  # decoded by Pillow, then stored
    clear_caches()
    assert isinstance(logo.logo_reader(path), logo.StoredImage)
    stored = render_with_logo(engine, path)  # the logo and the field font from the cache folder
    monkeypatch.setenv(cache.CACHE_ENV, "off")
    clear_caches()
    assert not isinstance(logo.logo_reader(path), logo.StoredImage)
    uncached = render_with_logo(engine, path)
    assert made == uncached
    assert stored == uncached


def damage_entries(folder: Path, kind: str) -> list[str]:
    """Replace each entry of `kind` by a sound entry (checksum and all) that holds the wrong thing."""
    names = sorted(p.name for p in folder.iterdir() if p.name.startswith(kind))
    for name in names:
        cache.write_blobs(name, {"size": [1, 1]}, [b"x", b"y"])
    return names


@pytest.mark.parametrize("kind", ["logo-image-", "field-font-", "logo-size-"])
def test_a_damaged_or_foreign_entry_is_a_miss(
    engine: Engine, folder: Path, tmp_path: Path, kind: str
) -> None:
    path = tmp_path / "logo.png"
    rgba(path)
    assert check_logo(path, "clinic", []) == path
    made = render_with_logo(engine, path)
    clear_caches()
    names = damage_entries(folder, kind)
    assert names
    problems: list[str] = []
    assert check_logo(path, "clinic", problems) == path
    assert problems == []
    assert render_with_logo(engine, path) == made
    for name in names:  # a torn file is a miss too
        (folder / name).write_bytes((folder / name).read_bytes()[:-3])
    clear_caches()
    assert check_logo(path, "clinic", []) == path
    assert render_with_logo(engine, path) == made


def test_a_logo_too_large_is_refused_from_the_cache_folder_too(folder: Path, tmp_path: Path) -> None:
    path = tmp_path / "wide.png"
    Image.new("L", (4001, 2), 0).save(path)
    for _ in range(2):
        problems: list[str] = []
        assert check_logo(path, "clinic", problems) is None
        assert problems == [
            "clinic: logo: wide.png: is 4001x2 pixels (resize it to at most 4000 pixels a side)"
        ]


def test_a_build_with_the_cache_folder_prints_what_a_build_without_it_prints(tmp_path: Path) -> None:
    rgb(tmp_path / "logo.png")
    (tmp_path / "clinic.yaml").write_text("name: Riverside MS Centre\nlogo: logo.png\n", encoding="utf-8")
    build = [sys.executable, "-m", "handouts", "build", "--clinic", "clinic.yaml", "--date", "2026-01-05"]
    for cache_dir, name in [("off", "off.pdf"), ("cache", "first.pdf"), ("cache", "second.pdf")]:
        env = {**os.environ, cache.CACHE_ENV: "off" if cache_dir == "off" else str(tmp_path / cache_dir)}
        subprocess.run([*build, "-o", name], cwd=tmp_path, env=env, check=True, capture_output=True)
    off = (tmp_path / "off.pdf").read_bytes()
    assert (tmp_path / "first.pdf").read_bytes() == off
    assert (tmp_path / "second.pdf").read_bytes() == off


FONTS = builtin_dir("templates") / "fonts"


@pytest.mark.parametrize(
    "files",
    [
        ("AtkinsonHyperlegible-Regular.ttf", "AtkinsonHyperlegible-Bold.ttf"),
        ("NotoSansHebrew-Regular.ttf",),
    ],
)
def test_font_coverage_from_the_cache_folder_is_the_fonts_own(folder: Path, files: tuple[str, ...]) -> None:
    paths = [str(FONTS / name) for name in files]
    parsed = frozenset(set.intersection(*(set(TTFontFile(p, subfontIndex=0).charToGlyph) for p in paths)))
    scripts.font_coverage.cache_clear()
    assert scripts.font_coverage(*paths) == parsed  # parsed, then stored
    (entry,) = [p for p in folder.iterdir() if p.name.startswith("font-coverage-")]
    scripts.font_coverage.cache_clear()
    assert scripts.font_coverage(*paths) == parsed  # from the cache folder
    for foreign in [b'{"a": 1}', b"[1, -5]", b"[1.5]", b"not json"]:
        cache.write_entry(entry.name, foreign)
        scripts.font_coverage.cache_clear()
        assert scripts.font_coverage(*paths) == parsed
    scripts.font_coverage.cache_clear()


def test_a_logo_too_large_to_store_is_decoded_every_time(
    engine: Engine, folder: Path, tmp_path: Path
) -> None:
    path = tmp_path / "big.png"
    Image.new("RGB", (1200, 1200), "#1F4E79").save(path)  # 4.3 MB of pixels
    made = render_with_logo(engine, path)
    clear_caches()
    assert not isinstance(logo.logo_reader(path), logo.StoredImage)
    assert not [p for p in folder.iterdir() if p.name.startswith("logo-image-")]
    assert render_with_logo(engine, path) == made
