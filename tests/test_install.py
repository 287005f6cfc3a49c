"""The wheel carries its content, templates and fonts, and builds a handout from any folder."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.skip(f"cannot build a wheel here: {result.stderr.strip()[-200:]}")
    return next(out.glob("handouts-*.whl"))


def test_wheel_bundles_content_templates_fonts_and_licence(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "handouts/_data/content/en/topics.yaml" in names
    assert "handouts/_data/templates/layouts/standard.xml.j2" in names
    assert "handouts/_data/templates/fonts/AtkinsonHyperlegible-Regular.ttf" in names
    assert "handouts/_data/templates/fonts/OFL.txt" in names


def test_unpacked_wheel_builds_a_handout_from_another_folder(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site), "SOURCE_DATE_EPOCH": "1764115200"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import handouts.paths as p, runpy; print(p.builtin_dir('content'));"
            "import sys; sys.argv=['handouts','build','-o','h.pdf']; runpy.run_module('handouts', run_name='__main__')",
        ],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert str(site) in result.stdout  # the bundled copy, not the checkout
    assert (elsewhere / "h.pdf").read_bytes().startswith(b"%PDF-")


def test_source_date_epoch_gives_identical_files(tmp_path: Path) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1764115200"}
    for name in ("a.pdf", "b.pdf"):
        subprocess.run(
            [sys.executable, "-m", "handouts", "build", "--type", "spms", "-o", name],
            cwd=tmp_path,
            env=env,
            check=True,
            capture_output=True,
        )
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()
