"""Hostile input at the `handouts build` front door: every case a clear error or a correct PDF."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handouts.engine import Engine
from handouts.errors import RenderError
from handouts.render import render_handout
from handouts.vocabulary import AUDIENCES, PAPERS, PRINT_SIZES, STAGES, TYPES

from .conftest import make_spec, pdf_text

Cli = Callable[..., Result]
MARKUP = [
    '<img src="/etc/passwd"/>',
    '<a href="file:///etc/shadow">x</a>',
    "&#0; &amp; &lt;b&gt; &nbsp;",
    "<b>unclosed <font size=90>",
    "</para><para>",
    "{{ 7*7 }} {% for x in range(9) %}x{% endfor %}",
]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("hostile", MARKUP)
def test_markup_in_every_user_field_prints_literally(engine: Engine, hostile: str) -> None:
    clinic = {"name": hostile, "department": hostile, "phone": hostile, "address": hostile}
    spec = make_spec(patient_name=hostile, notes=[hostile], clinic=clinic)
    text = squeeze(pdf_text(render_handout(spec, engine).pdf))
    assert text.count(squeeze(hostile)) >= 5
    assert "49" not in text.split(squeeze(hostile))[0][-3:]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--note", "x" * 10_000_000], "notes: a note is 10,000,000 characters long"),
        (["--patient-name", "a" * 1_000_000], "patient_name: is 1,000,000 characters long"),
        (["--note", "bell \x07 here"], "contains the unprintable character U+0007"),
        (["--note", "snow ☃ here"], "notes: 1 character cannot be printed in any of the handout's fonts"),
    ],
)
def test_oversized_and_unprintable_flags(cli: Cli, tmp_path: Path, args: list[str], message: str) -> None:
    result = cli("build", *args, "-o", str(tmp_path / "h.pdf"))
    assert result.exit_code == 2
    assert message in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"type: rrms\x00\n", "contains NUL bytes (save it as UTF-8 text)"),
        (b"type: \xff\xfe rrms\n", "is not valid UTF-8 at byte 6"),
        (b"a: &x [1, 2]\nb: [*x, *x]\n", "anchors and aliases (&name, *name) are not allowed"),
        (b"notes: " + b"[" * 50 + b"]" * 50 + b"\n", "nesting deeper than 20 levels"),
        (b"- just\n- a list\n", "a spec file must be a mapping"),
        (b"type: [rrms]\n", "type: \"['rrms']\" is not allowed"),
        (b"notes: {a: 1}\n", "notes: must be text or a list of texts"),
        (b"fillable: maybe\n", "fillable: 'maybe' is not true or false"),
        (b"x" * 1_100_000, "the limit is 1,000,000"),
    ],
)
def test_hostile_spec_files(cli: Cli, tmp_path: Path, content: bytes, message: str) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_bytes(content)
    result = cli("build", "--spec", str(spec), "-o", str(tmp_path / "h.pdf"))
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "h.pdf").exists()


@pytest.mark.parametrize("content", [b"\xef\xbb\xbftype: ppms\r\nstage: established\r\n", b""])
def test_bom_crlf_and_empty_spec_files_work(cli: Cli, tmp_path: Path, content: bytes) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_bytes(content)
    result = cli("build", "--spec", str(spec), "--emit", "xml")
    assert result.exit_code == 0, result.output
    assert ('title="Primary progressive MS (PPMS)"' in result.output) == bool(content)


@pytest.mark.parametrize(
    ("clinic", "message"),
    [
        (b"", "a clinic file must be a mapping"),
        (b"name: A\nlogo: ../../../../etc/passwd\n", "is not a PNG or JPEG image"),
        (b"name: A\nlogo: /dev/zero\n", "file not found"),
        (b"name: A\naccent: red\n", "accent: 'red' is not a colour"),
        (b"name: A\ncolour: blue\n", "colour: unknown key"),
    ],
)
def test_hostile_clinic_files(cli: Cli, tmp_path: Path, clinic: bytes, message: str) -> None:
    path = tmp_path / "clinic.yaml"
    path.write_bytes(clinic)
    result = cli("build", "--clinic", str(path), "-o", str(tmp_path / "h.pdf"))
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_huge_logo_in_pixels_is_refused_without_decoding(cli: Cli, tmp_path: Path) -> None:
    from PIL import Image

    Image.new("1", (20_000, 20_000)).save(tmp_path / "logo.png")
    (tmp_path / "clinic.yaml").write_text("name: A\nlogo: logo.png\n")
    result = cli("build", "--clinic", str(tmp_path / "clinic.yaml"), "-o", str(tmp_path / "h.pdf"))
    assert result.exit_code == 2
    assert "resize it to at most 4000 pixels a side" in result.output


def test_symlinked_logo_to_a_non_image_is_refused(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "logo.png").symlink_to("/etc/hostname")
    (tmp_path / "clinic.yaml").write_text("name: A\nlogo: logo.png\n")
    result = cli("build", "--clinic", str(tmp_path / "clinic.yaml"), "-o", str(tmp_path / "h.pdf"))
    assert result.exit_code == 2
    assert "is not a PNG or JPEG image" in result.output


def test_output_path_that_is_a_folder(cli: Cli, tmp_path: Path) -> None:
    result = cli("build", "-o", str(tmp_path))
    assert result.exit_code == 1
    assert "is a folder" in result.output


PRINTABLE = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f\xa0\xad"),
    min_size=1,
    max_size=120,
).filter(lambda s: s.strip() != "" and not any(0x80 <= ord(c) < 0xA0 for c in s))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=PRINTABLE, note=PRINTABLE)
def test_any_user_text_appears_literally_and_in_order(engine: Engine, name: str, note: str) -> None:
    spec = make_spec(patient_name=name, notes=[note])
    text = squeeze(pdf_text(render_handout(spec, engine).pdf))
    name_at = text.find(squeeze(" ".join(name.split())))
    note_at = text.find(squeeze(note), name_at + 1)
    assert name_at >= 0
    assert note_at > name_at


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf is installed by .ci/run")
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    type_=st.sampled_from([None, *TYPES]),
    stage=st.sampled_from(STAGES),
    audience=st.sampled_from(AUDIENCES),
    paper=st.sampled_from(PAPERS),
    print_size=st.sampled_from(PRINT_SIZES),
    layout=st.sampled_from(["standard", "summary"]),
    fillable=st.booleans(),
    notes=st.lists(PRINTABLE, max_size=2),
)
def test_any_valid_spec_renders_a_valid_pdf(
    engine: Engine,
    tmp_path_factory: pytest.TempPathFactory,
    type_: str | None,
    stage: str,
    audience: str,
    paper: str,
    print_size: str,
    layout: str,
    fillable: bool,
    notes: list[str],
) -> None:
    spec = make_spec(
        type=type_,
        stage=stage,
        audience=audience,
        paper=paper,
        print=print_size,
        layout=layout,
        fillable=fillable,
        notes=notes,
    )
    path = tmp_path_factory.mktemp("pdf") / "h.pdf"
    try:
        path.write_bytes(render_handout(spec, engine).pdf)
    except RenderError as exc:  # the documented limit: a one-page summary holds only so many notes
        assert layout == "summary"
        assert notes
        assert "must fit on 1 page(s)" in exc.message  # noqa: PT017
        return
    result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout


def test_content_dir_symlink_outside_is_refused(cli: Cli, tmp_path: Path) -> None:
    topic = tmp_path / "content" / "en" / "about-ms"
    topic.mkdir(parents=True)
    (topic / "escape.md").symlink_to("/etc/passwd")
    result = cli("build", "--content-dir", str(tmp_path / "content"), "-o", str(tmp_path / "h.pdf"))
    assert result.exit_code == 1
    assert "escape.md:1: links to a file outside the content directory" in result.output
    assert "root:" not in result.output
