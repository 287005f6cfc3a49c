"""`handouts site` after a hostile review: it never overwrites someone else's folder, and its Spanish part speaks Spanish."""

from __future__ import annotations

import re
from pathlib import Path

from .test_site import run_site

SMALL = ("--types", "rrms", "--papers", "a4", "--print-sizes", "standard", "-j", "1")


def test_a_folder_with_other_files_is_refused(tmp_path: Path) -> None:
    blog = tmp_path / "blog"
    blog.mkdir()
    (blog / "index.html").write_text("<p>my blog</p>")
    (blog / "post.html").write_text("<p>a post</p>")
    result = run_site(str(blog), *SMALL, "--languages", "en")
    assert result.returncode == 2
    assert result.stderr == (
        f"Error: {blog}: already holds files the site did not write (post.html) and would replace its "
        "index.html (give an empty or new folder, or add --force to write into it anyway)\n"
    )
    assert (blog / "index.html").read_text() == "<p>my blog</p>"
    assert sorted(p.name for p in blog.iterdir()) == ["index.html", "post.html"]


def test_force_writes_into_a_folder_with_other_files(tmp_path: Path) -> None:
    blog = tmp_path / "blog"
    blog.mkdir()
    (blog / "post.html").write_text("<p>a post</p>")
    result = run_site(str(blog), *SMALL, "--languages", "en", "--force")
    assert result.returncode == 0, result.stderr
    assert (blog / "post.html").read_text() == "<p>a post</p>"
    assert "ms-rrms-en-standard-print-a4.pdf" in (blog / "index.html").read_text()


def test_an_earlier_site_is_rebuilt_in_place(tmp_path: Path) -> None:
    site = tmp_path / "public"
    assert run_site(str(site), *SMALL, "--languages", "en").returncode == 0
    again = run_site(str(site), *SMALL, "--languages", "en,es")
    assert again.returncode == 0, again.stderr


def test_the_spanish_part_of_the_index_speaks_spanish(tmp_path: Path) -> None:
    site = tmp_path / "public"
    result = run_site(str(site), "--types", "rrms,general", "--papers", "letter,a4", "-j", "2")
    assert result.returncode == 0, result.stderr
    html = (site / "index.html").read_text()
    spanish = re.search(r'<section lang="es".*?</section>', html, re.S)
    assert spanish, "no Spanish section"
    text = re.sub(r"<[^>]+>", " ", spanish.group())
    for word in (
        "Letra normal",
        "Letra grande",
        "Papel A4",
        "Papel carta",
        "páginas",
        "Cómo elegir",
        "Tipos de EM",
    ):
        assert word in spanish.group(), word
    for english in ("Standard print", "Large print", "paper", " pages", "Types of MS", "How to choose"):
        assert english not in text, english
    assert 'lang="en"' not in spanish.group()
    assert '<p lang="es">Estas hojas dan información general' in html
