"""The command line as a clinician uses it: outputs, options, and one clear line for every mistake."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from .conftest import FIXTURES, pdf_text

Cli = Callable[..., Result]


def test_build_with_only_output(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "handout.pdf"
    result = cli("build", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-")
    assert "pages)" in result.output


def test_build_to_stdout(cli: Cli) -> None:
    result = cli("build", "-o", "-", "--date", "2026-11-26")
    assert result.exit_code == 0
    assert result.stdout_bytes.startswith(b"%PDF-")


def test_emit_xml_prints_handout_xml(cli: Cli) -> None:
    result = cli("build", "--emit", "xml", "--type", "ppms")
    assert result.exit_code == 0
    assert result.output.startswith('<handout lang="en-US" title="Primary progressive MS (PPMS)"')


def test_spec_file_and_flags_override_it(cli: Cli, tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("type: ppms\naudience: caregiver\nnotes: [Take the stairs slowly]\n")
    result = cli("build", "--spec", str(spec), "--type", "spms", "--emit", "xml")
    assert result.exit_code == 0, result.output
    assert 'title="Secondary progressive MS (SPMS)"' in result.output
    assert "Take the stairs slowly" in result.output
    assert "family and friends" in result.output


def test_clinic_profile_with_logo(cli: Cli, tmp_path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (120, 60), "#1F4E79").save(tmp_path / "logo.png")
    clinic = tmp_path / "clinic.yaml"
    clinic.write_text("name: Riverside MS Centre\nphone: 555 0100\nlogo: logo.png\naccent: '#7A1F1F'\n")
    out = tmp_path / "h.pdf"
    result = cli("build", "--clinic", str(clinic), "--date", "2026-11-26", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "Riverside MS Centre" in pdf_text(out.read_bytes())


@pytest.mark.parametrize(
    ("args", "exit_code", "message"),
    [
        (["--type", "rrsm"], 2, "'rrsm' is not one of 'general', 'cis', 'rrms', 'spms', 'ppms'"),
        (["--paper", "legal"], 2, "'legal' is not one of 'letter', 'a4'"),
        (["--date", "tomorrow"], 2, "date: 'tomorrow' is not a date (write it as YYYY-MM-DD"),
        (["--sections", "nope"], 2, "unknown section 'nope' (available sections: about-ms"),
        (["--layout", "fancy"], 1, "unknown layout 'fancy' (available layouts: standard"),
        (["--spec", "missing.yaml"], 2, "missing.yaml: does not exist (check the path)"),
        (["--clinic", "missing.yaml"], 2, "missing.yaml: does not exist (check the path)"),
        (["--url", "javascript:alert(1)"], 2, "url: 'javascript:alert(1)' is not a web address"),
        (["--tpye", "rrms"], 2, "No such option '--tpye'"),
    ],
)
def test_bad_input_gets_one_clear_line_and_no_file(
    cli: Cli, tmp_path: Path, args: list[str], exit_code: int, message: str
) -> None:
    out = tmp_path / "h.pdf"
    result = cli("build", *args, "-o", str(out))
    assert result.exit_code == exit_code
    assert message in result.output
    assert "Traceback" not in result.output
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_malformed_spec_file_names_the_line(cli: Cli, tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("type: rrms\nnotes: [unclosed\n")
    result = cli("build", "--spec", str(spec), "-o", str(tmp_path / "h.pdf"))
    assert result.exit_code == 2
    assert f"{spec}:3:" in result.output


@pytest.mark.parametrize(
    ("logo", "message"),
    [
        (b"not an image", "is not a PNG or JPEG image (save the logo as PNG or JPEG)"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "is damaged or unreadable"),
    ],
)
def test_bad_logo_is_refused(cli: Cli, tmp_path: Path, logo: bytes, message: str) -> None:
    (tmp_path / "logo.png").write_bytes(logo)
    clinic = tmp_path / "clinic.yaml"
    clinic.write_text("name: Clinic\nlogo: logo.png\n")
    result = cli("build", "--clinic", str(clinic), "-o", str(tmp_path / "h.pdf"))
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "h.pdf").exists()


def test_oversized_logo_is_refused(cli: Cli, tmp_path: Path) -> None:
    from PIL import Image

    Image.new("1", (5000, 10)).save(tmp_path / "logo.png")
    clinic = tmp_path / "clinic.yaml"
    clinic.write_text("name: Clinic\nlogo: logo.png\n")
    result = cli("build", "--clinic", str(clinic), "-o", str(tmp_path / "h.pdf"))
    assert result.exit_code == 2
    assert "is 5000x10 pixels (resize it to at most 4000 pixels a side)" in result.output


def test_malformed_content_block_names_file_and_line(cli: Cli, tmp_path: Path) -> None:
    block_dir = tmp_path / "content" / "en" / "about-ms"
    block_dir.mkdir(parents=True)
    (block_dir / "broken.md").write_text("---\nid: broken\ntitle: [unclosed\n---\nBody\n")
    result = cli("build", "--content-dir", str(tmp_path / "content"), "-o", str(tmp_path / "h.pdf"))
    assert result.exit_code == 1
    assert "broken.md:" in result.output
    assert not (tmp_path / "h.pdf").exists()


def test_unwritable_output_path(cli: Cli, tmp_path: Path) -> None:
    result = cli("build", "-o", str(tmp_path / "no-such-folder" / "h.pdf"))
    assert result.exit_code == 1
    assert "does not exist (create it first)" in result.output


def test_list_shows_layouts_themes_sections_and_blocks(cli: Cli) -> None:
    result = cli("list")
    assert result.exit_code == 0
    assert "Layouts:  standard" in result.output
    assert "large-print, standard" in result.output
    assert "about-ms" in result.output


def test_help_describes_every_option(cli: Cli) -> None:
    result = cli("build", "--help")
    for option in (
        "--type",
        "--stage",
        "--audience",
        "--paper",
        "--layout",
        "--sections",
        "--clinic",
        "--note",
        "--patient-name",
        "--date",
        "--emit",
        "--spec",
        "--print",
        "--fillable",
    ):
        assert option in result.output


def test_console_script_runs_from_any_directory(tmp_path: Path) -> None:
    out = tmp_path / "h.pdf"
    result = subprocess.run(
        [sys.executable, "-m", "handouts", "build", "-o", str(out)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(b"%PDF-")


def test_fixture_dir_is_used(cli: Cli) -> None:
    assert (FIXTURES / "content").is_dir()
